"""Rotation path re-optimised at every fixed phi (rule optimised_rotation_path)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

from ase.io import read, write

from flexmlff.calculators import make_calculator
from flexmlff.geometry import azobenzene_atoms
from flexmlff.paths import isomerisation_profile, optimise_at_fixed_torsion
from flexmlff.runlog import logged_step

with logged_step(snakemake.log[0], "optimised_rotation_path") as log:
    level, options = snakemake.params.level
    settings = snakemake.params.settings
    fmax, max_steps = settings.get("fmax_eV_per_A", 0.05), settings.get("max_steps", 500)
    rotation = read(snakemake.input.rotation, index=":")
    phi = azobenzene_atoms(rotation[0]).phi
    calc = make_calculator(level, options)
    # the end frames are the minima already; every frame in between is relaxed at its φ
    frames, converged = [rotation[0]], [True]
    for i, frame in enumerate(rotation[1:-1], start=1):
        relaxed, result = optimise_at_fixed_torsion(frame, calc, phi, fmax, max_steps)
        log.info("frame %d: %s", i, result)
        frames.append(relaxed)
        converged.append(result.converged)
    frames.append(rotation[-1])
    converged.append(True)
    if not all(converged):
        log.warning("%d frame(s) did not reach fmax=%s eV/A", converged.count(False), fmax)
    profile = isomerisation_profile(frames).assign(converged=converged)
    log.info("\n%s", profile.round(2).to_string(index=False))
    write(snakemake.output.path, frames, format="extxyz")
    profile.to_csv(snakemake.output.profile, index=False)
