"""Minima and minimum-energy paths.

* :func:`relax` optimises a geometry at a reference level.
* :func:`minimum_energy_path` runs ASE's nudged elastic band (improved tangent,
  climbing image) or the string method between two minima, with the same number
  of images for both, and reports whether it converged.
* :func:`path_profile` tabulates a path in the paper's units (kcal/mol relative
  to the first frame) with the named torsions of the molecule.
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
    failure: str | None = None  # why it stopped early (e.g. the SCF failed on an image)


def _max_force(forces: np.ndarray) -> float:
    return float(np.sqrt((np.asarray(forces) ** 2).sum(axis=-1)).max())


def freeze_results(atoms: Atoms) -> Atoms:
    """A copy of `atoms` carrying its current energy and forces as fixed results."""
    frozen = atoms.copy()
    frozen.calc = SinglePointCalculator(
        frozen, energy=atoms.get_potential_energy(), forces=atoms.get_forces()
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
    band = NEB(images, k=spring_constant, remove_rotation_and_translation=True,
               **MEP_METHODS[method])
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
                log.info("%s step %d: max NEB force %.4f eV/A", method, step,
                         _max_force(band.get_forces()))
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
    largest atomic force (kcal/(mol Å)) and every named torsion (degrees)."""
    energies = ev_to_kcal_mol(np.array([image.get_potential_energy() for image in images]))
    table = pd.DataFrame({
        "image": np.arange(len(images)),
        "path_coordinate_A": path_coordinate(images),
        "energy_kcal_mol": energies - energies[0],
        "max_force_kcal_mol_A": [ev_to_kcal_mol(_max_force(i.get_forces())) for i in images],
    })
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


def interpolate_torsion(start: Atoms, end: Atoms, quadruple: tuple[int, int, int, int],
                        n_images: int) -> list[Atoms]:
    """Initial path that turns one torsion from its start to its end value.

    Frame t (0…1) blends two geometries with the torsion at the same
    intermediate value: the start minimum twisted forward by t·Δτ and the end
    minimum twisted back by (1−t)·Δτ (aligned onto the first). Δτ is the
    shortest signed rotation. The rest of the molecule thus moves linearly
    between the minima, while the twisted group never passes through its
    neighbours as a Cartesian interpolation would make it. The end frame is
    the end minimum rigidly aligned onto the start.
    """
    from ase.build import minimize_rotation_and_translation

    from flexmlff.geometry import moving_fragment, wrap_degrees

    i, j, k, l = quadruple
    group = moving_fragment(start, (j, k))
    tau_start, tau_end = dihedral(start.positions, quadruple), dihedral(end.positions, quadruple)
    delta = float(wrap_degrees(tau_end - tau_start))
    end = end.copy()
    minimize_rotation_and_translation(start, end)
    frames = [start.copy()]
    for t in np.linspace(0.0, 1.0, n_images + 2)[1:-1]:
        forward, backward = start.copy(), end.copy()
        forward.set_dihedral(i, j, k, l, tau_start + t * delta, indices=group)
        backward.set_dihedral(i, j, k, l, tau_start + t * delta, indices=group)
        frames.append(blend(forward, backward, t))
    frames.append(end)
    return frames


# --- azobenzene cis -> trans by driven internal coordinates (paper Sec. II.B.1) ----------

#: Mechanisms and the coordinates each one drives.
MECHANISMS = ("rotation", "inversion", "rotation_inversion")


def _rotate(positions: np.ndarray, indices, origin, axis, angle_deg: float) -> np.ndarray:
    """Rotate the atoms `indices` by `angle_deg` about `axis` through `origin` (right hand)."""
    from scipy.spatial.transform import Rotation

    axis = np.asarray(axis, dtype=float) / np.linalg.norm(axis)
    rotation = Rotation.from_rotvec(np.radians(angle_deg) * axis)
    out = positions.copy()
    out[indices] = rotation.apply(positions[indices] - origin) + origin
    return out


