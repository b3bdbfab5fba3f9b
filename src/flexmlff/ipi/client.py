"""The socket client's side of a run: a calculator answering i-PI's force requests
(one calculation per geometry), the frames it keeps, and the identity of a calculator
that tells whether a checkpoint is its own."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.calculators.calculator import Calculator
from ase.calculators.socketio import SocketClient
from ase.io import write

from flexmlff.ipi.frames import _snapshot
from flexmlff.ipi.guard import _SignalGuard
from flexmlff.ipi.resume import _RunStart
from flexmlff.ipi.settings import PARTIAL_FRAMES, MDSettings

log = logging.getLogger(__name__)


class _StepClient(SocketClient):
    """ASE's socket client, answering each of i-PI's force requests with one check of the
    calculator's state and at most one calculation.

    ASE's own asks for the energy and then the forces, and each getter compares the whole
    Atoms object with the calculator's copy: on glycine that was 5 comparisons a step,
    15 % of the client's time beside GFN2-xTB's 27 % (cProfile, 2000 steps, 2026-12-06).
    """

    def calculate(self, atoms: Atoms, use_stress: bool):
        if use_stress:  # a periodic cell: ASE's own path, with the stress
            return super().calculate(atoms, use_stress)
        results = energy_and_forces(atoms)
        return results["energy"], results["forces"], np.zeros((3, 3))


def energy_and_forces(atoms: Atoms) -> dict:
    """The results of `atoms`' calculator for its current geometry, energy and forces
    computed together, with one comparison of the state instead of one per property.

    Step for step what ASE's ``get_property`` does (ase 3.29), for both properties at once:
    a changed system clears the stored atoms and results, the calculator keeps a copy of
    the atoms it computes (when it caches), and ``calculate`` hears what changed.
    """
    calc = atoms.calc
    changes = calc.check_state(atoms)
    if changes:
        _drop_stored_state(calc)
    if not {"energy", "forces"} <= calc.results.keys():
        if calc.use_cache:
            calc.atoms = atoms.copy()
        calc.calculate(atoms, ["energy", "forces"], changes)
    return calc.results


def forget_state(calculator) -> None:
    """Make the calculator's next call start from scratch (no SCF guess from the last
    geometry), as the first call of a run resumed from a checkpoint does. Calculators
    without ``reset`` (ASE's BaseCalculator: a sum of calculators, file-based codes) only
    drop their stored atoms, so that everything counts as changed."""
    if hasattr(calculator, "reset"):
        calculator.reset()
    else:
        _drop_stored_state(calculator)


def _drop_stored_state(calculator) -> None:
    """Forget the atoms and results a calculator stored, so that its next check of the
    state finds everything changed (what ASE's ``get_property`` does on a change)."""
    calculator.atoms = None
    calculator.results = {}


def calculator_identity(calculator: Calculator) -> str:
    """A fallback identity for a calculator: its class and ASE parameters. Callers
    that know more (a level's full settings, a model file's hash) pass `identity`
    to :func:`run_ipi_md` instead: some calculators keep their settings elsewhere."""
    return f"{type(calculator).__name__} {getattr(calculator, 'parameters', '')}"


def file_identity(path: str | Path) -> str:
    """A model file's identity: its SHA-256, so that a retrained model never resumes
    the old model's trajectory."""
    return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _drive_client(
    client: SocketClient,
    calculator: Calculator,
    settings: MDSettings,
    workdir: Path,
    start: _RunStart,
    guard: "_SignalGuard",
    stop_when: Callable[[Atoms], str] | None = None,
) -> tuple[list[Atoms], int, float]:
    """Answer i-PI's force requests with `calculator` until i-PI ends the run, or until
    `stop_when` gives a reason at a kept frame (that frame, with ``info['stop_reason']``,
    is the last).

    Every ``stride``-th step becomes a frame (:func:`_snapshot`); the frames are
    appended to ``frames.partial.extxyz`` at each i-PI checkpoint, so that an
    interrupted run can resume (a stop signal waits until the write is done), and
    progress is logged about 20 times. Returns (the frames, those recorded before
    `start` included; the number of force calls; the seconds from the first call's
    answer to the last one's, i.e. of the steps after the first, i-PI's start-up left out).
    """
    client_atoms = start.init.copy()
    client_atoms.calc = calculator
    report_every = max(1, settings.steps // 20)
    frames, unsaved = start.frames, []
    began = time.perf_counter()
    # One force evaluation per MD step, plus one for the initial (or restart) geometry.
    n_calls, ckpt = 0, settings.checkpoint_stride
    for n_calls, _ in enumerate(client.irun(client_atoms, use_stress=False), start=1):
        if n_calls == 1:  # the steps' clock starts once i-PI is up and the first geometry done
            began = time.perf_counter()
        step = start.first_step + n_calls - 1
        if step % settings.stride == 0:
            unsaved.append(_snapshot(client_atoms, step, settings.timestep_fs))
            reason = stop_when(unsaved[-1]) if stop_when else ""
            if reason:
                unsaved[-1].info["stop_reason"] = reason
                break
        # keep the frames on disk up to each i-PI checkpoint, which it writes
        # only after this step's forces reach it
        if step % ckpt in (0, ckpt - 1) and unsaved:
            with guard.deferred():
                write(workdir / PARTIAL_FRAMES, unsaved, format="extxyz", append=True)
                frames += unsaved
                unsaved = []
        if (step + 1) % ckpt == 0:
            # the next step is one i-PI checkpoints at: compute it from scratch (no SCF
            # guess from this step), as a run resumed there will, so that both agree bit for bit
            forget_state(calculator)
        if n_calls > 1 and step % report_every == 0:
            elapsed = time.perf_counter() - began
            log.info("MD step %d/%d, %.2f ms/step", step, settings.steps, 1000 * elapsed / (n_calls - 1))
    frames += unsaved
    return frames, n_calls, time.perf_counter() - began
