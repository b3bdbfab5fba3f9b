"""A model's errors along the reference paths of its molecule (MEPs, driven paths, the
isomerisation mechanisms): frame by frame, and on the barrier each path climbs.

Energies along a path are taken relative to its first frame, for the reference and the model
alike, so a model of another energy zero is compared on the profile's shape; forces need no
alignment. The barrier of a path is its highest frame above the first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from flexmlff.units import ev_to_kcal_mol

#: Columns of the tidy per-frame table (results/tables/path_errors.csv).
FRAME_COLUMNS = [
    "dataset",
    "model",
    "path",
    "frame",
    "reference_energy_kcal_mol",
    "predicted_energy_kcal_mol",
    "energy_error_kcal_mol",
    "force_rmse_kcal_mol_A",
]


def read_path(path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A path file's atomic numbers, positions (Å), reference energies (kcal/mol) and forces
    (kcal/(mol Å)); the path rules write ASE's eV and eV/Å."""
    from ase.io import read

    frames = read(path, index=":")
    energies = np.array([frame.get_potential_energy() for frame in frames])
    forces = np.array([frame.get_forces(apply_constraint=False) for frame in frames])
    positions = np.array([frame.positions for frame in frames])
    return frames[0].numbers, positions, ev_to_kcal_mol(energies), ev_to_kcal_mol(forces)


def path_frame_errors(E_reference, F_reference, E_predicted, F_predicted) -> pd.DataFrame:
    """Per frame of one path: reference and predicted energy, each relative to the path's first
    frame (kcal/mol), their difference, and the frame's force RMSE over every component
    (kcal/(mol Å))."""
    E_reference, E_predicted = np.asarray(E_reference, dtype=float), np.asarray(E_predicted, dtype=float)
    F_reference, F_predicted = np.asarray(F_reference, dtype=float), np.asarray(F_predicted, dtype=float)
    reference, predicted = E_reference - E_reference[0], E_predicted - E_predicted[0]
    n_frames = len(E_reference)
    return pd.DataFrame(
        {
            "frame": np.arange(n_frames),
            "reference_energy_kcal_mol": reference,
            "predicted_energy_kcal_mol": predicted,
            "energy_error_kcal_mol": predicted - reference,
            "force_rmse_kcal_mol_A": np.sqrt(((F_predicted - F_reference) ** 2).reshape(n_frames, -1).mean(axis=1)),
        }
    )


def barrier_errors(frames: pd.DataFrame) -> pd.DataFrame:
    """Per dataset, model and path of a per-frame table (:data:`FRAME_COLUMNS`): the reference's
    and the model's barrier (highest frame above the first, kcal/mol), the signed error, the
    frame each puts the top at and whether they agree, the RMSE of the aligned energies (frames
    after the first) and of the forces along the path, and a note where the path has a single
    frame (no barrier)."""
    rows = []
    for (dataset, model, path), group in frames.groupby(["dataset", "model", "path"], sort=False):
        group = group.sort_values("frame")
        reference, predicted = group["reference_energy_kcal_mol"], group["predicted_energy_kcal_mol"]
        top_reference, top_model = (
            int(group["frame"].iloc[reference.argmax()]),
            int(group["frame"].iloc[predicted.argmax()]),
        )
        rows.append(
            {
                "dataset": dataset,
                "model": model,
                "path": path,
                "n_frames": len(group),
                "reference_barrier_kcal_mol": float(reference.max()),
                "model_barrier_kcal_mol": float(predicted.max()),
                "barrier_error_kcal_mol": float(predicted.max() - reference.max()),
                "reference_top_frame": top_reference,
                "model_top_frame": top_model,
                "same_top": top_reference == top_model,
                # frame 0 is where energies are aligned (zero error by construction): left out
                "energy_rmse_kcal_mol": float(np.sqrt(np.mean(group["energy_error_kcal_mol"].iloc[1:] ** 2)))
                if len(group) > 1
                else np.nan,
                "force_rmse_kcal_mol_A": float(np.sqrt(np.mean(group["force_rmse_kcal_mol_A"] ** 2))),
                "note": "one frame: no barrier" if len(group) == 1 else "",
            }
        )
    return pd.DataFrame(rows)


def barrier_summary(barriers: pd.DataFrame) -> pd.DataFrame:
    """Per dataset and model: the mean absolute barrier error over its paths, the largest one
    and its path, and on how many paths the model puts the top at the reference's frame."""
    rows = []
    for (dataset, model), group in barriers.groupby(["dataset", "model"], sort=False):
        worst = group.loc[group["barrier_error_kcal_mol"].abs().idxmax()]
        rows.append(
            {
                "dataset": dataset,
                "model": model,
                "paths": len(group),
                "mean_abs_barrier_error_kcal_mol": float(group["barrier_error_kcal_mol"].abs().mean()),
                "largest_barrier_error_kcal_mol": float(worst["barrier_error_kcal_mol"]),
                "largest_on": worst["path"],
                "same_top": int(group["same_top"].sum()),
            }
        )
    return pd.DataFrame(rows)
