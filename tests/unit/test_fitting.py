"""The training job shared by the learning-curve models and the grown training sets (flexmlff.fitting)."""

import json

import numpy as np
import pandas as pd
import pytest

from flexmlff.data import read_dataset
from flexmlff.evaluate import predict_held_out
from flexmlff.fitting import fit_and_save, write_test_results
from flexmlff.models import family
from flexmlff.splits import make_split


@pytest.fixture(scope="module")
def fitted(glycine_dataset, tmp_path_factory):
    """sGDML on fold 0 of a 3 x 30 split, saved, read back and tested."""
    folder = tmp_path_factory.mktemp("fit")
    split = make_split(glycine_dataset.E, 30, 3, 40, seed=1)
    settings = {"sigmas": [2, 5, 10], "lam": 1e-10, "use_sym": True}
    saved = fit_and_save(
        "sgdml",
        glycine_dataset.subset(split.train_indices(0)),
        glycine_dataset.subset(split.validation),
        settings,
        1,
        folder / "model.npz",
        folder / "training.json",
        0,
        extra={"step": 3},
    )
    held_out = predict_held_out(lambda R, z: family("sgdml").predict(saved, R, z), glycine_dataset, split, 0)
    row = write_test_results(
        held_out,
        glycine_dataset,
        split,
        0,
        {"dataset": "glycine", "model": "sgdml"},
        "sgdml",
        None,
        folder / "test_errors.csv",
        folder / "predictions.extxyz",
    )
    return folder, split, saved, held_out, row


def test_the_record_holds_the_choice_and_the_extra_fields(fitted):
    folder, *_ = fitted
    record = json.loads((folder / "training.json").read_text())
    assert record["family"] == "sgdml" and record["n_train"] == 30 and record["fold"] == 0 and record["step"] == 3
    assert record["chosen"]["sigma"] in (2, 5, 10) and record["settings"]["sigmas"] == [2, 5, 10]
    # a choice at either end of the grid is kept with the model, one inside is not
    assert ("grid_edge" in record) == (record["chosen"]["sigma"] in (2, 10))


def test_the_tested_model_is_the_one_read_back_from_its_file(fitted, glycine_dataset):
    folder, split, saved, held_out, row = fitted
    again = family("sgdml").load(folder / "model.npz")
    energies, forces = family("sgdml").predict(again, glycine_dataset.R[held_out.indices[:5]], glycine_dataset.z)
    np.testing.assert_allclose(energies, held_out.energies[:5], atol=1e-8)
    np.testing.assert_allclose(forces, held_out.forces[:5], atol=1e-8)


def test_errors_and_predictions_agree(fitted, glycine_dataset):
    folder, split, saved, held_out, row = fitted
    table = pd.read_csv(folder / "test_errors.csv")
    assert list(table.columns[:2]) == ["dataset", "model"] and len(table) == 1
    assert table.loc[0, "n_test"] == 60 and table.loc[0, "n_train"] == 30
    predictions = read_dataset(folder / "predictions.extxyz")
    assert len(predictions) == 60
    assert table.loc[0, "energy_rmse"] == pytest.approx(
        np.sqrt(np.mean((held_out.energies - glycine_dataset.E[held_out.indices]) ** 2))
    )
    # the file's reference energies are the dataset's, the predictions the model's
    np.testing.assert_allclose(predictions.E, glycine_dataset.E[held_out.indices], atol=1e-6)
