import numpy as np
import pytest

from flexmlff.models import _gdml, family


@pytest.fixture(scope="module")
def parts(glycine_dataset):
    return (
        glycine_dataset.subset(range(0, 60)),
        glycine_dataset.subset(range(60, 100)),
        glycine_dataset.subset(range(100, 300)),
    )


@pytest.fixture(scope="module")
def extended(parts):
    train, valid, _ = parts
    return family("sgdml_ang").train(train, valid, {"sigmas": [10, 20, 40]})


def test_inverse_distance_mode_reproduces_the_sgdml_package(parts):
    train, valid, test = parts
    ours = family("sgdml_ang").train(
        train, valid, {"sigmas": [10], "descriptor": "inverse_distances", "use_sym": False}
    )
    sgdml = family("sgdml")
    reference = sgdml.train(train, valid, {"sigmas": [10], "use_sym": False})
    energies, forces = family("sgdml_ang").predict(ours, test.R)
    ref_energies, ref_forces = sgdml.predict(reference, test.R)
    assert ours.c == pytest.approx(float(reference["c"]), abs=1e-5)
    assert np.allclose(energies, ref_energies, atol=1e-5)
    assert np.allclose(forces, ref_forces, atol=1e-5)


def test_symmetrised_inverse_distance_mode_reproduces_the_symmetrised_sgdml_package(parts):
    train, valid, test = parts
    record = {}
    ours = family("sgdml_ang").train(
        train, valid, {"sigmas": [10], "descriptor": "inverse_distances", "use_sym": True}, record=record
    )
    sgdml = family("sgdml")
    reference = sgdml.train(train, valid, {"sigmas": [10], "use_sym": True})
    # glycine's symmetries: more than the identity, and the same group as sGDML's
    assert record["chosen"]["n_permutations"] == len(reference["perms"]) > 1
    energies, forces = family("sgdml_ang").predict(ours, test.R)
    ref_energies, ref_forces = sgdml.predict(reference, test.R)
    assert np.allclose(forces, ref_forces, atol=1e-5)
    assert np.allclose(energies, ref_energies, atol=1e-5)


def test_symmetrised_model_is_invariant_under_its_permutations(parts):
    train, valid, test = parts
    gdml = family("sgdml_ang")
    model = gdml.train(train, valid, {"sigmas": [20], "use_sym": True})
    perms = _gdml.find_permutations(train)
    energies, forces = gdml.predict(model, test.R[:3])
    for perm in perms[1:]:
        permuted_energies, permuted_forces = gdml.predict(model, test.R[:3][:, perm])
        assert np.allclose(permuted_energies, energies, atol=1e-6)
        assert np.allclose(permuted_forces, forces[:, perm], atol=1e-6)


def test_extended_descriptor_has_angles_and_dihedrals_beyond_the_inverse_distances(extended):
    assert extended.descriptor.size > 45  # 45 inverse distances + angles + dihedrals


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


def test_unknown_descriptor_is_named(parts):
    train, valid, _ = parts
    with pytest.raises(ValueError, match="models.sgdml_ang.descriptor: unknown descriptor 'angles'"):
        family("sgdml_ang").train(train, valid, {"descriptor": "angles"})
