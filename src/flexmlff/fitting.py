"""One model's training job, whatever its family: train, keep the model with its record, test it.

The learning-curve models (rule ``train_<family>``) and every step of a grown training set
(rule ``optimise_training_set_step``) are trained and tested the same way: the model is saved
beside a record of what it chose on the validation frames, and what gets tested is the model
read back from its file, so that a saved model that does not load, or loads differently,
fails its own job.
"""

from __future__ import annotations

import inspect
import json
import logging
from pathlib import Path

import pandas as pd
from ase.io import write

from flexmlff.evaluate import HeldOut, held_out_errors
from flexmlff.exports import prediction_frames
from flexmlff.models import family
from flexmlff.models._checkpoint import TrainingCheckpoint, training_fingerprint
from flexmlff.scratch import atomic_output
from flexmlff.training_records import grid_edge

log = logging.getLogger(__name__)


def fit_and_save(
    name: str,
    train_set,
    validation,
    settings: dict,
    threads: int,
    model_path: str | Path,
    record_path: str | Path,
    fold: int,
    extra: dict | None = None,
    checkpoint_folder: str | Path | None = None,
):
    """Train family `name` on `train_set`, choosing on `validation`; save the model to
    `model_path` and its training record to `record_path`; return the model read back.

    The record holds the family, ``n_train``, ``fold``, the fields of `extra`, the settings
    and what the family's ``train`` recorded (its choice, the epochs' losses). A choice at
    the edge of its grid is kept in the record as ``grid_edge`` and logged as a warning
    naming the config key to widen. With `checkpoint_folder` (the job's), a family whose
    training can resume checkpoints there, resumes from what a killed attempt of the same
    training left, and removes it once the model is saved.
    """
    models = family(name)
    log.info("training %s on %d frames, validating on %d", name, len(train_set), len(validation))
    record = {}
    checkpoint = None
    if checkpoint_folder is not None and resumable(models):
        fingerprint = training_fingerprint(
            name, getattr(models, "CODE_FILES", models.__file__), settings, train_set, validation
        )
        checkpoint = TrainingCheckpoint(checkpoint_folder, fingerprint)
    resuming = {"checkpoint": checkpoint} if checkpoint is not None else {}
    model = models.train(train_set, validation, settings, threads=threads, record=record, **resuming)
    log.info("chosen on the validation frames: %s", record.get("chosen"))
    edge = grid_edge(record)
    if edge:
        record["grid_edge"] = edge
        log.warning(
            "%s = %s is the %s value of the grid %s: the validation error may still fall beyond it; widen models.%s.%s",
            edge["parameter"],
            edge["chosen"],
            edge["edge"],
            edge["grid"],
            name,
            edge["grid_key"],
        )
    with atomic_output(model_path) as partial:
        models.save(model, partial)
    with atomic_output(record_path) as partial, open(partial, "w") as handle:
        json.dump(
            {"family": name, "n_train": len(train_set), "fold": fold, **(extra or {}), "settings": settings, **record},
            handle,
            indent=1,
        )
    if checkpoint is not None:
        checkpoint.remove()
    return models.load(model_path)


def resumable(models) -> bool:
    """Whether a family's training can resume from a checkpoint (its ``train`` takes one)."""
    return "checkpoint" in inspect.signature(models.train).parameters


def write_test_results(
    held_out: HeldOut,
    dataset,
    split,
    fold: int,
    row: dict,
    name: str,
    cluster_coordinate,
    errors_path: str | Path,
    predictions_path: str | Path,
    train=None,
    after: dict | None = None,
) -> dict:
    """Write one model's errors on its held-out frames (one csv row: the fields of `row`,
    then :func:`flexmlff.evaluate.held_out_errors`, then those of `after`) and its
    predictions beside the reference (:func:`flexmlff.exports.prediction_frames`); return
    the row. `train` are the model's training frames where they are not the fold's own."""
    row = {**row, **held_out_errors(held_out, dataset, split, fold, train=train), **(after or {})}
    log.info("test errors: %s", row)
    with atomic_output(errors_path) as partial:
        pd.DataFrame([row]).to_csv(partial, index=False)
    with atomic_output(predictions_path) as partial:
        write(partial, prediction_frames(dataset, held_out, name, cluster_coordinate), format="extxyz", write_info=True)
    return row
