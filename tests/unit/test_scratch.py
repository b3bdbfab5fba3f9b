"""A job's scratch (flexmlff.scratch): cleared when it starts, gone when it ends however it
ends; outputs that appear whole or not at all; programs that die with their job."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import psutil
import pytest

from flexmlff.runlog import snakemake_step
from flexmlff.scratch import SCRATCH_ROOT_VARIABLE, atomic_output, job_scratch, job_scratch_folder, scratch_left


def _wait_for(path: Path, timeout_s: float = 20.0) -> str:
    """The text of `path` once a child process has written it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.05)
    raise AssertionError(f"{path} was never written")


def _job(code: str, *args) -> subprocess.Popen:
    """A job: a Python process running `code` with `args` as sys.argv[1:]."""
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)])


def test_a_job_scratch_reclaims_a_killed_attempt_and_is_the_temporary_directory(tmp_path):
    folder = tmp_path / "root" / "train_gap" / "dataset=glycine,fold=0"
    folder.mkdir(parents=True)
    (folder / "sparseX.left-by-a-sigkill").write_bytes(b"x" * 1000)
    (tmp_path / "root" / "train_gap" / "other-job").mkdir()  # a job beside it keeps its folder
    before = tempfile.gettempdir()
    with job_scratch(folder) as scratch:
        assert scratch == folder and list(folder.iterdir()) == []
        assert tempfile.gettempdir() == str(folder) and os.environ["TMPDIR"] == str(folder)
        made = Path(tempfile.mkdtemp(prefix="flexmlff-gap-"))
        assert made.parent == folder
        (made / "gap.xml").write_text("<GAP/>")
        assert scratch_left(tmp_path / "root") == [made / "gap.xml"]
    assert not folder.exists() and tempfile.gettempdir() == before
    assert (tmp_path / "root" / "train_gap" / "other-job").is_dir()


def test_the_last_job_of_a_rule_leaves_no_scratch_tree(tmp_path):
    folder = tmp_path / "root" / "train_gap" / "job"
    with job_scratch(folder):
        pass
    assert not (tmp_path / "root").exists()


def test_a_failing_job_removes_its_scratch(tmp_path):
    folder = tmp_path / "scratch"
    with pytest.raises(RuntimeError), job_scratch(folder):
        (folder / "half-fitted").write_text("...")
        raise RuntimeError("gap_fit failed")
    assert not folder.exists()


def test_a_terminated_job_removes_its_scratch_and_a_killed_one_is_reclaimed_by_its_rerun(tmp_path):
    folder, ready = tmp_path / "scratch", tmp_path / "ready"
    code = (
        "import sys, time\nfrom pathlib import Path\n"
        "from flexmlff.runlog import sigterm_as_exit\nfrom flexmlff.scratch import job_scratch\n"
        "with sigterm_as_exit(), job_scratch(sys.argv[1]) as folder:\n"
        "    (folder / 'work').write_bytes(b'x' * 10000)\n"
        "    Path(sys.argv[2]).write_text('ready')\n"
        "    time.sleep(60)\n"
    )
    job = _job(code, folder, ready)
    _wait_for(ready)
    job.send_signal(signal.SIGTERM)
    assert job.wait(timeout=10) == 128 + signal.SIGTERM
    assert not folder.exists()

    ready.unlink()
    job = _job(code, folder, ready)
    _wait_for(ready)
    job.kill()  # SIGKILL: nothing in the job runs
    job.wait(timeout=10)
    assert (folder / "work").exists()
    with job_scratch(folder):  # the rerun of the same job
        assert list(folder.iterdir()) == []
    assert not folder.exists()


def test_a_workflow_step_runs_in_its_own_scratch_under_the_runs_root(tmp_path, monkeypatch):
    monkeypatch.setenv(SCRATCH_ROOT_VARIABLE, str(tmp_path / "results" / ".scratch"))
    smk = SimpleNamespace(
        rule="train_gap",
        wildcards={"dataset": "glycine", "n_train": "100", "fold": "0"},
        log=[str(tmp_path / "step.log")],
    )
    expected = tmp_path / "results" / ".scratch" / "train_gap" / "dataset=glycine,n_train=100,fold=0"
    assert job_scratch_folder(smk.rule, smk.wildcards) == expected
    with snakemake_step(smk):
        assert tempfile.gettempdir() == str(expected)
    assert not (tmp_path / "results" / ".scratch").exists()


def test_an_output_appears_whole_or_not_at_all(tmp_path):
    path = tmp_path / "model.tar.gz"
    with atomic_output(path) as partial:
        assert partial.parent == tmp_path and partial.name.endswith(".gz") and partial.name.startswith(".")
        partial.write_text("complete")
        assert not path.exists()  # not under its name while being written
    assert path.read_text() == "complete" and os.listdir(tmp_path) == ["model.tar.gz"]

    with pytest.raises(ValueError), atomic_output(path) as partial:
        partial.write_text("half")
        raise ValueError("the writer failed")
    assert path.read_text() == "complete" and os.listdir(tmp_path) == ["model.tar.gz"]  # the old file kept


