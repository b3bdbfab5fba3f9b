"""Training sets grown where the model errs (flexmlff.training_sets)."""

import numpy as np
import pytest

from flexmlff import training_sets as ts
from flexmlff.exports import Predictions


def two_conformers(n_per: int = 30, seed: int = 0):
    """Frames of a 4-atom chain in two shapes (distances differ by ~1 Å), energies spread in each."""
    rng = np.random.default_rng(seed)
    straight = np.array([[0, 0, 0], [1.5, 0, 0], [3.0, 0, 0], [4.5, 0, 0]], dtype=float)
    bent = np.array([[0, 0, 0], [1.5, 0, 0], [1.5, 1.5, 0], [0, 1.5, 0]], dtype=float)
    R = np.concatenate(
        [straight + 0.05 * rng.standard_normal((n_per, 4, 3)), bent + 0.05 * rng.standard_normal((n_per, 4, 3))]
    )
    E = np.concatenate([np.linspace(0, 1, n_per), 10 + np.linspace(0, 1, n_per)])
    return R, E


def test_step_sizes_reach_n_train_in_equal_steps():
    assert ts.step_sizes(50, 100, 2) == [50, 75, 100]
    assert ts.step_sizes(200, 1000, 4) == [200, 400, 600, 800, 1000]
    with pytest.raises(ValueError, match="n_start"):
        ts.step_sizes(100, 100, 2)


def test_starting_frames_are_a_subset_of_the_fold():
    energies = np.linspace(0, 10, 200)
    fold = np.arange(0, 200, 2)
    start = ts.starting_frames(energies, fold, 20, seed=1)
    assert len(start) == 20 and set(start) <= set(fold)
    # stratified: the start spans the fold's energies, not one end of them
    assert energies[start].min() < 2 and energies[start].max() > 8


def test_dataset_clusters_separate_shapes_before_energies():
    R, E = two_conformers()
    labels = ts.dataset_clusters(R, E, ts.ClusterScheme(coarse=2, energy=3), seed=0)
    assert labels.max() + 1 == 6
    # no cluster mixes the two shapes
    for k in range(6):
        members = np.flatnonzero(labels == k)
        assert len(set(members < 30)) == 1


def test_frames_beyond_the_fitted_ones_join_the_nearest_cluster():
    R, E = two_conformers(n_per=40)
    rng = np.random.default_rng(3)
    labels = ts.ward_clusters(ts.pairwise_distances(R), 2, max_fitted=20, rng=rng)
    assert {tuple(np.unique(labels[:40])), tuple(np.unique(labels[40:]))} == {(0,), (1,)}


def test_largest_remainder_splits_by_weight_within_capacity():
    assert ts.largest_remainder(10, np.array([0.5, 0.3, 0.2]), np.array([10, 10, 10])).tolist() == [5, 3, 2]
    # remainders decide the last frame: quotas 3.33 each, the first largest gets the extra one
    assert ts.largest_remainder(10, np.ones(3), np.array([10, 10, 10])).sum() == 10
    # a full cluster passes its share on
    counts = ts.largest_remainder(10, np.array([0.8, 0.2]), np.array([3, 10]))
    assert counts.tolist() == [3, 7]
    with pytest.raises(ValueError, match="cannot place 10"):
        ts.largest_remainder(10, np.ones(2), np.array([3, 4]))


def test_select_frames_takes_the_worst_frames_of_high_error_clusters_outside_every_set():
    R, E = two_conformers()
    labels = ts.dataset_clusters(R, E, ts.ClusterScheme(coarse=2, energy=2), seed=0)
    errors = np.where(np.arange(60) >= 30, 5.0, 0.5) + np.linspace(0, 0.1, 60)  # the bent shape errs
    excluded = np.array([59, 58, 0, 1])  # the two worst frames are taken already
    scheme = ts.ClusterScheme(coarse=2, energy=2, fine=4)
    selection = ts.select_frames(R, labels, errors, 6, excluded, scheme, seed=0)
    assert len(selection.frames) == 6 and not set(selection.frames) & set(excluded)
    assert (selection.frames >= 30).all()  # only from the high-error shape
    assert set(selection.high_error_clusters) == set(np.unique(labels[30:]))
    assert selection.fine_counts.sum() == 6


def test_select_frames_tops_up_from_other_frames_when_the_high_error_clusters_run_out():
    R, E = two_conformers(n_per=10)
    labels = ts.dataset_clusters(R, E, ts.ClusterScheme(coarse=2, energy=1), seed=0)
    errors = np.where(np.arange(20) >= 10, 5.0, 0.5)
    excluded = np.arange(10, 18)  # only 2 high-error candidates left
    selection = ts.select_frames(R, labels, errors, 5, excluded, ts.ClusterScheme(coarse=2, energy=1, fine=3))
    assert len(selection.frames) == 5 and {18, 19} <= set(selection.frames)
    with pytest.raises(ValueError, match="only 12 are in no set"):
        ts.select_frames(R, labels, errors, 13, excluded)


def test_frame_force_errors_are_per_frame_mean_squares():
    reference = np.zeros((2, 3, 3))
    predicted = np.zeros((2, 3, 3))
    predicted[1, 0, 0] = 3.0
    assert ts.frame_force_errors(predicted, reference).tolist() == [0.0, 1.0]


def test_training_set_comparison_pools_frames_per_cluster():
    phi = np.array([5.0, 175.0, 90.0, 95.0])
    E = np.zeros(4)
    F = np.zeros((4, 2, 3))
    errs = {"stratified": (np.array([0.1, 0.1, 2.0, 2.0]), 1.0), "optimised": (np.array([0.1, 0.1, 1.0, 1.0]), 0.5)}
    pooled = {("sgdml", name): Predictions(phi, E, e, F, F + f) for name, (e, f) in errs.items()}
    clusters, summary = ts.training_set_comparison(pooled)
    assert set(clusters["training_set"]) == {"stratified", "optimised"} and len(clusters) == 2 * 18
    row = clusters[(clusters["training_set"] == "optimised") & (clusters["cluster"] == 9)].iloc[0]
    assert row["n_frames"] == 2 and row["energy_rmse"] == pytest.approx(1.0)
    summary = summary.set_index("training_set")
    # equilibrium (clusters 0 and 17) over transition (cluster 9): 0.1 / 2 and 0.1 / 1
    assert summary.loc["stratified", "energy_equilibrium_to_transition"] == pytest.approx(0.05)
    assert summary.loc["optimised", "energy_equilibrium_to_transition"] == pytest.approx(0.1)
    assert summary.loc["optimised", "force_rmse"] == pytest.approx(0.5)


def test_held_out_errors_do_not_steer_the_choice():
    R, E = two_conformers()
    labels = ts.dataset_clusters(R, E, ts.ClusterScheme(coarse=2, energy=1), seed=0)
    scheme = ts.ClusterScheme(coarse=2, energy=1, fine=3)
    errors = np.full(60, 1.0)
    errors[30:40] = 50.0  # the model errs on bent frames 30-39 ...
    hidden = errors.copy()
    hidden[30:40] = np.nan  # ... but they are the test frames: their errors may not be looked at
    selection = ts.select_frames(R, labels, hidden, 5, np.arange(30, 40), scheme)
    assert len(selection.high_error_clusters) == 0  # every visible error is equal: no cluster stands out
    seen = ts.select_frames(R, labels, errors, 5, np.arange(30, 40), scheme)
    assert (seen.frames >= 30).all()  # had they been seen, the bent shape would be chosen
    assert ts.cluster_means(np.array([0, 0, 1]), np.array([1.0, np.nan, np.nan])).tolist()[0] == 1.0
