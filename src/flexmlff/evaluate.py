"""Test errors and the paper's best-model rules.

Errors are computed in the dataset units: energies in kcal/mol, forces in
kcal/(mol Å) over every Cartesian component, as the paper reports them.

Best model per family, dataset and training size (paper Sec. IV):

* SchNet, GAP/SOAP, BPNN (trained on energies and forces): the fold with the
  lowest energy RMSE on its test folds;
* sGDML (trained on forces): the fold with the lowest force RMSE; only if folds
  of similar force RMSE (~0.1 kcal/(mol Å)) have substantially different energy
  RMSEs (~1 kcal/mol), the one with the lowest energy RMSE (:class:`Selection`).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import pandas as pd

from flexmlff.models import describe, families
from flexmlff.paper import ENERGY, ENERGY_AND_FORCES, PAPER_HEADLINES
from flexmlff.uncertainty import INTERVAL_COLUMNS, rmse_intervals

METRICS = ["energy_rmse", "energy_mae", "force_rmse", "force_mae"]
#: Columns of the tidy error table every model family writes.
ERROR_COLUMNS = ["dataset", "model", "n_train", "fold", "n_test", *METRICS, *INTERVAL_COLUMNS]


def error_metrics(E_pred, E_ref, F_pred, F_ref) -> dict[str, float]:
    """RMSE and MAE of energies (kcal/mol) and force components (kcal/(mol Å))."""
    dE = np.asarray(E_pred, dtype=float).ravel() - np.asarray(E_ref, dtype=float).ravel()
    dF = np.asarray(F_pred, dtype=float).ravel() - np.asarray(F_ref, dtype=float).ravel()
    return {
        "energy_rmse": float(np.sqrt(np.mean(dE**2))),
        "energy_mae": float(np.mean(np.abs(dE))),
        "force_rmse": float(np.sqrt(np.mean(dF**2))),
        "force_mae": float(np.mean(np.abs(dF))),
    }


def mean_baseline(E_train, E_test, F_test) -> dict[str, float]:
    """Errors of the trivial model: the training mean energy and zero forces."""
    E_test = np.asarray(E_test, dtype=float)
    return error_metrics(np.full_like(E_test, np.mean(E_train)), E_test, np.zeros_like(F_test), F_test)


class HeldOut(NamedTuple):
    """One fold's model on its held-out frames: their indices in the dataset and the
    predicted energies (kcal/mol) and forces (kcal/(mol Å))."""

    indices: np.ndarray
    energies: np.ndarray
    forces: np.ndarray


def predict_held_out(predict, dataset, split, fold: int) -> HeldOut:
    """Predictions of one fold's model, ``predict(R, z) -> (energies, forces)``, on the
    frames of the other folds (never the validation frames)."""
    indices = np.asarray(split.test_indices(fold))
    test = dataset.subset(indices)
    energies, forces = predict(test.R, test.z)
    return HeldOut(indices, np.asarray(energies, dtype=float), np.asarray(forces, dtype=float))


def held_out_errors(held_out: HeldOut, dataset, split, fold: int, train=None) -> dict:
    """Errors of one fold's model on its held-out frames, beside the mean-energy baseline.

    The row carries ``n_train``, ``fold``, ``n_test``, the four :data:`METRICS`, the 95 %
    bootstrap bounds of both RMSEs over the held-out frames
    (:data:`flexmlff.uncertainty.INTERVAL_COLUMNS`) and the baseline's RMSEs (what predicting
    the training mean, and zero forces, would score). `train` are the model's training frames
    where they are not the fold's own (a grown training set, :mod:`flexmlff.training_sets`).
    """
    train = split.train_indices(fold) if train is None else np.asarray(train)
    test = dataset.subset(held_out.indices)
    baseline = mean_baseline(dataset.E[train], test.E, test.F)
    return {
        "n_train": len(train),
        "fold": fold,
        "n_test": len(test),
        **error_metrics(held_out.energies, test.E, held_out.forces, test.F),
        **rmse_intervals(held_out.energies, test.E, held_out.forces, test.F),
        "baseline_energy_rmse": baseline["energy_rmse"],
        "baseline_force_rmse": baseline["force_rmse"],
    }


def best_by_energy(folds: pd.DataFrame) -> pd.Series:
    """The fold with the lowest energy RMSE (SchNet, GAP/SOAP, BPNN rule)."""
    return folds.loc[folds["energy_rmse"].idxmin()]


class Selection(NamedTuple):
    """The paper's rule for the best sGDML model of a training size (Sec. IV).

    sGDML is trained on forces only, so its best model is the fold with the lowest force
    RMSE, unless folds of similar force RMSE (within `force_tolerance`, kcal/(mol Å);
    paper: ~0.1) have substantially different energy RMSEs (by at least
    `energy_difference`, kcal/mol; paper: ~1.0): then the one with the lowest energy RMSE.
    """

    force_tolerance: float = 0.1
    energy_difference: float = 1.0


def best_sgdml(folds: pd.DataFrame, selection: Selection = Selection()) -> pd.Series:
    """The sGDML rule (:class:`Selection`): lowest force RMSE, and among similar force RMSEs the
    lowest energy RMSE only where it is lower by `energy_difference` or more."""
    by_force = folds.loc[folds["force_rmse"].idxmin()]
    similar = folds[folds["force_rmse"] <= by_force["force_rmse"] + selection.force_tolerance]
    by_energy = similar.loc[similar["energy_rmse"].idxmin()]
    if by_force["energy_rmse"] - by_energy["energy_rmse"] >= selection.energy_difference:
        return by_energy
    return by_force


def best_fold(folds: pd.DataFrame, model: str, selection: Selection = Selection()) -> pd.Series:
    """The best of one family's folds at one training size, by that family's rule
    (:attr:`flexmlff.models.Family.selection`: the kernel rule or the lowest energy RMSE; a
    model not trained here has one model for every fold, and the lowest energy RMSE names one)."""
    if model in families() and describe(model).selection == "kernel":
        return best_sgdml(folds, selection)
    return best_by_energy(folds)


def best_fold_index(error_files, model: str, selection: Selection = Selection()) -> int:
    """The best fold among the per-fold test-error CSVs of one family and size."""
    folds = pd.concat([pd.read_csv(f) for f in error_files], ignore_index=True)
    return int(best_fold(folds, model, selection)["fold"])


#: A figure entry that stands for one method over several descriptors, and the families it
#: chooses among per dataset (``figures.<figure>.best_descriptor``).
DESCRIPTOR_ALTERNATIVES = {"sgdml": ("sgdml", "sgdml_ang")}


def descriptor_choice(records: list[dict], best_folds: dict[str, int]) -> tuple[str, dict[str, float]]:
    """Of the families in `best_folds` ({family: its best fold}, all at one training size), the
    one whose best model has the lowest validation force RMSE (its training record's
    ``chosen.valid_force_rmse``; the paper chose sGDML's descriptor per mechanism, Sec. IV),
    and each family's RMSE. `records` hold those models' training records."""
    rmse = {}
    for family_name, fold in best_folds.items():
        record = next(r for r in records if r["family"] == family_name and int(r["fold"]) == int(fold))
        rmse[family_name] = float(record["chosen"]["valid_force_rmse"])
    return min(rmse, key=rmse.get), rmse


def fold_statistics(folds: pd.DataFrame, best: pd.Series) -> dict:
    """Fold count, the best fold and its metrics with the bootstrap bounds of its RMSEs, and the
    mean ± std of every metric over folds."""
    row = {"n_folds": len(folds), "best_fold": int(best["fold"])}
    for metric in METRICS:
        row[f"best_{metric}"] = float(best[metric])
        for bound in ("low", "high"):
            if f"{metric}_{bound}" in INTERVAL_COLUMNS:  # a table written before intervals has none
                row[f"best_{metric}_{bound}"] = float(best.get(f"{metric}_{bound}", np.nan))
        row[f"mean_{metric}"] = float(folds[metric].mean())
        row[f"std_{metric}"] = float(folds[metric].std(ddof=0))
    return row


def learning_curve(errors: pd.DataFrame, selection: Selection = Selection()) -> pd.DataFrame:
    """Per dataset, model and training size: the best fold and the mean ± std over folds."""
    rows = []
    for (dataset, model, n_train), folds in errors.groupby(["dataset", "model", "n_train"]):
        best = best_fold(folds, model, selection)
        rows.append({"dataset": dataset, "model": model, "n_train": n_train, **fold_statistics(folds, best)})
    return pd.DataFrame(rows)


def phi_clusters(phi_deg, width_deg: float = 10.0, signed: bool = False) -> np.ndarray:
    """Cluster index of each dihedral φ (degrees) by |φ| (paper Figs. 7 and 8).

    φ is wrapped to (−180°, 180°] and binned by its magnitude: index 0 holds
    0° ≤ |φ| < 10°, … the last (17 for 10° bins) 170° ≤ |φ| ≤ 180°. A `signed` φ, for
    minima told apart by its sign (alanine dipeptide), is binned from −180° instead:
    index 0 holds −180° ≤ φ < −170° (and +180°, the same angle), … the last (35)
    170° ≤ φ < 180°.
    """
    if signed:
        return grid_cells(phi_deg, phi_deg, width_deg)[0]
    from flexmlff.geometry import wrap_degrees

    n_clusters = int(round(180.0 / width_deg))
    magnitude = np.abs(wrap_degrees(np.asarray(phi_deg, dtype=float)))
    return np.minimum((magnitude // width_deg).astype(int), n_clusters - 1)


def cell_errors(E_pred, E_ref, F_pred, F_ref) -> dict[str, float]:
    """The :func:`error_metrics` of the frames of one cluster or grid cell and the 95 %
    bootstrap intervals of its RMSEs (:data:`INTERVAL_COLUMNS`; NaN for fewer than two
    frames, all NaN for none): a cluster of a handful of frames gets the wide interval it has."""
    if not len(E_pred):
        return dict.fromkeys([*METRICS, *INTERVAL_COLUMNS], np.nan)
    return {**error_metrics(E_pred, E_ref, F_pred, F_ref), **rmse_intervals(E_pred, E_ref, F_pred, F_ref)}


def cluster_errors(phi_deg, E_pred, E_ref, F_pred, F_ref, width_deg: float = 10.0) -> pd.DataFrame:
    """Energy and force errors per φ cluster, with each cluster's share of the frames.

    One row per cluster (empty clusters included, with NaN errors): ``cluster``,
    ``phi_from_deg``, ``phi_to_deg``, ``n_frames``, ``population`` (fraction of all
    frames), the :func:`error_metrics` of its frames and their RMSEs' bootstrap intervals
    (:func:`cell_errors`).
    """
    clusters = phi_clusters(phi_deg, width_deg)
    n_clusters = int(round(180.0 / width_deg))
    E_pred, E_ref = np.asarray(E_pred, dtype=float), np.asarray(E_ref, dtype=float)
    F_pred, F_ref = np.asarray(F_pred, dtype=float), np.asarray(F_ref, dtype=float)
    rows = []
    for k in range(n_clusters):
        members = clusters == k
        metrics = cell_errors(E_pred[members], E_ref[members], F_pred[members], F_ref[members])
        rows.append(
            {
                "cluster": k,
                "phi_from_deg": k * width_deg,
                "phi_to_deg": (k + 1) * width_deg,
                "n_frames": int(members.sum()),
                "population": float(members.mean()),
                **metrics,
            }
        )
    return pd.DataFrame(rows)


def grid_cells(x_deg, y_deg, width_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Cell (column, row) of each frame on a grid of two dihedrals, `width_deg` wide cells
    from −180° (values taken modulo 360°, so +180° is −180°'s cell 0; 360 must be a multiple
    of the width)."""
    n_cells = int(round(360.0 / width_deg))
    if not math.isclose(n_cells * width_deg, 360.0):
        raise ValueError(f"a cell width of {width_deg} degrees does not divide 360")

    def cell(values):
        from_minus_180 = (np.asarray(values, dtype=float) + 180.0) % 360.0
        return np.minimum((from_minus_180 // width_deg).astype(int), n_cells - 1)

    return cell(x_deg), cell(y_deg)


def grid_errors(x_deg, y_deg, E_pred, E_ref, F_pred, F_ref, width_deg: float = 30.0) -> pd.DataFrame:
    """Energy and force errors per cell of a 2-D grid of two dihedrals (e.g. alanine
    dipeptide's φ/ψ), with each cell's share of the frames.

    One row per cell, empty cells included with NaN errors: ``x_from_deg``, ``x_to_deg``,
    ``y_from_deg``, ``y_to_deg``, ``n_frames``, ``population`` and the
    :func:`cell_errors` of its frames.
    """
    columns, rows_of = grid_cells(x_deg, y_deg, width_deg)
    n_cells = int(round(360.0 / width_deg))
    E_pred, E_ref = np.asarray(E_pred, dtype=float), np.asarray(E_ref, dtype=float)
    F_pred, F_ref = np.asarray(F_pred, dtype=float), np.asarray(F_ref, dtype=float)
    table = []
    for i in range(n_cells):
        for j in range(n_cells):
            members = (columns == i) & (rows_of == j)
            metrics = cell_errors(E_pred[members], E_ref[members], F_pred[members], F_ref[members])
            table.append(
                {
                    "x_from_deg": -180.0 + i * width_deg,
                    "x_to_deg": -180.0 + (i + 1) * width_deg,
                    "y_from_deg": -180.0 + j * width_deg,
                    "y_to_deg": -180.0 + (j + 1) * width_deg,
                    "n_frames": int(members.sum()),
                    "population": float(members.mean()),
                    **metrics,
                }
            )
    return pd.DataFrame(table)


def cutoff_scan(errors: pd.DataFrame) -> pd.DataFrame:
    """Per cutoff radius (column ``cutoff_A``): the best fold by energy RMSE and the mean ± std
    over folds of every metric (paper Fig. 6a, GAP/SOAP)."""
    rows = []
    for cutoff, folds in errors.groupby("cutoff_A"):
        best = best_by_energy(folds)
        rows.append(
            {"cutoff_A": float(cutoff), "n_train": int(folds["n_train"].iloc[0]), **fold_statistics(folds, best)}
        )
    return pd.DataFrame(rows)


#: φ clusters of the paper's "close-to-equilibrium" (cis: 0-30°, trans: 160-180°) and
#: transition (40-140°) regions, used for the ratio of their errors (Fig. 7).
EQUILIBRIUM_CLUSTERS = (0, 1, 2, 16, 17)
TRANSITION_CLUSTERS = tuple(range(4, 14))


def equilibrium_to_transition_ratio(clusters: pd.DataFrame, metric: str = "energy_rmse") -> float:
    """Frame-weighted RMS error of the equilibrium clusters over that of the transition ones."""

    def pooled(indices):
        part = clusters[clusters["cluster"].isin(indices) & (clusters["n_frames"] > 0)]
        return np.sqrt((part[metric] ** 2 * part["n_frames"]).sum() / part["n_frames"].sum())

    return float(pooled(EQUILIBRIUM_CLUSTERS) / pooled(TRANSITION_CLUSTERS))


def equilibrium_to_transition_intervals(phi_deg, E_pred, E_ref, F_pred, F_ref, seed: int = 0) -> dict[str, float]:
    """:func:`equilibrium_to_transition_ratio` of the energy and force RMSE computed from the
    frames themselves, with a bootstrap interval (each region's frames resampled on their own):
    ``{energy,force}_ratio``, ``…_ratio_low``, ``…_ratio_high``."""
    from flexmlff.uncertainty import ratio_interval, squared_errors

    clusters = phi_clusters(phi_deg)
    equilibrium, transition = np.isin(clusters, EQUILIBRIUM_CLUSTERS), np.isin(clusters, TRANSITION_CLUSTERS)
    row = {}
    for quantity, predicted, reference in (("energy", E_pred, E_ref), ("force", F_pred, F_ref)):
        squares, components = squared_errors(predicted, reference)
        if equilibrium.any() and transition.any():
            ratio = ratio_interval(squares[equilibrium], squares[transition], components, seed)
        else:
            ratio = (np.nan, np.nan, np.nan)
        row.update(dict(zip((f"{quantity}_ratio", f"{quantity}_ratio_low", f"{quantity}_ratio_high"), ratio)))
    return row


def coordinate_degrees(positions, atoms_of_coordinate) -> np.ndarray:
    """A named internal coordinate along frames: a dihedral (4 atoms) or an angle (3), degrees."""
    from flexmlff.geometry import angle, dihedral

    measure = dihedral if len(atoms_of_coordinate) == 4 else angle
    return np.atleast_1d(measure(positions, atoms_of_coordinate))


def tail_mean(values_deg, tail: float = 0.1, magnitude: bool = True, circular: bool = False) -> float:
    """Mean over the last `tail` of a run's frames: where it ended. A dihedral's `magnitude`:
    its sign tells nothing about cis or trans. A signed dihedral's mean is `circular`
    (degrees in (-180, 180]): frames either side of ±180° average to ~180°, not to 0."""
    values = np.asarray(values_deg, dtype=float)
    values = np.abs(values) if magnitude else values
    last = values[-max(1, int(round(tail * len(values)))) :]
    if circular and not magnitude:
        return float(np.degrees(np.angle(np.exp(1j * np.radians(last)).mean())))
    return float(last.mean())


def transition_outcome(final_deg: float, ends: dict[str, float], bands_deg, magnitude: bool = True) -> str:
    """Which of two end minima a run reached, or ``"transition"`` (paper Fig. 9).

    `ends` maps the two minima to their value of the coordinate, `bands_deg` = (low, high)
    splits |coordinate| (the signed coordinate unless `magnitude`) into three bands: up to
    `low` is the minimum that lies there, from `high` up the other one, in between the
    transition region.
    """
    low, high = bands_deg
    measure = abs if magnitude else float
    sides = {
        name: "low" if measure(value) <= low else "high" if measure(value) >= high else None
        for name, value in ends.items()
    }
    if sorted(map(str, sides.values())) != ["high", "low"]:
        shown = "|coordinate|" if magnitude else "coordinate"
        raise ValueError(
            f"the end minima {ends} (degrees) do not lie one in each outer band of {shown} <= {low} and >= {high}"
        )
    final = measure(final_deg)
    side = "low" if final <= low else "high" if final >= high else None
    return next((name for name, s in sides.items() if s == side), "transition")


def md_outcome(
    positions: np.ndarray,
    bonds: list[tuple[int, int]],
    values: np.ndarray,
    ends: dict[str, float],
    bands_deg,
    tail: float = 0.1,
    max_stretch: float = 1.5,
    min_distance_A: float = 0.6,
    magnitude: bool = True,
) -> dict:
    """Where an MD run ended and whether it stayed a molecule (paper Fig. 9).

    `values` is the run's classifying coordinate (azobenzene: φ), `ends` its value at the
    two end minima: the run ended in the band (:func:`transition_outcome`) of its mean
    |value| (circular mean of the signed dihedral unless `magnitude`) over the last `tail`
    of the frames (``final_value_deg``). It stayed
    physical when no bond of the start structure grew beyond `max_stretch` times its
    starting length and no two atoms came closer than `min_distance_A`.
    """
    positions = np.asarray(positions, dtype=float)
    final = tail_mean(values, tail, magnitude, circular=True)
    i, j = np.array(bonds, dtype=int).T
    lengths = np.linalg.norm(positions[:, i] - positions[:, j], axis=-1)
    stretch = float((lengths / lengths[0]).max())
    a, b = np.triu_indices(positions.shape[1], 1)
    closest = float(np.linalg.norm(positions[:, a] - positions[:, b], axis=-1).min())
    return {
        "ends_in": transition_outcome(final, ends, bands_deg, magnitude),
        "final_value_deg": final,
        "max_bond_stretch": stretch,
        "min_distance_A": closest,
        "physical": bool(stretch <= max_stretch and closest >= min_distance_A),
    }


#: The kinds of failure :class:`IntactMolecule` tells apart, in the order each frame is checked;
#: the temperature is checked apart, from the thermostat's record (:func:`temperature_runaway`).
FAILURES = ("atoms too close", "atom left the molecule", "bond broken", "bond formed")
TEMPERATURE_RUNAWAY = "temperature ran away"


class IntactMolecule:
    """Whether the frames of an MD run are still the molecule of its start frame.

    Set up once from the start (`start_positions`, `numbers`, the start's `bonds`) and asked
    of any frames, during the run or after it. The checks, in the order of :data:`FAILURES`
    (the first that holds names the failure): two atoms closer than `min_distance_A`; an atom
    with no neighbour within `max_stretch` × (its radius + the neighbour's) (it left the
    molecule); a bond of the start longer than `max_stretch` times its starting length; a pair
    of atoms the start did not bond closer than `bond_tolerance` × the sum of their covalent
    radii (a new bond).
    """

    def __init__(
        self,
        start_positions,
        numbers,
        bonds: list[tuple[int, int]],
        max_stretch: float = 1.5,
        min_distance_A: float = 0.6,
        bond_tolerance: float = 1.2,
    ):
        from ase.data import covalent_radii

        start_positions = np.asarray(start_positions, dtype=float)
        self.n_atoms = len(start_positions)
        self.a, self.b = np.triu_indices(self.n_atoms, 1)
        radii = covalent_radii[np.asarray(numbers, dtype=int)]
        reach = radii[self.a] + radii[self.b]
        pair_index = {(int(i), int(j)): k for k, (i, j) in enumerate(zip(self.a, self.b))}
        self.bonded = np.zeros(len(self.a), dtype=bool)
        for i, j in bonds:
            self.bonded[pair_index[(min(i, j), max(i, j))]] = True
        self.min_distance_A = min_distance_A
        self.neighbour_reach = max_stretch * reach
        self.longest_bond = max_stretch * self._distances(start_positions[None])[0, self.bonded]
        self.new_bond_below = bond_tolerance * reach[~self.bonded]

    def _distances(self, positions: np.ndarray) -> np.ndarray:
        return np.linalg.norm(positions[:, self.a] - positions[:, self.b], axis=-1)  # (frames, pairs)

    def failures(self, positions) -> np.ndarray:
        """(frames, kinds): which check of :data:`FAILURES` each frame fails."""
        positions = np.asarray(positions, dtype=float).reshape(-1, self.n_atoms, 3)
        distances = self._distances(positions)
        near = distances < self.neighbour_reach
        neighbours = np.zeros((len(positions), self.n_atoms, self.n_atoms), dtype=bool)
        neighbours[:, self.a, self.b] = near
        neighbours[:, self.b, self.a] = near
        checks = {
            "atoms too close": (distances < self.min_distance_A).any(axis=1),
            "atom left the molecule": ~neighbours.any(axis=2).all(axis=1),
            "bond broken": (distances[:, self.bonded] > self.longest_bond).any(axis=1),
            "bond formed": (distances[:, ~self.bonded] < self.new_bond_below).any(axis=1),
        }
        return np.column_stack([checks[kind] for kind in FAILURES])

    def failure(self, positions) -> str:
        """The failure of one frame (its first kind in :data:`FAILURES`), "" for none."""
        failed = self.failures(positions)[0]
        return FAILURES[int(np.argmax(failed))] if failed.any() else ""


def first_failure(
    positions: np.ndarray,
    numbers,
    bonds: list[tuple[int, int]],
    max_stretch: float = 1.5,
    min_distance_A: float = 0.6,
    bond_tolerance: float = 1.2,
    times_fs=None,
) -> dict:
    """The first frame of an MD run at which the molecule stopped being the one it started as
    (:class:`IntactMolecule`, set up from the first frame). Returns ``failure`` (the kind,
    "" for none), ``failure_frame`` and ``failure_time_fs`` (None for none; the time from
    `times_fs`, one per frame, where given).
    """
    positions = np.asarray(positions, dtype=float)
    if positions.shape[1] < 2:  # a single atom has no bonds to break
        return {"failure": "", "failure_frame": None, "failure_time_fs": None}
    watch = IntactMolecule(positions[0], numbers, bonds, max_stretch, min_distance_A, bond_tolerance)
    failed = watch.failures(positions)
    frames = np.flatnonzero(failed.any(axis=1))
    if not len(frames):
        return {"failure": "", "failure_frame": None, "failure_time_fs": None}
    frame = int(frames[0])
    kind = FAILURES[int(np.argmax(failed[frame]))]
    time = float(np.asarray(times_fs)[frame]) if times_fs is not None else None
    return {"failure": kind, "failure_frame": frame, "failure_time_fs": time}


def temperature_runaway(times_fs, temperatures_K, thermostat_K: float, factor: float = 3.0) -> float | None:
    """The first time (fs) at which the kinetic temperature exceeded `factor` × the
    thermostat's, None if it never did. A molecule of N atoms at T fluctuates by about
    T·sqrt(2/(3N)) (17 % for 24 atoms), so thrice the target is no fluctuation: energy
    is pouring in faster than the thermostat takes it out."""
    above = np.flatnonzero(np.asarray(temperatures_K, dtype=float) > factor * thermostat_K)
    return float(np.asarray(times_fs, dtype=float)[above[0]]) if len(above) else None


def points_to_accuracy(
    curve: pd.DataFrame, threshold: float = 1.0, metrics: tuple[str, ...] = ("best_energy_rmse", "best_force_rmse")
) -> int | None:
    """The smallest training size at which every one of `metrics` of the best model is below
    `threshold` (None if none is): by default energy RMSE below 1 kcal/mol and force RMSE
    below 1 kcal/(mol Å) together."""
    below = curve[(curve[list(metrics)] < threshold).all(axis=1)]
    return int(below["n_train"].min()) if len(below) else None


def headline_table(curves: pd.DataFrame, threshold: float = 1.0) -> pd.DataFrame:
    """Per dataset and family, ours next to the paper's (:data:`flexmlff.paper.PAPER_HEADLINES`):
    training points for energy and force RMSE both below `threshold` (kcal/mol and
    kcal/(mol Å), best model), for the energy alone (the paper's "chemical accuracy"), and by
    the criterion the paper states for its own number of that row (``paper_criterion``: the
    energy, or energy and forces where the paper gives one size for both), beside it; and
    the best force RMSE at the largest size."""
    rows = []
    for (dataset, model), curve in curves.groupby(["dataset", "model"]):
        largest = curve.loc[curve["n_train"].idxmax()]
        never = f"> {int(curve['n_train'].max())}"
        both = points_to_accuracy(curve, threshold)
        energy = points_to_accuracy(curve, threshold, ("best_energy_rmse",))
        paper_points, criterion, paper_forces = PAPER_HEADLINES.get((dataset, model), ("", ENERGY, ""))
        ours = both if criterion == ENERGY_AND_FORCES else energy
        rows.append(
            {
                "dataset": dataset,
                "model": model,
                "points_energy_and_force_below_1": str(both) if both else never,
                "points_energy_below_1": str(energy) if energy else never,
                "paper_criterion": criterion,
                "points_by_paper_criterion": str(ours) if ours else never,
                "paper_points_to_1_kcal_mol": paper_points,
                "largest_n_train": int(largest["n_train"]),
                "energy_rmse_at_largest": float(largest["best_energy_rmse"]),
                "force_rmse_at_largest": float(largest["best_force_rmse"]),
                "paper_force_rmse_at_1000": paper_forces,
            }
        )
    return pd.DataFrame(rows)
