"""A model's best fold of the largest size on every frame of the reference paths of its
dataset's molecule (rule path_errors; flexmlff.path_errors)."""

import pandas as pd

from flexmlff.evaluate import best_fold_index
from flexmlff.external import ExternalModel, predict_frames
from flexmlff.models import family, limit_threads
from flexmlff.path_errors import FRAME_COLUMNS, path_frame_errors, read_path
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    limit_threads(snakemake.threads)
    wc, external = snakemake.wildcards, snakemake.params.external
    if external:
        model = ExternalModel(**external).calculator()
        log.info("%s (an external model) on the reference paths of %s", wc.model, wc.dataset)

        def predict(R, z):
            return predict_frames(model, R, z, wc.model)

    else:
        fold = best_fold_index(snakemake.input.errors, wc.model, snakemake.params.selection)
        models = family(wc.model)
        model = models.load(snakemake.input.models[fold])
        log.info("%s trained on %s, best fold %d, on the reference paths", wc.model, wc.dataset, fold)

        def predict(R, z):
            return models.predict(model, R, z)

    tables = []
    for name, path in zip(snakemake.params.paths, snakemake.input.paths):
        z, R, E, F = read_path(path)
        energies, forces = predict(R, z)
        table = path_frame_errors(E, F, energies, forces).assign(dataset=wc.dataset, model=wc.model, path=name)
        log.info(
            "%s (%d frames): barrier %.2f kcal/mol, reference %.2f; force RMSE %.2f kcal/(mol A)",
            name,
            len(table),
            table["predicted_energy_kcal_mol"].max(),
            table["reference_energy_kcal_mol"].max(),
            (table["force_rmse_kcal_mol_A"] ** 2).mean() ** 0.5,
        )
        tables.append(table)
    pd.concat(tables, ignore_index=True)[FRAME_COLUMNS].to_csv(snakemake.output[0], index=False)
