"""The mixture of local models against the single models of its base family (rule local_models)."""

import json
from pathlib import Path

import pandas as pd

from flexmlff.local_models import local_models_table, region_columns, verdict_sentence
from flexmlff.md_statistics import summary_rows
from flexmlff.plots import local_model_panels, model_label, save_figure
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    settings = snakemake.params.settings
    models = [settings["model"], *settings["against"]]
    # the cluster tables: per dataset, the mixture and then each single model
    files = iter(snakemake.input.clusters)
    clusters = {dataset: {model: pd.read_csv(next(files)) for model in models} for dataset in settings["datasets"]}
    tables = [
        local_models_table(dataset, pd.read_csv(comparisons), clusters[dataset], settings["model"], settings["against"])
        for dataset, comparisons in zip(settings["datasets"], snakemake.input.comparisons)
    ]
    # the mixture's regions and merges, from its best fold's training record
    n_folds = len(snakemake.input.records) // len(settings["datasets"])
    for k, table in enumerate(tables):
        records = snakemake.input.records[k * n_folds : (k + 1) * n_folds]
        record = json.loads(Path(records[int(table.loc[0, "best_fold"])]).read_text())
        for column, value in region_columns(record).items():
            table.loc[0, column] = value
    table = pd.concat(tables, ignore_index=True)
    table.to_csv(snakemake.output.table, index=False)
    sentences = [verdict_sentence(t, model_label) for t in tables]
    for sentence in sentences:
        log.info("%s", sentence)
    save_figure(local_model_panels(clusters), snakemake.output[:2])
    shown = table.assign(model=table["model"].map(model_label)).round(3)
    # the same models' ML-driven MD against the reference level, where they drove any
    dynamics = ""
    if snakemake.input.ml_md:
        statistics = summary_rows(pd.read_csv(snakemake.input.ml_md[0], keep_default_na=False, na_values=[""]))
        statistics = statistics[statistics["model"].isin(models)]
        if not statistics.empty:
            dynamics = (
                "\n\nML-driven MD of these models against the reference level (results/tables/"
                "ml_md_statistics.md; the sGDML entry drives with the descriptor it chose):\n\n"
                + statistics.assign(model=statistics["model"].map(model_label)).round(2).to_markdown(index=False)
            )
    Path(snakemake.output.markdown).write_text(
        "The mixture of local models against the single models of its base family, on the same "
        "splits and training frames at the largest size. energy_rmse, force_rmse: held-out RMSEs "
        "pooled over the folds (kcal/mol, kcal/(mol Å)); *_difference: the single model's RMSE "
        "minus the mixture's (positive: the mixture is better) with its paired 95 % bootstrap "
        "interval; *_ratio: Fig. 7's equilibrium/transition RMSE ratio of the best fold on the "
        "whole dataset with its interval.\n\n"
        + "\n".join(f"- {s}" for s in sentences)
        + "\n\n"
        + shown.to_markdown(index=False)
        + dynamics
        + "\n"
    )
