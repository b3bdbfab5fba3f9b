"""Learning-curve figure of one dataset (rule plot_learning_curve)."""

import pandas as pd

from flexmlff.plots import learning_curves, save_figure
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake):
    curve = pd.read_csv(snakemake.input[0])
    save_figure(learning_curves(curve, f"{snakemake.wildcards.dataset}: test errors"), snakemake.output)