def test_a_writer_killed_mid_write_leaves_no_output_and_the_next_write_tidies_up(tmp_path):
    path, ready = tmp_path / "errors.csv", tmp_path / "ready"
    code = (
        "import sys, time\nfrom pathlib import Path\nfrom flexmlff.scratch import atomic_output\n"
        "with atomic_output(sys.argv[1]) as partial, open(partial, 'w') as handle:\n"
        "    handle.write('model,energy_rmse\\n'); handle.flush()\n"
        "    Path(sys.argv[2]).write_text('ready')\n"
        "    time.sleep(60)\n"
    )
    job = _job(code, path, ready)
    _wait_for(ready)
    job.kill()
    job.wait(timeout=10)
    assert not path.exists()
    left = [name for name in os.listdir(tmp_path) if name != "ready"]
    assert len(left) == 1 and left[0].startswith(".errors.partial-")
    with atomic_output(path) as partial:
        partial.write_text("model,energy_rmse\ngap,0.5\n")
    assert sorted(os.listdir(tmp_path)) == ["errors.csv", "ready"]


def test_a_program_started_by_a_job_dies_with_it_even_on_sigkill(tmp_path, still_running):
    pid_file = tmp_path / "child.pid"
    code = (
        "import subprocess, sys, time\nfrom pathlib import Path\nfrom flexmlff.runlog import die_with_parent\n"
        "child = subprocess.Popen(['sleep', '60'], preexec_fn=die_with_parent)\n"
        "Path(sys.argv[1]).write_text(str(child.pid))\n"
        "time.sleep(60)\n"
    )
    job = _job(code, pid_file)
    child = psutil.Process(int(_wait_for(pid_file)))
    job.kill()
    job.wait(timeout=10)
    assert still_running([child], timeout_s=2.0) == []


def test_a_step_logs_its_peak_scratch_and_memory_and_the_run_report_reads_them(tmp_path, monkeypatch):
    from flexmlff.runstats import job_peaks, per_rule

    results = tmp_path / "results"
    monkeypatch.setenv(SCRATCH_ROOT_VARIABLE, str(results / ".scratch"))
    log = results / "logs" / "train_gap" / "glycine_n100_fold0.log"
    log.parent.mkdir(parents=True)
    smk = SimpleNamespace(rule="train_gap", wildcards={"dataset": "glycine"}, log=[str(log)])
    with snakemake_step(smk):
        Path(tempfile.mkdtemp(prefix="flexmlff-gap-"), "gap.xml.sparseX").write_bytes(b"x" * 3_000_000)
    peaks = job_peaks(results / "logs")
    assert peaks["scratch_mb"].tolist() == [3.0] and peaks["rule"].tolist() == ["train_gap"]
    assert 20 < peaks["rss_mb"][0] < 20_000  # this Python process's peak
    benchmark = results / "benchmarks" / "train_gap" / "glycine_n100_fold0.tsv"
    benchmark.parent.mkdir(parents=True)
    benchmark.write_text(
        "s\th:m:s\tmax_rss\tmax_vms\tmax_uss\tmax_pss\tio_in\tio_out\tmean_load\tcpu_time\n"
        "150.5\t0:02:30\t5120.0\t6000\t5000\t5000\t1\t2\t99.0\t148.2\n"
    )
    table = per_rule(results)
    assert table.loc["train_gap", "jobs"] == 1 and table.loc["train_gap", "cpu_s"] == 148.2
    assert table.loc["train_gap", "max_rss_mb"] == 5120.0 and table.loc["train_gap", "peak_scratch_mb"] == 3.0


def test_a_site_scratch_keeps_each_runs_jobs_apart(tmp_path, monkeypatch):
    from flexmlff.scratch import SITE_SCRATCH_VARIABLE, share_job_folders_with_jobs

    monkeypatch.delenv(SCRATCH_ROOT_VARIABLE, raising=False)
    monkeypatch.delenv("FLEXMLFF_CHECKPOINTS", raising=False)
    share_job_folders_with_jobs(tmp_path / "a/results/.scratch", tmp_path / "a/results/.checkpoints")
    assert job_scratch_folder("train_gap", {}) == tmp_path / "a/results/.scratch/train_gap/job"
    monkeypatch.setenv(SITE_SCRATCH_VARIABLE, str(tmp_path / "node"))
    folders = []
    for run in ("a", "b", "a"):  # the last: run a's job on another node parses the workflow again
        share_job_folders_with_jobs(tmp_path / run / "results/.scratch", tmp_path / run / "results/.checkpoints")
        folders.append(job_scratch_folder("train_gap", {"fold": "0"}))
    assert folders[0] == folders[2] != folders[1] and all(f.is_relative_to(tmp_path / "node") for f in folders)
