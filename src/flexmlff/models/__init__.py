"""Model families behind one small interface.

Each family module provides ``train(train, validation, settings, threads)``
returning a model object, ``save(model, path)``, ``load(path)`` and
``predict(model, R) -> (E, F)`` in the dataset units (kcal/mol, kcal/(mol Å)).
:func:`family` returns the module of a family by its config name.
"""

from importlib import import_module

FAMILIES = {"sgdml": "flexmlff.models.sgdml"}


def family(name: str):
    """The module implementing model family `name`."""
    if name not in FAMILIES:
        raise ValueError(f"unknown model family {name!r}; known: {', '.join(FAMILIES)}")
    return import_module(FAMILIES[name])
