"""Training jobs cut short, as a cluster cuts them, then run again.

A SIGKILL mid-fit (the OOM killer, ``scancel --signal=KILL``, a node lost): the program
the job runs (gap_fit, mace-torch's trainer) is gone within 2 s, what the job left in its
scratch is reclaimed by the rerun, and the rerun trains the model.

A SIGTERM mid-training (a preemption, a time limit, ``scancel``): the network trainings
resume from their last epoch's checkpoint, say so in their log, and end with the model an
unbroken training gives.

In the slow tier for their cost (real trainings, each twice or three times), not because
they run Snakemake.
"""

import json
import re
import signal
import sys
import time

import numpy as np
import psutil
import pytest

from flexmlff.data import read_dataset, write_extxyz
from flexmlff.scratch import PARTIAL, scratch_left

pytestmark = pytest.mark.workflow

#: A training job as train_model.py runs one: its log, its scratch, SIGTERM unwinding, its
#: checkpoint folder; it writes the model and its predictions on frames 60-100.
JOB = """
import json, sys
import numpy as np
from flexmlff.data import read_dataset
from flexmlff.fitting import fit_and_save
from flexmlff.models import family
from flexmlff.runlog import logged_step, sigterm_as_exit
from flexmlff.scratch import job_scratch

name, frames, scratch, checkpoint, out = sys.argv[1:6]
data = read_dataset(frames)
with sigterm_as_exit(), job_scratch(scratch), logged_step(out + "/job.log", name):
    model = fit_and_save(name, data.subset(range(0, 40)), data.subset(range(40, 60)), SETTINGS[name], 1,
                         out + "/model", out + "/record.json", 0, checkpoint_folder=checkpoint)
    energies, forces = family(name).predict(model, data.R[60:100], data.z)
    np.savez(out + "/predictions.npz", energies=energies, forces=forces)
"""
#: Settings that train fast: the tests are about the job, not the model.
SETTINGS = {
    "gap": {"n_sparse": 40, "n_max": 4, "l_max": 3, "force_sigmas_eV_per_A": [0.1]},
    "mace": {"max_epochs": 12, "patience": 12, "num_channels": 8, "max_L": 0, "correlation": 2, "dtype": "float32"},
    "bpnn": {"max_epochs": 40, "patience": 10, "hidden_layers": [16]},
    "schnet": {"max_epochs": 30, "patience": 10, "n_interactions": 1, "n_atom_basis": 16, "n_rbf": 10},
}
#: A resumed MACE's held-out force RMSE against an unbroken one's, relative. mace-torch's
#: restart redoes the epoch of its checkpoint, from the moving-average weights, with a fresh
#: patience counter; in this 12-epoch training, whose validation loss halves every ~3
#: epochs, one epoch more moves the errors by up to ~25 %.
MACE_TOLERANCE = 0.35
#: How each family's training program shows in the process table.
PROGRAM = {"gap": lambda p: p.name() == "gap_fit", "mace": lambda p: "flexmlff.models.mace" in " ".join(p.cmdline())}


@pytest.fixture
def frames(glycine_dataset, tmp_path):
    path = tmp_path / "frames.extxyz"
    write_extxyz(glycine_dataset.subset(range(0, 100)), path)
    return path


def _start(name, frames, folder):
    """A training job of family `name` whose scratch, checkpoint and outputs are in `folder`."""
    folder.mkdir(exist_ok=True)
    code = f"SETTINGS = {SETTINGS!r}\n{JOB}"
    return psutil.Popen(
        [
            sys.executable,
            "-c",
            code,
            name,
            str(frames),
            str(folder / "scratch"),
            str(folder / "checkpoint"),
            str(folder),
        ]
    )


def _program_of(job: psutil.Popen, name: str, timeout_s: float = 120.0) -> psutil.Process:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for child in job.children(recursive=True):
            try:
                if PROGRAM[name](child):
                    return child
            except psutil.NoSuchProcess:
                pass
        assert job.poll() is None, "the job ended before its training program started"
        time.sleep(0.1)
    raise AssertionError(f"{name}'s training program never started")


