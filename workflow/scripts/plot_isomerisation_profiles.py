"""Energy profiles of all azobenzene paths (rule plot_isomerisation_profiles)."""

import pandas as pd

from flexmlff.plots import isomerisation_profiles, save_figure
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake):
    level = snakemake.params.level
    profiles = {name: pd.read_csv(f) for name, f in zip(snakemake.params.paths, snakemake.input.profiles)}
    title = f"{snakemake.wildcards.molecule} cis → trans ({level.label})"
    save_figure(isomerisation_profiles(profiles, title), snakemake.output)
