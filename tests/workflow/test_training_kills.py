"""A training job killed with SIGKILL mid-fit (the OOM killer, `scancel --signal=KILL`, a node
lost): the program it runs (gap_fit, mace-torch's trainer) is gone within 2 s, what the job
left in its scratch is reclaimed by the rerun, and the rerun trains the model.

In the slow tier for their cost (a real gap_fit and a real mace-torch training each, twice),
not because they run Snakemake.
"""

import sys
import time
from pathlib import Path

import psutil
import pytest

from flexmlff.data import write_extxyz
from flexmlff.scratch import scratch_left

pytestmark = pytest.mark.workflow

#: A training job as train_model.py runs one: in its scratch, SIGTERM unwinding.
JOB = """
import sys
from flexmlff.data import read_dataset
from flexmlff.models import family
from flexmlff.runlog import sigterm_as_exit
from flexmlff.scratch import job_scratch

name, frames, scratch, model_file = sys.argv[1:5]
data = read_dataset(frames)
with sigterm_as_exit(), job_scratch(scratch):
    models = family(name)
    settings = SETTINGS[name]
    model = models.train(data.subset(range(0, 40)), data.subset(range(40, 60)), settings)
    models.save(model, model_file)
"""
#: Settings that fit fast: the test is about the job's processes and scratch, not the model.
SETTINGS = {"gap": {"n_sparse": 40, "n_max": 4, "l_max": 3, "force_sigmas_eV_per_A": [0.1]},
            "mace": {"max_epochs": 2, "num_channels": 8, "max_L": 0, "correlation": 2, "dtype": "float32"}}
#: How each family's training program shows in the process table.
PROGRAM = {"gap": lambda p: p.name() == "gap_fit",
           "mace": lambda p: "flexmlff.models.mace" in " ".join(p.cmdline())}


def _start(name, frames, scratch, model_file):
    code = f"SETTINGS = {SETTINGS!r}\n{JOB}"
    return psutil.Popen([sys.executable, "-c", code, name, str(frames), str(scratch), str(model_file)])


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
        name, glycine_dataset, tmp_path, still_running):
    frames, scratch, model_file = tmp_path / "frames.extxyz", tmp_path / "scratch", tmp_path / f"model.{name}"
    write_extxyz(glycine_dataset.subset(range(0, 60)), frames)
    job = _start(name, frames, scratch, model_file)
    program = _program_of(job, name)
    time.sleep(1.0)  # mid-fit: the program is reading its frames and computing
    job.kill()
    job.wait(timeout=10)
    assert still_running([program], timeout_s=2.0) == [], f"{name}'s training program outlived its job"
    assert scratch_left(scratch), "expected the killed job's scratch to hold its work"

    rerun = _start(name, frames, scratch, model_file)
    assert rerun.wait(timeout=600) == 0
    assert model_file.is_file() and not scratch.exists()
