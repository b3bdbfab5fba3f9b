"""Global molecular descriptors for GDML, written in torch so Jacobians come from autograd.

Paper Sec. IV/V: sGDML's default descriptor is the inverse of every interatomic
distance, ``[1/r]``. The extended descriptor ``[1/r + ang]`` appends, for every
bonded angle Θ (radians),

    D_Θ = (1 − exp(−Θ))² − 1,

and for every bonded dihedral Φ,

    D_Φ = 1 + cos Φ.

Bonded angles and dihedrals are read off one reference structure's bond graph
(:func:`flexmlff.geometry.bond_graph`) and then kept fixed, so every geometry
of a dataset gets features in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from ase import Atoms

from flexmlff.geometry import bond_graph

#: Keeps norms of (near-)zero vectors differentiable: a linear C–N=N gives a zero normal.
_EPS = 1e-12


def bonded_angles(neighbours: list[set[int]]) -> np.ndarray:
    """Every (i, j, k) with i and k bonded to the apex j, i < k; shape (K, 3)."""
    triples = [
        (i, j, k) for j, around in enumerate(neighbours) for i in sorted(around) for k in sorted(around) if i < k
    ]
    return np.array(triples, dtype=int).reshape(-1, 3)


def bonded_dihedrals(neighbours: list[set[int]]) -> np.ndarray:
    """Every (i, j, k, l) along bonds i–j, j–k, k–l with j < k and i ≠ l; shape (L, 4)."""
    quads = [
        (i, j, k, l)
        for j, around in enumerate(neighbours)
        for k in sorted(around)
        if j < k
        for i in sorted(around - {k})
        for l in sorted(neighbours[k] - {j})
        if i != l
    ]
    return np.array(quads, dtype=int).reshape(-1, 4)


def _norm(v: torch.Tensor) -> torch.Tensor:
    return torch.sqrt((v * v).sum(-1) + _EPS)


@dataclass(frozen=True)
class Descriptor:
    """Inverse distances, optionally with the bonded angle and dihedral features.

    ``angles`` and ``dihedrals`` are atom index arrays; both empty gives sGDML's
    plain ``[1/r]``.
    """

    n_atoms: int
    angles: np.ndarray
    dihedrals: np.ndarray

    @classmethod
    def inverse_distances(cls, n_atoms: int) -> "Descriptor":
        return cls(n_atoms, np.zeros((0, 3), dtype=int), np.zeros((0, 4), dtype=int))

    @classmethod
    def extended(cls, reference: Atoms) -> "Descriptor":
        """``[1/r + ang]`` with the bonded angles and dihedrals of `reference`."""
        neighbours = bond_graph(reference)
        return cls(len(reference), bonded_angles(neighbours), bonded_dihedrals(neighbours))

    @property
    def size(self) -> int:
        n = self.n_atoms
        return n * (n - 1) // 2 + len(self.angles) + len(self.dihedrals)

    def torch_values(self, R: torch.Tensor) -> torch.Tensor:
        """Descriptor of positions R (..., N, 3) in Å: shape (..., size)."""
        i, j = np.triu_indices(self.n_atoms, 1)
        features = [1.0 / _norm(R[..., i, :] - R[..., j, :])]
        if len(self.angles):
            a, b, c = self.angles.T
            u, v = R[..., a, :] - R[..., b, :], R[..., c, :] - R[..., b, :]
            theta = torch.atan2(_norm(torch.linalg.cross(u, v)), (u * v).sum(-1))
            features.append((1.0 - torch.exp(-theta)) ** 2 - 1.0)
        if len(self.dihedrals):
            a, b, c, d = self.dihedrals.T
            b1, b2, b3 = (R[..., b, :] - R[..., a, :], R[..., c, :] - R[..., b, :], R[..., d, :] - R[..., c, :])
            n1, n2 = torch.linalg.cross(b1, b2), torch.linalg.cross(b2, b3)
            cos_phi = (n1 * n2).sum(-1) / (_norm(n1) * _norm(n2))
            features.append(1.0 + cos_phi)
        return torch.cat(features, dim=-1)

    def values(self, R: np.ndarray) -> np.ndarray:
        """Descriptors (M, size) of positions R (M, N, 3)."""
        with torch.no_grad():
            return self.torch_values(torch.as_tensor(np.asarray(R, dtype=float))).numpy()

    def jacobians(self, R: np.ndarray) -> np.ndarray:
        """d(descriptor)/d(positions) for each frame: shape (M, size, 3N)."""
        R = torch.as_tensor(np.asarray(R, dtype=float))
        jac = torch.func.vmap(torch.func.jacrev(self.torch_values))(R)
        return jac.reshape(len(R), self.size, -1).numpy()