@pytest.mark.parametrize("name", ["gap", "mace"])
def test_a_sigkilled_training_job_takes_its_program_with_it_and_its_rerun_succeeds(
    name, frames, tmp_path, still_running
):
    job = _start(name, frames, tmp_path)
    program = _program_of(job, name)
    time.sleep(1.0)  # mid-fit: the program is reading its frames and computing
    job.kill()
    job.wait(timeout=10)
    assert still_running([program], timeout_s=2.0) == [], f"{name}'s training program outlived its job"
    # a SIGKILL leaves the job's work behind: GAP's in its scratch, MACE's in its checkpoint folder
    assert scratch_left(tmp_path / "scratch") or scratch_left(tmp_path / "checkpoint")

    assert _start(name, frames, tmp_path).wait(timeout=600) == 0
    assert (tmp_path / "model").is_file()
    assert not (tmp_path / "scratch").exists() and not (tmp_path / "checkpoint").exists()


def _last_checkpoint_written(folder) -> int:
    """When the job last wrote a checkpoint (0 before its first); one being written (a partial
    file, renamed in a moment) does not count yet."""
    times = []
    for path in (folder / "checkpoint").rglob("*"):
        if path.suffix in (".pt", ".ckpt") and PARTIAL not in path.name:
            try:
                times.append(path.stat().st_mtime_ns)
            except FileNotFoundError:  # replaced by the next checkpoint meanwhile
                pass
    return max(times, default=0)


@pytest.mark.parametrize("name", ["bpnn", "schnet", "mace"])
def test_a_terminated_training_resumes_from_its_last_epoch_and_ends_as_an_unbroken_one(name, frames, tmp_path):
    """Exactly as an unbroken one for BPNN and SchNet; MACE (mace-torch's own restart, from
    its best epoch so far, with a fresh patience counter and moving average) near it."""
    unbroken, broken = tmp_path / "unbroken", tmp_path / "broken"
    assert _start(name, frames, unbroken).wait(timeout=600) == 0

    job = _start(name, frames, broken)
    rng, seen, changes = np.random.default_rng(23), None, 0
    wanted = int(rng.integers(2, 4) if name == "mace" else rng.integers(3, 8))  # a seeded moment
    deadline = time.monotonic() + 300
    while changes < wanted and time.monotonic() < deadline and job.poll() is None:
        now = _last_checkpoint_written(broken)
        if now and now != seen:
            seen, changes = now, changes + 1
        time.sleep(0.02)
    assert job.poll() is None, "the training ended before it could be interrupted"
    job.send_signal(signal.SIGTERM)
    assert job.wait(timeout=30) == 128 + signal.SIGTERM
    assert not (broken / "scratch").exists() and (broken / "checkpoint").is_dir()

    assert _start(name, frames, broken).wait(timeout=600) == 0
    log = (broken / "job.log").read_text()
    resumed = [int(n) for n in re.findall(rf"resuming {name} from epoch (\d+)", log)]
    # SchNet and BPNN resume after their last complete epoch; mace-torch redoes the epoch of its
    # checkpoint, so it may resume "from epoch 0" (its first epoch's checkpoint)
    assert len(resumed) == 1 and resumed[0] >= (0 if name == "mace" else 1), log[-3000:]
    assert not (broken / "checkpoint").exists()  # removed once the model was saved

    records = [json.loads((folder / "record.json").read_text()) for folder in (unbroken, broken)]
    predictions = [np.load(folder / "predictions.npz") for folder in (unbroken, broken)]
    if name == "mace":
        # every epoch in the record once; held-out force errors near the unbroken training's
        assert [row["epoch"] for row in records[1]["history"]] == list(range(len(records[1]["history"])))
        reference = read_dataset(frames).F[60:100]
        unbroken_rmse, broken_rmse = (np.sqrt(np.mean((p["forces"] - reference) ** 2)) for p in predictions)
        assert abs(broken_rmse - unbroken_rmse) < MACE_TOLERANCE * unbroken_rmse, (broken_rmse, unbroken_rmse)
        return
    assert records[0]["chosen"] == records[1]["chosen"]
    assert records[0]["history"] == records[1]["history"]
    np.testing.assert_array_equal(predictions[0]["energies"], predictions[1]["energies"])
    np.testing.assert_array_equal(predictions[0]["forces"], predictions[1]["forces"])
