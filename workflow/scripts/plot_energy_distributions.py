"""Fig. 2 analogue: relative energies per MD campaign and per dataset (rule plot_energy_distributions)."""

import numpy as np
import pandas as pd
from ase.io import read

from flexmlff.data import read_dataset
from flexmlff.plots import energy_distributions, save_figure
from flexmlff.runlog import snakemake_step
from flexmlff.units import ev_to_kcal_mol

with snakemake_step(snakemake) as log:
    zero = ev_to_kcal_mol(read(snakemake.input.reference).get_potential_energy())
    datasets = {name: read_dataset(path) for name, path in zip(snakemake.params.names, snakemake.input.datasets)}
    by_dataset = {name: d.E - zero for name, d in datasets.items()}
    # a campaign shared by several datasets (the equilibrium runs) is shown once
    by_campaign = {}
    for d in datasets.values():
        for campaign in dict.fromkeys(d.info["source"]):
            by_campaign.setdefault(campaign, d.E[d.info["source"] == campaign] - zero)
    table = pd.DataFrame(
        [
            {
                "group": kind,
                "name": name,
                "n_frames": len(e),
                "min_kcal_mol": e.min(),
                "median_kcal_mol": np.median(e),
                "p95_kcal_mol": np.percentile(e, 95),
                "max_kcal_mol": e.max(),
            }
            for kind, groups in (("campaign", by_campaign), ("dataset", by_dataset))
            for name, e in groups.items()
        ]
    ).round(2)
    log.info("\n%s", table.to_string(index=False))
    table.to_csv(snakemake.output.table, index=False)
    save_figure(
        energy_distributions(by_campaign, by_dataset, snakemake.params.reference),
        [path for path in snakemake.output if path != snakemake.output.table],
    )
