"""NEB or string-method path between two relaxed minima (rule minimum_energy_path)."""

import json
from dataclasses import asdict

from ase.io import read, write

from flexmlff.mep import minimum_energy_path, path_profile
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    start, end = read(snakemake.input.start), read(snakemake.input.end)
    level = snakemake.params.level
    mep = snakemake.params.mep
    # the molecule's dihedrals, checked against the config before any job ran
    torsions = snakemake.params.torsions
    driver = mep["driving_torsion"]
    images, result = minimum_energy_path(
        start,
        end,
        level.make,
        method=snakemake.wildcards.method,
        n_images=mep["n_images"],
        fmax=mep["fmax_eV_per_A"],
        max_steps=mep["max_steps"],
        spring_constant=mep["spring_constant_eV_per_A2"],
        driving_torsion=torsions[driver] if driver else None,
    )
    if not result.converged:
        log.warning("the %s path did not converge: %s", snakemake.wildcards.method, asdict(result))
    write(snakemake.output.path, images, format="extxyz")
    path_profile(images, torsions).to_csv(snakemake.output.profile, index=False)
    with open(snakemake.output.summary, "w") as handle:
        json.dump(
            {
                "method": snakemake.wildcards.method,
                "level": level.name,
                "label": level.label,
                "n_images": len(images) - 2,
                **asdict(result),
            },
            handle,
            indent=2,
        )
