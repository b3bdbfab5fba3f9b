"""One dataset from MD frames or a user's file, as extxyz + sGDML npz (rule assemble_dataset)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

import json

import numpy as np

from flexmlff.data import concatenate, read_dataset, write_extxyz, write_sgdml_npz
from flexmlff.runlog import logged_step

with logged_step(snakemake.log[0], "assemble_dataset") as log:
    name = snakemake.wildcards.dataset
    level, options = snakemake.params.level
    parts = [read_dataset(path, name=source)
             for path, source in zip(snakemake.input, snakemake.params.sources)]
    dataset = concatenate(parts, name)
    if dataset.theory == "unknown" and snakemake.params.sources != ["file"]:
        dataset.theory = f"{level} {options.get('method', '')}".strip()
    write_sgdml_npz(dataset, snakemake.output.npz)
    write_extxyz(dataset, snakemake.output.extxyz)
    manifest = {
        "name": name,
        "theory": dataset.theory,
        "n_frames": len(dataset),
        "n_atoms": len(dataset.z),
        "frames_per_source": {s: len(p) for s, p in zip(snakemake.params.sources, parts)},
        "sources": [str(p) for p in snakemake.input],
        "energy_kcal_mol": {"min": float(dataset.E.min()), "max": float(dataset.E.max()),
                            "mean": float(dataset.E.mean())},
        "max_abs_force_kcal_mol_A": float(np.abs(dataset.F).max()),
        "md5": dataset.md5(),
    }
    with open(snakemake.output.manifest, "w") as handle:
        json.dump(manifest, handle, indent=2)
    log.info("%s", manifest)
