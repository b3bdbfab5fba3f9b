import pytest

from flexmlff.models import family


@pytest.fixture(scope="module")
def trained(glycine_dataset):
    sgdml = family("sgdml")
    train, valid, test = (glycine_dataset.subset(range(0, 60)), glycine_dataset.subset(range(60, 100)),
                          glycine_dataset.subset(range(100, 300)))
    return sgdml, sgdml.train(train, valid, {"sigmas": [5, 10, 20]}), train, test


def test_sgdml_chooses_sigma_from_the_grid(trained):
    _, model, _, _ = trained
    assert float(model["sig"]) in (5, 10, 20)


def test_unknown_family_is_named():
    with pytest.raises(ValueError, match="unknown model family 'schnett'"):
        family("schnett")
