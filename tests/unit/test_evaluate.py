import numpy as np
import pandas as pd
import pytest

from flexmlff import evaluate
from flexmlff.evaluate import Selection


def test_error_metrics_on_known_numbers():
    errors = evaluate.error_metrics([1.0, 3.0], [0.0, 0.0], np.array([[0.0, 2.0]]), np.zeros((1, 2)))
    assert errors["energy_rmse"] == pytest.approx(np.sqrt(5.0))
    assert errors["energy_mae"] == pytest.approx(2.0)
    assert errors["force_rmse"] == pytest.approx(np.sqrt(2.0))
    assert errors["force_mae"] == pytest.approx(1.0)


def folds_table(force, energy):
    return pd.DataFrame(
        {
            "dataset": "d",
            "model": "sgdml",
            "n_train": 100,
            "fold": range(len(force)),
            "energy_rmse": energy,
            "force_rmse": force,
            "energy_mae": energy,
            "force_mae": force,
        }
    )


def test_sgdml_rule_switches_to_energy_only_for_a_substantial_difference():
    table = folds_table(force=[1.00, 1.08, 1.30, 1.05], energy=[1.5, 0.6, 0.1, 0.9])
    # fold 1 has a similar force RMSE and is 0.9 kcal/mol better in energy: not substantial
    assert int(evaluate.best_sgdml(table)["fold"]) == 0
    assert int(evaluate.best_sgdml(table, Selection(0.1, 0.5))["fold"]) == 1
    # fold 2 has the lowest energy error but is 0.3 worse in forces: never a contender
    assert int(evaluate.best_sgdml(table, Selection(0.1, 0.0))["fold"]) == 1
    assert int(evaluate.best_sgdml(table, Selection(0.0, 0.0))["fold"]) == 0
    substantial = folds_table(force=[1.00, 1.08, 2.0], energy=[2.5, 0.4, 0.1])
    assert int(evaluate.best_sgdml(substantial)["fold"]) == 1


def test_energy_rule_and_learning_curve_summary():
    table = folds_table(force=[1.0, 2.0, 3.0], energy=[0.9, 0.3, 0.6])
    assert int(evaluate.best_by_energy(table)["fold"]) == 1
    schnet = table.assign(model="schnet")
    curve = evaluate.learning_curve(pd.concat([table, schnet]))
    by_model = curve.set_index("model")
    assert by_model.loc["sgdml", "best_fold"] == 0
    assert by_model.loc["schnet", "best_fold"] == 1
    assert by_model.loc["schnet", "mean_energy_rmse"] == pytest.approx(0.6)
    assert by_model.loc["schnet", "std_force_rmse"] == pytest.approx(np.std([1.0, 2.0, 3.0]))


def test_phi_clusters_bin_edges_and_wrap_around():
    phi = np.array([0.0, 9.99, 10.0, -5.0, 95.0, -95.0, 169.9, 170.0, 180.0, -179.0, 190.0, 360.0])
    assert evaluate.phi_clusters(phi).tolist() == [0, 0, 1, 0, 9, 9, 16, 17, 17, 17, 17, 0]
    # signed (alanine dipeptide's phi): 36 bins from -180, so -95 and +95 part
    assert evaluate.phi_clusters(phi, signed=True).tolist() == [18, 18, 19, 17, 27, 8, 34, 35, 0, 0, 1, 18]


def test_cluster_errors_populations_sum_to_the_dataset():
    rng = np.random.default_rng(1)
    phi = rng.uniform(-180, 180, size=500)
    E_ref, F_ref = rng.normal(size=500), rng.normal(size=(500, 4, 3))
    # error grows with |phi|: 0.1 kcal/mol in cluster 0 ... 1.8 in cluster 17
    error = 0.1 * (evaluate.phi_clusters(phi) + 1)
    table = evaluate.cluster_errors(phi, E_ref + error, E_ref, F_ref, F_ref)
    assert len(table) == 18 and table["cluster"].tolist() == list(range(18))
    assert table["n_frames"].sum() == 500 and table["population"].sum() == pytest.approx(1.0)
    assert np.allclose(table["energy_rmse"], 0.1 * np.arange(1, 19))
    assert np.allclose(table["force_rmse"], 0.0)
    assert table.loc[17, "phi_from_deg"] == 170.0 and table.loc[17, "phi_to_deg"] == 180.0
    # a constant error has no spread: every resample's RMSE is it; forces exact: zero
    assert np.allclose(table["energy_rmse_low"], table["energy_rmse"]) and np.allclose(
        table["energy_rmse_high"], table["energy_rmse"]
    )
    assert np.allclose(table[["force_rmse_low", "force_rmse_high"]], 0.0)


