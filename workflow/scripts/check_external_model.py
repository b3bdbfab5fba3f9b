"""An external model's first job (rule check_external_model): its calculator built in its
env and run on one minimum, so that a bad entry fails in seconds, before any training."""

import json
import time

import numpy as np
from ase.io import read

from flexmlff.external import ExternalModel, predict_frames
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    model = ExternalModel(**snakemake.params.model)
    atoms = read(snakemake.input.geometry)
    started = time.perf_counter()
    energies, forces = predict_frames(model.calculator(), atoms.positions[None], atoms.numbers, model.name)
    seconds = time.perf_counter() - started
    log.info(
        "%s: %.4f kcal/mol on %s (%.2f s with its start-up)", model.name, energies[0], snakemake.input.geometry, seconds
    )
    with open(snakemake.output[0], "w") as handle:
        json.dump(
            {
                "model": model.name,
                "geometry": snakemake.input.geometry,
                "energy_kcal_mol": float(energies[0]),
                "max_force_kcal_mol_A": float(np.abs(forces).max()),
                "seconds": seconds,
            },
            handle,
            indent=1,
        )
