"""One step of a training set grown where the model errs (rule optimise_training_set_step).

Step 0 draws an energy-stratified subset of the fold's training frames; every later step
adds the frames that flexmlff.training_sets.select_frames picks from the previous step's
force errors on the whole dataset. The family is then trained from scratch, its force
error on every frame kept for the next step, and it is tested on the held-out folds of the
n_train split, as the energy-stratified model of that size and fold is.
"""

import numpy as np

from flexmlff.data import read_dataset
from flexmlff.evaluate import HeldOut
from flexmlff.fitting import fit_and_save, write_test_results
from flexmlff.models import family
from flexmlff.runlog import snakemake_step
from flexmlff.scratch import job_checkpoint_folder
from flexmlff.splits import Split
from flexmlff.training_sets import ClusterScheme, frame_force_errors, select_frames, starting_frames

with snakemake_step(snakemake) as log:
    wc, params, output = snakemake.wildcards, snakemake.params, snakemake.output
    step, fold = int(wc.step), int(wc.fold)
    dataset = read_dataset(snakemake.input.dataset)
    split = Split.load(snakemake.input.split)
    size = params.sizes[step]
    step_record = {"step": step}
    if step == 0:
        training = starting_frames(dataset.E, split.train_indices(fold), size, params.seed)
        added = training
        log.info("step 0: %d energy-stratified frames of fold %d's %d", size, fold, len(split.train_indices(fold)))
    else:
        previous = np.load(snakemake.input.previous_training_set)["training"]
        errors = np.load(snakemake.input.previous_frame_errors)
        with np.load(snakemake.input.clusters) as clusters:
            labels = clusters["labels"]
        hidden = np.concatenate([split.validation, split.test_indices(fold)])
        visible = errors.copy()
        visible[hidden] = np.nan  # the test and validation frames' errors may not steer the choice
        selection = select_frames(
            dataset.R,
            labels,
            visible,
            size - len(previous),
            np.concatenate([previous, hidden]),
            ClusterScheme(**params.scheme),
            params.seed,
        )
        added = selection.frames
        training = np.sort(np.concatenate([previous, added]))
        step_record.update(
            high_error_clusters=selection.high_error_clusters.tolist(),
            mean_force_mse_of_added=float(errors[added].mean()),
            mean_force_mse_of_visible_frames=float(np.nanmean(visible)),
        )
        log.info(
            "step %d: %d high-error clusters of %d; adding %d frames (their mean squared force error %.2f, "
            "the frames outside the test and validation sets' %.2f (kcal/(mol Å))²)",
            step,
            len(selection.high_error_clusters),
            labels.max() + 1,
            len(added),
            errors[added].mean(),
            np.nanmean(visible),
        )

    saved = fit_and_save(
        wc.model,
        dataset.subset(training),
        dataset.subset(split.validation),
        params.settings,
        snakemake.threads,
        output.model,
        output.record,
        fold,
        extra=step_record,
        checkpoint_folder=job_checkpoint_folder(snakemake.rule, dict(wc.items())),
    )
    with open(output.training_set, "wb") as handle:
        np.savez(handle, training=training, added=added)
    # every frame: the next step's errors (the last step's are kept for the record)
    energies, forces = family(wc.model).predict(saved, dataset.R, dataset.z)
    np.save(output.frame_errors, frame_force_errors(forces, dataset.F))
    test = np.asarray(split.test_indices(fold))
    held_out = HeldOut(test, np.asarray(energies)[test], np.asarray(forces)[test])
    write_test_results(
        held_out,
        dataset,
        split,
        fold,
        {"dataset": wc.dataset, "model": wc.model, "step": step},
        wc.model,
        params.cluster_coordinate,
        output.errors,
        output.predictions,
        train=training,
    )
