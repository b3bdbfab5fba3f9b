"""GDML with sGDML's own descriptor [1/r], in flexmlff's own implementation.

The like-for-like baseline of the extended descriptor (paper Fig. 6b): the same
implementation, kernel, solve, symmetries and σ selection as
:mod:`flexmlff.models.sgdml_ang`; only the descriptor differs. (The ``sgdml`` family is the
sgdml package itself; with symmetries on both, the two are the same model.)
"""

from __future__ import annotations

from flexmlff.models import sgdml_ang
from flexmlff.models.sgdml_ang import calculator, load, predict, save

__all__ = ["DEFAULTS", "calculator", "load", "predict", "save", "train"]

#: Settings understood by :func:`train` (config section ``models.gdml``).
DEFAULTS = {**sgdml_ang.DEFAULTS, "descriptor": "inverse_distances"}


def train(train_set, validation, settings: dict | None = None, threads: int = 1, record: dict | None = None):
    """:func:`flexmlff.models.sgdml_ang.train` with the [1/r] descriptor by default."""
    return sgdml_ang.train(train_set, validation, {**DEFAULTS, **(settings or {})}, threads, record)
