"""Errors of one trained model on the held-out folds (rule test_model)."""

import pandas as pd

from flexmlff.data import read_dataset
from flexmlff.evaluate import error_metrics, mean_baseline
from flexmlff.models import family, limit_threads
from flexmlff.runlog import snakemake_step
from flexmlff.splits import Split

with snakemake_step(snakemake) as log:
    limit_threads(snakemake.threads)
    wc = snakemake.wildcards
    dataset = read_dataset(snakemake.input.dataset)
    split = Split.load(snakemake.input.split)
    fold = int(wc.fold)
    name = getattr(snakemake.params, "family", None) or wc.model
    models = family(name)
    test = dataset.subset(split.test_indices(fold))
    energies, forces = models.predict(models.load(snakemake.input.model), test.R, test.z)
    errors = error_metrics(energies, test.E, forces, test.F)
    baseline = mean_baseline(dataset.E[split.train_indices(fold)], test.E, test.F)
    row = {"dataset": wc.dataset, "model": name, "n_train": int(wc.n_train), "fold": fold,
           "n_test": len(test), **errors,
           "baseline_energy_rmse": baseline["energy_rmse"],
           "baseline_force_rmse": baseline["force_rmse"]}
    if "cutoff" in wc.keys():  # a model of the GAP cutoff scan (Fig. 6a)
        row["cutoff_A"] = float(wc.cutoff)
    log.info("%s", row)
    pd.DataFrame([row]).to_csv(snakemake.output[0], index=False)
