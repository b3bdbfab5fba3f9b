"""MD driven by a family's best model through i-PI, from one path frame (rule ml_md)."""

import json
import time
from pathlib import Path

import numpy as np
from ase.io import read

from flexmlff.data import from_atoms, write_extxyz
from flexmlff.evaluate import (
    best_fold_index,
    coordinate_degrees,
    descriptor_choice,
    first_failure,
    md_outcome,
    tail_mean,
    transition_outcome,
)
from flexmlff.geometry import bond_graph
from flexmlff.ipi import MDSettings, file_identity, run_ipi_md
from flexmlff.models import family, limit_threads
from flexmlff.runlog import snakemake_step
from flexmlff.training_records import read_records

with snakemake_step(snakemake) as log:
    limit_threads(snakemake.threads)
    wc, params = snakemake.wildcards, snakemake.params
    # the sGDML entry may choose between descriptors: each candidate's folds, in order
    candidates, n_folds = params.candidates, len(snakemake.input.errors) // len(params.candidates)
    errors, model_files = (
        {c: files[k * n_folds : (k + 1) * n_folds] for k, c in enumerate(candidates)}
        for files in (snakemake.input.errors, snakemake.input.models)
    )
    best = {c: best_fold_index(errors[c], c, params.selection) for c in candidates}
    drove, valid_force_rmse = candidates[0], {}
    if len(candidates) > 1:
        drove, valid_force_rmse = descriptor_choice(read_records(snakemake.input.records), best)
        log.info(
            "%s: %s drives, its best model the lowest in validation force RMSE (%s kcal/(mol A))",
            wc.model,
            drove,
            ", ".join(f"{c} {v:.3f}" for c, v in valid_force_rmse.items()),
        )
    fold, model_file = best[drove], model_files[drove][best[drove]]
    models = family(drove)
    model = models.load(model_file)
    atoms = read(snakemake.input.start, index=int(wc.frame))
    # the molecule's angles and dihedrals; the names below were checked before any job ran
    named = params.cvs
    s = params.settings
    # runs are classed by the molecule's transition coordinate (molecules.<m>.transition_coordinate)
    coordinate, classifier, bands = params.path["coordinate"], params.outcome["cv"], params.outcome["bands_deg"]
    end_geometries = {name: read(file).positions for name, file in zip(params.end_names, snakemake.input.ends)}

    def at_ends(name):
        """The end minima's values of a named coordinate, degrees."""
        return {end: float(coordinate_degrees(positions, named[name])[0]) for end, positions in end_geometries.items()}

    # the end minima must lie one in each outer band: found out now, not after the MD
    outcome_ends = at_ends(classifier)
    magnitude = not params.outcome["signed"]
    try:
        transition_outcome(next(iter(outcome_ends.values())), outcome_ends, bands, magnitude)
    except ValueError as err:
        raise ValueError(f"config key 'molecules.{params.molecule}.transition_coordinate.bands_deg': {err}") from None
    # each start has its own seed; figures.ml_md's thermostat is Langevin (no config key)
    settings = MDSettings.from_protocol(s, seed=params.seed, thermostat="langevin")
    log.info(
        "%s (%s, best of %d folds: %d) from %s frame %s: %s",
        wc.model,
        drove,
        n_folds,
        fold,
        wc.start_path,
        wc.frame,
        settings,
    )
    began = time.perf_counter()
    # a retrained model (same path, new weights) never resumes the old model's run
    frames = run_ipi_md(atoms, models.calculator(model), settings, params.ipi_dir, identity=file_identity(model_file))
    wall_s = time.perf_counter() - began
    data = from_atoms(frames, f"ml_md/{wc.model}/{wc.start_path}/frame{wc.frame}", f"{wc.model} model")
    write_extxyz(data, snakemake.output.frames)
    # along the run: the classifying coordinate, the plotted one and every path's plotted one
    # (azobenzene: phi and theta for every run), each computed once
    reported = [classifier, coordinate, *(path["coordinate"] for path in s["paths"].values())]
    along = {name: coordinate_degrees(data.R, named[name]) for name in dict.fromkeys(reported) if name in named}
    bonds = [(i, j) for i, around in enumerate(bond_graph(atoms)) for j in around if i < j]
    outcome = md_outcome(data.R, bonds, along[classifier], outcome_ends, bands, magnitude=magnitude)
    times_fs = np.asarray(data.info["step"]) * settings.timestep_fs
    # the first kept frame at which the molecule broke, if it did
    outcome.update(first_failure(data.R, data.z, bonds, times_fs=times_fs))
    values, ends = along[coordinate], at_ends(coordinate)
    # a dihedral is shown and classed by its magnitude unless the outcome is signed
    plotted_magnitude = len(named[coordinate]) == 4 and magnitude
    # final values over the run's last 10 %: a dihedral's magnitude (its signed value where
    # the outcome is signed), an angle as it is
    final_deg = {
        name: tail_mean(v, magnitude=len(named[name]) == 4 and magnitude, circular=len(named[name]) == 4)
        for name, v in along.items()
    }
    outcome.update(
        model=wc.model,
        drove=drove,
        descriptor_valid_force_rmse=valid_force_rmse,
        start=f"{wc.start_path}:{wc.frame}",
        best_fold=fold,
        outcome_coordinate=classifier,
        outcome_bands_deg=list(bands),
        outcome_signed=not magnitude,
        outcome_ends_deg=outcome_ends,
        final_deg=final_deg,
        coordinate=coordinate,
        magnitude=plotted_magnitude,
        ends_deg=ends,
        steps=settings.steps,
        timestep_fs=settings.timestep_fs,
        time_fs=times_fs.tolist(),
        values_deg=values.tolist(),
        wall_s=wall_s,
        steps_per_s=settings.steps / wall_s,
    )
    log.info(
        "ended in %s (final %s), physical: %s, first failure: %s, %.1f steps/s",
        outcome["ends_in"],
        ", ".join(f"{k} {v:.1f} deg" for k, v in final_deg.items()),
        outcome["physical"],
        f"{outcome['failure']} at {outcome['failure_time_fs']:g} fs" if outcome["failure"] else "none",
        outcome["steps_per_s"],
    )
    Path(snakemake.output.outcome).write_text(json.dumps(outcome, indent=1))
