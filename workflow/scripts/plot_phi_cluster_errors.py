"""Per-cluster error panels (rules plot_fig7_phi_clusters, plot_fig8_metadynamics_clusters)."""

import pandas as pd

from flexmlff.plots import phi_cluster_panels, save_figure
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake):
    tables = [pd.read_csv(f) for f in snakemake.input]
    save_figure(phi_cluster_panels(tables), snakemake.output)
