"""Best model and fold mean per training size for every family (rule learning_curve_table)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

import pandas as pd

from flexmlff.evaluate import learning_curve
from flexmlff.runlog import logged_step

with logged_step(snakemake.log[0], "learning_curve_table") as log:
    errors = pd.concat([pd.read_csv(f) for f in snakemake.input], ignore_index=True)
    curve = learning_curve(errors, snakemake.params.force_tolerance)
    log.info("\n%s", curve.round(3).to_string(index=False))
    curve.to_csv(snakemake.output[0], index=False)
