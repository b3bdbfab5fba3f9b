"""The i-PI server process of a run: its UNIX socket (and the stale sockets of
killed runs), starting it and connecting the client, stopping it so that it writes its
checkpoint, and waiting for its exit."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from pathlib import Path

from ase.calculators.socketio import SocketClient

from flexmlff.ipi.client import _StepClient
from flexmlff.ipi.resume import _RunStart, _write_ipi_input
from flexmlff.ipi.settings import _IPI_LOG, MDSettings
from flexmlff.runlog import die_with_parent


def socket_path(socket_name: str) -> Path:
    """File of a UNIX socket as both i-PI and ASE name it."""
    return Path(f"/tmp/ipi_{socket_name}")


#: Our socket names: ``flexmlff-<client pid>-<random>``; the pid tells a stale one.
_SOCKET_PREFIX = "flexmlff-"


def _new_socket_name() -> str:
    return f"{_SOCKET_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}"


def remove_stale_sockets() -> list[Path]:
    """Delete socket files of ours whose client process is gone (a run killed with
    SIGKILL cannot remove its own); returns those removed. Live runs' sockets are
    left alone: they are told apart by the pid in the name, not by connecting."""
    removed = []
    for path in socket_path(_SOCKET_PREFIX).parent.glob(f"ipi_{_SOCKET_PREFIX}*"):
        pid = path.name[len(f"ipi_{_SOCKET_PREFIX}") :].split("-")[0]
        if pid.isdigit() and not _process_alive(int(pid)):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no i-PI log)"


def _stop(process: subprocess.Popen, log_file: Path | None = None, grace_s: float = 30.0) -> None:
    """Stop i-PI with one SIGTERM, which it answers with a soft exit that writes its
    checkpoint; a second signal would kill it before it does. So when its log shows
    it already exiting (a signal to the whole process group, as a scheduler's
    preemption sends), only wait."""
    if process.poll() is not None:
        return
    try:
        process.wait(timeout=_SOFTEXIT_NOTICE_S)
        return
    except subprocess.TimeoutExpired:
        pass
    if log_file is None or _SOFTEXIT_MARK not in _log_tail(log_file, 50):
        process.terminate()
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


#: What i-PI logs when a signal starts its soft exit, and how long it takes to say so
#: (its soft-exit monitor polls about once a second).
_SOFTEXIT_MARK = "@SOFTEXIT"
_SOFTEXIT_NOTICE_S = 2.0


def _wait_for_socket(process: subprocess.Popen, path: Path, timeout_s: float, log_file: Path) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        if process.poll() is not None:
            raise RuntimeError(
                f"i-PI exited (status {process.returncode}) before opening its socket; "
                f"last lines of {log_file}:\n{_log_tail(log_file)}"
            )
        if time.monotonic() > deadline:
            raise RuntimeError(f"i-PI did not open its socket {path} within {timeout_s:.0f} s; see {log_file}")
        time.sleep(0.05)


def _connect(
    process: subprocess.Popen, socket_name: str, timeout_s: float, startup_timeout_s: float, log_file: Path
) -> SocketClient:
    """The client's connection. i-PI creates the socket file (bind) a moment before it
    listens: on a busy machine a first connect can be refused, so try again."""
    deadline = time.monotonic() + startup_timeout_s
    while True:
        try:
            return _StepClient(unixsocket=socket_name, timeout=timeout_s)
        except ConnectionRefusedError:
            if process.poll() is not None:
                raise RuntimeError(
                    f"i-PI exited (status {process.returncode}) before accepting its client; "
                    f"last lines of {log_file}:\n{_log_tail(log_file)}"
                ) from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _start_ipi(
    ipi: str, workdir: Path, settings: MDSettings, start: _RunStart, startup_timeout_s: float, stall_timeout_s: float
) -> tuple[subprocess.Popen, SocketClient, Path]:
    """Start the i-PI server for the run and connect the client to it.

    Writes i-PI's input on a fresh socket name (:func:`_write_ipi_input`),
    launches i-PI in `workdir` (its output in ``ipi.log``, appended to on a
    resumed run; it dies with this process), waits up to `startup_timeout_s` for
    its socket and connects a client whose requests time out after
    `stall_timeout_s`. Returns (i-PI's process, the client, the socket's file);
    on failure i-PI is stopped and its socket file removed before the error is raised.
    """
    socket_name = _new_socket_name()
    ipi_input = _write_ipi_input(workdir, settings, start, socket_name)
    log_file = workdir / _IPI_LOG
    path = socket_path(socket_name)
    path.unlink(missing_ok=True)
    with open(log_file, "a" if start.resumed else "w") as ipi_log:
        # unbuffered, so that its soft-exit notice is in the log when _stop looks
        process = subprocess.Popen(
            [ipi, ipi_input],
            cwd=workdir,
            stdout=ipi_log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        _wait_for_socket(process, path, startup_timeout_s, log_file)
        client = _connect(process, socket_name, stall_timeout_s, startup_timeout_s, log_file)
    except BaseException:
        _stop(process, log_file)
        path.unlink(missing_ok=True)
        raise
    return process, client, path


def _wait_for_exit(process: subprocess.Popen, log_file: Path, timeout_s: float = 120.0) -> None:
    """Raise unless i-PI, its run over, exits with status 0 within `timeout_s`."""
    try:
        status = process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"i-PI did not exit after the run; see {log_file}") from None
    if status != 0:
        raise RuntimeError(f"i-PI failed (status {status}); last lines of {log_file}:\n{_log_tail(log_file)}")


def _ipi_exit_reason(log_file: Path) -> str:
    """i-PI's own words for a soft exit, from its log."""
    lines = [line.strip() for line in _log_tail(log_file, 200).splitlines() if "Soft exit has been requested" in line]
    return lines[-1] if lines else "no reason in its log"
