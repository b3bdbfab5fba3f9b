"""Exports for other tools (flexmlff.exports): predictions, metrics.json, models.yml entries."""

import numpy as np
import pandas as pd
import pytest
from ase.io import read, write

from flexmlff import exports
from flexmlff.data import Dataset, read_dataset
from flexmlff.evaluate import HeldOut, learning_curve
from flexmlff.geometry import dihedral


@pytest.fixture()
def twisted_glycine(glycine_ip, glycine_torsions):
    """Six glycine frames with tau1 turned to 5, 15, ..., 175 degrees (one per 30 degrees)."""
    from flexmlff.geometry import moving_fragment

    tau1 = glycine_torsions["tau1"]
    frames = []
    for target in (5, 35, 65, 95, 125, 175):
        atoms = glycine_ip.copy()
        atoms.set_dihedral(*tau1, target, indices=moving_fragment(atoms, (tau1[1], tau1[2])))
        frames.append(atoms.positions)
    R = np.array(frames)
    rng = np.random.default_rng(3)
    return Dataset(glycine_ip.numbers, R, rng.normal(size=6), rng.normal(size=R.shape), "twisted", "xtb GFN2-xTB")


def test_prediction_frames_keep_reference_prediction_and_cluster(tmp_path, twisted_glycine, glycine_torsions):
    data = twisted_glycine
    held_out = HeldOut(np.array([4, 1, 5]), data.E[[4, 1, 5]] + 0.5, data.F[[4, 1, 5]] * 2.0)
    tau1 = glycine_torsions["tau1"]
    by_magnitude = {"cv": "tau1", "atoms": tau1, "signed": False}
    write(
        tmp_path / "p.extxyz",
        exports.prediction_frames(data, held_out, "gap", by_magnitude),
        format="extxyz",
        write_info=True,
    )
    frames = read(tmp_path / "p.extxyz", index=":")
    assert [f.info["frame"] for f in frames] == [4, 1, 5]
    assert [f.info["cluster"] for f in frames] == [12, 3, 17]  # |tau1| 125, 35, 175 in 10-degree bins
    assert frames[0].info["tau1_deg"] == pytest.approx(abs(dihedral(data.R[4], tau1)), abs=1e-6)
    # ASE reads the reference back as its calculator results (in the file's kcal/mol units)
    assert [f.info["predicted_energy"] - f.get_potential_energy() for f in frames] == pytest.approx([0.5] * 3)
    assert np.allclose(frames[2].arrays["predicted_forces"], 2.0 * data.F[5])
    assert frames[0].info["model"] == "gap" and frames[0].info["energy_unit"] == "kcal/mol"
    # read as a dataset, the file gives back the reference frames
    reference = read_dataset(tmp_path / "p.extxyz")
    assert np.allclose(reference.E, data.E[[4, 1, 5]]) and np.allclose(reference.F, data.F[[4, 1, 5]])
    without = exports.prediction_frames(data, held_out, "gap")
    assert "cluster" not in without[0].info
    # a signed coordinate is binned from -180 degrees: 125, 35, 175 in bins 30, 21, 35
    signed = exports.prediction_frames(data, held_out, "gap", {**by_magnitude, "signed": True})
    assert [f.info["cluster"] for f in signed] == [30, 21, 35]
    # read back as predictions, two files pooled in order
    write(
        tmp_path / "q.extxyz",
        exports.prediction_frames(data, HeldOut(np.array([0]), data.E[[0]], data.F[[0]]), "gap", by_magnitude),
        format="extxyz",
        write_info=True,
    )
    pooled = exports.read_predictions([tmp_path / "p.extxyz", tmp_path / "q.extxyz"], "tau1")
    # extxyz keeps 8 significant digits
    np.testing.assert_allclose(pooled.energies, data.E[[4, 1, 5, 0]], atol=1e-6)
    np.testing.assert_allclose(pooled.predicted_energies - pooled.energies, [0.5, 0.5, 0.5, 0.0], atol=1e-6)
    np.testing.assert_allclose(pooled.forces, data.F[[4, 1, 5, 0]], atol=1e-6)
    np.testing.assert_allclose(pooled.predicted_forces[:3], 2.0 * data.F[[4, 1, 5]], atol=1e-6)
    assert pooled.coordinate_deg[2] == pytest.approx(frames[2].info["tau1_deg"])
    np.testing.assert_allclose(pooled.positions, data.R[[4, 1, 5, 0]], atol=1e-6)
    write(tmp_path / "r.extxyz", without, format="extxyz", write_info=True)
    with pytest.raises(ValueError, match="no 'tau1_deg'"):
        exports.read_predictions([tmp_path / "r.extxyz"], "tau1")
    # without a cluster coordinate, any prediction file reads (the 2-D maps measure their own)
    plain = exports.read_predictions([tmp_path / "r.extxyz"])
    assert plain.coordinate_deg is None and np.allclose(plain.positions, data.R[[4, 1, 5]], atol=1e-6)


