"""Geometries built from a SMILES with chosen collective-variable values (flexmlff.building)."""

import numpy as np
import pytest

from flexmlff.building import BuildError, build_geometry, embedded, require_mmff
from flexmlff.collective_variables import check_atoms
from flexmlff.geometry import angle, bond_graph, dihedral

ALANINE_DIPEPTIDE = "CC(=O)N[C@@H](C)C(=O)NC"
PHI, PSI = (1, 3, 4, 6), (3, 4, 6, 8)


def test_atoms_are_the_heavy_atoms_in_smiles_order_then_the_hydrogens():
    atoms = embedded(ALANINE_DIPEPTIDE, seed=1)
    assert "".join(atoms.get_chemical_symbols()) == "CCONCCCONC" + "H" * 12
    # the backbone chains the example config names by index are bonded as its patterns say
    assert check_atoms(atoms, PHI, "C-N-C-C") == PHI
    assert check_atoms(atoms, PSI, "N-C-C-N") == PSI


def test_the_order_does_not_depend_on_the_seed_and_a_seed_repeats():
    first, again, other = (embedded(ALANINE_DIPEPTIDE, seed) for seed in (1, 1, 2))
    assert first.get_chemical_symbols() == other.get_chemical_symbols()
    np.testing.assert_allclose(first.positions, again.positions)
    assert not np.allclose(first.positions, other.positions)


@pytest.mark.parametrize("phi, psi", [(-83.0, 73.0), (73.0, -58.0), (-150.0, 150.0)])
def test_built_geometry_sits_at_the_asked_dihedrals_and_stays_bonded(phi, psi):
    reference = embedded(ALANINE_DIPEPTIDE, seed=3)
    atoms = build_geometry(ALANINE_DIPEPTIDE, {PHI: phi, PSI: psi}, seed=3)
    assert dihedral(atoms.positions, PHI) == pytest.approx(phi, abs=0.5)
    assert dihedral(atoms.positions, PSI) == pytest.approx(psi, abs=0.5)
    # the same molecule: same bonds as the plain embedding, no atoms on top of each other
    assert bond_graph(atoms) == bond_graph(reference)
    distances = np.linalg.norm(atoms.positions[:, None] - atoms.positions[None], axis=-1)
    assert distances[np.triu_indices(len(atoms), 1)].min() > 0.9


def test_angles_and_distances_are_set_too():
    atoms = build_geometry("CCO", {(0, 1, 2): 115.0, (1, 2): 1.50}, seed=0)
    assert angle(atoms.positions, (0, 1, 2)) == pytest.approx(115.0, abs=0.5)
    assert np.linalg.norm(atoms.positions[1] - atoms.positions[2]) == pytest.approx(1.50, abs=0.01)


def test_what_rdkit_cannot_do_is_a_build_error_naming_the_smiles():
    with pytest.raises(BuildError, match="cannot read the SMILES 'C1CC'"):
        embedded("C1CC", seed=0)
    # a bond inside a ring cannot be turned by moving one side of it
    with pytest.raises(BuildError, match="cannot set atoms \\[0, 1, 2, 3\\] of 'C1CCCCC1'"):
        build_geometry("C1CCCCC1", {(0, 1, 2, 3): 0.0}, seed=0)
    # MMFF94 has no boron: refused before anything is built; its atoms still embed, for a
    # molecule whose minima are geometry files
    with pytest.raises(BuildError, match="MMFF94 has no parameters for 'OB\\(O\\)c1ccccc1'.*geometry files"):
        require_mmff("OB(O)c1ccccc1")
    require_mmff("CC(=O)NC")
    assert len(embedded("OB(O)c1ccccc1", seed=0)) == 16  # C6H5B(OH)2
