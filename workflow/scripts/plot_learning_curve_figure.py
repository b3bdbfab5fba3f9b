"""A learning-curve figure over datasets and families (rules plot_fig4/fig5/fig6b)."""

import pandas as pd

from flexmlff.plots import family_lines, learning_curve_panels, save_figure
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake):
    curves = pd.read_csv(snakemake.input[0])
    rows = {title: family_lines(curves, dataset, models) for title, dataset, models in snakemake.params.rows}
    save_figure(learning_curve_panels(rows, snakemake.params.statistic), snakemake.output)
