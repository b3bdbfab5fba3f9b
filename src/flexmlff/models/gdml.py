"""GDML with sGDML's own descriptor [1/r], in flexmlff's own implementation.

The like-for-like baseline of the extended descriptor (paper Fig. 6b): the same
implementation, kernel, solve, symmetries and σ selection as
:mod:`flexmlff.models.sgdml_ang` (:mod:`flexmlff.models._gdml`); only the descriptor
differs. (The ``sgdml`` family is the sgdml package itself; with symmetries on both, the two
are the same model.)
"""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

from flexmlff.models import sgdml_ang
from flexmlff.models.sgdml_ang import calculator, load, predict, save

__all__ = ["DEFAULTS", "FAMILY", "calculator", "load", "predict", "save", "train"]


def settings_schema() -> dict:
    """sgdml_ang's settings schema with sGDML's [1/r] as the default descriptor."""
    schema = copy.deepcopy(sgdml_ang.FAMILY.settings)
    schema["description"] = (
        "The same GDML as sgdml_ang with sGDML's [1/r] descriptor and the same symmetries: "
        "Fig. 6b compares the descriptors with everything else equal."
    )
    schema["properties"]["descriptor"]["default"] = "inverse_distances"
    return schema


#: sgdml_ang's family (code, costs, env, selection) under its own name and descriptor.
FAMILY = replace(sgdml_ang.FAMILY, name="gdml", label="GDML [1/r]", colour="#029e73", settings=settings_schema())
#: Settings understood by :func:`train` (config section ``models.gdml``).
DEFAULTS = FAMILY.defaults
#: The files whose change makes a training another training.
CODE_FILES = (Path(__file__), *sgdml_ang.CODE_FILES)


def train(train_set, validation, settings: dict | None = None, threads: int = 1, record: dict | None = None):
    """:func:`flexmlff.models.sgdml_ang.train` with the [1/r] descriptor by default."""
    return sgdml_ang.train(train_set, validation, {**DEFAULTS, **(settings or {})}, threads, record)
