"""One dataset from MD frames or a user's file, as extxyz + sGDML npz (rule assemble_dataset)."""

import json
from pathlib import Path

import numpy as np
from ase import Atoms

from flexmlff.data import (
    concatenate,
    drop_duplicates,
    read_dataset,
    write_extxyz,
    write_sgdml_npz,
)
from flexmlff.geometry import check_same_atoms, read_geometry
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    name = snakemake.wildcards.dataset
    level = snakemake.params.level
    sources = snakemake.input.sources
    # a user's file may state its units and level of theory; our own frames carry theirs
    stated = (
        dict(units=snakemake.params.units, theory=snakemake.params.theory, config_key=f"datasets.{name}.units")
        if snakemake.params.sources == ["file"]
        else {}
    )
    parts = [read_dataset(path, name=source, **stated) for path, source in zip(sources, snakemake.params.sources)]
    if snakemake.input.get("atom_order"):
        # the molecule's collective variables are atom indices of its minima: a file in another
        # order would measure other atoms
        minimum = read_geometry(snakemake.input.atom_order)
        check_same_atoms(
            Atoms(numbers=parts[0].z),
            minimum,
            f"{sources[0]} (config key 'datasets.{name}.file', against the molecule's first minimum "
            f"{snakemake.input.atom_order})",
        )
    if snakemake.params.sources != ["file"]:
        # MD frames must carry the molecule's level: never driving-level labels
        for path, part in zip(sources, parts):
            if part.theory != level.label:
                raise ValueError(f"{path}: frames labelled at {part.theory}, dataset {name} needs {level.label}")
    dataset, n_duplicates = drop_duplicates(concatenate(parts, name))
    if n_duplicates:
        log.info("dropped %d repeated geometries (runs sharing a start)", n_duplicates)
    if snakemake.input.get("same_size_as"):
        target = json.loads(Path(snakemake.input.same_size_as).read_text())
        if target["n_frames"] > len(dataset):
            raise ValueError(
                f"dataset {name}: {len(dataset)} frames, fewer than the {target['n_frames']} "
                f"of {target['name']} it must match; sample more"
            )
        keep = np.sort(
            np.random.default_rng(snakemake.params.seed).choice(len(dataset), target["n_frames"], replace=False)
        )
        log.info("drew %d of %d frames to match %s", len(keep), len(dataset), target["name"])
        dataset = dataset.subset(keep)
    write_sgdml_npz(dataset, snakemake.output.npz)
    write_extxyz(dataset, snakemake.output.extxyz)
    frames_per_source = {}  # per MD campaign (or "file")
    for source, part in zip(snakemake.params.sources, parts):
        frames_per_source[source] = frames_per_source.get(source, 0) + len(part)
    manifest = {
        "name": name,
        "theory": dataset.theory,
        "n_frames": len(dataset),
        "n_atoms": len(dataset.z),
        "frames_per_source": frames_per_source,
        "duplicates_dropped": n_duplicates,
        "sources": [str(p) for p in sources],
        "energy_kcal_mol": {
            "min": float(dataset.E.min()),
            "max": float(dataset.E.max()),
            "mean": float(dataset.E.mean()),
        },
        "max_abs_force_kcal_mol_A": float(np.abs(dataset.F).max()),
        "md5": dataset.md5(),
    }
    with open(snakemake.output.manifest, "w") as handle:
        json.dump(manifest, handle, indent=2)
    log.info("%s", manifest)