def test_a_cluster_interval_covers_its_rmse_and_narrows_with_more_frames():
    rng = np.random.default_rng(3)
    phi = np.concatenate([np.full(8, 5.0), np.full(800, 95.0)])  # 8 frames in cluster 0, 800 in 9
    error = rng.normal(scale=1.0, size=len(phi))
    table = evaluate.cluster_errors(
        phi, error, np.zeros(len(phi)), np.zeros((len(phi), 1, 3)), np.zeros((len(phi), 1, 3))
    )
    few, many = table.loc[0], table.loc[9]
    for row in (few, many):
        assert row["energy_rmse_low"] <= row["energy_rmse"] <= row["energy_rmse_high"]
    assert many["energy_rmse_high"] - many["energy_rmse_low"] < 0.3 * (few["energy_rmse_high"] - few["energy_rmse_low"])
    # 800 frames of unit normal errors: RMSE ~1 with a half-width of about 1.96 / sqrt(2 x 800)
    assert many["energy_rmse_high"] - many["energy_rmse_low"] == pytest.approx(2 * 1.96 / np.sqrt(1600), rel=0.25)


def test_empty_clusters_have_no_errors():
    table = evaluate.cluster_errors([5.0, 175.0], [1.0, 2.0], [1.0, 1.0], np.zeros((2, 1, 3)), np.zeros((2, 1, 3)))
    assert table["n_frames"].tolist() == [1] + [0] * 16 + [1]
    assert table["energy_rmse"].iloc[1:17].isna().all() and table.loc[17, "energy_rmse"] == pytest.approx(1.0)
    # one frame: no interval to draw
    assert np.isnan(table.loc[17, "energy_rmse_low"]) and table["energy_rmse_high"].isna().all()


def test_equilibrium_to_transition_ratio_weighs_clusters_by_frames():
    table = pd.DataFrame({"cluster": range(18), "n_frames": [10] * 18, "energy_rmse": [2.0] * 18})
    table.loc[list(evaluate.TRANSITION_CLUSTERS), "energy_rmse"] = 0.5
    table.loc[3, "energy_rmse"] = 100.0  # cluster 3 is in neither region
    assert evaluate.equilibrium_to_transition_ratio(table) == pytest.approx(4.0)


def test_md_outcome_classes_runs_by_phi_bands_and_finds_broken_molecules():
    rng = np.random.default_rng(0)
    frames = np.zeros((20, 3, 3))
    frames[:, 1, 0], frames[:, 2, 0] = 1.0, 2.0
    frames += rng.normal(scale=0.01, size=frames.shape)
    ends, bands = {"cis": 8.0, "trans": -179.0}, (45.0, 135.0)
    # phi drifts from 90 to -175: trans, by magnitude
    phi = np.linspace(90.0, -175.0, 20)
    outcome = evaluate.md_outcome(frames, [(0, 1), (1, 2)], phi, ends, bands)
    assert outcome["ends_in"] == "trans" and outcome["physical"]
    assert outcome["final_value_deg"] == pytest.approx(np.abs(phi[-2:]).mean())
    assert outcome["max_bond_stretch"] < 1.1
    # a run that sits at |phi| ~ 95 is in neither minimum
    sitting = evaluate.md_outcome(frames, [(0, 1)], np.full(20, -95.0), ends, bands)
    assert sitting["ends_in"] == "transition"
    assert evaluate.md_outcome(frames, [(0, 1)], np.full(20, 30.0), ends, bands)["ends_in"] == "cis"
    broken = frames.copy()
    broken[-1, 2, 0] = 5.0  # the 1-2 bond triples
    outcome = evaluate.md_outcome(broken, [(0, 1), (1, 2)], phi, ends, bands)
    assert not outcome["physical"] and outcome["max_bond_stretch"] > 2.5


