"""Geometry: dihedrals, angles and distances, the bond graph and chains of bonded atoms.

A molecule's named coordinates are data (its ``collective_variables`` config entry,
:mod:`flexmlff.collective_variables`); this module measures them. The one molecule-type
helper left is :class:`AzobenzeneAtoms`, the X1–N2=N3–X4 rotor of an azobenzene-type
double-bond isomerisation (paper Fig. 1): φ = X1–N2=N3–X4 (dihedral), θ = X1–N2=N3 and
θ' = N2=N3–X4 (angles), a = X1–N2 and a' = N3–X4 (bonds), b = N2=N3 (bond).

All angles are in degrees; dihedrals are wrapped to (-180°, 180°].
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.geometry import get_angles, get_dihedrals
from ase.io import read
from ase.neighborlist import natural_cutoffs, neighbor_list

#: Bonds are atom pairs closer than this multiple of the sum of covalent radii.
BOND_TOLERANCE = 1.2


def wrap_degrees(angle):
    """Wrap angles in degrees to the interval (-180, 180]."""
    wrapped = np.mod(np.asarray(angle, dtype=float) + 180.0, 360.0) - 180.0
    return np.where(wrapped == -180.0, 180.0, wrapped)


def _frames(positions) -> np.ndarray:
    positions = np.asarray(positions, dtype=float)
    return positions[None] if positions.ndim == 2 else positions


def dihedral(positions, quadruple: Sequence[int]):
    """Dihedral angle i–j–k–l in degrees for one geometry (N, 3) or many (M, N, 3).

    Returns a float for one geometry and an array of M values otherwise.
    """
    frames = _frames(positions)
    i, j, k, l = quadruple
    values = wrap_degrees(
        get_dihedrals(
            frames[:, j] - frames[:, i],
            frames[:, k] - frames[:, j],
            frames[:, l] - frames[:, k],
        )
    )
    return float(values[0]) if np.ndim(positions) == 2 else values


def angle(positions, triple: Sequence[int]):
    """Bond angle i–j–k in degrees for one geometry (N, 3) or many (M, N, 3)."""
    frames = _frames(positions)
    i, j, k = triple
    values = get_angles(frames[:, i] - frames[:, j], frames[:, k] - frames[:, j])
    return float(values[0]) if np.ndim(positions) == 2 else values


def pairwise_distances(positions) -> np.ndarray:
    """All interatomic distances (Å) of each frame: shape (frames, n(n-1)/2), pairs i < j."""
    frames = _frames(positions)
    i, j = np.triu_indices(frames.shape[1], 1)
    return np.linalg.norm(frames[:, i] - frames[:, j], axis=-1)


def bond_graph(atoms: Atoms, tolerance: float = BOND_TOLERANCE) -> list[set[int]]:
    """Neighbours of every atom: pairs closer than `tolerance` × (r_cov,i + r_cov,j)."""
    molecule = atoms.copy()
    molecule.pbc = False
    cutoffs = natural_cutoffs(molecule, mult=tolerance)
    first, second = neighbor_list("ij", molecule, cutoffs)
    neighbours: list[set[int]] = [set() for _ in range(len(atoms))]
    for a, b in zip(first, second):
        neighbours[a].add(int(b))
    return neighbours


def bonded_paths(atoms: Atoms, elements: Sequence[str]) -> list[tuple[int, ...]]:
    """Every chain of bonded atoms whose chemical symbols read `elements` in order.

    Each chain is reported once (a palindromic pattern is not reported twice).
    """
    symbols = atoms.get_chemical_symbols()
    neighbours = bond_graph(atoms)
    chains = [(i,) for i, s in enumerate(symbols) if s == elements[0]]
    for element in elements[1:]:
        chains = [
            chain + (n,)
            for chain in chains
            for n in sorted(neighbours[chain[-1]])
            if symbols[n] == element and n not in chain
        ]
    if tuple(elements) == tuple(elements[::-1]):
        # a palindromic pattern finds every chain in both directions
        chains = {min(chain, chain[::-1]) for chain in chains}
    return sorted(chains)


@dataclass(frozen=True)
class AzobenzeneAtoms:
    """The rotor X1–N2=N3–X4 of an azobenzene-type isomerisation (paper Fig. 1): the atoms
    of φ, in order. θ is on the X1–N2 side. Built from a configured dihedral
    (``AzobenzeneAtoms(*atoms)``) or found by :func:`azobenzene_atoms`.
    """

    c1: int
    n2: int
    n3: int
    c4: int

    @property
    def phi(self) -> tuple[int, int, int, int]:
        return (self.c1, self.n2, self.n3, self.c4)

    @property
    def theta(self) -> tuple[int, int, int]:
        return (self.c1, self.n2, self.n3)

    @property
    def theta_prime(self) -> tuple[int, int, int]:
        return (self.n2, self.n3, self.c4)


def azobenzene_atoms(atoms: Atoms) -> AzobenzeneAtoms:
    """Find C1–N2=N3–C4 of azobenzene from the bond graph, θ on the side of the
    lower-indexed nitrogen (ValueError if absent)."""
    chains = bonded_paths(atoms, ("C", "N", "N", "C"))
    if len(chains) != 1:
        raise ValueError(f"expected one C-N=N-C chain in azobenzene, found {len(chains)}")
    c1, n2, n3, c4 = chains[0]
    if n3 < n2:
        c1, n2, n3, c4 = c4, n3, n2, c1
    return AzobenzeneAtoms(c1, n2, n3, c4)


def azobenzene_coordinates(positions, atoms: AzobenzeneAtoms) -> dict:
    """φ, θ, θ' (degrees) and a, a', b (Å) for one geometry or an (M, N, 3) stack."""
    frames = _frames(positions)

    def bond(i, j):
        values = np.linalg.norm(frames[:, i] - frames[:, j], axis=-1)
        return float(values[0]) if np.ndim(positions) == 2 else values

    return {
        "phi": dihedral(positions, atoms.phi),
        "theta": angle(positions, atoms.theta),
        "theta_prime": angle(positions, atoms.theta_prime),
        "a": bond(atoms.c1, atoms.n2),
        "a_prime": bond(atoms.n3, atoms.c4),
        "b": bond(atoms.n2, atoms.n3),
    }


def moving_fragment(atoms: Atoms, bond: tuple[int, int]) -> list[int]:
    """Atoms on the `bond[1]` side of a bond: what turns when the bond is twisted."""
    fixed, pivot = bond
    neighbours = bond_graph(atoms)
    seen, stack = {pivot}, [pivot]
    while stack:
        for n in neighbours[stack.pop()]:
            if n not in seen and n != fixed:
                seen.add(n)
                stack.append(n)
    if fixed in seen:
        raise ValueError(f"bond {bond} is in a ring: twisting it moves the whole molecule")
    return sorted(seen)


def check_same_atoms(atoms: Atoms, reference: Atoms, source: str) -> None:
    """Raise a ValueError naming `source` if `atoms` differs in elements or their order."""
    got, want = atoms.get_chemical_symbols(), reference.get_chemical_symbols()
    if got != want:
        raise ValueError(
            f"{source}: atoms {''.join(got)} do not match the reference "
            f"{''.join(want)} (same elements in the same order are required)"
        )


#: Closer than this (Å), two atoms overlap: no bond is shorter (H2: 0.74 Å).
MIN_DISTANCE_A = 0.5


class GeometryError(ValueError):
    """A geometry file that cannot be used; the message names the file."""


def read_geometry(path: str | Path) -> Atoms:
    """The first frame of a geometry file, or a one-line :class:`GeometryError` naming
    the file and the problem: unreadable, no atoms, or atoms overlapping (often a
    file in Bohr read as Å)."""
    try:
        atoms = read(path)
    except FileNotFoundError:
        raise GeometryError(f"{path}: geometry file not found") from None
    except Exception as err:  # ASE raises many kinds for a malformed file
        reason = " ".join(str(err).split()) or type(err).__name__
        raise GeometryError(f"{path}: cannot read a geometry ({reason})") from None
    if len(atoms) == 0:
        raise GeometryError(f"{path}: the geometry has no atoms")
    if len(atoms) > 1:
        distances = pairwise_distances(atoms.positions)[0]
        closest = int(np.argmin(distances))
        if distances[closest] < MIN_DISTANCE_A:
            i, j = (int(k[closest]) for k in np.triu_indices(len(atoms), 1))
            raise GeometryError(
                f"{path}: atoms {i} and {j} ({atoms[i].symbol}, {atoms[j].symbol}) are "
                f"{distances[closest]:.3f} Å apart, closer than {MIN_DISTANCE_A} Å (positions must be in Å)"
            )
    return atoms
