import numpy as np
import pytest
from ase import Atoms

from flexmlff.models import family
from flexmlff.units import ev_to_kcal_mol

SMALL = {"max_epochs": 5, "n_interactions": 2, "n_atom_basis": 16, "batch_size": 10}


@pytest.fixture(scope="module")
def trained(glycine_dataset):
    schnet = family("schnet")
    train, valid = glycine_dataset.subset(range(0, 30)), glycine_dataset.subset(range(30, 40))
    return schnet, schnet.train(train, valid, SMALL), glycine_dataset.subset(range(100, 110))


def test_schnet_has_the_configured_architecture(trained):
    _, model, _ = trained
    assert len(model.representation.interactions) == 2
    assert float(model.representation.cutoff) == pytest.approx(5.0)


def test_schnet_save_load_predict_and_ase_calculator_agree(trained, tmp_path):
    schnet, model, test = trained
    schnet.save(model, tmp_path / "model.pt")
    again = schnet.load(tmp_path / "model.pt")
    energies, forces = schnet.predict(model, test.R, test.z)
    energies2, forces2 = schnet.predict(again, test.R, test.z)
    assert energies.shape == (10,) and forces.shape == (10, 10, 3)
    assert np.allclose(energies, energies2) and np.allclose(forces, forces2)
    # forces are the energy's negative gradient: check one component by finite differences
    step = 1e-3
    shifted = test.R[:1].copy()
    shifted[0, 0, 0] += step
    up, _ = schnet.predict(again, shifted, test.z)
    shifted[0, 0, 0] -= 2 * step
    down, _ = schnet.predict(again, shifted, test.z)
    assert forces[0, 0, 0] == pytest.approx(-(up[0] - down[0]) / (2 * step), abs=0.05)
    # schnetpack's ASE calculator answers in eV
    atoms = Atoms(numbers=test.z, positions=test.R[0])
    atoms.calc = schnet.calculator(again)
    assert ev_to_kcal_mol(atoms.get_potential_energy()) == pytest.approx(energies[0], abs=1e-2)


def test_schnet_beats_the_mean_energy_baseline_by_far(glycine_dataset):
    from flexmlff.evaluate import error_metrics, mean_baseline

    schnet = family("schnet")
    train, valid, test = (glycine_dataset.subset(range(0, 100)), glycine_dataset.subset(range(100, 140)),
                          glycine_dataset.subset(range(140, 300)))
    model = schnet.train(train, valid, {"max_epochs": 60, "n_interactions": 2, "n_atom_basis": 32,
                                        "batch_size": 10, "learning_rate": 1e-3})
    energies, forces = schnet.predict(model, test.R, test.z)
    errors = error_metrics(energies, test.E, forces, test.F)
    baseline = mean_baseline(train.E, test.E, test.F)
    assert errors["energy_rmse"] < 0.5 * baseline["energy_rmse"]
    assert errors["force_rmse"] < 0.5 * baseline["force_rmse"]
