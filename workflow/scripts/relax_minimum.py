"""Relax one starting geometry at the reference level (rule relax_minimum)."""

from ase.io import write

from flexmlff.geometry import check_same_atoms, read_geometry
from flexmlff.mep import relax
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    atoms = read_geometry(snakemake.input.geometry)
    reference = read_geometry(snakemake.input.reference)
    check_same_atoms(atoms, reference, snakemake.input.geometry)
    level = snakemake.params.level
    settings = snakemake.params.relax
    fmax, max_steps = settings["fmax_eV_per_A"], settings["max_steps"]
    relaxed, result = relax(atoms, level.make(), fmax, max_steps)
    if not result.converged:
        raise RuntimeError(
            f"{snakemake.input.geometry}: relaxation did not reach fmax={fmax} eV/A in "
            f"{max_steps} steps (largest force {result.max_force_eV_per_A:.4f} eV/A)"
        )
    relaxed.info.update(level=level.label, relax_steps=result.steps, minimum=snakemake.wildcards.minimum)
    log.info("energy %.6f eV after %d steps", relaxed.get_potential_energy(), result.steps)
    write(snakemake.output[0], relaxed, format="extxyz")
