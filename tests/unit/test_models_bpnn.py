import numpy as np
import pytest
import torch
from ase import Atoms

from flexmlff.evaluate import error_metrics, mean_baseline
from flexmlff.models import MODEL_FILES, family
from flexmlff.units import ev_to_kcal_mol


@pytest.fixture(scope="module")
def trained(glycine_dataset):
    bpnn = family("bpnn")
    train, valid, test = (glycine_dataset.subset(range(0, 100)), glycine_dataset.subset(range(100, 140)),
                          glycine_dataset.subset(range(140, 300)))
    return bpnn, bpnn.train(train, valid, {"max_epochs": 150, "learning_rate": 3e-3}), train, test


def test_bpnn_has_one_network_per_element_and_a_5_angstrom_cutoff(trained):
    _, model, _, _ = trained
    assert model.elements == [1, 6, 7, 8]
    assert set(model.networks.atomics) == {"H", "C", "N", "O"}
    assert model.aev.radial.cutoff == pytest.approx(5.0)


def test_bpnn_beats_the_mean_energy_baseline_by_far(trained):
    bpnn, model, train, test = trained
    energies, forces = bpnn.predict(model, test.R, test.z)
    errors = error_metrics(energies, test.E, forces, test.F)
    baseline = mean_baseline(train.E, test.E, test.F)
    assert errors["energy_rmse"] < 0.3 * baseline["energy_rmse"]
    assert errors["force_rmse"] < 0.5 * baseline["force_rmse"]


def test_bpnn_energy_is_a_sum_of_atomic_energies(trained):
    _, model, _, test = trained
    z = torch.as_tensor(test.z[None])
    R = torch.as_tensor(test.R[:1], dtype=torch.float32)
    species = model.species(z)
    atomic = model.networks(species, model.aev(species, R), atomic=True)
    assert atomic.shape == (1, 10)
    assert float(atomic.sum()) + float(model.energy_shift) == pytest.approx(float(model(z, R)[0]), abs=1e-3)


def test_bpnn_save_load_round_trip_and_ase_calculator(trained, tmp_path):
    bpnn, model, _, test = trained
    path = tmp_path / MODEL_FILES["bpnn"]
    bpnn.save(model, path)
    again = bpnn.load(path)
    energies, forces = bpnn.predict(model, test.R[:4], test.z)
    energies2, forces2 = bpnn.predict(again, test.R[:4], test.z)
    assert np.allclose(energies, energies2) and np.allclose(forces, forces2)
    atoms = Atoms(numbers=test.z, positions=test.R[0])
    atoms.calc = bpnn.calculator(again)
    # float32 networks: a batch of one sums in another order than a batch of four
    assert ev_to_kcal_mol(atoms.get_potential_energy()) == pytest.approx(energies[0], abs=1e-4)
    assert np.allclose(ev_to_kcal_mol(atoms.get_forces()), forces[0], atol=1e-4)
