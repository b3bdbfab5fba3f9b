"""How far a dataset's level is from another: a few frames drawn over the clusters of the
molecule's transition coordinate are relabelled at the other level (e.g. the surrogate
GFN1-xTB against the paper's DFT), and the dataset's errors against it are reported per
cluster (``datasets.<name>.audit``).

A surrogate and its audit level differ by a constant in the energy zero, so the energy errors
are taken after removing the mean offset over the audited frames; forces need no shift.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from flexmlff.evaluate import error_metrics, phi_clusters


def _evenly_spaced(count: int, among: int) -> np.ndarray:
    """`count` distinct positions out of `among` (count ≤ among), spread over the whole range."""
    return ((np.arange(count) + 0.5) * among / count).astype(int)


def stratified_frames(clusters, n_frames: int, seed: int) -> np.ndarray:
    """Indices (sorted) of `n_frames` frames spread as evenly as the clusters allow.

    Round by round, every cluster that still has frames gives one, drawn at random (seeded);
    where a round cannot visit every cluster, the clusters it visits are spread evenly over the
    coordinate's range, so a few frames still cover both minima and the transition region.
    Asking for more frames than there are gives all of them.
    """
    clusters = np.asarray(clusters)
    rng = np.random.default_rng(seed)
    pools = [list(rng.permutation(np.flatnonzero(clusters == k))) for k in np.unique(clusters)]
    chosen: list[int] = []
    while len(chosen) < n_frames and any(pools):
        active = [pool for pool in pools if pool]
        need = n_frames - len(chosen)
        visited = active if need >= len(active) else [active[i] for i in _evenly_spaced(need, len(active))]
        chosen += [pool.pop() for pool in visited]
    return np.sort(np.array(chosen, dtype=int))


def cluster_bounds(cluster: int, width_deg: float, signed: bool) -> tuple[float, float]:
    """The coordinate range (degrees) of a cluster of :func:`flexmlff.evaluate.phi_clusters`."""
    start = -180.0 if signed else 0.0
    return start + cluster * width_deg, start + (cluster + 1) * width_deg


def audit_errors(
    coordinate_deg,
    E_dataset,
    E_audit,
    F_dataset,
    F_audit,
    signed: bool = False,
    width_deg: float = 10.0,
) -> tuple[pd.DataFrame, float]:
    """The dataset level's errors against the audit level, per cluster and over all frames.

    `coordinate_deg` is the transition coordinate of each frame (None: one row for all
    frames). Energies in kcal/mol, forces in kcal/(mol Å). Returns the table (``cluster``,
    ``from_deg``, ``to_deg``, ``n_frames`` and the :func:`~flexmlff.evaluate.error_metrics`,
    one row per cluster with frames, then ``cluster`` "all") and the removed energy offset
    (dataset minus audit, kcal/mol).
    """
    E_dataset, E_audit = np.asarray(E_dataset, dtype=float), np.asarray(E_audit, dtype=float)
    F_dataset, F_audit = np.asarray(F_dataset, dtype=float), np.asarray(F_audit, dtype=float)
    offset = float(np.mean(E_dataset - E_audit))
    shifted = E_dataset - offset
    rows = []
    if coordinate_deg is not None:
        clusters = phi_clusters(coordinate_deg, width_deg, signed)
        for cluster in np.unique(clusters):
            members = clusters == cluster
            low, high = cluster_bounds(int(cluster), width_deg, signed)
            rows.append(
                {
                    "cluster": str(cluster),
                    "from_deg": low,
                    "to_deg": high,
                    "n_frames": int(members.sum()),
                    **error_metrics(shifted[members], E_audit[members], F_dataset[members], F_audit[members]),
                }
            )
    rows.append(
        {
            "cluster": "all",
            "from_deg": np.nan,
            "to_deg": np.nan,
            "n_frames": len(E_audit),
            **error_metrics(shifted, E_audit, F_dataset, F_audit),
        }
    )
    return pd.DataFrame(rows), offset


def audit_line(table: pd.DataFrame) -> str:
    """One markdown row of the summary for an audit table: dataset, levels, frames, the
    overall energy and force RMSE and the cluster of the largest energy RMSE."""
    overall = table[table["cluster"] == "all"].iloc[0]
    clusters = table[table["cluster"] != "all"]
    worst = "n/a"
    if len(clusters):
        top = clusters.loc[clusters["energy_rmse"].idxmax()]
        frames = int(top["n_frames"])
        worst = (
            f"{top['from_deg']:g}-{top['to_deg']:g}°: {top['energy_rmse']:.2f} ({frames} frame{'s' * (frames != 1)})"
        )
    return (
        f"| {overall['dataset']} | {overall['dataset_level']} | {overall['audit_level']} | "
        f"{int(overall['n_frames'])} | {overall['energy_rmse']:.2f} | {overall['force_rmse']:.2f} | {worst} |"
    )