def test_transition_outcome_band_edges():
    ends = {"Ip": 179.0, "IIIp": 2.0}  # the low band's minimum may come second
    assert evaluate.transition_outcome(45.0, ends, (45, 135)) == "IIIp"
    assert evaluate.transition_outcome(45.1, ends, (45, 135)) == "transition"
    assert evaluate.transition_outcome(-135.0, ends, (45, 135)) == "Ip"
    with pytest.raises(ValueError, match="do not lie one in each outer band"):
        evaluate.transition_outcome(10.0, {"a": 2.0, "b": 20.0}, (45, 135))


def test_signed_outcome_tells_minima_apart_by_the_sign():
    # alanine dipeptide: C7eq phi -81, C7ax phi +72; their magnitudes share a band
    ends = {"C7eq": -81.0, "C7ax": 72.0}
    assert evaluate.transition_outcome(-60.0, ends, (-30, 30), magnitude=False) == "C7eq"
    assert evaluate.transition_outcome(31.0, ends, (-30, 30), magnitude=False) == "C7ax"
    assert evaluate.transition_outcome(-29.0, ends, (-30, 30), magnitude=False) == "transition"
    with pytest.raises(ValueError, match="outer band of \\|coordinate\\|"):
        evaluate.transition_outcome(-60.0, ends, (45, 135))
    frames = np.zeros((20, 3, 3))
    frames[:, 1, 0], frames[:, 2, 0] = 1.0, 2.0
    outcome = evaluate.md_outcome(frames, [(0, 1)], np.full(20, 65.0), ends, (-30, 30), magnitude=False)
    assert outcome["ends_in"] == "C7ax" and outcome["final_value_deg"] == pytest.approx(65.0)
    # a run that ends across the ±180 seam (alanine's beta region) ends there, not at 0
    seam = np.array([-175.0, 178.0, -179.0, 176.0] * 5)
    assert abs(evaluate.tail_mean(seam, tail=1.0, magnitude=False, circular=True)) == pytest.approx(180.0, abs=1.0)
    outcome = evaluate.md_outcome(frames, [(0, 1)], seam, ends, (-30, 30), magnitude=False)
    assert outcome["ends_in"] != "transition"


def test_grid_cells_wrap_and_start_at_minus_180():
    columns, rows = evaluate.grid_cells([-180.0, 180.0, -90.1, 179.9, 0.0], [0.0, 30.0, -1.0, 359.0, 90.0], 90.0)
    # +180 wraps to -180 (cell 0); 359 is -1 (cell 1); cells are [-180, -90), [-90, 0), ...
    assert columns.tolist() == [0, 0, 0, 3, 2] and rows.tolist() == [2, 2, 1, 1, 3]
    with pytest.raises(ValueError, match="does not divide 360"):
        evaluate.grid_cells([0.0], [0.0], 50.0)


def test_grid_errors_per_cell_pool_back_to_the_overall_rmse():
    rng = np.random.default_rng(4)
    x, y = rng.uniform(-180, 180, 400), rng.normal(60, 20, 400)
    E = rng.normal(size=400)
    F = rng.normal(size=(400, 5, 3))
    # errors grow with |x|: the cells far from x = 0 must show it
    E_pred = E + np.abs(x) / 100 * rng.normal(size=400)
    F_pred = F + (np.abs(x) / 100)[:, None, None] * rng.normal(size=F.shape)
    table = evaluate.grid_errors(x, y, E_pred, E, F_pred, F, 60.0)
    assert len(table) == 36 and table["n_frames"].sum() == 400
    assert table["population"].sum() == pytest.approx(1.0)
    cell = table[(table["x_from_deg"] == -180) & (table["y_from_deg"] == 60)].iloc[0]
    members = (x < -120) & (y >= 60) & (y < 120)
    assert cell["n_frames"] == members.sum()
    assert cell["force_rmse"] == pytest.approx(np.sqrt(np.mean((F_pred[members] - F[members]) ** 2)))
    filled = table[table["n_frames"] > 0]
    pooled = np.sqrt((filled["force_rmse"] ** 2 * filled["n_frames"]).sum() / 400)
    assert pooled == pytest.approx(evaluate.error_metrics(E_pred, E, F_pred, F)["force_rmse"])
    assert table[table["n_frames"] == 0]["force_rmse"].isna().all()
    edge = filled[filled["x_from_deg"].isin([-180, 120])]["force_rmse"].mean()
    middle = filled[filled["x_from_deg"].isin([-60, 0])]["force_rmse"].mean()
    assert edge > 2 * middle


