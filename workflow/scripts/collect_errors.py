"""All folds of all training sizes of one model family in one tidy table (rule collect_errors)."""

import pandas as pd

from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake):
    table = pd.concat([pd.read_csv(f) for f in snakemake.input], ignore_index=True)
    table.sort_values(["n_train", "fold"]).to_csv(snakemake.output[0], index=False)
