"""Energy profiles of the minimum-energy paths (rule plot_mep_profiles)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

import pandas as pd

from flexmlff.calculators import level_label
from flexmlff.plots import mep_profiles, save_figure
from flexmlff.runlog import logged_step

with logged_step(snakemake.log[0], "plot_mep_profiles"):
    level, options = snakemake.params.level
    profiles = {m: pd.read_csv(f) for m, f in zip(snakemake.params.methods, snakemake.input.profiles)}
    title = f"{snakemake.wildcards.molecule}: minimum-energy path ({level_label(level, options)})"
    save_figure(mep_profiles(profiles, title), snakemake.output)
