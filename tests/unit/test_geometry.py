from pathlib import Path

import numpy as np
import pytest
from ase import Atoms
from ase.build import molecule
from ase.io import read

from flexmlff import geometry


def four_points(phi_deg):
    phi = np.radians(phi_deg)
    return np.array([[1, 0, 0], [0, 0, 0], [0, 0, 1], [np.cos(phi), np.sin(phi), 1.0]])


@pytest.mark.parametrize("phi", [0.0, 45.0, 90.0, 135.0, 179.0, -179.0, -90.0, -30.0])
def test_dihedral_value_and_sign(phi):
    assert geometry.dihedral(four_points(phi), (0, 1, 2, 3)) == pytest.approx(phi, abs=1e-9)


def test_dihedral_wraps_to_half_open_interval():
    assert geometry.wrap_degrees(190.0) == pytest.approx(-170.0)
    assert geometry.wrap_degrees(-180.0) == 180.0
    assert geometry.wrap_degrees(540.0) == 180.0
    assert geometry.dihedral(four_points(180.0), (0, 1, 2, 3)) == pytest.approx(180.0)


def test_dihedral_and_angle_vectorised_over_frames():
    frames = np.array([four_points(p) for p in (10.0, -100.0, 170.0)])
    assert np.allclose(geometry.dihedral(frames, (0, 1, 2, 3)), [10.0, -100.0, 170.0])
    assert np.allclose(geometry.angle(frames, (0, 1, 2)), 90.0)


def test_bond_graph_of_ethanol():
    ethanol = molecule("CH3CH2OH")
    neighbours = geometry.bond_graph(ethanol)
    assert sum(len(n) for n in neighbours) // 2 == 8
    assert len(geometry.bonded_paths(ethanol, ("C", "C", "O", "H"))) == 1


def test_moving_fragment_is_the_carboxyl_group(glycine_ip, glycine_torsions):
    n, ca, c, o = glycine_torsions["tau1"]
    group = geometry.moving_fragment(glycine_ip, (ca, c))
    assert sorted(glycine_ip.get_chemical_symbols()[i] for i in group) == ["C", "H", "O", "O"]
    assert ca not in group and c in group


def test_check_same_atoms_names_the_file(glycine_ip):
    wrong = Atoms("NCCOOHHHHC", positions=glycine_ip.positions)
    with pytest.raises(ValueError, match="bad.xyz"):
        geometry.check_same_atoms(wrong, glycine_ip, "bad.xyz")
    geometry.check_same_atoms(glycine_ip.copy(), glycine_ip, "good.xyz")


@pytest.mark.parametrize("name, phi", [("cis", 8.0), ("trans", 180.0)])
def test_azobenzene_degrees_of_freedom_from_the_bond_graph(name, phi):
    atoms = read(Path(__file__).parents[2] / "resources" / "geometries" / f"azobenzene_{name}.xyz")
    order = np.random.default_rng(2).permutation(len(atoms))
    for structure in (atoms, atoms[order]):
        found = geometry.azobenzene_atoms(structure)
        symbols = structure.get_chemical_symbols()
        assert [symbols[i] for i in found.phi] == ["C", "N", "N", "C"]
        assert found.n2 < found.n3
        values = geometry.azobenzene_coordinates(structure.positions, found)
        assert abs(geometry.wrap_degrees(values["phi"] - phi)) < 1e-6
        assert values["theta"] == pytest.approx(114.0) and values["theta_prime"] == pytest.approx(114.0)
        assert values["a"] == pytest.approx(1.42) and values["b"] == pytest.approx(1.25)


def test_pairwise_distances_of_a_right_triangle():
    triangle = np.array([[0.0, 0, 0], [3, 0, 0], [0, 4, 0]])
    assert np.allclose(geometry.pairwise_distances(triangle), [[3, 4, 5]])
    assert geometry.pairwise_distances(np.stack([triangle, 2 * triangle])).shape == (2, 3)
