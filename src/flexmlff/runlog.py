"""Logging for workflow steps: everything a step says goes to its Snakemake log file."""

from __future__ import annotations

import contextlib
import logging
import time


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
    log.info("started")
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
        handle.close()
