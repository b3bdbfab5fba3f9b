"""Rotation path re-optimised at every fixed phi (rule optimised_rotation_path)."""

from ase.io import read, write

from flexmlff.azobenzene_paths import isomerisation_profile
from flexmlff.mep import optimise_at_fixed_torsion
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    level = snakemake.params.level
    settings = snakemake.params.settings
    fmax, max_steps = settings["fmax_eV_per_A"], settings["max_steps"]
    rotation = read(snakemake.input.rotation, index=":")
    phi = snakemake.params.rotor
    calc = level.make()
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
    profile = isomerisation_profile(frames, phi).assign(converged=converged)
    log.info("\n%s", profile.round(2).to_string(index=False))
    write(snakemake.output.path, frames, format="extxyz")
    profile.to_csv(snakemake.output.profile, index=False)
