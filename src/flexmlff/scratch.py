"""Where a job keeps its temporary files, and how the library's outputs appear whole.

A job's scratch is one folder per job (:func:`job_scratch_folder`): under the results tree
by default, on the filesystem of the outputs (a cluster node's /tmp is often too small for
GAP's sparseX files), or under ``$FLEXMLFF_SCRATCH`` where a site sets it (in a folder of
the run's own there). The job clears
it when it starts, reclaiming what a SIGKILL of an earlier attempt left, and removes it
when it ends, on success, failure or SIGTERM (:func:`job_scratch`). While the job runs, the
folder is Python's temporary directory and the ``TMPDIR`` of every program the job starts,
so that the library's and the model codes' temporary files all land there.

:func:`atomic_output` gives the writers a name beside the final one; the file is renamed
to its final name only once written, so a kill at any moment leaves the old file or none.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import threading
from pathlib import Path

#: The environment variable a site sets to keep jobs' scratch elsewhere (a node's fast disk).
SITE_SCRATCH_VARIABLE = "FLEXMLFF_SCRATCH"
#: The environment variable naming the folder under which this run's jobs keep their scratch.
SCRATCH_ROOT_VARIABLE = "FLEXMLFF_JOB_SCRATCH"
#: The environment variable naming the folder under which trainings keep their checkpoints.
CHECKPOINT_ROOT_VARIABLE = "FLEXMLFF_CHECKPOINTS"
#: The part of a file name that marks an output still being written (see :func:`atomic_output`).
PARTIAL = ".partial-"


def share_job_folders_with_jobs(scratch_root: str | Path, checkpoint_root: str | Path) -> None:
    """Tell every job of this run, started here or on a cluster node, where its scratch and
    checkpoints live: scratch under `scratch_root` (the results tree), or where the site's
    ``$FLEXMLFF_SCRATCH`` says, in a folder of this run's own (two runs' jobs of the same
    name must not clear each other's scratch); checkpoints under `checkpoint_root`, in the
    results tree, where the retry of a preempted job finds them from any node."""
    site = os.environ.get(SITE_SCRATCH_VARIABLE)
    if site:
        run = hashlib.sha256(str(Path(checkpoint_root).resolve()).encode()).hexdigest()[:12]
        os.environ[SCRATCH_ROOT_VARIABLE] = str(Path(site) / f"flexmlff-run-{run}")
    else:
        os.environ[SCRATCH_ROOT_VARIABLE] = str(Path(scratch_root).resolve())
    os.environ[CHECKPOINT_ROOT_VARIABLE] = str(Path(checkpoint_root).resolve())


def _job_name(wildcards: dict[str, str]) -> str:
    return ",".join(f"{name}={value}" for name, value in wildcards.items()) or "job"


def job_scratch_folder(rule: str, wildcards: dict[str, str]) -> Path:
    """The scratch folder of one job: ``<root>/<rule>/<name=value,...>`` (``job`` for a rule
    without wildcards); the root is the run's (:func:`share_job_folders_with_jobs`), or the
    system's temporary directory outside a workflow run."""
    root = Path(os.environ.get(SCRATCH_ROOT_VARIABLE) or Path(tempfile.gettempdir()) / "flexmlff-scratch")
    return root / rule / _job_name(wildcards)


def job_checkpoint_folder(rule: str, wildcards: dict[str, str]) -> Path | None:
    """The checkpoint folder of one training job, ``<root>/<rule>/<name=value,...>`` under
    ``$FLEXMLFF_CHECKPOINTS``; None outside a workflow run (nothing to resume from)."""
    root = os.environ.get(CHECKPOINT_ROOT_VARIABLE)
    return Path(root) / rule / _job_name(wildcards) if root else None


@contextlib.contextmanager
def job_scratch(folder: str | Path):
    """Within the block, `folder` (emptied first) is this process's temporary directory and
    its children's ``TMPDIR``; after the block, however it ends, the folder is gone.

    A SIGTERM must end the block through Python's unwinding for the removal to run: the
    caller holds :func:`flexmlff.runlog.sigterm_as_exit` around it.
    """
    folder = Path(folder)
    shutil.rmtree(folder, ignore_errors=True)  # what a killed attempt of this job left
    folder.mkdir(parents=True)
    previous_tempdir, previous_env = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = os.environ["TMPDIR"] = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = previous_tempdir
        if previous_env is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = previous_env
        shutil.rmtree(folder, ignore_errors=True)
        remove_empty_parents(folder.parent, stop_at=2)


def remove_empty_parents(folder: Path, stop_at: int) -> None:
    """Remove `folder` and up to `stop_at - 1` of its parents while they are empty (the
    rule's folder and the scratch or checkpoint root), so that a finished run leaves no tree behind."""
    for _ in range(stop_at):
        try:
            folder.rmdir()
        except OSError:  # not empty (another job's scratch), or already gone
            return
        folder = folder.parent


def folder_size(folder: str | Path) -> int:
    """Bytes of the files under `folder` (0 for a folder that is gone)."""
    total, pending = 0, [str(folder)]
    while pending:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            pending.append(entry.path)
                        elif entry.is_file(follow_symlinks=False):
                            total += entry.stat(follow_symlinks=False).st_size
                    except OSError:  # removed while being looked at
                        pass
        except OSError:
            pass
    return total


class PeakSize:
    """The largest size `folder` reaches while the meter runs, sampled every `interval_s`
    by a thread of its own (a job's scratch: what it needs of a node's disk)."""

    def __init__(self, folder: str | Path, interval_s: float = 2.0):
        self.folder, self.interval_s, self.peak = Path(folder), interval_s, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="scratch-meter", daemon=True)

    def _watch(self):
        while True:
            self.peak = max(self.peak, folder_size(self.folder))
            if self._stop.wait(self.interval_s):
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, folder_size(self.folder))  # what is there at the end counts too
        return False


def scratch_left(root: str | Path) -> list[Path]:
    """Every file left under a scratch root (empty when the run cleaned up after itself)."""
    root = Path(root)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@contextlib.contextmanager
def atomic_output(path: str | Path):
    """Yield a name beside `path` (same folder, same ending, so that writers choosing a format
    by the ending still do) to write to; when the block completes, the file takes the name
    `path` in one rename. A failure removes it; a partial file that a killed writer left is
    removed by the next write to `path`."""
    path = Path(path)
    stem, suffix = (path.name[: -len(path.suffix)], path.suffix) if path.suffix else (path.name, "")
    for stale in path.parent.glob(f".{stem}{PARTIAL}*{suffix}"):
        stale.unlink(missing_ok=True)
    partial = path.with_name(f".{stem}{PARTIAL}{os.getpid()}{suffix}")
    try:
        yield partial
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
