"""One dataset's training records as a figure and a table of the chosen hyperparameters
(rule training_diagnostics)."""

from flexmlff.plots import save_figure, training_diagnostics
from flexmlff.runlog import snakemake_step
from flexmlff.training_records import choices_table, history_table, models_on_grid_edge, read_records, scan_table

with snakemake_step(snakemake) as log:
    records = read_records(snakemake.input)
    choices, scans = choices_table(records), scan_table(records)
    choices.to_csv(snakemake.output.table, index=False)
    for edge in models_on_grid_edge(records).itertuples():
        log.warning(
            "%s n=%s fold %s chose %s = %s, the %s of its grid: widen models.%s.%s",
            edge.family,
            edge.n_train,
            edge.fold,
            edge.parameter,
            edge.chosen,
            edge.edge,
            edge.family,
            edge.grid_key,
        )
    figure = training_diagnostics(history_table(records), scans, f"Training on {snakemake.wildcards.dataset}")
    save_figure(figure, snakemake.output.figure)
