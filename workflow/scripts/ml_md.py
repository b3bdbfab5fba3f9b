"""MD through i-PI from one path frame, driven by a family's best model (rule ml_md) or by
the dataset's reference level (rule reference_md); ends at the molecule's first failure."""

import json
import time
from pathlib import Path

import numpy as np
from ase.io import read

from flexmlff.data import from_atoms, write_extxyz
from flexmlff.evaluate import (
    TEMPERATURE_RUNAWAY,
    IntactMolecule,
    best_fold_index,
    coordinate_degrees,
    descriptor_choice,
    first_failure,
    md_outcome,
    tail_mean,
    temperature_runaway,
    transition_outcome,
)
from flexmlff.geometry import bond_graph
from flexmlff.ipi import PROPERTIES, MDSettings, file_identity, read_properties, run_ipi_md
from flexmlff.md_statistics import REFERENCE
from flexmlff.models import family, limit_threads
from flexmlff.runlog import snakemake_step
from flexmlff.training_records import read_records


def best_model(log, wc, params, inputs):
    """The calculator, its identity and what drove: the best fold of the family (the sGDML
    entry: of the descriptor with the lower validation force RMSE)."""
    candidates, n_folds = params.candidates, len(inputs.errors) // len(params.candidates)
    errors, model_files = (
        {c: files[k * n_folds : (k + 1) * n_folds] for k, c in enumerate(candidates)}
        for files in (inputs.errors, inputs.models)
    )
    best = {c: best_fold_index(errors[c], c, params.selection) for c in candidates}
    drove, valid_force_rmse = candidates[0], {}
    if len(candidates) > 1:
        drove, valid_force_rmse = descriptor_choice(read_records(inputs.records), best)
        log.info(
            "%s: %s drives, its best model the lowest in validation force RMSE (%s kcal/(mol A))",
            wc.model,
            drove,
            ", ".join(f"{c} {v:.3f}" for c, v in valid_force_rmse.items()),
        )
    fold, model_file = best[drove], model_files[drove][best[drove]]
    models = family(drove)
    # a retrained model (same path, new weights) never resumes the old model's run
    driver = {"drove": drove, "best_fold": fold, "descriptor_valid_force_rmse": valid_force_rmse}
    return models.calculator(models.load(model_file)), file_identity(model_file), driver


with snakemake_step(snakemake) as log:
    limit_threads(snakemake.threads)
    wc, params = snakemake.wildcards, snakemake.params
    if hasattr(params, "level"):  # the reference's run (rule reference_md)
        model, level = REFERENCE, params.level
        calculator, identity = level.make(), level.identity
        driver = {"drove": model, "best_fold": None, "descriptor_valid_force_rmse": {}, "level": level.label}
    else:
        model = wc.model
        calculator, identity, driver = best_model(log, wc, params, snakemake.input)
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
    # each (start, replica) has its own seed; figures.ml_md's thermostat is Langevin (no config key)
    settings = MDSettings.from_protocol(s, seed=params.seed, thermostat="langevin")
    log.info(
        "%s (%s, best fold %s) from %s frame %s, replica %s: %s",
        model,
        driver["drove"],
        driver["best_fold"],
        wc.start_path,
        wc.frame,
        wc.replica,
        settings,
    )
    # the run ends at the first kept frame where the molecule broke: what follows is no molecule's
    bonds = [(i, j) for i, around in enumerate(bond_graph(atoms)) for j in around if i < j]
    intact = IntactMolecule(atoms.positions, atoms.numbers, bonds)
    began = time.perf_counter()
    frames = run_ipi_md(
        atoms, calculator, settings, params.ipi_dir, identity=identity, stop_when=lambda a: intact.failure(a.positions)
    )
    wall_s = time.perf_counter() - began
    data = from_atoms(frames, f"ml_md/{model}/{wc.start_path}/frame{wc.frame}/replica{wc.replica}", model)
    write_extxyz(data, snakemake.output.frames)
    # along the run: the classifying coordinate, the plotted one and every path's plotted one
    # (azobenzene: phi and theta for every run), each computed once
    reported = [classifier, coordinate, *(path["coordinate"] for path in s["paths"].values())]
    along = {name: coordinate_degrees(data.R, named[name]) for name in dict.fromkeys(reported) if name in named}
    outcome = md_outcome(data.R, bonds, along[classifier], outcome_ends, bands, magnitude=magnitude)
    times_fs = np.asarray(data.info["step"]) * settings.timestep_fs
    # the first kept frame at which the molecule broke, if it did
    outcome.update(first_failure(data.R, data.z, bonds, times_fs=times_fs))
    # or the first time the thermostat lost hold of the temperature, if earlier
    properties = read_properties(params.ipi_dir)
    hot_fs = temperature_runaway(
        properties[:, PROPERTIES.index("time{picosecond}")] * 1000.0,
        properties[:, PROPERTIES.index("temperature{kelvin}")],
        settings.temperature_K,
        s["max_temperature_factor"],
    )
    if hot_fs is not None and (outcome["failure_time_fs"] is None or hot_fs < outcome["failure_time_fs"]):
        frame = int(np.searchsorted(times_fs, hot_fs))
        outcome.update(failure=TEMPERATURE_RUNAWAY, failure_frame=min(frame, len(times_fs) - 1), failure_time_fs=hot_fs)
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
        model=model,
        **driver,
        start=f"{wc.start_path}:{wc.frame}",
        replica=int(wc.replica),
        seed=params.seed,
        outcome_coordinate=classifier,
        outcome_bands_deg=list(bands),
        outcome_signed=not magnitude,
        outcome_ends_deg=outcome_ends,
        # every kept frame's classifying coordinate: the distributions of the statistics
        outcome_values_deg=along[classifier].tolist(),
        final_deg=final_deg,
        coordinate=coordinate,
        magnitude=plotted_magnitude,
        ends_deg=ends,
        steps=settings.steps,
        steps_run=int(data.info["step"][-1]),
        timestep_fs=settings.timestep_fs,
        time_fs=times_fs.tolist(),
        values_deg=values.tolist(),
        wall_s=wall_s,
        steps_per_s=max(1, int(data.info["step"][-1])) / wall_s,
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
