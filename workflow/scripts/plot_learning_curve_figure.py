"""A learning-curve figure over datasets and families (rules plot_fig4/fig5/fig6b)."""

import pandas as pd

from flexmlff.evaluate import descriptor_choice
from flexmlff.plots import family_lines, learning_curve_panels, save_figure
from flexmlff.runlog import snakemake_step
from flexmlff.training_records import read_records

with snakemake_step(snakemake) as log:
    curves = pd.read_csv(snakemake.input[0])
    rows = [list(row) for row in snakemake.params.rows]
    # an entry that chooses its descriptor per dataset (Fig. 5's sGDML): the candidate whose best
    # model of the largest size has the lowest validation force RMSE stands for it, the others go
    for dataset, entry, candidates, record_files in snakemake.params.get("descriptor_choices") or []:
        on = curves[(curves["dataset"] == dataset) & curves["model"].isin(candidates)]
        largest = on[on["n_train"] == on["n_train"].max()]
        best = {row.model: int(row.best_fold) for row in largest.itertuples()}
        chosen, rmse = descriptor_choice(read_records(record_files), best)
        log.info("%s on %s: %s (validation force RMSE %s kcal/(mol A))", entry, dataset, chosen, rmse)
        for row in rows:
            if row[1] == dataset and entry in row[2]:
                row[2] = [chosen if m == entry else m for m in row[2] if m == entry or m not in candidates]
    lines = {title: family_lines(curves, dataset, models) for title, dataset, models in rows}
    save_figure(learning_curve_panels(lines, snakemake.params.statistic), snakemake.output)
