"""Fig. 6a: GAP/SOAP errors vs SOAP cutoff radius (rule plot_fig6a_gap_cutoff)."""

import pandas as pd

from flexmlff.evaluate import cutoff_scan
from flexmlff.plots import cutoff_scan as plot_cutoff_scan
from flexmlff.plots import save_figure
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    settings = snakemake.params.settings
    table = cutoff_scan(pd.concat([pd.read_csv(f) for f in snakemake.input], ignore_index=True))
    log.info("\n%s", table.round(3).to_string(index=False))
    table.to_csv(snakemake.output.table, index=False)
    title = f"GAP/SOAP, {settings['dataset']}, {settings['n_train']} training points"
    save_figure(plot_cutoff_scan(table, title), snakemake.output[:2])
