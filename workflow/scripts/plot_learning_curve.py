"""Learning-curve figure of one dataset (rule plot_learning_curve)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

import pandas as pd

from flexmlff.plots import learning_curves, save_figure
from flexmlff.runlog import logged_step

with logged_step(snakemake.log[0], "plot_learning_curve"):
    curve = pd.read_csv(snakemake.input[0])
    save_figure(learning_curves(curve, f"{snakemake.wildcards.dataset}: test errors"),
                snakemake.output)
