"""Best model and fold mean per training size for every family (rule learning_curve_table)."""

import pandas as pd

from flexmlff.evaluate import learning_curve
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    errors = pd.concat([pd.read_csv(f) for f in snakemake.input], ignore_index=True)
    curve = learning_curve(errors, snakemake.params.selection)
    log.info("\n%s", curve.round(3).to_string(index=False))
    curve.to_csv(snakemake.output[0], index=False)
