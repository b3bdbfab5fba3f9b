"""Relax one starting geometry at the reference level (rule relax_minimum)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

from ase.io import read, write

from flexmlff.calculators import level_label, make_calculator
from flexmlff.geometry import check_same_atoms
from flexmlff.paths import relax
from flexmlff.runlog import logged_step

with logged_step(snakemake.log[0], "relax_minimum") as log:
    try:
        atoms = read(snakemake.input.geometry)
        reference = read(snakemake.input.reference)
    except Exception as err:
        raise ValueError(f"cannot read geometry: {err}") from err
    check_same_atoms(atoms, reference, snakemake.input.geometry)
    level, options = snakemake.params.level
    settings = snakemake.params.relax
    fmax, max_steps = settings.get("fmax_eV_per_A", 0.005), settings.get("max_steps", 500)
    relaxed, result = relax(atoms, make_calculator(level, options), fmax, max_steps)
    if not result.converged:
        raise RuntimeError(
            f"{snakemake.input.geometry}: relaxation did not reach fmax={fmax} eV/A in "
            f"{max_steps} steps (largest force {result.max_force_eV_per_A:.4f} eV/A)"
        )
    relaxed.info.update(level=level_label(level, options), relax_steps=result.steps, minimum=snakemake.wildcards.minimum)
    log.info("energy %.6f eV after %d steps", relaxed.get_potential_energy(), result.steps)
    write(snakemake.output[0], relaxed, format="extxyz")
