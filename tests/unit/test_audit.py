"""The audit of a dataset's level against another (flexmlff.audit)."""

import numpy as np
import pandas as pd
import pytest

from flexmlff.audit import audit_errors, audit_line, stratified_frames


def test_fewer_frames_than_clusters_are_spread_over_the_whole_range():
    clusters = np.repeat(np.arange(18), 5)  # 18 clusters of 5 frames
    chosen = stratified_frames(clusters, 6, seed=1)
    picked = clusters[chosen]
    assert len(set(picked)) == 6  # one frame from each of six clusters
    assert picked.min() <= 2 and picked.max() >= 15  # both ends of the coordinate, not the first six
    assert np.array_equal(chosen, stratified_frames(clusters, 6, seed=1))  # seeded
    assert not np.array_equal(chosen, stratified_frames(clusters, 6, seed=2))


def test_frames_go_round_the_clusters_and_a_small_cluster_gives_what_it_has():
    clusters = np.array([0] * 20 + [1] * 1 + [2] * 20)
    chosen = stratified_frames(clusters, 9, seed=0)
    assert len(chosen) == len(set(chosen)) == 9
    assert np.bincount(clusters[chosen]).tolist() == [4, 1, 4]
    assert np.array_equal(stratified_frames(clusters, 100, seed=0), np.arange(41))  # all there are


def test_audit_errors_remove_the_mean_offset_and_group_by_cluster():
    rng = np.random.default_rng(0)
    phi = np.array([5.0, -8.0, 95.0, 100.0, 175.0, -179.0])  # |phi| clusters 0, 0, 9, 10, 17, 17
    E_audit = rng.normal(size=6)
    error = np.array([1.0, -1.0, 2.0, 0.0, 0.5, -0.5])
    E_dataset = E_audit + error + 1234.5  # a different energy zero
    F_audit = rng.normal(size=(6, 3, 3))
    F_dataset = F_audit.copy()
    F_dataset[2] += 3.0
    table, offset = audit_errors(phi, E_dataset, E_audit, F_dataset, F_audit)
    assert offset == pytest.approx(1234.5 + error.mean())
    rows = table.set_index("cluster")
    assert list(rows.index) == ["0", "9", "10", "17", "all"]
    shifted = error - error.mean()
    assert rows.loc["0", "energy_rmse"] == pytest.approx(np.sqrt(np.mean(shifted[:2] ** 2)))
    assert rows.loc["9", "energy_rmse"] == pytest.approx(abs(shifted[2]))
    assert rows.loc["9", "force_rmse"] == pytest.approx(3.0) and rows.loc["10", "force_rmse"] == 0.0
    assert rows.loc["17", ["from_deg", "to_deg", "n_frames"]].tolist() == [170.0, 180.0, 2]
    assert rows.loc["all", "energy_rmse"] == pytest.approx(np.sqrt(np.mean(shifted**2)))
    assert rows.loc["all", "force_rmse"] == pytest.approx(np.sqrt(9.0 * 9 / (6 * 9)))


def test_without_a_coordinate_the_audit_is_one_row_and_a_summary_line():
    E = np.array([0.0, 1.0, 2.0])
    F = np.zeros((3, 2, 3))
    table, offset = audit_errors(None, E + 5.0, E, F + 1.0, F)
    assert offset == 5.0 and table["cluster"].tolist() == ["all"]
    assert table.loc[0, "energy_rmse"] == 0.0 and table.loc[0, "force_rmse"] == 1.0
    table = table.assign(dataset="glycine", dataset_level="GFN2-xTB", audit_level="PBE-D3BJ/def2-SVP")
    assert audit_line(table) == "| glycine | GFN2-xTB | PBE-D3BJ/def2-SVP | 3 | 0.00 | 1.00 | n/a |"


def test_summary_line_names_the_worst_cluster():
    table = pd.DataFrame(
        {
            "cluster": ["0", "9", "all"],
            "from_deg": [0.0, 90.0, np.nan],
            "to_deg": [10.0, 100.0, np.nan],
            "n_frames": [3, 2, 5],
            "energy_rmse": [0.5, 2.25, 1.5],
            "force_rmse": [1.0, 3.0, 2.0],
            "dataset": "rotation",
            "dataset_level": "GFN1-xTB",
            "audit_level": "PBE-D3BJ/def2-SVP",
        }
    )
    assert audit_line(table).endswith("| 5 | 1.50 | 2.00 | 90-100°: 2.25 (2 frames) |")
