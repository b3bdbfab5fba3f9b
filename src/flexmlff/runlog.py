"""The life of a workflow step: everything it says goes to its Snakemake log file, its
scratch goes when it ends, and neither it nor the programs it starts outlive their parent."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path

#: prctl's option for the signal a process gets when its parent dies (linux/prctl.h).
PR_SET_PDEATHSIG = 1


@contextlib.contextmanager
def logged_step(log_path: str, name: str):
    """Send logging, stdout and stderr to `log_path` for the duration of a step.

    Logs the step's start, end and wall time, and the traceback of a failure
    (which is then re-raised so that Snakemake marks the job as failed).
    """
    handle = open(log_path, "a", buffering=1)
    handler = logging.StreamHandler(handle)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    log = logging.getLogger(f"flexmlff.{name}")
    start = time.perf_counter()
    log.info("started (process %d)", os.getpid())
    # which copy of the library the job imported: the checkout's src/, not an installed one
    log.info("flexmlff from %s", Path(__file__).resolve().parent)
    try:
        with contextlib.redirect_stdout(handle), contextlib.redirect_stderr(handle):
            yield log
    except BaseException:
        log.exception("failed after %.1f s", time.perf_counter() - start)
        raise
    else:
        log.info("finished in %.1f s", time.perf_counter() - start)
    finally:
        root.removeHandler(handler)
        _rebind_handlers(handle, sys.__stderr__)
        handle.close()


def _rebind_handlers(old_stream, new_stream) -> None:
    """Point logging handlers that libraries created on `old_stream` during the step (torch
    makes one on the redirected stderr) at `new_stream`: they log again at exit, and a
    closed file would print a 'Logging error' traceback per message."""
    loggers = [
        logging.getLogger(),
        *(v for v in logging.Logger.manager.loggerDict.values() if isinstance(v, logging.Logger)),
    ]
    for logger in loggers:
        for handler in logger.handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is old_stream:
                handler.setStream(new_stream)


@contextlib.contextmanager
def snakemake_step(smk):
    """The log of a workflow script's job: `logged_step` on the job's log file, named by its rule.

    The job keeps its temporary files in its own scratch folder, removed when it ends,
    however it ends (:func:`flexmlff.scratch.job_scratch`; a SIGTERM ends it through
    Python's unwinding, :func:`sigterm_as_exit`). The job also stops when the Snakemake
    process that started it dies (:func:`stop_when_orphaned`). The library itself reaches
    the script through PYTHONPATH (:func:`share_library_with_jobs`), so scripts carry no
    import-path code of their own. Model families that live outside flexmlff (config
    ``families``) are registered for the job as they were for the plan.
    """
    from flexmlff.models import register_families, register_variants
    from flexmlff.scratch import PeakSize, job_scratch, job_scratch_folder

    stop_when_orphaned()
    config = getattr(smk, "config", None) or {}
    try:  # a family of its own env need not import in every job's env
        register_families(config.get("families") or {})
        register_variants(config.get("models") or {})
    except ValueError as err:
        logging.getLogger(__name__).debug("families not registered in this job: %s", err)
    scratch = job_scratch_folder(smk.rule, dict(smk.wildcards.items()))
    with sigterm_as_exit(), job_scratch(scratch), logged_step(smk.log[0], smk.rule) as log:
        meter = PeakSize(scratch)
        try:
            with meter:
                yield log
        finally:
            log_peaks(log, meter.peak)


#: The line a job's log ends with: what it needed of the node's disk and memory.
PEAKS_LINE = (
    "peak scratch {scratch_mb:.1f} MB, peak memory {rss_mb:.0f} MB (job) and {program_mb:.0f} MB (its largest program)"
)


def log_peaks(log: logging.Logger, scratch_bytes: int) -> None:
    """Log the job's peak scratch use and peak resident memory, its own and its largest
    program's (gap_fit, mace-torch, i-PI), so that `flexmlff.costs`' formulas can be checked
    against what jobs used (:func:`flexmlff.runstats.job_peaks` reads them back)."""
    import resource

    kib = 1024 / 1e6  # ru_maxrss is in KiB on Linux
    log.info(
        PEAKS_LINE.format(
            scratch_mb=scratch_bytes / 1e6,
            rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * kib,
            program_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * kib,
        )
    )


def stop_when_orphaned(poll_s: float = 1.0) -> threading.Thread:
    """Send this process SIGTERM once its parent is gone.

    A Snakemake killed with SIGKILL leaves its jobs running; an orphaned MD job would
    write into the run directory a new Snakemake resumes. SIGTERM lets the job stop
    cleanly (an MD run keeps its checkpoint). A watching thread rather than Linux's
    parent-death signal, which fires when the *thread* that started the job exits.
    """
    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(poll_s)
        os.kill(os.getpid(), signal.SIGTERM)

    watcher = threading.Thread(target=watch, name="stop-when-orphaned", daemon=True)
    watcher.start()
    return watcher


def share_library_with_jobs() -> str:
    """Put this copy of the library first on PYTHONPATH and return its folder.

    Every job's script inherits the environment of the Snakemake process that starts it,
    also inside a conda env or on a cluster node, so the jobs import the checkout the
    workflow was started from rather than whatever flexmlff happens to be installed.
    """
    folder = str(Path(__file__).resolve().parents[1])
    others = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != folder]
    os.environ["PYTHONPATH"] = os.pathsep.join([folder, *others])
    return folder


@contextlib.contextmanager
def sigterm_as_exit():
    """Within the block, SIGTERM (a cancelled or preempted job) exits through Python's
    unwinding (SystemExit 143), so that a program the job runs (gap_fit, mace-torch's
    trainer) is killed and the job's own clean-up runs; by default SIGTERM ends Python at
    once and leaves the program computing. Main thread only, where signal handlers live;
    the previous handler is restored after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def exit_on_sigterm(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, exit_on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def die_with_parent() -> None:  # pragma: no cover - runs in the child process
    """A `preexec_fn` for the programs a job starts (i-PI, gap_fit, mace-torch's trainer):
    the kernel sends the program SIGTERM when the job's process dies, even by SIGKILL
    (Linux's parent-death signal). The job's main thread starts them and lives as long as
    the job, so the signal does not fire early."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: the job's own clean-up is all there is
        pass