def _swing_c1(atoms: Atoms, ids, degrees: float, c1_side: list[int]) -> Atoms:
    """Open θ = C1–N2=N3 by `degrees` in its own plane, through 180° if asked:
    the C1 phenyl (`c1_side`) turns about N2 around the normal of the C1–N2–N3 plane."""
    pos = atoms.positions
    axis = np.cross(pos[ids.n3] - pos[ids.n2], pos[ids.c1] - pos[ids.n2])
    swung = atoms.copy()
    # rotating C1 about n = (N3-N2) x (C1-N2) moves it away from N3: θ grows
    swung.positions = _rotate(pos, c1_side, pos[ids.n2], axis, degrees)
    return swung


def phenyl_twists(atoms: Atoms, ids) -> dict[str, tuple[int, int, int]]:
    """(nitrogen, ipso, ortho) of each phenyl ring: N2–C1–C(ortho) and N3–C4–C(ortho),
    with the lower-indexed ortho carbon; :func:`phenyl_twist` measures each ring's twist."""
    from flexmlff.geometry import bond_graph

    neighbours, symbols = bond_graph(atoms), atoms.get_chemical_symbols()

    def ortho(ipso, nitrogen):
        return min(n for n in neighbours[ipso] if n != nitrogen and symbols[n] == "C")

    return {"ring1": (ids.n2, ids.c1, ortho(ids.c1, ids.n2)),
            "ring4": (ids.n3, ids.c4, ortho(ids.c4, ids.n3))}


def _plane_normal(positions: np.ndarray, plane: tuple[int, int, int]) -> np.ndarray:
    """Unit normal of the plane through three atoms."""
    a, b, c = positions[list(plane)]
    normal = np.cross(b - a, c - b)
    return normal / np.linalg.norm(normal)


def twist_planes(ids, mechanism: str) -> dict[str, tuple[int, int, int]]:
    """The plane each ring's twist is measured against: its own C–N=N plane, except for
    ring 1 during inversion, where C1–N2=N3 turns linear and the N2=N3–C4 plane (the
    same plane while φ stays at 0 or 180°) takes over."""
    own1 = (ids.c1, ids.n2, ids.n3)
    own4 = (ids.n2, ids.n3, ids.c4)
    return {"ring1": own4 if mechanism == "inversion" else own1, "ring4": own4}


def phenyl_twist(positions: np.ndarray, ring: tuple[int, int, int], plane: tuple[int, int, int]) -> float:
    """Twist of a ring about its N–C(ipso) bond (degrees): the torsion from the normal of
    `plane` to the ortho carbon. A reference atom in the plane would line up with
    N–C(ipso) somewhere along the inversion path; the normal never does."""
    nitrogen, ipso, ortho = ring
    reference = positions[nitrogen] + _plane_normal(positions, plane)
    return float(dihedral(np.vstack([reference, positions[[nitrogen, ipso, ortho]]]), (0, 1, 2, 3)))


def _set_phenyl_twist(atoms: Atoms, ring: tuple[int, int, int], plane: tuple[int, int, int],
                      value: float, indices) -> None:
    """Turn the ring atoms `indices` about the N–C(ipso) bond to the twist `value` (degrees)."""
    from flexmlff.geometry import wrap_degrees

    nitrogen, ipso, _ = ring
    turn = float(wrap_degrees(value - phenyl_twist(atoms.positions, ring, plane)))
    pos = atoms.positions
    atoms.positions = _rotate(pos, indices, pos[ipso], pos[ipso] - pos[nitrogen], turn)


