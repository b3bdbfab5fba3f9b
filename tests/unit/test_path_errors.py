"""A model's errors along the reference paths (flexmlff.path_errors)."""

import numpy as np
import pandas as pd
import pytest
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator
from ase.io import write

from flexmlff.path_errors import barrier_errors, barrier_summary, path_frame_errors, read_path
from flexmlff.units import ev_to_kcal_mol


def test_path_frames_are_read_in_kcal_mol_from_the_path_rules_ev(tmp_path):
    frames = []
    for k in range(3):
        atoms = Atoms("H2", positions=[[0, 0, 0], [0, 0, 0.7 + 0.1 * k]])
        atoms.calc = SinglePointCalculator(atoms, energy=-1.0 + 0.1 * k, forces=np.full((2, 3), 0.5 * k))
        frames.append(atoms)
    write(tmp_path / "path.extxyz", frames, format="extxyz")
    z, R, E, F = read_path(tmp_path / "path.extxyz")
    assert z.tolist() == [1, 1] and R.shape == (3, 2, 3) and R[2, 1, 2] == pytest.approx(0.9)
    assert E == pytest.approx(ev_to_kcal_mol(np.array([-1.0, -0.9, -0.8])))
    assert F[2] == pytest.approx(np.full((2, 3), ev_to_kcal_mol(1.0)))


def test_energies_are_aligned_at_the_first_frame_and_forces_compared_per_frame():
    E_reference = np.array([10.0, 14.0, 12.0, 9.0])
    E_model = E_reference - 500.0 + np.array([0.0, -1.0, 0.5, 0.0])  # another zero, a lower top
    F_reference = np.zeros((4, 2, 3))
    F_model = F_reference.copy()
    F_model[1] += 2.0
    table = path_frame_errors(E_reference, F_reference, E_model, F_model)
    assert table["reference_energy_kcal_mol"].tolist() == [0.0, 4.0, 2.0, -1.0]
    assert table["energy_error_kcal_mol"].tolist() == pytest.approx([0.0, -1.0, 0.5, 0.0])
    assert table["force_rmse_kcal_mol_A"].tolist() == [0.0, 2.0, 0.0, 0.0]


def frames_of(model, path, reference, predicted):
    table = path_frame_errors(reference, np.zeros((len(reference), 1, 3)), predicted, np.zeros((len(reference), 1, 3)))
    return table.assign(dataset="rotation", model=model, path=path)


def test_barrier_error_top_frame_and_a_one_frame_path():
    frames = pd.concat(
        [
            frames_of("schnet", "rotation", [0.0, 30.0, 20.0, -5.0], [0.0, 25.0, 27.0, -5.0]),
            frames_of("schnet", "neb", [0.0], [3.0]),
            frames_of("gap", "rotation", [0.0, 30.0, 20.0, -5.0], [0.0, 31.0, 20.0, -5.0]),
        ],
        ignore_index=True,
    )
    barriers = barrier_errors(frames).set_index(["model", "path"])
    rotation = barriers.loc[("schnet", "rotation")]
    assert rotation["reference_barrier_kcal_mol"] == 30.0 and rotation["model_barrier_kcal_mol"] == 27.0
    assert rotation["barrier_error_kcal_mol"] == -3.0
    assert (rotation["reference_top_frame"], rotation["model_top_frame"], rotation["same_top"]) == (1, 2, False)
    assert rotation["energy_rmse_kcal_mol"] == pytest.approx(np.sqrt((25 + 49) / 3))  # frames after the first
    single = barriers.loc[("schnet", "neb")]
    assert single["barrier_error_kcal_mol"] == 0.0 and single["note"] == "one frame: no barrier"
    assert np.isnan(single["energy_rmse_kcal_mol"])
    assert bool(barriers.loc[("gap", "rotation"), "same_top"])
    summary = barrier_summary(barrier_errors(frames)).set_index("model")
    assert summary.loc["schnet", "mean_abs_barrier_error_kcal_mol"] == 1.5
    assert summary.loc["schnet", "largest_barrier_error_kcal_mol"] == -3.0
    assert summary.loc["schnet", "largest_on"] == "rotation" and summary.loc["schnet", "same_top"] == 1
    assert summary.loc["gap", "same_top"] == 1 and summary.loc["gap", "paths"] == 1
