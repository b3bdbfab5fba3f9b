"""Per-cluster error panels (rules plot_fig7_phi_clusters, plot_fig8_metadynamics_clusters)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

import pandas as pd

from flexmlff.plots import phi_cluster_panels, save_figure
from flexmlff.runlog import logged_step

with logged_step(snakemake.log[0], snakemake.rule):
    tables = [pd.read_csv(f) for f in snakemake.input]
    save_figure(phi_cluster_panels(tables), snakemake.output)
