"""Rotation path re-optimised at every fixed phi (rule optimised_rotation_path): every
coordinate but phi relaxed (relax: all), or the paper's theta, theta', C-N and N=N bonds alone
(relax: paper)."""

from ase.io import read, write

from flexmlff.azobenzene_paths import isomerisation_profile
from flexmlff.geometry import AzobenzeneAtoms
from flexmlff.mep import optimise_at_fixed_torsion
from flexmlff.rotor_optimisation import optimise_rotor
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    level, relax = snakemake.params.level, snakemake.params.relax
    settings = snakemake.params.settings
    fmax, max_steps = settings["fmax_eV_per_A"], settings["max_steps"]
    rotation = read(snakemake.input.rotation, index=":")
    phi = snakemake.params.rotor
    calc = level.make()
    log.info("relaxing %s at each fixed phi", "theta, theta', a, a', b" if relax == "paper" else "all but phi")
    # the end frames are the minima already; every frame in between is optimised at its φ
    frames, converged = [rotation[0]], [True]
    for i, frame in enumerate(rotation[1:-1], start=1):
        if relax == "paper":
            relaxed, result = optimise_rotor(frame, calc, AzobenzeneAtoms(*phi), fmax, max_steps)
        else:
            relaxed, result = optimise_at_fixed_torsion(frame, calc, phi, fmax, max_steps)
        log.info("frame %d: %s", i, result)
        frames.append(relaxed)
        converged.append(result.converged)
    frames.append(rotation[-1])
    converged.append(True)
    if not all(converged):
        log.warning("%d frame(s) did not reach fmax=%s", converged.count(False), fmax)
    profile = isomerisation_profile(frames, phi).assign(converged=converged)
    log.info("\n%s", profile.round(2).to_string(index=False))
    write(snakemake.output.path, frames, format="extxyz")
    profile.to_csv(snakemake.output.profile, index=False)