def _topology(atoms: Atoms, ids, mechanism: str) -> dict:
    """What `_drive` turns, from a minimum's bond graph: the two phenyl twists and the
    atoms on the C1 side of N2–C1, the C4 side of N3–C4 and the N3 side of N2=N3.
    Taken once: mid-path contacts would fake bonds in a driven geometry."""
    from flexmlff.geometry import moving_fragment

    return {"twists": phenyl_twists(atoms, ids), "planes": twist_planes(ids, mechanism),
            "c1_side": moving_fragment(atoms, (ids.n2, ids.c1)),
            "c4_side": moving_fragment(atoms, (ids.n3, ids.c4)),
            "n3_side": moving_fragment(atoms, (ids.n2, ids.n3))}


def _drive(atoms: Atoms, ids, topology: dict, mechanism: str, values: dict, swing: float) -> Atoms:
    """`atoms` with its driven coordinates set: φ (rotation, rotation_inversion),
    θ (rotation_inversion) or an in-plane swing of C1 by `swing` degrees
    (inversion), then the two phenyl twists (all mechanisms)."""
    driven = atoms.copy()
    c1_side, c4_side, twists = topology["c1_side"], topology["c4_side"], topology["twists"]
    if mechanism in ("rotation", "rotation_inversion"):
        driven.set_dihedral(*ids.phi, values["phi"], indices=topology["n3_side"])
    if mechanism == "rotation_inversion":
        # ASE turns the third atom's side: name C1 last
        driven.set_angle(ids.n3, ids.n2, ids.c1, values["theta"], indices=c1_side)
    if mechanism == "inversion":
        if swing:
            driven = _swing_c1(driven, ids, swing, c1_side)
        # the small twist about N=N left from the minima, on the side C1 is on now
        side = 0.0 if values["psi"] < 180.0 else 180.0
        driven.set_dihedral(*ids.phi, side + values["phi_offset"], indices=topology["n3_side"])
    for ring, side, ipso in (("ring1", c1_side, ids.c1), ("ring4", c4_side, ids.c4)):
        _set_phenyl_twist(driven, twists[ring], topology["planes"][ring], values[ring],
                          [i for i in side if i != ipso])
    return driven


def azobenzene_path(cis: Atoms, trans: Atoms, mechanism: str, n_images: int = 15,
                    theta_top_deg: float = 155.0) -> list[Atoms]:
    """cis → trans azobenzene along one mechanism, by linear interpolation of the driving
    coordinates over ``n_images + 2`` frames (t = 0 … 1).

    Driving coordinates, per mechanism:

    * ``rotation``: φ = C1–N2=N3–C4 from φ_cis to φ_trans (shortest way), the C4
      phenyl turning about N2=N3;
    * ``inversion``: θ = C1–N2=N3 opened in its plane from θ_cis through the linear
      N2=N3–C1 arrangement (180°) to θ_trans on the other side, the C1 phenyl
      swinging about N2; φ jumps from cis to trans at the linear point;
    * ``rotation_inversion``: φ as for rotation, and θ from θ_cis up to
      `theta_top_deg` at t = ½ and back down to θ_trans.

    In all three the twist of each phenyl ring about its N–C bond
    (:func:`phenyl_twist`, against the plane :func:`twist_planes` names) goes
    linearly from its cis to its trans value.
    Every other coordinate (θ' and θ where not driven, the bonds a, a', b and
    the ring geometries) is interpolated linearly in Cartesian space: frame t is
    the blend (1 − t)·A + t·B of the cis minimum A and the trans minimum B, each
    first given the driven values of frame t and then optimally superimposed.
    The driven values (except the inversion swing) are imposed again on the
    blend. Frame 0 is the cis minimum and the last frame the trans minimum
    (superimposed on cis); no frame is relaxed.
    """
    from ase.build import minimize_rotation_and_translation

    from flexmlff.geometry import (
        azobenzene_atoms,
        azobenzene_coordinates,
        check_same_atoms,
        wrap_degrees,
    )

    if mechanism not in MECHANISMS:
        raise ValueError(f"unknown mechanism {mechanism!r}; known: {', '.join(MECHANISMS)}")
    check_same_atoms(trans, cis, "trans minimum")
    ids = azobenzene_atoms(cis)
    start, end = azobenzene_coordinates(cis.positions, ids), azobenzene_coordinates(trans.positions, ids)
    topology = _topology(cis, ids, mechanism)
    for name, ring in topology["twists"].items():
        start[name] = phenyl_twist(cis.positions, ring, topology["planes"][name])
        end[name] = phenyl_twist(trans.positions, ring, topology["planes"][name])
    delta = {k: float(wrap_degrees(end[k] - start[k])) for k in ("phi", "ring1", "ring4")}
    total_swing = (360.0 - end["theta"]) - start["theta"]
    end_frame = trans.copy()
    minimize_rotation_and_translation(cis, end_frame)
    frames = [cis.copy()]
    for t in np.linspace(0.0, 1.0, n_images + 2)[1:-1]:
        values = {k: start[k] + t * delta[k] for k in delta}
        values["psi"] = start["theta"] + t * total_swing
        values["phi_offset"] = (1 - t) * start["phi"] + t * float(wrap_degrees(end["phi"] - 180.0))
        if t <= 0.5:
            values["theta"] = start["theta"] + 2 * t * (theta_top_deg - start["theta"])
        else:
            values["theta"] = theta_top_deg + (2 * t - 1) * (end["theta"] - theta_top_deg)
        forward = _drive(cis, ids, topology, mechanism, values, t * total_swing)
        backward = _drive(end_frame, ids, topology, mechanism, values, (1.0 - t) * total_swing)
        frames.append(_drive(blend(forward, backward, t), ids, topology, mechanism, values, 0.0))
    frames.append(end_frame)
    # one orientation along the path (viewers, MD starts): each frame on the one before
    for previous, frame in zip(frames, frames[1:]):
        minimize_rotation_and_translation(previous, frame)
    return frames


