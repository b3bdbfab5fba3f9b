"""Azobenzene cis->trans path along one mechanism by driven internal coordinates (rule isomerisation_path)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

from ase.io import read, write

from flexmlff.calculators import make_calculator
from flexmlff.paths import azobenzene_path, isomerisation_profile, single_points
from flexmlff.runlog import logged_step

with logged_step(snakemake.log[0], "isomerisation_path") as log:
    level, options = snakemake.params.level
    settings = snakemake.params.settings
    frames = azobenzene_path(read(snakemake.input.start), read(snakemake.input.end),
                             snakemake.wildcards.mechanism, n_images=settings.get("n_images", 15),
                             theta_top_deg=settings.get("theta_top_deg", 155.0))
    frames = single_points(frames, make_calculator(level, options))
    profile = isomerisation_profile(frames)
    log.info("\n%s", profile.round(2).to_string(index=False))
    write(snakemake.output.path, frames, format="extxyz")
    profile.to_csv(snakemake.output.profile, index=False)
