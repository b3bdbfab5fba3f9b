import pytest
from ase.build import molecule

from flexmlff.calculators import level_label, make_calculator
from flexmlff.units import ev_to_kcal_mol


def test_unknown_level_and_bad_options_are_named():
    with pytest.raises(ValueError, match="unknown reference level 'dft'"):
        make_calculator("dft")
    with pytest.raises(ValueError, match="bad options for reference level 'xtb'"):
        make_calculator("xtb", {"methd": "GFN2-xTB"})


def test_aims_needs_its_program():
    with pytest.raises(ValueError, match="'command'.*'species_dir'"):
        make_calculator("aims", {})


def test_gfn1_and_gfn2_are_different_hamiltonians():
    water = molecule("H2O")
    energies = []
    for method in ("GFN2-xTB", "GFN1-xTB"):
        atoms = water.copy()
        atoms.calc = make_calculator("xtb", {"method": method})
        energies.append(atoms.get_potential_energy())
    assert abs(energies[0] - energies[1]) > 1.0  # eV: different reference energies


def test_pyscf_forces_are_the_energy_gradient_and_d3_is_applied():
    water = molecule("H2O")
    water.positions[0, 2] += 0.05
    options = {"basis": "sto-3g", "conv_tol": 1e-11}
    atoms = water.copy()
    atoms.calc = make_calculator("pyscf", options)
    forces = atoms.get_forces()
    step = 1e-3
    for atom, axis in ((0, 2), (1, 1)):
        energies = []
        for sign in (1, -1):
            displaced = water.copy()
            displaced.positions[atom, axis] += sign * step
            displaced.calc = make_calculator("pyscf", options)
            energies.append(displaced.get_potential_energy())
        assert forces[atom, axis] == pytest.approx(-(energies[0] - energies[1]) / (2 * step), abs=2e-3)
    plain = water.copy()
    plain.calc = make_calculator("pyscf", {**options, "dispersion": None})
    d3 = ev_to_kcal_mol(atoms.get_potential_energy() - plain.get_potential_energy())
    assert -1.0 < d3 < 0.0  # D3(BJ) of one water molecule: a small attraction


def test_level_labels_name_the_method():
    assert level_label("xtb", {"method": "GFN1-xTB"}) == "GFN1-xTB"
    assert level_label("xtb", {}) == "GFN2-xTB"
    assert level_label("pyscf", {}) == "PBE-D3BJ/def2-SVP"
    assert level_label("pyscf", {"dispersion": None, "basis": "def2-tzvp"}) == "PBE/def2-TZVP"
    assert level_label("aims", {"command": "aims.x"}) == "FHI-aims PBE+TS"


def test_gfn1_without_d3_loses_the_dispersion_binding_of_stacked_benzenes():
    benzene = molecule("C6H6")
    stacked = benzene + benzene.copy()
    stacked.positions[12:, 2] += 3.8  # Å, parallel stacking: bound by dispersion alone

    def binding_kcal_mol(options):
        energies = []
        for atoms in (stacked.copy(), benzene.copy()):
            atoms.calc = make_calculator("xtb", options)
            energies.append(atoms.get_potential_energy())
        return ev_to_kcal_mol(energies[0] - 2 * energies[1])

    assert binding_kcal_mol({"method": "GFN1-xTB"}) < -2.0
    assert abs(binding_kcal_mol({"method": "GFN1-xTB", "dispersion": False})) < 0.3
    assert level_label("xtb", {"method": "GFN1-xTB", "dispersion": False}) == "GFN1-xTB without D3"
    with pytest.raises(ValueError, match="GFN1-xTB only"):
        make_calculator("xtb", {"method": "GFN2-xTB", "dispersion": False})
