"""A learning-curve figure over datasets and families (rules plot_fig4/fig5/fig6b)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

import pandas as pd

from flexmlff.plots import family_lines, learning_curve_panels, save_figure
from flexmlff.runlog import logged_step

with logged_step(snakemake.log[0], snakemake.rule):
    curves = pd.read_csv(snakemake.input[0])
    rows = {title: family_lines(curves, dataset, models) for title, dataset, models in snakemake.params.rows}
    save_figure(learning_curve_panels(rows, snakemake.params.statistic), snakemake.output)
