"""Every pair of models on one dataset, per training size, on the same held-out frames (every
fold's pooled): RMSE differences with paired bootstrap intervals (rule family_comparisons;
flexmlff.uncertainty.paired_comparisons)."""

import numpy as np
import pandas as pd

from flexmlff.exports import read_predictions
from flexmlff.runlog import snakemake_step
from flexmlff.uncertainty import paired_comparisons

with snakemake_step(snakemake) as log:
    models, sizes = snakemake.params.models, snakemake.params.sizes
    # the inputs: every model, then every size, then every fold
    files = np.array(snakemake.input, dtype=object).reshape(len(models), len(sizes), -1)
    tables = []
    for j, n in enumerate(sizes):
        pooled = {model: read_predictions(list(files[i, j])) for i, model in enumerate(models)}
        table = paired_comparisons(pooled, snakemake.params.seed)
        table.insert(0, "n_train", n)
        table.insert(0, "dataset", snakemake.wildcards.dataset)
        if table.empty:
            log.info("n = %d: no two models on the same frames to compare", n)
        else:
            log.info("n = %d:\n%s", n, table[["model_a", "model_b", "energy_verdict", "force_verdict"]].to_string())
        tables.append(table)
    pd.concat(tables, ignore_index=True).to_csv(snakemake.output[0], index=False)
