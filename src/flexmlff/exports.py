"""Results in shapes that other tools read, so that others can compare against ours.

* ``predictions.extxyz``, one per trained model: its held-out frames with the reference
  energy and forces under the dataset files' own keys (``energy``, ``forces``; kcal/mol
  and kcal/(mol Å), labelled in each frame) and the model's beside them
  (``predicted_energy``, ``predicted_forces``), the frame's index in the dataset and, where
  the molecule has a transition coordinate (azobenzene: φ), that coordinate and its cluster;
  :func:`flexmlff.data.read_dataset` reads it back as the reference frames.
* ``metrics.json``, one per dataset: RMSE and MAE per family and training size, of the
  best fold and the mean over folds, in ml-peg's table shape ``{metric: {model: value}}``
  under ``metrics``, with the level of theory and the units beside it.
* ``models.yml``: the best model of every family, dataset and size as an entry of ml-peg's
  and mlipx's model registry (``module``, ``class_name``, ``kwargs``): calling
  ``flexmlff.models.load_calculator(**kwargs)`` gives an ASE calculator (eV, eV/Å).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from ase import Atoms

from flexmlff.data import Dataset
from flexmlff.evaluate import METRICS, HeldOut, coordinate_degrees, phi_clusters
from flexmlff.units import ENERGY_UNIT, FORCE_UNIT, LENGTH_UNIT

#: Width of the clusters of a cluster coordinate (paper Figs. 7 and 8: 10° of |φ|).
CLUSTER_WIDTH_DEG = 10.0
#: Fold statistics of the learning-curve table that go into metrics.json.
STATISTICS = ("best", "mean")


def prediction_frames(
    dataset: Dataset, held_out: HeldOut, model: str, cluster_coordinate: dict | None = None
) -> list[Atoms]:
    """The held-out frames of one model with reference and predicted energies and forces.

    `cluster_coordinate` is the molecule's transition coordinate, ``{"cv": name, "atoms":
    [...], "signed": bool}`` (:meth:`flexmlff.planning.Datasets.cluster_coordinate`): its value in
    :data:`CLUSTER_WIDTH_DEG` bins clusters the frames (``info["cluster"]``; by |value|, 0
    for 0°–10°, or by the signed value from −180° where it is ``signed``), or None where
    the molecule has none.
    """
    test = dataset.subset(held_out.indices)
    clusters = values = None
    if cluster_coordinate:
        name = cluster_coordinate["cv"]
        values = coordinate_degrees(test.R, cluster_coordinate["atoms"])
        clusters = phi_clusters(values, CLUSTER_WIDTH_DEG, cluster_coordinate["signed"])
    frames = []
    for k, index in enumerate(held_out.indices):
        atoms = Atoms(numbers=test.z, positions=test.R[k])
        atoms.info.update(
            model=model,
            frame=int(index),
            energy=float(test.E[k]),
            predicted_energy=float(held_out.energies[k]),
            theory=dataset.theory,
            energy_unit=ENERGY_UNIT,
            force_unit=FORCE_UNIT,
            length_unit=LENGTH_UNIT,
        )
        if clusters is not None:
            atoms.info.update({f"{name}_deg": float(values[k]), "cluster": int(clusters[k])})
        atoms.arrays["forces"] = test.F[k].copy()
        atoms.arrays["predicted_forces"] = np.asarray(held_out.forces[k], dtype=float).copy()
        frames.append(atoms)
    return frames


class Predictions(NamedTuple):
    """The frames of prediction files, pooled: cluster coordinate (degrees; None when not
    asked for), reference and predicted energies (M,) and forces (M, N, 3), in the files'
    units, and the positions (M, N, 3), Å."""

    coordinate_deg: np.ndarray | None
    energies: np.ndarray
    predicted_energies: np.ndarray
    forces: np.ndarray
    predicted_forces: np.ndarray
    positions: np.ndarray | None = None


def read_predictions(paths, coordinate: str | None = None) -> Predictions:
    """Every frame of the ``predictions.extxyz`` files `paths` (several folds pooled), with
    the cluster coordinate `coordinate` when given (``phi`` reads ``info["phi_deg"]``)."""
    from ase.io import read

    frames = [atoms for path in paths for atoms in read(path, index=":", format="extxyz")]
    key = f"{coordinate}_deg"
    if coordinate and frames and key not in frames[0].info:
        raise ValueError(f"{paths[0]}: its frames have no {key!r} (the dataset has no cluster coordinate)")
    # ASE's reader moves the reference `energy` and `forces` into a calculator; read them
    # from there, in the units the file states (no conversion: the calculator is only a holder)
    return Predictions(
        np.array([a.info[key] for a in frames]) if coordinate else None,
        np.array([a.info["energy"] if "energy" in a.info else a.calc.results["energy"] for a in frames]),
        np.array([a.info["predicted_energy"] for a in frames]),
        np.array([a.arrays["forces"] if "forces" in a.arrays else a.calc.results["forces"] for a in frames]),
        np.array([a.arrays["predicted_forces"] for a in frames]),
        np.array([a.positions for a in frames]),
    )


def metric_name(metric: str, statistic: str, n_train: int) -> str:
    """A metrics.json key: ``energy_rmse_best_n100`` is the best fold's energy RMSE at n = 100,
    ``energy_rmse_best_low_n100`` the lower bound of its 95 % interval."""
    return f"{metric}_{statistic}_n{int(n_train)}"


def metrics_table(curve: pd.DataFrame, dataset: str, level_of_theory: str) -> dict:
    """One dataset's learning curves (:func:`flexmlff.evaluate.learning_curve` rows) as
    ``{"dataset", "level_of_theory", "units", "metrics": {metric: {model: value}}}``."""
    rows = curve[curve["dataset"] == dataset]
    if rows.empty:
        raise ValueError(f"the learning-curve table has no rows for dataset {dataset!r}")
    metrics: dict[str, dict[str, float]] = {}
    for _, row in rows.sort_values(["n_train", "model"]).iterrows():
        for metric in METRICS:
            columns = {statistic: f"{statistic}_{metric}" for statistic in STATISTICS}
            # the best fold's RMSEs carry their 95 % bootstrap bounds (best_low, best_high)
            columns.update({f"best_{bound}": f"best_{metric}_{bound}" for bound in ("low", "high")})
            for statistic, column in columns.items():
                if column in row and np.isfinite(row[column]):  # an error table without intervals has none
                    key = metric_name(metric, statistic, row["n_train"])
                    metrics.setdefault(key, {})[row["model"]] = float(row[column])
    units = {metric: ENERGY_UNIT if metric.startswith("energy") else FORCE_UNIT for metric in METRICS}
    return {
        "dataset": dataset,
        "level_of_theory": level_of_theory,
        "units": units,
        "n_folds": int(rows["n_folds"].max()),
        "metrics": metrics,
    }


def registry_entry(
    dataset: str,
    model: str,
    n_train: int,
    fold: int,
    path: str,
    level_of_theory: str,
    trained_on_dispersion: bool,
    code_family: str | None = None,
) -> tuple[str, dict]:
    """(name, entry) of one trained model in ml-peg's models.yml layout; a named variant's
    model loads as its family's (`code_family`), and its name stays in ``variant``."""
    name = f"flexmlff-{dataset}-{model}-n{int(n_train)}"
    family = code_family or model
    return name, {
        "module": "flexmlff.models",
        "class_name": "load_calculator",
        "datasets": [dataset],
        "device": "cpu",
        "trained_on_dispersion": bool(trained_on_dispersion),
        "level_of_theory": level_of_theory,
        "n_train": int(n_train),
        "fold": int(fold),
        **({"variant": model} if family != model else {}),
        "kwargs": {"model": family, "path": path},
    }
