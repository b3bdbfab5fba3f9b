"""Collective variables: a molecule's named distances, angles and dihedrals, declared as data.

A molecule's config entry names its collective variables (CVs) under
``collective_variables``. Each is two atoms (a distance, Å), three (an angle i–j–k,
degrees) or four (a dihedral i–j–k–l, degrees), given by

* ``atoms``: 0-based indices into the molecule's minima files (all minima share one
  atom order), and/or
* ``pattern``: the chain's elements joined by bonds, as chemists write it
  (``C-N=N-C``, ``N-C-C-O``). The bond graph (:func:`flexmlff.geometry.bond_graph`)
  knows no bond orders, so ``-``, ``=`` and ``#`` all mean "bonded".

With ``atoms``, a ``pattern`` is a check: the atoms must be those elements, bonded in
that order. Without it, the atoms of an angle or a dihedral must still be a bonded chain
(a distance may join any two atoms). A ``pattern`` alone must match exactly one chain of
the molecule's first minimum; where it matches several (glycine's two N–C–C–O), give
``atoms``.

Everything here is checked on the first minimum before any job runs
(:meth:`flexmlff.planning.Plan.check`): a wrong index, an unbonded chain or a pattern that
matches nothing fails in one line naming the config key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from ase import Atoms
from ase.data import chemical_symbols

from flexmlff.geometry import angle, bond_graph, bonded_paths, dihedral

#: What a CV measures, by its number of atoms.
KINDS = {2: "distance", 3: "angle", 4: "dihedral"}
#: Every kind (a filter that keeps all of them).
ALL_KINDS = tuple(KINDS.values())

#: Bond symbols of a pattern; all three mean "bonded" (the bond graph has no orders).
BOND_SYMBOLS = "-=#"


class CollectiveVariableError(ValueError):
    """A CV that cannot be resolved; `name` is the CV, the message says why."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


@dataclass(frozen=True)
class CollectiveVariable:
    """A named distance (Å), angle or dihedral (degrees) of a molecule."""

    name: str
    atoms: tuple[int, ...]

    @property
    def kind(self) -> str:
        return KINDS[len(self.atoms)]

    @property
    def unit(self) -> str:
        return "A" if self.kind == "distance" else "deg"

    def values(self, positions) -> np.ndarray:
        """The CV along frames (M, N, 3) or for one geometry (N, 3), as an array."""
        frames = np.asarray(positions, dtype=float)
        frames = frames[None] if frames.ndim == 2 else frames
        if self.kind == "distance":
            i, j = self.atoms
            return np.linalg.norm(frames[:, i] - frames[:, j], axis=-1)
        measure = dihedral if self.kind == "dihedral" else angle
        return np.atleast_1d(measure(frames, self.atoms))


def pattern_elements(pattern: str) -> tuple[str, ...]:
    """The elements of a bond pattern (``C-N=N-C`` → C, N, N, C); ValueError if malformed."""
    elements = tuple(re.split(f"[{re.escape(BOND_SYMBOLS)}]", pattern))
    if not 2 <= len(elements) <= 4:
        raise ValueError(f"pattern {pattern!r} has {len(elements)} atoms; a CV has 2, 3 or 4")
    unknown = [e for e in elements if e not in chemical_symbols[1:]]
    if unknown:
        raise ValueError(
            f"pattern {pattern!r}: {', '.join(map(repr, unknown))} is not an element symbol "
            f"(atoms joined by {' '.join(BOND_SYMBOLS)}, e.g. C-N=N-C)"
        )
    return elements


def _describe(atoms: Atoms, indices) -> str:
    symbols = atoms.get_chemical_symbols()
    return "-".join(f"{symbols[i]}{i}" for i in indices)


def check_atoms(atoms: Atoms, indices, pattern: str | None = None) -> tuple[int, ...]:
    """Indices of a CV checked against the molecule `atoms`: 2–4 distinct atoms in range, the
    pattern's elements, and bonded in order for an angle, a dihedral or a patterned distance.
    Returns them as a tuple; raises ValueError saying what is wrong."""
    indices = tuple(int(i) for i in indices)
    if not 2 <= len(indices) <= 4:
        raise ValueError(f"{len(indices)} atoms; a CV has 2 (distance), 3 (angle) or 4 (dihedral)")
    outside = [i for i in indices if not 0 <= i < len(atoms)]
    if outside:
        raise ValueError(f"atom {outside[0]} does not exist: the molecule has {len(atoms)} atoms (0-{len(atoms) - 1})")
    if len(set(indices)) != len(indices):
        raise ValueError(f"atoms {list(indices)} repeat an atom")
    symbols = atoms.get_chemical_symbols()
    if pattern is not None:
        elements = pattern_elements(pattern)
        found = tuple(symbols[i] for i in indices)
        if len(elements) != len(indices) or found != elements:
            raise ValueError(f"atoms {list(indices)} are {_describe(atoms, indices)}, not the pattern {pattern!r}")
    if len(indices) > 2 or pattern is not None:
        neighbours = bond_graph(atoms)
        for a, b in zip(indices, indices[1:]):
            if b not in neighbours[a]:
                distance = float(np.linalg.norm(atoms.positions[a] - atoms.positions[b]))
                raise ValueError(
                    f"atoms {a} and {b} ({symbols[a]}, {symbols[b]}) are not bonded "
                    f"({distance:.2f} Å apart): {_describe(atoms, indices)} is not a bonded chain"
                )
    return indices


def find_pattern(atoms: Atoms, pattern: str) -> tuple[int, ...]:
    """The one chain of bonded atoms of `atoms` that reads `pattern`; ValueError if none or several."""
    chains = bonded_paths(atoms, pattern_elements(pattern))
    if len(chains) != 1:
        found = "no chain" if not chains else f"{len(chains)} chains ({', '.join(_describe(atoms, c) for c in chains)})"
        raise ValueError(f"pattern {pattern!r} matches {found} in the molecule; give `atoms` to pick one")
    return chains[0]


def collective_variable(name: str, spec: dict, atoms: Atoms) -> CollectiveVariable:
    """One CV of a config entry ({atoms: [...], pattern: "..."}) resolved on the molecule `atoms`."""
    pattern = spec.get("pattern")
    if spec.get("atoms") is not None:
        return CollectiveVariable(name, check_atoms(atoms, spec["atoms"], pattern))
    if pattern is None:
        raise ValueError("needs `atoms` or `pattern`")
    return CollectiveVariable(name, find_pattern(atoms, pattern))


def molecule_collective_variables(specs: dict, atoms: Atoms) -> dict[str, CollectiveVariable]:
    """Every CV of a molecule's ``collective_variables`` entry, resolved on its first minimum.

    Raises :class:`CollectiveVariableError`, which names the CV."""
    resolved = {}
    for name, spec in specs.items():
        try:
            resolved[name] = collective_variable(name, spec, atoms)
        except ValueError as err:
            raise CollectiveVariableError(name, str(err)) from None
    return resolved
