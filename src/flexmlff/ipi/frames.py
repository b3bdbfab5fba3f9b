"""A run's frames against i-PI's own record: the frame kept at a step, i-PI's
properties table, and the checks that the two agree and that the run is whole."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ase import Atoms
from ase.calculators.singlepoint import SinglePointCalculator

from flexmlff.ipi.settings import _IPI_LOG, PREFIX, PROPERTIES, MDSettings
from flexmlff.units import hartree_to_kcal_mol, kcal_mol_to_ev


def _snapshot(atoms: Atoms, step: int, timestep_fs: float) -> Atoms:
    """A frame of the client's current geometry with the results just computed (read
    from the calculator: its getters would compare the state again)."""
    results = atoms.calc.results
    frame = Atoms(numbers=atoms.numbers, positions=atoms.positions.copy())
    frame.calc = SinglePointCalculator(
        frame, energy=float(results["energy"]), forces=np.array(results["forces"], dtype=float)
    )
    frame.info["step"] = step
    frame.info["time_ps"] = round(step * timestep_fs * 1e-3, 9)
    return frame


def read_properties(workdir: str | Path) -> np.ndarray:
    """i-PI's properties table (columns as in :data:`PROPERTIES`; energies in Hartree).

    After a restart the earlier segments are in i-PI's backups (``#md.out#0#``, …):
    all are read, oldest first, a later segment's row replacing an earlier one's.
    """
    workdir = Path(workdir)
    segments = sorted(workdir.glob(f"#{PREFIX}.out#*#"), key=lambda p: int(p.name.split("#")[2]))
    rows = {}
    for segment in [*segments, workdir / f"{PREFIX}.out"]:
        for line in segment.read_text().splitlines():
            values = line.split()
            if values and not line.startswith("#"):
                try:
                    row = np.array(values, dtype=float)
                except ValueError:  # a line cut short when the run was killed
                    continue
                rows[int(row[0])] = row
    return np.array([rows[step] for step in sorted(rows)])


def check_against_properties(
    frames: list[Atoms], workdir: str | Path, first_step: int = 0, tolerance_ev: float = 1e-4
) -> None:
    """Raise unless each frame's energy is i-PI's logged potential energy at its step.

    Every frame from `first_step` on must be in i-PI's properties; frames of an
    earlier, interrupted segment are checked where i-PI flushed them before it died.
    """
    properties = read_properties(workdir)
    logged = dict(zip(properties[:, 0].astype(int), properties[:, PROPERTIES.index("potential")]))
    for frame in frames:
        step = frame.info["step"]
        if step not in logged:
            # a restarted i-PI logs from the step after its checkpoint
            if step < first_step or step == first_step > 0:
                continue
            raise RuntimeError(f"step {step} is missing from i-PI's properties in {workdir}")
        ipi_ev = kcal_mol_to_ev(hartree_to_kcal_mol(logged[step]))
        if abs(ipi_ev - frame.get_potential_energy()) > tolerance_ev:
            raise RuntimeError(
                f"step {step}: client energy {frame.get_potential_energy():.6f} eV differs from "
                f"i-PI's {ipi_ev:.6f} eV; frames and i-PI steps are out of step"
            )


def _check_frames(frames: list[Atoms], settings: MDSettings, workdir: Path, first_step: int, stopped: bool) -> None:
    """The final checks: each frame's energy is the one i-PI logged for its step
    (:func:`check_against_properties`) and the run has all its frames (a run the client
    `stopped` early: those up to its end; i-PI may not have flushed the last ones' steps)."""
    if stopped:
        logged = [int(row[0]) for row in read_properties(workdir)] if (workdir / f"{PREFIX}.out").exists() else []
        check_against_properties([f for f in frames if f.info["step"] <= max(logged, default=-1)], workdir, first_step)
        return
    check_against_properties(frames, workdir, first_step)
    if len(frames) != settings.n_frames:
        raise RuntimeError(
            f"the run produced {len(frames)} frames, expected {settings.n_frames}; see {workdir / _IPI_LOG}"
        )
