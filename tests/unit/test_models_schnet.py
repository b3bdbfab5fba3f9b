import pytest

from flexmlff.models import family

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


def test_schnet_forces_are_the_energy_gradient(trained):
    schnet, model, test = trained
    _, forces = schnet.predict(model, test.R, test.z)
    # forces are the energy's negative gradient: check one component by finite differences
    step = 1e-3
    shifted = test.R[:1].copy()
    shifted[0, 0, 0] += step
    up, _ = schnet.predict(model, shifted, test.z)
    shifted[0, 0, 0] -= 2 * step
    down, _ = schnet.predict(model, shifted, test.z)
    assert forces[0, 0, 0] == pytest.approx(-(up[0] - down[0]) / (2 * step), abs=0.05)


def test_schnet_training_is_bit_reproducible_for_a_seed(trained, glycine_dataset):
    """Two trainings of the same frames, seed and threads give the very same network."""
    import numpy as np

    schnet, model, test = trained
    train, valid = glycine_dataset.subset(range(0, 30)), glycine_dataset.subset(range(30, 40))
    again = schnet.train(train, valid, SMALL)
    for first, second in zip(schnet.predict(model, test.R, test.z), schnet.predict(again, test.R, test.z)):
        assert np.array_equal(first, second)
