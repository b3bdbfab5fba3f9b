import numpy as np
import pytest
from ase import Atoms

from flexmlff.evaluate import error_metrics, mean_baseline
from flexmlff.models import family
from flexmlff.units import ev_to_kcal_mol


@pytest.fixture(scope="module")
def parts(glycine_dataset):
    return (glycine_dataset.subset(range(0, 60)), glycine_dataset.subset(range(60, 100)),
            glycine_dataset.subset(range(100, 300)))


@pytest.fixture(scope="module")
def extended(parts):
    train, valid, _ = parts
    return family("sgdml_ang").train(train, valid, {"sigmas": [10, 20, 40]})


def test_inverse_distance_mode_reproduces_the_sgdml_package(parts):
    train, valid, test = parts
    ours = family("sgdml_ang").train(train, valid, {"sigmas": [10], "descriptor": "inverse_distances"})
    sgdml = family("sgdml")
    reference = sgdml.train(train, valid, {"sigmas": [10], "use_sym": False})
    energies, forces = family("sgdml_ang").predict(ours, test.R)
    ref_energies, ref_forces = sgdml.predict(reference, test.R)
    assert ours.c == pytest.approx(float(reference["c"]), abs=1e-5)
    assert np.allclose(energies, ref_energies, atol=1e-5)
    assert np.allclose(forces, ref_forces, atol=1e-5)


def test_extended_gdml_beats_the_mean_energy_baseline_by_far(extended, parts):
    train, _, test = parts
    energies, forces = family("sgdml_ang").predict(extended, test.R)
    errors = error_metrics(energies, test.E, forces, test.F)
    baseline = mean_baseline(train.E, test.E, test.F)
    assert extended.descriptor.size > 45  # 45 inverse distances + angles + dihedrals
    assert errors["energy_rmse"] < 0.3 * baseline["energy_rmse"]
    assert errors["force_rmse"] < 0.3 * baseline["force_rmse"]


def test_extended_gdml_forces_are_the_energy_gradient(extended, parts):
    model, R = extended, parts[2].R[:1].copy()
    gdml = family("sgdml_ang")
    _, forces = gdml.predict(model, R)
    step = 1e-4
    for atom, axis in ((0, 0), (4, 2), (9, 1)):
        up, down = R.copy(), R.copy()
        up[0, atom, axis] += step
        down[0, atom, axis] -= step
        numeric = -(gdml.predict(model, up)[0][0] - gdml.predict(model, down)[0][0]) / (2 * step)
        assert forces[0, atom, axis] == pytest.approx(numeric, rel=1e-5, abs=1e-5)


def test_extended_gdml_save_load_and_ase_calculator(extended, parts, tmp_path):
    gdml, test = family("sgdml_ang"), parts[2]
    gdml.save(extended, tmp_path / "model.npz")
    again = gdml.load(tmp_path / "model.npz")
    energies, forces = gdml.predict(extended, test.R[:3])
    energies2, forces2 = gdml.predict(again, test.R[:3])
    assert np.array_equal(energies, energies2) and np.array_equal(forces, forces2)
    atoms = Atoms(numbers=test.z, positions=test.R[0])
    atoms.calc = gdml.calculator(again)
    assert ev_to_kcal_mol(atoms.get_potential_energy()) == pytest.approx(energies[0], abs=1e-8)
    assert np.allclose(ev_to_kcal_mol(atoms.get_forces()), forces[0], atol=1e-8)


def test_unknown_descriptor_is_named(parts):
    train, valid, _ = parts
    with pytest.raises(ValueError, match="models.sgdml_ang.descriptor: unknown descriptor 'angles'"):
        family("sgdml_ang").train(train, valid, {"descriptor": "angles"})
