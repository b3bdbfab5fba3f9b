"""Training records (flexmlff.training_records): tables of choices, scans and losses."""

import json

import pytest

from flexmlff import training_records
from flexmlff.training_records import choices_table, history_table, models_on_grid_edge, read_records, scan_table

SGDML = {
    "family": "sgdml",
    "n_train": 50,
    "fold": 1,
    "settings": {},
    "scan": [
        {"sigma": 10, "valid_force_rmse": 3.0},
        {"sigma": 20, "valid_force_rmse": 2.0},
        {"sigma": 40, "valid_force_rmse": 2.5},
    ],
    "chosen": {"sigma": 20, "valid_force_rmse": 2.0},
}
GAP_AT_EDGE = {
    "family": "gap",
    "n_train": 50,
    "fold": 0,
    "settings": {},
    "scan": [
        {"force_sigma_eV_per_A": 0.2, "valid_force_rmse": 9.0},
        {"force_sigma_eV_per_A": 0.01, "valid_force_rmse": 5.0},
    ],
    "chosen": {"force_sigma_eV_per_A": 0.01, "valid_force_rmse": 5.0},
}
SCHNET = {
    "family": "schnet",
    "n_train": 50,
    "fold": 0,
    "settings": {},
    "history": [{"epoch": 0, "train_loss": 9.0, "valid_loss": 8.0}, {"epoch": 1, "train_loss": 4.0, "valid_loss": 5.0}],
    "chosen": {"epoch": 1, "epochs_run": 2, "valid_loss": 5.0},
}


@pytest.fixture()
def records(tmp_path):
    paths = []
    for k, record in enumerate([SCHNET, GAP_AT_EDGE, SGDML]):
        paths.append(tmp_path / f"{k}.json")
        paths[-1].write_text(json.dumps(record))
    return read_records(paths)


def test_choices_one_row_per_model(records):
    choices = choices_table(records)
    assert list(choices["family"]) == ["gap", "schnet", "sgdml"]
    assert choices.set_index("family").loc["sgdml", "sigma"] == 20
    assert choices.set_index("family").loc["schnet", "epoch"] == 1


def test_scans_and_histories_in_long_format(records):
    scans = scan_table(records)
    assert len(scans) == 5
    assert set(scans["parameter"]) == {"sigma", "force_sigma_eV_per_A"}
    history = history_table(records)
    assert list(history["valid_loss"]) == [8.0, 5.0] and set(history["family"]) == {"schnet"}
    assert history_table([SGDML]).empty


def test_a_choice_at_the_grid_edge_is_flagged(records):
    edges = models_on_grid_edge(records)
    assert edges[["family", "chosen", "edge", "grid_key"]].values.tolist() == [
        ["gap", 0.01, "smallest", "force_sigmas_eV_per_A"]
    ]


def test_grid_edge_names_the_edge_and_the_config_key_to_widen():
    scan = [{"sigma": s, "valid_force_rmse": r} for s, r in ((2, 2.036), (5, 2.037), (10, 2.1))]
    at_edge = training_records.grid_edge({"scan": scan, "chosen": {"sigma": 2, "valid_force_rmse": 2.036}})
    assert at_edge == {"parameter": "sigma", "chosen": 2, "edge": "smallest", "grid": [2, 5, 10], "grid_key": "sigmas"}
    inside = training_records.grid_edge({"scan": scan, "chosen": {"sigma": 5, "valid_force_rmse": 2.037}})
    assert inside is None
    gap = [{"force_sigma_eV_per_A": s, "valid_force_rmse": r} for s, r in ((0.1, 3.0), (0.01, 2.0))]
    edge = training_records.grid_edge({"scan": gap, "chosen": {"force_sigma_eV_per_A": 0.01}})
    assert edge["edge"] == "smallest" and edge["grid_key"] == "force_sigmas_eV_per_A"
    assert training_records.grid_edge({"scan": gap[:1], "chosen": {"force_sigma_eV_per_A": 0.1}}) is None
