"""Dihedrals driven from one relaxed minimum to another, each frame relaxed at their values
(rule driven_path)."""

import json
from dataclasses import asdict

from ase.io import read, write

from flexmlff.mep import driven_path, path_profile
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    start, end = read(snakemake.input.start), read(snakemake.input.end)
    level, settings = snakemake.params.level, snakemake.params.path
    # the driven dihedrals by name, resolved to atoms and checked before any job ran
    drive = settings["drive"]
    log.info(
        "%s: %s from %s to %s, %d frames between, %s",
        snakemake.wildcards.name,
        ", ".join(drive),
        settings["start"],
        settings["end"],
        settings["n_images"],
        "each relaxed at the driven values" if settings["optimise"] else "as interpolated",
    )
    frames, result = driven_path(
        start,
        end,
        level.make,
        list(drive.values()),
        settings["n_images"],
        optimise=settings["optimise"],
        fmax=settings["fmax_eV_per_A"],
        max_steps=settings["max_steps"],
    )
    if not result.converged:
        log.warning("not every frame of %s converged: %s", snakemake.wildcards.name, asdict(result))
    write(snakemake.output.path, frames, format="extxyz")
    path_profile(frames, snakemake.params.torsions).to_csv(snakemake.output.profile, index=False)
    with open(snakemake.output.summary, "w") as handle:
        json.dump(
            {
                "method": snakemake.wildcards.name,
                "drive": list(drive),
                "level": level.name,
                "label": level.label,
                "n_images": len(frames) - 2,
                **asdict(result),
            },
            handle,
            indent=2,
        )
