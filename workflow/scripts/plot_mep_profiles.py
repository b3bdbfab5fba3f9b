"""Energy profiles of the minimum-energy paths (rule plot_mep_profiles)."""

import pandas as pd

from flexmlff.plots import mep_profiles, save_figure
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake):
    level = snakemake.params.level
    profiles = {m: pd.read_csv(f) for m, f in zip(snakemake.params.methods, snakemake.input.profiles)}
    title = f"{snakemake.wildcards.molecule}: paths between its minima ({level.label})"
    save_figure(mep_profiles(profiles, title), snakemake.output)
