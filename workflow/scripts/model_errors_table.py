"""Every family's fold errors on every dataset, and the best/mean learning curves (rule model_errors_table)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

import pandas as pd

from flexmlff.evaluate import ERROR_COLUMNS, learning_curve
from flexmlff.runlog import logged_step

with logged_step(snakemake.log[0], "model_errors_table") as log:
    errors = pd.concat([pd.read_csv(f) for f in snakemake.input], ignore_index=True)
    errors = errors.sort_values(["dataset", "model", "n_train", "fold"])
    errors.to_csv(snakemake.output.errors, index=False)
    curves = learning_curve(errors[ERROR_COLUMNS], snakemake.params.force_tolerance)
    log.info("\n%s", curves.round(3).to_string(index=False))
    curves.to_csv(snakemake.output.curves, index=False)
