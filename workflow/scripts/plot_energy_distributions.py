"""Fig. 2 analogue: relative energies per MD campaign and per dataset (rule plot_energy_distributions)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

import numpy as np
import pandas as pd
from ase.io import read

from flexmlff.data import read_dataset
from flexmlff.plots import energy_distributions, save_figure
from flexmlff.runlog import logged_step
from flexmlff.units import ev_to_kcal_mol

with logged_step(snakemake.log[0], "plot_energy_distributions") as log:
    zero = ev_to_kcal_mol(read(snakemake.input.reference).get_potential_energy())
    datasets = {name: read_dataset(path) for name, path in zip(snakemake.params.names, snakemake.input.datasets)}
    by_dataset = {name: d.E - zero for name, d in datasets.items()}
    # a campaign shared by several datasets (the equilibrium runs) is shown once
    by_campaign = {}
    for d in datasets.values():
        for campaign in dict.fromkeys(d.info["source"]):
            by_campaign.setdefault(campaign, d.E[d.info["source"] == campaign] - zero)
    table = pd.DataFrame([
        {"group": kind, "name": name, "n_frames": len(e), "min_kcal_mol": e.min(),
         "median_kcal_mol": np.median(e), "p95_kcal_mol": np.percentile(e, 95), "max_kcal_mol": e.max()}
        for kind, groups in (("campaign", by_campaign), ("dataset", by_dataset))
        for name, e in groups.items()
    ]).round(2)
    log.info("\n%s", table.to_string(index=False))
    table.to_csv(snakemake.output.table, index=False)
    save_figure(energy_distributions(by_campaign, by_dataset, snakemake.params.reference),
                [path for path in snakemake.output if path != snakemake.output.table])
