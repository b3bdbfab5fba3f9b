"""Minima and minimum-energy paths for any molecule.

* :func:`relax` optimises a geometry at a reference level;
  :func:`optimise_at_fixed_dihedrals` does so with dihedrals held.
* :func:`minimum_energy_path` runs ASE's nudged elastic band (improved tangent,
  climbing image) or the string method between two minima, with the same number
  of images for both, and reports whether it converged.
* :func:`driven_path` turns named dihedrals linearly from one minimum to another,
  the rest interpolated between the two, and relaxes every frame at the driven values
  (constrained optimisation), for any molecule.
* :func:`path_profile` tabulates a path in the paper's units (kcal/mol relative
  to the first frame) with the named torsions of the molecule.

The azobenzene paths driven by internal coordinates are in
:mod:`flexmlff.azobenzene_paths`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from ase import Atoms
from ase.calculators.calculator import CalculationFailed, Calculator
from ase.calculators.singlepoint import SinglePointCalculator
from ase.mep import NEB, idpp_interpolate
from ase.optimize import BFGS, FIRE

from flexmlff.geometry import dihedral
from flexmlff.units import ev_to_kcal_mol

log = logging.getLogger(__name__)

#: MEP methods: ASE NEB keyword arguments for each.
MEP_METHODS = {
    "neb": {"method": "improvedtangent", "climb": True},
    "string": {"method": "string", "climb": False},
}


@dataclass
class OptimisationResult:
    """How an optimisation ended (forces in eV/Å, ASE's convention)."""

    converged: bool
    steps: int
    max_force_eV_per_A: float
    # what failed on the way (the SCF on an image of a band, which stops it; on a frame of a
    # driven path, which is then kept as interpolated)
    failure: str | None = None


def _max_force(forces: np.ndarray) -> float:
    return float(np.sqrt((np.asarray(forces) ** 2).sum(axis=-1)).max())


def freeze_results(atoms: Atoms) -> Atoms:
    """A copy of `atoms` carrying its current energy and forces as fixed results: the level's
    own forces, not those a constraint projects (the frames are reference labels for models)."""
    frozen = atoms.copy()
    frozen.calc = SinglePointCalculator(
        frozen, energy=atoms.get_potential_energy(), forces=atoms.get_forces(apply_constraint=False)
    )
    return frozen


def relax(atoms: Atoms, calc: Calculator, fmax: float, max_steps: int) -> tuple[Atoms, OptimisationResult]:
    """Minimise `atoms` with BFGS until the largest force is below `fmax` (eV/Å)."""
    work = atoms.copy()
    work.calc = calc
    optimiser = BFGS(work, logfile=None)
    converged = bool(optimiser.run(fmax=fmax, steps=max_steps))
    result = OptimisationResult(converged, optimiser.get_number_of_steps(), _max_force(work.get_forces()))
    log.info("relaxed: %s", asdict(result))
    return freeze_results(work), result


def minimum_energy_path(
    start: Atoms,
    end: Atoms,
    calculator_factory: Callable[[], Calculator],
    method: str,
    n_images: int,
    fmax: float,
    max_steps: int,
    spring_constant: float = 0.1,
    driving_torsion: tuple[int, int, int, int] | None = None,
) -> tuple[list[Atoms], OptimisationResult]:
    """Optimise a path of `n_images` intermediate images between two minima.

    The band starts from an IDPP interpolation, refined from a path that turns
    `driving_torsion` (see :func:`interpolate_torsion`) when one is given: a
    Cartesian start would push a rotating group through its neighbours. `method` is ``"neb"`` (improved
    tangent with a climbing image) or ``"string"``; rotation and translation are
    removed for both, as molecules in vacuum need. Returns all ``n_images + 2``
    frames with their energies and forces, and how the optimisation ended.
    """
    if method not in MEP_METHODS:
        raise ValueError(f"unknown MEP method {method!r}; known: {', '.join(MEP_METHODS)}")
    if driving_torsion is None:
        images = [start.copy()] + [start.copy() for _ in range(n_images)] + [end.copy()]
    else:
        images = interpolate_torsion(start, end, driving_torsion, n_images)
    for image in images:
        image.calc = calculator_factory()
    band = NEB(images, k=spring_constant, remove_rotation_and_translation=True, **MEP_METHODS[method])
    if driving_torsion is None:
        band.interpolate()
    idpp_interpolate(band, traj=None, log=None)
    optimiser = FIRE(band, logfile=None)
    last_good = [image.positions.copy() for image in images]
    failure = None
    try:
        for step, _ in enumerate(optimiser.irun(fmax=fmax, steps=max_steps), start=1):
            last_good = [image.positions.copy() for image in images]
            if step % 50 == 0:
                log.info("%s step %d: max NEB force %.4f eV/A", method, step, _max_force(band.get_forces()))
    except CalculationFailed as err:
        # a band driven into nonsense (the paper's azobenzene case) makes the
        # electronic structure fail: report it, keep the last band that had results
        failure = f"calculation failed after {optimiser.get_number_of_steps()} steps: {err}"
        log.warning("%s: %s", method, failure)
        for image, positions in zip(images, last_good):
            image.positions = positions
            image.calc = calculator_factory()  # a failed SCF may leave its state behind
    max_force = _max_force(band.get_forces())
    converged = failure is None and max_force < fmax
    result = OptimisationResult(converged, optimiser.get_number_of_steps(), max_force, failure)
    log.info("%s finished: %s", method, asdict(result))
    return [freeze_results(image) for image in images], result


def path_coordinate(images: list[Atoms]) -> np.ndarray:
    """Cumulative Cartesian distance along the path (Å), starting at 0."""
    steps = [np.linalg.norm(b.positions - a.positions) for a, b in zip(images, images[1:])]
    return np.concatenate([[0.0], np.cumsum(steps)])


def path_profile(images: list[Atoms], torsions: dict[str, tuple[int, ...]] | None = None) -> pd.DataFrame:
    """Per-frame table: image, path coordinate (Å), energy relative to frame 0 (kcal/mol),
    largest atomic force (kcal/(mol Å); the level's own force, so a frame relaxed at fixed
    dihedrals keeps the force along them) and every named torsion (degrees)."""
    energies = ev_to_kcal_mol(np.array([image.get_potential_energy() for image in images]))
    table = pd.DataFrame(
        {
            "image": np.arange(len(images)),
            "path_coordinate_A": path_coordinate(images),
            "energy_kcal_mol": energies - energies[0],
            "max_force_kcal_mol_A": [ev_to_kcal_mol(_max_force(i.get_forces())) for i in images],
        }
    )
    for name, quadruple in (torsions or {}).items():
        table[f"{name}_deg"] = [dihedral(i.positions, quadruple) for i in images]
    return table


def highest_point(profile: pd.DataFrame) -> pd.Series:
    """The row of the highest-energy frame of a path profile."""
    return profile.loc[profile["energy_kcal_mol"].idxmax()]


def blend(forward: Atoms, backward: Atoms, t: float) -> Atoms:
    """(1 − t)·forward + t·backward, after superimposing backward on forward.

    Both geometries already carry the driven coordinates of frame t; the blend
    interpolates everything else linearly between the two minima they came from.
    """
    from ase.build import minimize_rotation_and_translation

    backward = backward.copy()
    minimize_rotation_and_translation(forward, backward)
    frame = forward.copy()
    frame.positions = (1.0 - t) * forward.positions + t * backward.positions
    return frame


def interpolate_dihedrals(start: Atoms, end: Atoms, quadruples, n_images: int, impose: bool = True) -> list[Atoms]:
    """Initial path that turns dihedrals together from their start to their end values.

    Frame t (0…1) blends two geometries with the dihedrals at the same intermediate
    values: the start minimum twisted forward by t·Δτ and the end minimum twisted back by
    (1−t)·Δτ (aligned onto the first), each dihedral turning the side of its central bond
    that holds its last atom. Δτ is the shortest signed rotation. The rest of the molecule
    thus moves linearly between the minima, while a twisted group never passes through
    its neighbours as a Cartesian interpolation would make it. The end frame is the end
    minimum rigidly aligned onto the start. The blend moves the dihedrals a little off their
    values; with `impose` they are set on it again, so that each frame holds them exactly.
    """
    from ase.build import minimize_rotation_and_translation

    from flexmlff.geometry import moving_fragment, wrap_degrees

    quadruples = [tuple(q) for q in quadruples]
    groups = [moving_fragment(start, (j, k)) for _, j, k, _ in quadruples]
    tau_start = [dihedral(start.positions, q) for q in quadruples]
    delta = [float(wrap_degrees(dihedral(end.positions, q) - t0)) for q, t0 in zip(quadruples, tau_start)]
    end = end.copy()
    minimize_rotation_and_translation(start, end)

    def turned(atoms: Atoms, t: float) -> Atoms:
        """A copy of `atoms` with every dihedral at its value of frame t."""
        atoms = atoms.copy()
        for (i, j, k, l), group, t0, d in zip(quadruples, groups, tau_start, delta):
            atoms.set_dihedral(i, j, k, l, t0 + t * d, indices=group)
        return atoms

    frames = [start.copy()]
    for t in np.linspace(0.0, 1.0, n_images + 2)[1:-1]:
        frame = blend(turned(start, t), turned(end, t), t)
        frames.append(turned(frame, t) if impose else frame)
    frames.append(end)
    return frames


def interpolate_torsion(start: Atoms, end: Atoms, quadruple: tuple[int, int, int, int], n_images: int) -> list[Atoms]:
    """Initial path that turns one torsion (:func:`interpolate_dihedrals` with one), as the
    MEP's starting band: NEB moves it anyway, so the blend's values are left as they are."""
    return interpolate_dihedrals(start, end, [quadruple], n_images, impose=False)


def optimise_at_fixed_dihedrals(
    atoms: Atoms, calc: Calculator, quadruples, fmax: float, max_steps: int
) -> tuple[Atoms, OptimisationResult]:
    """Relax every coordinate but the dihedrals `quadruples`, held at their current values
    (ASE ``FixInternals``)."""
    from ase.constraints import FixInternals

    work = atoms.copy()
    held = [[dihedral(work.positions, q) % 360.0, list(q)] for q in quadruples]
    work.set_constraint(FixInternals(dihedrals_deg=held))
    work.calc = calc
    optimiser = BFGS(work, logfile=None)
    converged = bool(optimiser.run(fmax=fmax, steps=max_steps))
    result = OptimisationResult(converged, optimiser.get_number_of_steps(), _max_force(work.get_forces()))
    relaxed = freeze_results(work)
    relaxed.set_constraint()
    return relaxed, result


def optimise_at_fixed_torsion(
    atoms: Atoms, calc: Calculator, quadruple, fmax: float, max_steps: int
) -> tuple[Atoms, OptimisationResult]:
    """Relax every coordinate but the torsion `quadruple`, held at its current value."""
    return optimise_at_fixed_dihedrals(atoms, calc, [quadruple], fmax, max_steps)


def driven_path(
    start: Atoms,
    end: Atoms,
    calculator_factory: Callable[[], Calculator],
    quadruples,
    n_images: int,
    optimise: bool = True,
    fmax: float = 0.05,
    max_steps: int = 300,
) -> tuple[list[Atoms], OptimisationResult]:
    """A path that drives dihedrals linearly between two minima (:func:`interpolate_dihedrals`),
    every intermediate frame relaxed with the driven dihedrals held when `optimise`, else
    only evaluated. Returns the ``n_images + 2`` frames with energies and forces, and a
    summary: converged when every frame did, the BFGS steps of all frames, the largest force
    left on an intermediate frame (eV/Å: the residual of a relaxed frame, the whole force of
    a frame kept as interpolated; the end minima do not count).

    A frame whose relaxation fails (the SCF does not converge on the way, as it can far from
    a minimum) is kept as interpolated, evaluated afresh, and named in the summary's
    ``failure`` (its BFGS steps before the failure are not counted); the path goes on. A frame
    that cannot be evaluated even as interpolated ends the path (CalculationFailed).
    """
    frames = interpolate_dihedrals(start, end, quadruples, n_images)
    out, steps, largest, converged, failures = [], 0, 0.0, True, []
    for index, frame in enumerate(frames):
        relax = optimise and 0 < index < len(frames) - 1
        if relax:
            try:
                relaxed, result = optimise_at_fixed_dihedrals(frame, calculator_factory(), quadruples, fmax, max_steps)
                steps, converged = steps + result.steps, converged and result.converged
                largest = max(largest, result.max_force_eV_per_A)
                log.info("frame %d: %s", index, asdict(result))
            except CalculationFailed as err:
                failures.append(f"frame {index}: calculation failed while relaxing, kept as interpolated: {err}")
                log.warning(failures[-1])
                converged, relax = False, False
        if not relax:
            # a fresh calculator: a failed SCF may leave its state behind
            relaxed = single_points([frame], calculator_factory())[0]
            largest = max(largest, _max_force(relaxed.get_forces())) if 0 < index < len(frames) - 1 else largest
        out.append(relaxed)
    return out, OptimisationResult(converged, steps, largest, "; ".join(failures) or None)


def single_points(frames: list[Atoms], calc: Calculator) -> list[Atoms]:
    """Each frame with the energy and forces of `calc`, as fixed results."""
    out = []
    for frame in frames:
        work = frame.copy()
        work.calc = calc
        out.append(freeze_results(work))
    return out
