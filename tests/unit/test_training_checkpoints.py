"""A training's checkpoint (flexmlff.models._checkpoint) serves only the very same training."""

import json
import logging

import numpy as np
import pytest

from flexmlff.models import _bpnn, _mace_run, bpnn, mace
from flexmlff.models._checkpoint import TrainingCheckpoint, training_fingerprint

SETTINGS = {"max_epochs": 6, "hidden_layers": [8], "checkpoint_every": 1}


@pytest.fixture
def sets(glycine_dataset):
    return glycine_dataset.subset(range(0, 20)), glycine_dataset.subset(range(20, 30))


def _checkpoint(folder, settings, sets):
    return TrainingCheckpoint(folder, training_fingerprint("bpnn", bpnn.CODE_FILES, settings, *sets))


def test_a_checkpoint_of_the_same_training_resumes_and_one_of_other_settings_is_discarded(tmp_path, sets, caplog):
    folder = tmp_path / "checkpoint"
    first = _checkpoint(folder, SETTINGS, sets)
    assert not first.resumable  # nothing there yet
    first.file("training.pt").write_bytes(b"state")
    assert _checkpoint(folder, SETTINGS, sets).resumable
    assert _checkpoint(folder, dict(SETTINGS), sets).file("training.pt").read_bytes() == b"state"

    with caplog.at_level(logging.INFO, logger="flexmlff.models._checkpoint"):
        other = _checkpoint(folder, {**SETTINGS, "learning_rate": 3e-3}, sets)
    assert not other.resumable and not other.file("training.pt").exists()
    assert "belongs to another training (settings differ)" in caplog.text
    # another split's frames, or edited code of the family, are other trainings too
    swapped = (sets[0].subset(range(1, 20)), sets[1])
    assert not _checkpoint(folder, {**SETTINGS, "learning_rate": 3e-3}, swapped).resumable
    marker = json.loads((folder / "fingerprint.json").read_text())
    assert marker["code"] and marker["train"] == swapped[0].md5()

    other.remove()
    assert not folder.exists()


def test_a_bpnn_training_resumed_from_its_checkpoint_ends_as_an_unbroken_one(tmp_path, sets, monkeypatch):
    unbroken_record, broken_record = {}, {}
    unbroken = bpnn.train(*sets, SETTINGS, record=unbroken_record)

    kept = []
    real_keep = _bpnn._keep

    def keep_then_stop(*args):  # the job is killed right after its third checkpoint
        real_keep(*args)
        kept.append(args[0])
        if len(kept) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(_bpnn, "_keep", keep_then_stop)
    with pytest.raises(KeyboardInterrupt):
        bpnn.train(*sets, SETTINGS, checkpoint=_checkpoint(tmp_path, SETTINGS, sets))
    monkeypatch.setattr(_bpnn, "_keep", real_keep)
    resumed = bpnn.train(*sets, SETTINGS, record=broken_record, checkpoint=_checkpoint(tmp_path, SETTINGS, sets))

    assert broken_record == unbroken_record
    for name, weights in unbroken.state_dict().items():
        assert np.array_equal(weights.numpy(), resumed.state_dict()[name].numpy()), name


def test_mace_history_of_a_resumed_training_counts_each_epoch_once(tmp_path):
    """mace-torch's restart appends to its metrics log and redoes the epochs after its checkpoint."""
    rows = [
        {"mode": "eval", "epoch": None, "loss": 9.0, "rmse_e": 1.0, "rmse_f": 1.0},
        {"mode": "opt", "epoch": 0, "loss": 4.0},
        {"mode": "eval", "epoch": 0, "loss": 3.0, "rmse_e": 0.3, "rmse_f": 0.3},
        {"mode": "opt", "epoch": 1, "loss": 3.0},
        {"mode": "eval", "epoch": 1, "loss": 2.5, "rmse_e": 0.2, "rmse_f": 0.2},
        {"mode": "opt", "epoch": 2, "loss": 9.9},  # killed during epoch 2
        {"mode": "eval", "epoch": None, "loss": 2.5, "rmse_e": 0.2, "rmse_f": 0.2},  # the restart
        {"mode": "opt", "epoch": 1, "loss": 2.0},
        {"mode": "eval", "epoch": 1, "loss": 1.5, "rmse_e": 0.1, "rmse_f": 0.1},
        {"mode": "opt", "epoch": 2, "loss": 1.0},
        {"mode": "eval", "epoch": 2, "loss": 0.5, "rmse_e": 0.1, "rmse_f": 0.1},
    ]
    log = tmp_path / "mace_run-0_train.txt"
    log.write_text("\n".join(json.dumps(row) for row in rows))
    history = _mace_run.epoch_history(log)
    assert [row["epoch"] for row in history] == [0, 1, 2]
    assert [row["valid_loss"] for row in history] == [3.0, 1.5, 0.5]
    assert [row["train_loss"] for row in history] == [4.0, 2.0, 1.0]


def test_the_latest_mace_checkpoint_is_found_by_its_epoch(tmp_path):
    assert mace.latest_checkpoint_epoch(tmp_path) is None
    (tmp_path / "checkpoints").mkdir()
    for epoch in (3, 12, 7):
        (tmp_path / "checkpoints" / f"mace_run-0_epoch-{epoch}.pt").write_bytes(b"")
    assert mace.latest_checkpoint_epoch(tmp_path) == 12
