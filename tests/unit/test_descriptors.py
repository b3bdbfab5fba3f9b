import numpy as np
import pytest
from ase.io import read
from conftest import GEOMETRIES

from flexmlff.descriptors import Descriptor, bonded_angles, bonded_dihedrals
from flexmlff.geometry import angle, bond_graph, dihedral


def test_bonded_angles_and_dihedrals_of_a_chain():
    # 0-1-2-3 chain with a branch 4 on atom 1
    neighbours = [{1}, {0, 2, 4}, {1, 3}, {2}, {1}]
    assert bonded_angles(neighbours).tolist() == [[0, 1, 2], [0, 1, 4], [2, 1, 4], [1, 2, 3]]
    assert bonded_dihedrals(neighbours).tolist() == [[0, 1, 2, 3], [4, 1, 2, 3]]


def test_azobenzene_extended_descriptor_counts_and_values():
    atoms = read(GEOMETRIES / "azobenzene_trans.xyz")
    descriptor = Descriptor.extended(atoms)
    n_bonds = sum(len(n) for n in bond_graph(atoms)) // 2
    assert n_bonds == 25  # 12 C-C (two rings), 10 C-H, 2 C-N, 1 N=N
    assert descriptor.size == 24 * 23 // 2 + len(descriptor.angles) + len(descriptor.dihedrals)
    x = descriptor.values(atoms.positions[None])[0]
    i, j = np.triu_indices(24, 1)
    assert np.allclose(x[:276], 1 / np.linalg.norm(atoms.positions[i] - atoms.positions[j], axis=1))
    # every feature against the paper's formulas, from the geometry module's angles and dihedrals
    thetas = np.radians([angle(atoms.positions, t) for t in descriptor.angles])
    phis = np.radians([dihedral(atoms.positions, q) for q in descriptor.dihedrals])
    assert np.allclose(x[276 : 276 + len(thetas)], (1 - np.exp(-thetas)) ** 2 - 1)
    assert np.allclose(x[276 + len(thetas) :], 1 + np.cos(phis))
    # trans: the C-N=N-C dihedral is 180 degrees, so its feature is 1 + cos(pi) = 0
    assert np.isclose(x[276 + len(thetas) :].min(), 0.0, atol=1e-3)


@pytest.mark.parametrize("extended", [False, True])
def test_descriptor_jacobian_matches_finite_differences(extended):
    atoms = read(GEOMETRIES / "glycine_Ip.xyz")
    rng = np.random.default_rng(3)
    R = atoms.positions + rng.normal(scale=0.05, size=atoms.positions.shape)
    descriptor = Descriptor.extended(atoms) if extended else Descriptor.inverse_distances(len(atoms))
    J = descriptor.jacobians(R[None])[0]
    step = 1e-5
    numeric = np.empty_like(J)
    for k in range(R.size):
        up, down = R.copy().ravel(), R.copy().ravel()
        up[k] += step
        down[k] -= step
        numeric[:, k] = (descriptor.values(up.reshape(1, -1, 3))[0] - descriptor.values(down.reshape(1, -1, 3))[0]) / (
            2 * step
        )
    assert J.shape == (descriptor.size, 3 * len(atoms))
    assert np.allclose(J, numeric, atol=1e-6)