def optimise_at_fixed_torsion(atoms: Atoms, calc: Calculator, quadruple, fmax: float,
                              max_steps: int) -> tuple[Atoms, OptimisationResult]:
    """Relax every coordinate but the torsion `quadruple`, held at its current value."""
    from ase.constraints import FixInternals

    from flexmlff.geometry import dihedral

    work = atoms.copy()
    work.set_constraint(FixInternals(dihedrals_deg=[[dihedral(work.positions, quadruple) % 360.0,
                                                     list(quadruple)]]))
    work.calc = calc
    optimiser = BFGS(work, logfile=None)
    converged = bool(optimiser.run(fmax=fmax, steps=max_steps))
    result = OptimisationResult(converged, optimiser.get_number_of_steps(), _max_force(work.get_forces()))
    relaxed = freeze_results(work)
    relaxed.set_constraint()
    return relaxed, result


def single_points(frames: list[Atoms], calc: Calculator) -> list[Atoms]:
    """Each frame with the energy and forces of `calc`, as fixed results."""
    out = []
    for frame in frames:
        work = frame.copy()
        work.calc = calc
        out.append(freeze_results(work))
    return out


def isomerisation_profile(images: list[Atoms]) -> pd.DataFrame:
    """:func:`path_profile` of an azobenzene path with φ, θ, θ' (degrees) and a, a', b (Å)."""
    from flexmlff.geometry import azobenzene_atoms, azobenzene_coordinates

    table = path_profile(images)
    values = azobenzene_coordinates(np.array([i.positions for i in images]), azobenzene_atoms(images[0]))
    for name, column in values.items():
        table[f"{name}_{'A' if name in ('a', 'a_prime', 'b') else 'deg'}"] = column
    return table


#: Paper Table I and Sec. II.B.1: highest point above cis-azobenzene at PBE+TS, kcal/mol
#: (rotation+inversion has two peaks, 27.5 and 27.6).
PAPER_BARRIERS_KCAL_MOL = {"rotation": 30.2, "inversion": 27.4, "rotation_inversion": 27.6,
                           "optimised_rotation": 26.1}
