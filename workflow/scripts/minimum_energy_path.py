"""NEB or string-method path between two relaxed minima (rule minimum_energy_path)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

import json
from dataclasses import asdict

from ase.io import read, write

from flexmlff.calculators import make_calculator
from flexmlff.geometry import monitored_torsions
from flexmlff.paths import minimum_energy_path, path_profile
from flexmlff.runlog import logged_step

with logged_step(snakemake.log[0], "minimum_energy_path") as log:
    start, end = read(snakemake.input.start), read(snakemake.input.end)
    level, options = snakemake.params.level
    mep = snakemake.params.mep
    torsions = monitored_torsions(snakemake.wildcards.molecule, start)
    driver = mep.get("driving_torsion")
    if driver and driver not in torsions:
        raise ValueError(
            f"config key 'molecules.{snakemake.wildcards.molecule}.mep.driving_torsion': "
            f"unknown torsion {driver!r} (known: {', '.join(torsions) or 'none'})"
        )
    images, result = minimum_energy_path(
        start, end, lambda: make_calculator(level, options),
        method=snakemake.wildcards.method,
        n_images=mep.get("n_images", 15),
        fmax=mep.get("fmax_eV_per_A", 0.05),
        max_steps=mep.get("max_steps", 1000),
        spring_constant=mep.get("spring_constant_eV_per_A2", 0.1),
        driving_torsion=torsions[driver] if driver else None,
    )
    if not result.converged:
        log.warning("the %s path did not converge: %s", snakemake.wildcards.method, asdict(result))
    write(snakemake.output.path, images, format="extxyz")
    path_profile(images, torsions).to_csv(snakemake.output.profile, index=False)
    with open(snakemake.output.summary, "w") as handle:
        json.dump({"method": snakemake.wildcards.method, "level": level,
                   "n_images": len(images) - 2, **asdict(result)}, handle, indent=2)
