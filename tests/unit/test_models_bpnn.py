import pytest
import torch

from flexmlff.models import family


@pytest.fixture(scope="module")
def trained(glycine_dataset):
    # the architecture and the sum over atoms hold for any weights: two epochs (how well BPNN
    # learns is the contract's check, test_model_contract.py)
    bpnn = family("bpnn")
    train, valid, test = (
        glycine_dataset.subset(range(0, 100)),
        glycine_dataset.subset(range(100, 140)),
        glycine_dataset.subset(range(140, 300)),
    )
    return bpnn, bpnn.train(train, valid, {"max_epochs": 2, "learning_rate": 3e-3}), train, test


def test_bpnn_has_one_network_per_element_and_a_5_angstrom_cutoff(trained):
    _, model, _, _ = trained
    assert model.elements == [1, 6, 7, 8]
    assert set(model.networks.atomics) == {"H", "C", "N", "O"}
    assert model.aev.radial.cutoff == pytest.approx(5.0)


def test_bpnn_energy_is_a_sum_of_atomic_energies(trained):
    _, model, _, test = trained
    z = torch.as_tensor(test.z[None])
    R = torch.as_tensor(test.R[:1], dtype=torch.float32)
    species = model.species(z)
    atomic = model.networks(species, model.aev(species, R), atomic=True)
    assert atomic.shape == (1, 10)
    assert float(atomic.sum()) + float(model.energy_shift) == pytest.approx(float(model(z, R)[0]), abs=1e-3)


def test_bpnn_training_is_bit_reproducible_whatever_the_threads_it_is_given(trained, glycine_dataset):
    """The same seed trains the same network on a laptop's one thread and a node's four."""
    import numpy as np

    bpnn, model, train, test = trained
    again = bpnn.train(
        train, glycine_dataset.subset(range(100, 140)), {"max_epochs": 2, "learning_rate": 3e-3}, threads=4
    )
    assert torch.get_num_threads() == 1
    for first, second in zip(bpnn.predict(model, test.R, test.z), bpnn.predict(again, test.R, test.z)):
        assert np.array_equal(first, second)
