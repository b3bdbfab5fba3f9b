"""All folds of all training sizes of one model family in one tidy table (rule collect_errors)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

import pandas as pd

from flexmlff.runlog import logged_step

with logged_step(snakemake.log[0], "collect_errors"):
    table = pd.concat([pd.read_csv(f) for f in snakemake.input], ignore_index=True)
    table.sort_values(["n_train", "fold"]).to_csv(snakemake.output[0], index=False)
