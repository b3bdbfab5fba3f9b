"""MACE's own parts (flexmlff.models.mace); the shared contract is in test_model_contract.py."""

import json

import pytest

from flexmlff.models import _mace_run, mace
from flexmlff.units import ev_to_kcal_mol


def test_epoch_history_reads_mace_torchs_metrics_log(tmp_path):
    log = tmp_path / "mace_run-0_train.txt"
    rows = [
        {"mode": "eval", "epoch": None, "loss": 9.0, "rmse_e": 1.0, "rmse_f": 1.0},  # before training
        {"mode": "opt", "epoch": 0, "loss": 4.0},
        {"mode": "opt", "epoch": 0, "loss": 2.0},
        {"mode": "eval", "epoch": 0, "loss": 1.5, "rmse_e": 0.1, "rmse_f": 0.2},
        {"mode": "opt", "epoch": 1, "loss": 1.0},
        {"mode": "eval", "epoch": 1, "loss": 0.5, "rmse_e": 0.05, "rmse_f": 0.1},
    ]
    log.write_text("\n".join(json.dumps(row) for row in rows))
    history = _mace_run.epoch_history(log)
    assert [row["epoch"] for row in history] == [0, 1]
    assert history[0]["train_loss"] == 3.0 and history[1]["valid_loss"] == 0.5
    # eV -> kcal/mol, eV/Å -> kcal/(mol Å)
    assert history[1]["valid_energy_rmse"] == pytest.approx(ev_to_kcal_mol(0.05))
    assert history[0]["valid_force_rmse"] == pytest.approx(ev_to_kcal_mol(0.2))


def test_training_progress_logs_each_evaluated_epoch_once(tmp_path, caplog):
    results = tmp_path / "results"
    progress = _mace_run.EpochProgress(results)
    assert progress.poll() == 0  # mace-torch has not started writing
    results.mkdir()
    metrics = results / "mace_run-0_train.txt"

    def epoch(e, loss):
        rows = [
            {"mode": "opt", "epoch": e, "loss": 2 * loss},
            {"mode": "eval", "epoch": e, "loss": loss, "rmse_e": 0.1, "rmse_f": 0.2},
        ]
        return "".join(json.dumps(row) + "\n" for row in rows)

    metrics.write_text(epoch(0, 1.5))
    with caplog.at_level("INFO", logger="flexmlff.models.mace"):
        assert progress.poll() == 1
        # a line still being written is read at the next look, not logged half
        half = epoch(1, 0.5)
        metrics.write_text(epoch(0, 1.5) + half[:-20])
        assert progress.poll() == 1
        metrics.write_text(epoch(0, 1.5) + half)
        assert progress.poll() == 2
        # the last line of a finished run may lack its newline
        metrics.write_text(epoch(0, 1.5) + half + epoch(2, 0.25).rstrip("\n"))
        assert progress.poll() == 2 and progress.poll(final=True) == 3
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 3 and lines[0].startswith("MACE epoch 0: validation loss 1.50000")
    assert f"force RMSE {ev_to_kcal_mol(0.2):.2f} kcal/(mol A)" in lines[1] and "epoch 1" in lines[1]


def test_an_interrupted_training_leaves_no_process_behind(tmp_path, monkeypatch):
    import subprocess
    import sys

    monkeypatch.setattr(_mace_run, "PROGRESS_POLL_S", 0.05)
    started = []
    real_popen = subprocess.Popen
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: started.append(real_popen(*a, **k)) or started[-1])

    def interrupt():
        raise KeyboardInterrupt

    monkeypatch.setattr(_mace_run.EpochProgress, "poll", lambda self, final=False: interrupt())
    with pytest.raises(KeyboardInterrupt):
        _mace_run.run_reporting_progress([sys.executable, "-c", "import time; time.sleep(60)"], tmp_path, {})
    assert started and started[0].poll() is not None  # killed, not left sleeping


def test_a_terminated_job_takes_its_training_process_with_it(tmp_path):
    """SIGTERM (a cancelled or preempted job) to the process that runs the training: the
    training process goes too, not left computing on a core."""
    import os
    import signal
    import subprocess
    import sys
    import time

    runner = tmp_path / "runner.py"
    runner.write_text(
        "import sys\nfrom pathlib import Path\nfrom flexmlff.models import _mace_run\n"
        "_mace_run.run_reporting_progress([sys.executable, '-c', 'import os, time; print(os.getpid(), flush=True); "
        "time.sleep(60)'], Path(sys.argv[1]), {})\n"
    )
    job = subprocess.Popen([sys.executable, str(runner), str(tmp_path)])
    log = tmp_path / "train.log"
    for _ in range(200):  # the training process has started and said who it is
        if log.exists() and log.read_text().strip():
            break
        time.sleep(0.05)
    training = int(log.read_text().split()[0])
    job.send_signal(signal.SIGTERM)
    assert job.wait(timeout=10) == 128 + signal.SIGTERM
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.kill(training, 0)


def test_train_command_passes_the_settings_to_mace_run_train(tmp_path):
    command = mace.train_command(tmp_path, {**mace.DEFAULTS, "r_max_A": 4.5, "max_epochs": 7})
    assert command[1:3] == ["-m", "flexmlff.models.mace"]
    assert "--r_max=4.5" in command and "--max_num_epochs=7" in command and "--E0s=average" in command
    assert f"--train_file={tmp_path / 'train.xyz'}" in command and "--default_dtype=float64" in command


def test_train_command_trains_in_the_configured_dtype(tmp_path):
    command = mace.train_command(tmp_path, {**mace.DEFAULTS, "dtype": "float32"})
    assert "--default_dtype=float32" in command and "--default_dtype=float64" not in command


def test_train_command_trains_on_the_device_given(tmp_path):
    assert "--device=cuda" in mace.train_command(tmp_path, mace.DEFAULTS, device="cuda")
    assert mace.training_device("cpu") == "cpu" and mace.training_device("cuda") == "cuda"
