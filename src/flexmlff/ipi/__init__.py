"""Molecular dynamics with i-PI as the engine and an ASE calculator as its socket client.

:func:`run_ipi_md` runs one constant-temperature MD run (:class:`MDSettings`, optionally
with PLUMED metadynamics): i-PI as a server process, the calculator answering its force
requests over a UNIX socket in this process, every ``stride``-th step kept as a frame
with its energy and forces; an interrupted run resumes from i-PI's last checkpoint. How
it works, which module does what, how it fails and what was measured: docs/md_engine.md.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from pathlib import Path

from ase import Atoms
from ase.calculators.calculator import Calculator

from flexmlff.ipi.client import _drive_client, calculator_identity, energy_and_forces, file_identity, forget_state
from flexmlff.ipi.frames import _check_frames, check_against_properties, read_properties
from flexmlff.ipi.guard import MDInterrupted, RunDirectoryBusy, _run_lock, _SignalGuard, _Stop
from flexmlff.ipi.inputs import check_plumed, find_ipi, ipi_input_xml, plumed_input
from flexmlff.ipi.process import (
    _ipi_exit_reason,
    _log_tail,
    _start_ipi,
    _stop,
    _wait_for_exit,
    remove_stale_sockets,
    socket_path,
)
from flexmlff.ipi.resume import _interruption, _prepare_run, _RunStart
from flexmlff.ipi.settings import (
    _IPI_LOG,
    BOX_A,
    DIAGNOSTICS,
    PARTIAL_FRAMES,
    PLUMED_FILE,
    PREFIX,
    PROPERTIES,
    RUN_RECORD,
    MDSettings,
    Metadynamics,
)

__all__ = [
    "BOX_A",
    "DIAGNOSTICS",
    "PARTIAL_FRAMES",
    "PLUMED_FILE",
    "PREFIX",
    "PROPERTIES",
    "RUN_RECORD",
    "MDInterrupted",
    "MDSettings",
    "Metadynamics",
    "RunDirectoryBusy",
    "calculator_identity",
    "check_against_properties",
    "check_plumed",
    "energy_and_forces",
    "file_identity",
    "find_ipi",
    "forget_state",
    "ipi_input_xml",
    "plumed_input",
    "read_properties",
    "remove_stale_sockets",
    "run_ipi_md",
    "socket_path",
]

log = logging.getLogger(__name__)


def run_ipi_md(
    atoms: Atoms,
    calculator: Calculator,
    settings: MDSettings,
    workdir: str | Path,
    startup_timeout_s: float = 120.0,
    stall_timeout_s: float = 600.0,
    resume: bool = True,
    identity: str | None = None,
    timing: dict | None = None,
    stop_when: Callable[[Atoms], str] | None = None,
) -> list[Atoms]:
    """Run NVT MD of `atoms` with i-PI, `calculator` answering over a UNIX socket.

    `workdir` receives the i-PI input, log, trajectory, properties and
    checkpoints. With `resume`, an interrupted run of the same atoms, settings
    and calculator `identity` (default: :func:`calculator_identity`; pass a
    level's full settings or :func:`file_identity` of a model) continues from
    i-PI's last checkpoint (every ``checkpoint_stride`` steps) and keeps the
    frames recorded before it; otherwise `workdir` is emptied first. A stop
    signal or an early soft exit of i-PI raises :class:`MDInterrupted`, with the
    checkpoint kept; a second run on the same `workdir` meanwhile raises
    :class:`RunDirectoryBusy`. Returns every ``stride``-th frame
    (step 0 included) with its energy and forces (eV, eV/Å) and
    ``info['step']``, ``info['time_ps']``. Raises RuntimeError on any failure,
    never hangs for longer than `stall_timeout_s` without a force request.
    `timing`, when given, receives ``force_calls`` and ``steps_s``, the seconds from
    the first force call's answer to the last one's: ``force_calls - 1`` steps, i-PI's
    start-up, the first call and the exit left out.
    `stop_when`, when given, is asked at every kept frame why the run should end there
    (a non-empty reason, e.g. a broken molecule) or not (""): a run it ends returns
    its frames up to that one, the last with ``info['stop_reason']``, and i-PI is stopped.
    """
    workdir = Path(workdir)
    ipi = find_ipi()
    if settings.metadynamics:
        check_plumed()
    remove_stale_sockets()
    identity = identity or calculator_identity(calculator)
    with _run_lock(workdir), _SignalGuard() as guard:
        try:
            start = _prepare_run(atoms, identity, settings, workdir, resume)
            frames, n_calls, elapsed = _drive_ipi(
                ipi, calculator, settings, workdir, start, guard, startup_timeout_s, stall_timeout_s, stop_when
            )
        except _Stop as stop:
            raise MDInterrupted(_interruption(workdir, f"stopped by {signal.Signals(stop.args[0]).name}")) from None
    log.info(
        "MD finished: %d force calls in %.1f s (%.2f ms/step)", n_calls, elapsed, 1000 * elapsed / max(1, n_calls - 1)
    )
    if timing is not None:
        timing.update(force_calls=n_calls, steps_s=elapsed)
    # the run is complete: nothing is left to resume, whatever the checks find
    (workdir / PARTIAL_FRAMES).unlink(missing_ok=True)
    stopped = bool(frames and frames[-1].info.get("stop_reason"))
    if stopped:
        log.info("MD ended at step %d: %s", frames[-1].info["step"], frames[-1].info["stop_reason"])
    _check_frames(frames, settings, workdir, start.first_step, stopped)
    return frames


def _drive_ipi(
    ipi: str,
    calculator: Calculator,
    settings: MDSettings,
    workdir: Path,
    start: _RunStart,
    guard: _SignalGuard,
    startup_timeout_s: float,
    stall_timeout_s: float,
    stop_when: Callable[[Atoms], str] | None = None,
) -> tuple[list[Atoms], int, float]:
    """Start i-PI, answer its force requests until it ends the run (or `stop_when` does:
    then i-PI is stopped) and see it exit.

    Raises :class:`MDInterrupted` when i-PI ends before the last step (a signal to
    it, its soft exit) and a readable RuntimeError when it dies or drops the
    connection; i-PI is stopped (with its checkpoint) on any failure.
    """
    log_file = workdir / _IPI_LOG
    process, client, socket_file = _start_ipi(ipi, workdir, settings, start, startup_timeout_s, stall_timeout_s)
    try:
        frames, n_calls, elapsed = _drive_client(client, calculator, settings, workdir, start, guard, stop_when)
        last_step = start.first_step + n_calls - 1
        if frames and frames[-1].info.get("stop_reason"):
            client.close()
            _stop(process, log_file)
        elif last_step < settings.steps:
            _stop(process, log_file)
            raise MDInterrupted(
                _interruption(
                    workdir,
                    f"i-PI ended the run at step {last_step} of "
                    f"{settings.steps} (status {process.returncode}: "
                    f"{_ipi_exit_reason(log_file)})",
                )
            )
        else:
            _wait_for_exit(process, log_file)
    except (ConnectionError, EOFError) as err:
        _stop(process, log_file)
        raise RuntimeError(
            f"i-PI dropped the connection ({type(err).__name__}: {err}; i-PI status "
            f"{process.returncode}); last lines of {log_file}:\n{_log_tail(log_file)}"
        ) from err
    except BaseException:
        client.close()
        _stop(process, log_file)
        raise
    finally:
        socket_file.unlink(missing_ok=True)
    return frames, n_calls, elapsed
