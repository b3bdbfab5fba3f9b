"""MD driven by a family's best model through i-PI, from one path frame (rule ml_md)."""

import time
from pathlib import Path

import json

import numpy as np
from ase.io import read

from flexmlff.data import from_atoms, write_extxyz
from flexmlff.evaluate import best_fold_index, coordinate_degrees, md_outcome
from flexmlff.geometry import bond_graph, named_coordinates
from flexmlff.models import family, limit_threads
from flexmlff.runlog import snakemake_step
from flexmlff.sampling import MDSettings, run_ipi_md

with snakemake_step(snakemake) as log:
    limit_threads(snakemake.threads)
    wc, params = snakemake.wildcards, snakemake.params
    fold = best_fold_index(snakemake.input.errors, wc.model, params.force_tolerance)
    models = family(wc.model)
    model = models.load(snakemake.input.models[fold])
    atoms = read(snakemake.input.start, index=int(wc.frame))
    named = named_coordinates(params.molecule, atoms)
    coordinate = params.path["coordinate"]
    if coordinate not in named:
        raise ValueError(f"config key 'figures.ml_md.paths.{wc.start_path}.coordinate': unknown "
                         f"{coordinate!r} (known: {', '.join(named)})")
    s = params.settings
    settings = MDSettings(temperature_K=s["temperature_K"], timestep_fs=s["timestep_fs"],
                          steps=s["steps"], stride=s["stride"], seed=params.seed,
                          thermostat="langevin", thermostat_tau_fs=s["thermostat_tau_fs"])
    log.info("%s (best of %d folds: %d) from %s frame %s: %s", wc.model, len(snakemake.input.errors), fold, wc.start_path,
             wc.frame, settings)
    began = time.perf_counter()
    frames = run_ipi_md(atoms, models.calculator(model), settings, params.ipi_dir)
    wall_s = time.perf_counter() - began
    data = from_atoms(frames, f"ml_md/{wc.model}/{wc.start_path}/frame{wc.frame}", f"{wc.model} model")
    write_extxyz(data, snakemake.output.frames)
    atoms_of = named[coordinate]
    ends = {name: float(coordinate_degrees(read(file).positions, atoms_of)[0])
            for name, file in zip(params.end_names, snakemake.input.ends)}
    bonds = [(i, j) for i, around in enumerate(bond_graph(atoms)) for j in around if i < j]
    values = coordinate_degrees(data.R, atoms_of)
    outcome = md_outcome(data.R, bonds, values, ends, periodic=len(atoms_of) == 4)
    outcome.update(model=wc.model, start=f"{wc.start_path}:{wc.frame}", best_fold=fold,
                   coordinate=coordinate, periodic=len(atoms_of) == 4, ends_deg=ends, steps=settings.steps, timestep_fs=settings.timestep_fs,
                   time_fs=(np.asarray(data.info["step"]) * settings.timestep_fs).tolist(),
                   values_deg=values.tolist(), wall_s=wall_s, steps_per_s=settings.steps / wall_s)
    log.info("ended in %s (%s %.1f deg), physical: %s, %.1f steps/s", outcome["ends_in"], coordinate,
             outcome["final_value_deg"], outcome["physical"], outcome["steps_per_s"])
    Path(snakemake.output.outcome).write_text(json.dumps(outcome, indent=1))
