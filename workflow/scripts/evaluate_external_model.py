"""An external model on the held-out frames of every size and fold of one dataset (rule
evaluate_external_model): each frame predicted once, then each fold's errors written as a
trained family's are, its energies compared after removing their mean offset on that fold's
held-out frames (flexmlff.external.offset_removed; the offset is the row's last column)."""

import numpy as np

from flexmlff.data import read_dataset
from flexmlff.evaluate import HeldOut
from flexmlff.external import ExternalModel, held_out_frames, offset_removed, predict_frames
from flexmlff.fitting import write_test_results
from flexmlff.runlog import snakemake_step
from flexmlff.splits import Split

with snakemake_step(snakemake) as log:
    params, output = snakemake.params, snakemake.output
    model = ExternalModel(**params.model)
    dataset = read_dataset(snakemake.input.dataset)
    splits = [Split.load(path) for path in snakemake.input.splits]
    frames = held_out_frames(splits, params.n_folds)
    log.info(
        "%s: predicting the %d held-out frames of %d sizes x %d folds",
        model.name,
        len(frames),
        len(splits),
        params.n_folds,
    )
    energies, forces = np.full(len(dataset), np.nan), np.full(dataset.R.shape, np.nan)
    energies[frames], forces[frames] = predict_frames(
        model.calculator(), dataset.R[frames], dataset.z, model.name, frames, progress_every=max(1, len(frames) // 10)
    )
    outputs = iter(zip(output.errors, output.predictions))
    for split in splits:
        for fold in range(params.n_folds):
            indices = split.test_indices(fold)
            held_out, offset = offset_removed(HeldOut(indices, energies[indices], forces[indices]), dataset.E[indices])
            errors_path, predictions_path = next(outputs)
            write_test_results(
                held_out,
                dataset,
                split,
                fold,
                {"dataset": snakemake.wildcards.dataset, "model": model.name},
                model.name,
                params.cluster_coordinate,
                errors_path,
                predictions_path,
                after={"energy_offset_kcal_mol": offset},
            )