def test_cutoff_scan_takes_the_lowest_energy_fold_per_cutoff():
    rows = []
    for cutoff, scale in ((5.0, 1.0), (7.0, 2.0)):
        for fold, energy in enumerate([0.9, 0.5, 0.7]):
            rows.append(
                {
                    "cutoff_A": cutoff,
                    "n_train": 50,
                    "fold": fold,
                    "energy_rmse": scale * energy,
                    "energy_mae": 0.1,
                    "force_rmse": 3.0 - fold,
                    "force_mae": 0.1,
                }
            )
    table = evaluate.cutoff_scan(pd.DataFrame(rows)).set_index("cutoff_A")
    assert table.loc[5.0, "best_fold"] == 1 and table.loc[7.0, "best_energy_rmse"] == pytest.approx(1.0)
    assert table.loc[5.0, "best_force_rmse"] == pytest.approx(2.0)  # the best fold's, not the lowest
    assert table.loc[7.0, "mean_energy_rmse"] == pytest.approx(1.4)


def test_headline_table_counts_points_to_one_kcal_mol_in_energy_and_force_and_in_energy_alone():
    curves = pd.DataFrame(
        {
            "dataset": ["rotation"] * 3 + ["glycine"] * 3 + ["inversion"] * 3,
            "model": ["gap"] * 3 + ["bpnn"] * 3 + ["sgdml"] * 3,
            "n_train": [25, 50, 100] * 3,
            "best_energy_rmse": [
                1.5,
                0.8,
                1.1,
                3.0,
                2.5,
                2.0,
                0.5,
                0.4,
                0.3,
            ],  # not monotone: the first size below counts
            "best_force_rmse": [4.0, 3.0, 2.5, 9.0, 8.0, 7.0, 1.5, 0.9, 0.7],
        }
    )
    table = evaluate.headline_table(curves).set_index(["dataset", "model"])
    assert table.loc[("rotation", "gap"), "points_energy_below_1"] == "50"
    assert table.loc[("rotation", "gap"), "points_energy_and_force_below_1"] == "> 100"
    # the paper's criterion waits for the forces: energy below 1 at 25 points, forces at 50
    assert table.loc[("inversion", "sgdml"), "points_energy_below_1"] == "25"
    assert table.loc[("inversion", "sgdml"), "points_energy_and_force_below_1"] == "50"
    assert table.loc[("glycine", "bpnn"), "points_energy_below_1"] == "> 100"
    assert table.loc[("rotation", "gap"), "force_rmse_at_largest"] == pytest.approx(2.5)
    assert table.loc[("rotation", "gap"), "paper_points_to_1_kcal_mol"] == "400"
    # each paper number beside ours by the criterion the paper states for it
    assert table.loc[("rotation", "gap"), "paper_criterion"] == "energy"
    assert table.loc[("rotation", "gap"), "points_by_paper_criterion"] == "50"
    assert table.loc[("inversion", "sgdml"), "points_by_paper_criterion"] == "25"


