"""Azobenzene cis -> trans paths by driven internal coordinates (paper Sec. II.B.1).

:func:`azobenzene_path` builds the rotation, inversion and rotation+inversion
paths (:data:`MECHANISMS`) by driving φ, θ and the two phenyl twists between
the minima; :func:`isomerisation_profile` tabulates a path with azobenzene's
internal coordinates. The generic path tools come from :mod:`flexmlff.mep`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from ase import Atoms

from flexmlff.geometry import dihedral
from flexmlff.mep import blend, path_profile

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

    return {"ring1": (ids.n2, ids.c1, ortho(ids.c1, ids.n2)), "ring4": (ids.n3, ids.c4, ortho(ids.c4, ids.n3))}


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


def _set_phenyl_twist(
    atoms: Atoms, ring: tuple[int, int, int], plane: tuple[int, int, int], value: float, indices
) -> None:
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

    return {
        "twists": phenyl_twists(atoms, ids),
        "planes": twist_planes(ids, mechanism),
        "c1_side": moving_fragment(atoms, (ids.n2, ids.c1)),
        "c4_side": moving_fragment(atoms, (ids.n3, ids.c4)),
        "n3_side": moving_fragment(atoms, (ids.n2, ids.n3)),
    }


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
        _set_phenyl_twist(driven, twists[ring], topology["planes"][ring], values[ring], [i for i in side if i != ipso])
    return driven


def azobenzene_path(
    cis: Atoms,
    trans: Atoms,
    mechanism: str,
    n_images: int = 15,
    theta_top_deg: float = 155.0,
    rotor: Sequence[int] | None = None,
) -> list[Atoms]:
    """cis → trans azobenzene along one mechanism, by linear interpolation of the driving
    coordinates over ``n_images + 2`` frames (t = 0 … 1).

    `rotor` is the dihedral C1–N2=N3–C4 (atom indices, the molecule's configured φ); by
    default it is found from the bond graph (:func:`~flexmlff.geometry.azobenzene_atoms`).

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

    from flexmlff.geometry import azobenzene_coordinates, check_same_atoms, wrap_degrees

    if mechanism not in MECHANISMS:
        raise ValueError(f"unknown mechanism {mechanism!r}; known: {', '.join(MECHANISMS)}")
    check_same_atoms(trans, cis, "trans minimum")
    ids = rotor_atoms(cis, rotor)
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


def rotor_atoms(atoms: Atoms, rotor: Sequence[int] | None = None):
    """The :class:`~flexmlff.geometry.AzobenzeneAtoms` of a configured rotor dihedral, or
    found from the bond graph of `atoms` when none is given."""
    from flexmlff.geometry import AzobenzeneAtoms, azobenzene_atoms

    return AzobenzeneAtoms(*rotor) if rotor is not None else azobenzene_atoms(atoms)


def isomerisation_profile(images: list[Atoms], rotor: Sequence[int] | None = None) -> pd.DataFrame:
    """:func:`path_profile` of an azobenzene path with φ, θ, θ' (degrees) and a, a', b (Å);
    `rotor` as in :func:`azobenzene_path`."""
    from flexmlff.geometry import azobenzene_coordinates

    table = path_profile(images)
    values = azobenzene_coordinates(np.array([i.positions for i in images]), rotor_atoms(images[0], rotor))
    for name, column in values.items():
        table[f"{name}_{'A' if name in ('a', 'a_prime', 'b') else 'deg'}"] = column
    return table
