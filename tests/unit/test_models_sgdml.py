import pytest

from flexmlff.models import family


@pytest.fixture(scope="module")
def trained(glycine_dataset):
    sgdml = family("sgdml")
    train, valid, test = (
        glycine_dataset.subset(range(0, 60)),
        glycine_dataset.subset(range(60, 100)),
        glycine_dataset.subset(range(100, 300)),
    )
    return sgdml, sgdml.train(train, valid, {"sigmas": [5, 10, 20]}), train, test


def test_sgdml_chooses_sigma_from_the_grid(trained):
    _, model, _, _ = trained
    assert float(model["sig"]) in (5, 10, 20)


def test_unknown_family_is_named():
    with pytest.raises(ValueError, match="unknown model family 'schnett'"):
        family("schnett")


def test_importing_sgdml_leaves_no_stderr_handler_of_its_own():
    # sgdml's import gave every later logger a stderr handler: each line twice in a job's log
    import logging

    from flexmlff.sgdml_package import import_sgdml

    sgdml = import_sgdml()
    import sgdml.train  # noqa: F401, F811  (creates sgdml's module loggers)

    assert type(logging.getLogger("flexmlff.test.a_logger_made_after_sgdml")) is logging.Logger
    for logger in logging.Logger.manager.loggerDict.values():
        assert not any(isinstance(h.formatter, sgdml.ColoredFormatter) for h in getattr(logger, "handlers", []))
