"""Energy profiles of the minimum-energy paths (rule plot_mep_profiles)."""

import pandas as pd

from flexmlff.plots import mep_profiles, save_figure
from flexmlff.runlog import logged_step

with logged_step(snakemake.log[0], "plot_mep_profiles"):
    level, options = snakemake.params.level
    profiles = {m: pd.read_csv(f) for m, f in zip(snakemake.params.methods, snakemake.input.profiles)}
    title = f"{snakemake.wildcards.molecule}: minimum-energy path ({options.get('method', level)})"
    save_figure(mep_profiles(profiles, title), snakemake.output)
