"""Grown against energy-stratified training sets of equal size, on the same held-out
frames, per cluster of the cluster coordinate (rule plot_training_set_optimisation)."""

import pandas as pd

from flexmlff.exports import read_predictions
from flexmlff.plots import save_figure, training_set_panels
from flexmlff.runlog import snakemake_step
from flexmlff.training_sets import training_set_comparison

with snakemake_step(snakemake) as log:
    params = snakemake.params
    pooled = {}
    for model in params.models:
        for training_set in ("stratified", "optimised"):
            paths = [path for path, (m, _) in zip(snakemake.input[training_set], params.runs) if m == model]
            pooled[(model, training_set)] = read_predictions(paths, params.coordinate)
    clusters, summary = training_set_comparison(pooled)
    steps = pd.concat([pd.read_csv(path) for path in snakemake.input.steps], ignore_index=True)
    log.info("whole held-out set and equilibrium/transition ratios:\n%s", summary.round(3).to_string(index=False))
    summary.to_csv(snakemake.output.summary, index=False)
    clusters.to_csv(snakemake.output.clusters, index=False)
    steps.to_csv(snakemake.output.steps, index=False)
    save_figure(training_set_panels(clusters, summary, steps, params.coordinate), snakemake.output.figure)
