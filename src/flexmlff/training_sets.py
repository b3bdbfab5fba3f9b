"""Training sets grown where the model errs: cluster-based training-set optimisation.

Beyond the paper (its conclusion asks for a better choice of training points): the
scheme of Fonseca, Poltavsky, Vassilev-Galindo and Tkatchenko, J. Chem. Phys. 154,
124102 (2021), with the defaults of their code (fonsecag/MLFF), written anew here.

* **Clusters of the dataset** (:func:`dataset_clusters`): agglomerative Ward clustering
  of all interatomic distances into 10 clusters, fitted on at most 20 000 frames (every
  other frame joins the cluster whose farthest member is nearest), each split by k-means
  on the energy into 5: 50 clusters.
* **One step** (:func:`select_frames`): from a model's force errors on every frame of the
  dataset, keep the clusters whose mean error exceeds 1.1 × the mean cluster error,
  re-cluster their frames into 100 fine clusters on the distances, share the step's new
  frames among the fine clusters in proportion to (error share) × (population share) by
  largest remainder, and take each fine cluster's worst frames that are in none of the
  training, validation or test sets. The model is then retrained from scratch.
* **Sizes** (:func:`step_sizes`): from ``n_start`` frames, an energy-stratified subset of
  the training fold of the size-``n_train`` split (:func:`starting_frames`), in equal
  steps to ``n_train``, so the final model is tested on the same held-out folds as the
  energy-stratified model of that size.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from flexmlff.geometry import pairwise_distances
from flexmlff.splits import stratified_sample


class ClusterScheme(NamedTuple):
    """The clustering settings (fonsecag/MLFF's defaults)."""

    coarse: int = 10  # Ward clusters of the interatomic distances
    energy: int = 5  # k-means clusters of the energy within each
    fine: int = 100  # Ward clusters of the frames of the high-error clusters
    max_fitted: int = (
        20_000  # frames the Ward tree is fitted on; the rest join the cluster whose farthest member is nearest
    )
    error_factor: float = 1.1  # a cluster is "high-error" above this × the mean cluster error


def step_sizes(n_start: int, n_train: int, steps: int) -> list[int]:
    """Training-set size after each step: ``n_start`` at step 0, ``n_train`` at step `steps`,
    equal increments between (rounded)."""
    if not 0 < n_start < n_train or steps < 1:
        raise ValueError(f"need 0 < n_start ({n_start}) < n_train ({n_train}) and steps ({steps}) >= 1")
    return [int(round(n_start + k * (n_train - n_start) / steps)) for k in range(steps + 1)]


def starting_frames(energies: np.ndarray, fold_frames: np.ndarray, n_start: int, seed: int) -> np.ndarray:
    """`n_start` frames of one training fold (dataset indices), energy-stratified like the
    fold itself, so the start is the stratified set in small."""
    fold_frames = np.asarray(fold_frames, dtype=int)
    chosen = stratified_sample(np.asarray(energies)[fold_frames], n_start, seed)
    return np.sort(fold_frames[chosen])


def ward_clusters(descriptors: np.ndarray, n_clusters: int, max_fitted: int, rng: np.random.Generator) -> np.ndarray:
    """Cluster label (0…) of every row: Ward's tree on at most `max_fitted` rows (drawn at
    random when there are more), cut into `n_clusters`; each other row joins the cluster
    whose largest squared distance to it is smallest."""
    from scipy.cluster.hierarchy import fcluster, linkage

    descriptors = np.asarray(descriptors, dtype=float)
    n = len(descriptors)
    n_clusters = min(n_clusters, n)
    if n_clusters <= 1:
        return np.zeros(n, dtype=int)
    fitted = np.sort(rng.choice(n, max_fitted, replace=False)) if n > max_fitted else np.arange(n)
    tree = linkage(descriptors[fitted], method="ward")
    labels = np.empty(n, dtype=int)
    labels[fitted] = fcluster(tree, t=n_clusters, criterion="maxclust") - 1
    rest = np.setdiff1d(np.arange(n), fitted)
    if len(rest):
        members = [descriptors[fitted[labels[fitted] == k]] for k in range(labels[fitted].max() + 1)]
        for i in rest:
            farthest = [np.max(np.sum((m - descriptors[i]) ** 2, axis=1)) for m in members]
            labels[i] = int(np.argmin(farthest))
    return labels


def energy_clusters(energies: np.ndarray, n_clusters: int, seed: int) -> np.ndarray:
    """k-means labels (0…, consecutive) of energies; fewer clusters when there are fewer
    distinct energies."""
    from scipy.cluster.vq import kmeans2

    energies = np.asarray(energies, dtype=float).reshape(-1, 1)
    k = min(n_clusters, len(np.unique(energies)))
    if k <= 1:
        return np.zeros(len(energies), dtype=int)
    _, labels = kmeans2(energies, k, minit="++", seed=seed)
    return np.unique(labels, return_inverse=True)[1]  # drop the labels of empty clusters


def dataset_clusters(
    positions: np.ndarray, energies: np.ndarray, scheme: ClusterScheme = ClusterScheme(), seed: int = 0
) -> np.ndarray:
    """Cluster label of every frame: Ward clusters of the interatomic distances, each split
    by k-means on the energy (up to ``coarse × energy`` clusters, numbered 0…)."""
    rng = np.random.default_rng(seed)
    coarse = ward_clusters(pairwise_distances(positions), scheme.coarse, scheme.max_fitted, rng)
    energies = np.asarray(energies, dtype=float)
    labels = np.empty(len(coarse), dtype=int)
    offset = 0
    for k in np.unique(coarse):
        members = np.flatnonzero(coarse == k)
        sub = energy_clusters(energies[members], scheme.energy, seed + int(k))
        labels[members] = offset + sub
        offset += sub.max() + 1
    return labels


def frame_force_errors(predicted_forces: np.ndarray, reference_forces: np.ndarray) -> np.ndarray:
    """Mean squared force-component error of each frame ((kcal/(mol Å))²)."""
    difference = np.asarray(predicted_forces, dtype=float) - np.asarray(reference_forces, dtype=float)
    return np.mean(difference.reshape(len(difference), -1) ** 2, axis=1)


def cluster_means(labels: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Mean of `values` in each cluster 0…max(labels), NaN values left out (NaN for a
    cluster with none)."""
    values = np.asarray(values, dtype=float)
    known = ~np.isnan(values)
    sums = np.bincount(labels, weights=np.where(known, values, 0.0), minlength=labels.max() + 1)
    counts = np.bincount(labels, weights=known, minlength=labels.max() + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts


def high_error_clusters(labels: np.ndarray, frame_errors: np.ndarray, factor: float) -> np.ndarray:
    """The clusters whose mean error is above `factor` × the mean cluster error."""
    means = cluster_means(labels, frame_errors)
    return np.flatnonzero(means > factor * np.nanmean(means))


def largest_remainder(total: int, weights: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Split `total` into integer counts ∝ `weights`, none above its `capacity`: each takes
    the floor of its quota, then the largest remainders take one more each, in turn."""
    weights = np.where(np.asarray(capacity) > 0, np.asarray(weights, dtype=float), 0.0)
    capacity = np.asarray(capacity, dtype=int)
    if total > capacity.sum():
        raise ValueError(f"cannot place {total} frames in clusters holding {capacity.sum()}")
    if weights.sum() <= 0:  # no error left anywhere: fall back to the populations
        weights = capacity.astype(float)
    quotas = total * weights / weights.sum()
    counts = np.minimum(np.floor(quotas).astype(int), capacity)
    remainders = quotas - counts
    while counts.sum() < total:
        k = int(np.argmax(np.where(counts < capacity, remainders, -np.inf)))
        counts[k] += 1
        remainders[k] -= 1.0
    return counts


class Selection(NamedTuple):
    """One step's choice: the new frames and what led to them."""

    frames: np.ndarray  # dataset indices of the new training frames
    high_error_clusters: np.ndarray  # the coarse clusters above the threshold
    fine_counts: np.ndarray  # frames taken from each fine cluster


def select_frames(
    positions: np.ndarray,
    labels: np.ndarray,
    frame_errors: np.ndarray,
    n_new: int,
    excluded: np.ndarray,
    scheme: ClusterScheme = ClusterScheme(),
    seed: int = 0,
) -> Selection:
    """The `n_new` frames one step adds to the training set (never a frame in `excluded`).

    `labels` are the dataset's clusters (:func:`dataset_clusters`), `frame_errors` the
    current model's error on every frame (:func:`frame_force_errors`), NaN where it must
    not be looked at: a held-out frame's error takes no part in any mean, and the frame no
    part in the fine clusters, so the test frames cannot steer the choice. If the
    high-error clusters hold fewer than `n_new` candidates, the rest are the worst other
    candidates.
    """
    frame_errors = np.asarray(frame_errors, dtype=float)
    candidate = ~np.isnan(frame_errors)
    candidate[np.asarray(excluded, dtype=int)] = False
    if n_new > candidate.sum():
        raise ValueError(f"a step needs {n_new} new frames; only {candidate.sum()} are in no set")
    high = high_error_clusters(labels, frame_errors, scheme.error_factor)
    pool = np.flatnonzero(np.isin(labels, high) & ~np.isnan(frame_errors))
    fine = ward_clusters(
        pairwise_distances(np.asarray(positions)[pool]), scheme.fine, scheme.max_fitted, np.random.default_rng(seed)
    )
    n_fine = fine.max() + 1 if len(pool) else 0
    error_share = np.nan_to_num(cluster_means(fine, frame_errors[pool])) if len(pool) else np.zeros(0)
    population = np.bincount(fine, minlength=n_fine)
    capacity = np.bincount(fine, weights=candidate[pool], minlength=n_fine).astype(int)
    in_fine = min(n_new, int(capacity.sum()))
    counts = (
        largest_remainder(
            in_fine, (error_share / max(error_share.sum(), 1e-300)) * (population / population.sum()), capacity
        )
        if in_fine
        else np.zeros(n_fine, dtype=int)
    )
    chosen = []
    for k in range(n_fine):
        members = pool[(fine == k) & candidate[pool]]
        chosen.extend(members[np.argsort(-frame_errors[members], kind="stable")[: counts[k]]])
    if len(chosen) < n_new:  # too few candidates in the high-error clusters
        others = np.flatnonzero(candidate & ~np.isin(np.arange(len(candidate)), chosen))
        chosen.extend(others[np.argsort(-frame_errors[others], kind="stable")[: n_new - len(chosen)]])
    return Selection(np.sort(np.asarray(chosen, dtype=int)), high, counts)


#: The two training sets compared: energy-stratified (the paper's) and grown by errors.
TRAINING_SETS = ("stratified", "optimised")


def training_set_comparison(pooled, width_deg: float = 10.0):
    """Per-cluster and whole-set errors of each (family, training set).

    `pooled` maps (family, training set) to the :class:`flexmlff.exports.Predictions` of
    its held-out frames (folds pooled). Returns the per-cluster table
    (:func:`flexmlff.evaluate.cluster_errors` rows with ``model`` and ``training_set``) and
    the summary: whole-set RMSE/MAE and the equilibrium/transition ratios of energy and
    force RMSE (paper Fig. 7) per (family, training set).
    """
    import pandas as pd

    from flexmlff.evaluate import cluster_errors, equilibrium_to_transition_ratio, error_metrics

    tables, summary = [], []
    for (model, training_set), p in pooled.items():
        table = cluster_errors(
            p.coordinate_deg, p.predicted_energies, p.energies, p.predicted_forces, p.forces, width_deg
        )
        table.insert(0, "training_set", training_set)
        table.insert(0, "model", model)
        tables.append(table)
        summary.append(
            {
                "model": model,
                "training_set": training_set,
                "n_test_frames": len(p.energies),
                **error_metrics(p.predicted_energies, p.energies, p.predicted_forces, p.forces),
                "energy_equilibrium_to_transition": equilibrium_to_transition_ratio(table, "energy_rmse"),
                "force_equilibrium_to_transition": equilibrium_to_transition_ratio(table, "force_rmse"),
            }
        )
    return pd.concat(tables, ignore_index=True), pd.DataFrame(summary)