def test_glycines_sgdml_and_schnet_points_are_compared_by_energy_and_forces():
    curves = pd.DataFrame(
        {
            "dataset": ["glycine"] * 4,
            "model": ["sgdml"] * 2 + ["gap"] * 2,
            "n_train": [100, 300] * 2,
            "best_energy_rmse": [0.8, 0.5, 0.9, 0.6],
            "best_force_rmse": [1.4, 0.9, 1.6, 1.5],
        }
    )
    table = evaluate.headline_table(curves).set_index(["dataset", "model"])
    # the paper: sGDML below 1 in energy and forces at 300 points; GAP's 100 is for energy only
    assert table.loc[("glycine", "sgdml"), "paper_criterion"] == "energy and forces"
    assert table.loc[("glycine", "sgdml"), "points_by_paper_criterion"] == "300"
    assert table.loc[("glycine", "gap"), "paper_criterion"] == "energy"
    assert table.loc[("glycine", "gap"), "points_by_paper_criterion"] == "100"


def test_best_fold_index_reads_the_fold_files_and_applies_the_family_rule(tmp_path):
    files = []
    for fold, (energy, force) in enumerate([(0.9, 2.00), (0.4, 2.05), (0.2, 3.0)]):
        files.append(tmp_path / f"fold{fold}.csv")
        pd.DataFrame([{"fold": fold, "energy_rmse": energy, "force_rmse": force}]).to_csv(files[-1], index=False)
    assert evaluate.best_fold_index(files, "gap") == 2  # lowest energy
    assert evaluate.best_fold_index(files, "sgdml") == 0  # forces first: 0.5 kcal/mol is no substantial gain
    assert evaluate.best_fold_index(files, "sgdml", Selection(0.1, 0.3)) == 1


def test_held_out_errors_test_only_the_folds_left_out():
    from flexmlff.data import Dataset
    from flexmlff.splits import Split

    rng = np.random.default_rng(1)
    E = np.arange(12, dtype=float)
    F = rng.normal(size=(12, 2, 3))
    dataset = Dataset(np.array([1, 1]), rng.normal(size=(12, 2, 3)), E, F, "toy", "none")
    split = Split(n_train=3, subset=np.arange(9), folds=np.repeat(np.arange(3), 3), validation=np.arange(9, 12))
    seen = []

    def predict(R, z):  # a model off by +1 kcal/mol everywhere, with exact forces
        frames = [int(np.flatnonzero((dataset.R == r).all(axis=(1, 2)))[0]) for r in R]
        seen.extend(frames)
        return E[frames] + 1.0, F[frames]

    held_out = evaluate.predict_held_out(predict, dataset, split, fold=1)
    row = evaluate.held_out_errors(held_out, dataset, split, fold=1)
    assert (
        sorted(seen) == [0, 1, 2, 6, 7, 8] == sorted(held_out.indices)
    )  # the other two folds, not fold 1 or validation
    assert row["n_train"] == 3 and row["fold"] == 1 and row["n_test"] == 6
    assert row["energy_rmse"] == pytest.approx(1.0) and row["force_rmse"] == 0.0
    # the baseline predicts fold 1's mean energy (4) and zero forces
    assert row["baseline_energy_rmse"] == pytest.approx(np.sqrt(np.mean((E[[0, 1, 2, 6, 7, 8]] - 4.0) ** 2)))
    assert row["baseline_force_rmse"] == pytest.approx(np.sqrt(np.mean(F[[0, 1, 2, 6, 7, 8]] ** 2)))


def test_the_descriptor_whose_best_model_validates_better_is_chosen():
    from flexmlff.evaluate import descriptor_choice

    records = [
        {"family": "sgdml", "fold": 0, "chosen": {"valid_force_rmse": 1.0}},
        {"family": "sgdml", "fold": 1, "chosen": {"valid_force_rmse": 3.0}},
        {"family": "sgdml_ang", "fold": 0, "chosen": {"valid_force_rmse": 0.5}},
        {"family": "sgdml_ang", "fold": 1, "chosen": {"valid_force_rmse": 2.0}},
    ]
    # by each family's best fold, not its best record: sgdml's best fold 0 (1.0) beats sgdml_ang's fold 1 (2.0)
    assert descriptor_choice(records, {"sgdml": 0, "sgdml_ang": 1}) == ("sgdml", {"sgdml": 1.0, "sgdml_ang": 2.0})
    assert descriptor_choice(records, {"sgdml": 1, "sgdml_ang": 0})[0] == "sgdml_ang"


