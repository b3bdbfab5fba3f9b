"""Fig. 6a: GAP/SOAP errors vs SOAP cutoff radius (rule plot_fig6a_gap_cutoff)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

import pandas as pd

from flexmlff.evaluate import cutoff_scan
from flexmlff.plots import cutoff_scan as plot_cutoff_scan
from flexmlff.plots import save_figure
from flexmlff.runlog import logged_step

with logged_step(snakemake.log[0], "plot_fig6a_gap_cutoff") as log:
    settings = snakemake.params.settings
    table = cutoff_scan(pd.concat([pd.read_csv(f) for f in snakemake.input], ignore_index=True))
    log.info("\n%s", table.round(3).to_string(index=False))
    table.to_csv(snakemake.output.table, index=False)
    title = f"GAP/SOAP, {settings['dataset']}, {settings['n_train']} training points"
    save_figure(plot_cutoff_scan(table, title), snakemake.output[:2])
