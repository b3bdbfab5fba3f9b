"""What stops a run and what keeps two runs apart: the run directory's lock, the
guard that turns SIGTERM and SIGINT into a clean stop, and the errors they raise."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import threading
from pathlib import Path


class MDInterrupted(RuntimeError):
    """The run was stopped (a signal, a soft exit of i-PI) before its last step;
    its checkpoint is kept, and running it again resumes from there."""


class RunDirectoryBusy(RuntimeError):
    """Another process is running MD in the same directory."""


@contextlib.contextmanager
def _run_lock(workdir: Path):
    """Hold ``<workdir>.lock`` for the run, or refuse when another process holds it.

    An advisory ``flock``: the kernel drops it when its holder dies, even by SIGKILL.
    """
    lock_file = workdir.with_name(workdir.name + ".lock")
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "unknown"
            raise RunDirectoryBusy(
                f"{workdir} is in use by another MD run (process {owner}); wait for it to finish or stop it, "
                "then run again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            lock_file.unlink(missing_ok=True)  # before the unlock: no one locks a file on its way out


class _Stop(BaseException):
    """Raised in the client by SIGTERM/SIGINT (BaseException: calculators' own
    ``except Exception`` must not swallow it)."""


class _SignalGuard:
    """Turn SIGTERM and SIGINT into :class:`_Stop` while a run is driven, except
    inside :meth:`deferred` blocks (writing the frames file), where the stop waits
    for the block's end. A no-op outside the main thread, where Python allows no
    signal handlers."""

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self):
        self.received: int | None = None
        self._deferring = False
        self._previous = {}

    def _handle(self, signum, _frame):
        if self.received is not None:  # already stopping: let the clean-up finish
            return
        self.received = signum
        if not self._deferring:
            raise _Stop(signum)

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = {sig: signal.signal(sig, self._handle) for sig in self.SIGNALS}
        return self

    def __exit__(self, *exc):
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        return False

    @contextlib.contextmanager
    def deferred(self):
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False
        if self.received is not None:
            raise _Stop(self.received)
