import numpy as np
import pytest

from flexmlff.evaluate import error_metrics, mean_baseline
from flexmlff.models import family


@pytest.fixture(scope="module")
def trained(glycine_dataset):
    sgdml = family("sgdml")
    train, valid, test = (glycine_dataset.subset(range(0, 60)), glycine_dataset.subset(range(60, 100)),
                          glycine_dataset.subset(range(100, 300)))
    return sgdml, sgdml.train(train, valid, {"sigmas": [5, 10, 20]}), train, test


def test_sgdml_beats_the_mean_energy_baseline_by_far(trained):
    sgdml, model, train, test = trained
    energies, forces = sgdml.predict(model, test.R)
    errors = error_metrics(energies, test.E, forces, test.F)
    baseline = mean_baseline(train.E, test.E, test.F)
    assert errors["energy_rmse"] < 0.2 * baseline["energy_rmse"]
    assert errors["force_rmse"] < 0.2 * baseline["force_rmse"]


def test_sgdml_chooses_sigma_from_the_grid(trained):
    _, model, _, _ = trained
    assert float(model["sig"]) in (5, 10, 20)


def test_sgdml_save_load_round_trip(trained, tmp_path):
    sgdml, model, _, test = trained
    sgdml.save(model, tmp_path / "model.npz")
    loaded = sgdml.load(tmp_path / "model.npz")
    before, after = sgdml.predict(model, test.R[:5]), sgdml.predict(loaded, test.R[:5])
    assert np.array_equal(before[0], after[0]) and np.array_equal(before[1], after[1])


def test_unknown_family_is_named():
    with pytest.raises(ValueError, match="unknown model family 'schnett'"):
        family("schnett")


def test_sgdml_ase_calculator_answers_in_ev(trained):
    from ase import Atoms

    from flexmlff.units import ev_to_kcal_mol

    sgdml, model, _, test = trained
    energies, forces = sgdml.predict(model, test.R[:1])
    atoms = Atoms(numbers=test.z, positions=test.R[0])
    atoms.calc = sgdml.calculator(model)
    assert ev_to_kcal_mol(atoms.get_potential_energy()) == pytest.approx(energies[0], abs=1e-6)
    assert np.allclose(ev_to_kcal_mol(atoms.get_forces()), forces[0], atol=1e-6)