def test_equilibrium_to_transition_interval_holds_the_ratio_of_the_cluster_table():
    rng = np.random.default_rng(5)
    phi = rng.uniform(0, 180, 600)
    E_ref, F_ref = rng.normal(size=600), rng.normal(size=(600, 3, 3))
    # errors 3x larger in the transition region than near the minima
    scale = np.where((phi > 40) & (phi < 140), 3.0, 1.0)
    E_pred = E_ref + scale * rng.normal(size=600)
    F_pred = F_ref + scale[:, None, None] * rng.normal(size=(600, 3, 3))
    row = evaluate.equilibrium_to_transition_intervals(phi, E_pred, E_ref, F_pred, F_ref)
    table = evaluate.cluster_errors(phi, E_pred, E_ref, F_pred, F_ref)
    assert row["energy_ratio"] == pytest.approx(evaluate.equilibrium_to_transition_ratio(table, "energy_rmse"))
    assert row["force_ratio"] == pytest.approx(evaluate.equilibrium_to_transition_ratio(table, "force_rmse"))
    assert row["energy_ratio_low"] < row["energy_ratio"] < row["energy_ratio_high"]
    assert row["force_ratio_low"] < 1 / 3 < row["force_ratio_high"]
    without_transition = evaluate.equilibrium_to_transition_intervals(
        phi[phi < 30], E_pred[phi < 30], E_ref[phi < 30], F_pred[phi < 30], F_ref[phi < 30]
    )
    assert np.isnan(without_transition["energy_ratio"])


def water_trajectory(n_frames=20):
    """A water molecule vibrating gently: O at the origin, H at 0.96 Å."""
    frames = np.zeros((n_frames, 3, 3))
    for t in range(n_frames):
        frames[t, 1] = [0.96 + 0.02 * np.sin(t), 0.0, 0.0]
        frames[t, 2] = [-0.24, 0.93 + 0.02 * np.cos(t), 0.0]
    return frames


def test_a_bond_stretched_past_the_threshold_fails_at_its_frame():
    water, bonds = water_trajectory(), [(0, 1), (0, 2)]
    assert evaluate.first_failure(water, [8, 1, 1], bonds) == {
        "failure": "",
        "failure_frame": None,
        "failure_time_fs": None,
    }
    broken = water.copy()
    broken[12:, 1] = [1.45, 0.0, 0.0]  # past 1.5x the O-H bond from frame 12 on, O still in reach
    failure = evaluate.first_failure(broken, [8, 1, 1], bonds, times_fs=np.arange(20) * 5.0)
    assert failure == {"failure": "bond broken", "failure_frame": 12, "failure_time_fs": 60.0}


def test_atoms_too_close_a_new_bond_and_a_lost_atom_are_told_apart():
    water, bonds = water_trajectory(), [(0, 1), (0, 2)]
    close = water.copy()
    close[5, 2] = close[5, 1] + [0.0, 0.5, 0.0]  # the two H 0.5 Å apart
    assert evaluate.first_failure(close, [8, 1, 1], bonds)["failure_frame"] == 5
    assert evaluate.first_failure(close, [8, 1, 1], bonds)["failure"] == "atoms too close"
    formed = water.copy()
    formed[7, 2] = formed[7, 1] + [0.0, 0.72, 0.0]  # H-H 0.72 Å: bonded (< 1.2 x 0.62 Å)
    assert evaluate.first_failure(formed, [8, 1, 1], bonds)["failure"] == "bond formed"
    # a hydrogen drifting away: it left the molecule (its bond broke with it)
    leaving = water.copy()
    leaving[:, 2] = [[-0.24, 0.93 + 0.3 * t, 0.0] for t in range(20)]
    failure = evaluate.first_failure(leaving, [8, 1, 1], bonds)
    assert failure["failure"] == "atom left the molecule" and failure["failure_frame"] == 2