def test_metrics_table_has_mlpeg_shape_from_the_learning_curve():
    folds = pd.DataFrame(
        {
            "dataset": "rotation",
            "model": ["gap"] * 2 + ["sgdml"] * 2,
            "n_train": 50,
            "fold": [0, 1, 0, 1],
            "n_test": 100,
            "energy_rmse": [2.0, 1.0, 3.0, 4.0],
            "energy_mae": [1.5, 0.8, 2.0, 3.0],
            "force_rmse": [5.0, 6.0, 2.0, 1.0],
            "force_mae": [4.0, 5.0, 1.5, 0.7],
            "energy_rmse_low": [1.8, 0.9, 2.5, 3.5],
            "energy_rmse_high": [2.2, 1.1, 3.5, 4.5],
            "force_rmse_low": [4.5, 5.5, 1.8, 0.9],
            "force_rmse_high": [5.5, 6.5, 2.2, 1.1],
        }
    )
    table = exports.metrics_table(learning_curve(folds), "rotation", "GFN1-xTB")
    assert table["level_of_theory"] == "GFN1-xTB" and table["units"]["force_rmse"] == "kcal/(mol*Angstrom)"
    metrics = table["metrics"]
    # GAP's best fold is the lowest energy (fold 1), sGDML's the lowest force (fold 1)
    assert metrics["energy_rmse_best_n50"] == {"gap": 1.0, "sgdml": 4.0}
    assert metrics["force_rmse_mean_n50"] == {"gap": 5.5, "sgdml": 1.5}
    # the best fold's RMSE interval: GAP's fold 1, sGDML's fold 1
    assert metrics["energy_rmse_best_low_n50"] == {"gap": 0.9, "sgdml": 3.5}
    assert metrics["force_rmse_best_high_n50"] == {"gap": 6.5, "sgdml": 1.1}
    assert len(metrics) == 4 * 2 + 2 * 2  # four metrics, best and mean; two RMSE bounds each, one size
    # a table written before intervals: no bounds, and no NaN in the JSON
    bare = exports.metrics_table(
        learning_curve(folds.drop(columns=[c for c in folds if "_low" in c or "_high" in c])), "rotation", "GFN1-xTB"
    )
    assert len(bare["metrics"]) == 4 * 2
    with pytest.raises(ValueError, match="'inversion'"):
        exports.metrics_table(learning_curve(folds), "inversion", "GFN1-xTB")


def test_registry_entry_names_a_loadable_calculator():
    name, entry = exports.registry_entry("glycine", "sgdml", 100, 2, "results/x/model.npz", "GFN2-xTB", True)
    assert name == "flexmlff-glycine-sgdml-n100"
    assert entry["module"] == "flexmlff.models" and entry["class_name"] == "load_calculator"
    assert entry["kwargs"] == {"model": "sgdml", "path": "results/x/model.npz"} and entry["fold"] == 2
    from flexmlff import models

    assert callable(getattr(models, entry["class_name"]))
