"""Every family's fold errors on every dataset, and the best/mean learning curves (rule model_errors_table)."""

import pandas as pd

from flexmlff.evaluate import ERROR_COLUMNS, learning_curve
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    errors = pd.concat([pd.read_csv(f) for f in snakemake.input], ignore_index=True)
    errors = errors.sort_values(["dataset", "model", "n_train", "fold"])
    errors.to_csv(snakemake.output.errors, index=False)
    # models tested before the error intervals existed have none: NaN bounds
    curves = learning_curve(errors.reindex(columns=ERROR_COLUMNS), snakemake.params.selection)
    log.info("\n%s", curves.round(3).to_string(index=False))
    curves.to_csv(snakemake.output.curves, index=False)
