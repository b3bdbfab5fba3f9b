"""Energy profiles of all azobenzene paths (rule plot_isomerisation_profiles)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

import pandas as pd

from flexmlff.calculators import level_label
from flexmlff.plots import isomerisation_profiles, save_figure
from flexmlff.runlog import logged_step

with logged_step(snakemake.log[0], "plot_isomerisation_profiles"):
    level, options = snakemake.params.level
    profiles = {name: pd.read_csv(f) for name, f in zip(snakemake.params.paths, snakemake.input.profiles)}
    title = f"{snakemake.wildcards.molecule} cis → trans ({level_label(level, options)})"
    save_figure(isomerisation_profiles(profiles, title), snakemake.output)
