"""One factory for every reference level: :func:`make_calculator`.

Levels
------
``xtb``
    GFN2-xTB (or GFN1-xTB) through the ``tblite`` Python package; needs no
    external program. This is the default surrogate for the paper's PBE+TS.

The calculators are plain ASE calculators, so the same object drives
optimisations, NEB and i-PI's socket client.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from ase.calculators.calculator import Calculator

# tblite's OpenMP runtime reads this once when it is loaded: with more threads
# than free cores a GFN2-xTB call on a small molecule gets up to 50x slower.
os.environ.setdefault("OMP_NUM_THREADS", "1")


def _xtb(method: str = "GFN2-xTB", accuracy: float = 1.0,
         electronic_temperature: float = 300.0) -> Calculator:
    try:
        from tblite.ase import TBLite
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise RuntimeError(
            "reference level 'xtb' needs the 'tblite' Python package "
            "(pip install tblite, or conda install -c conda-forge tblite-python)"
        ) from err
    return TBLite(method=method, accuracy=accuracy,
                  electronic_temperature=electronic_temperature, verbosity=0)


LEVELS: dict[str, Callable[..., Calculator]] = {"xtb": _xtb}


def make_calculator(level: str, options: dict | None = None) -> Calculator:
    """A fresh ASE calculator for the reference `level` with its `options`.

    `options` are the keyword settings of that level from the config
    (e.g. ``{"method": "GFN2-xTB"}`` for ``xtb``).
    """
    if level not in LEVELS:
        raise ValueError(
            f"unknown reference level {level!r}; known levels: {', '.join(sorted(LEVELS))}"
        )
    try:
        return LEVELS[level](**(options or {}))
    except TypeError as err:
        raise ValueError(f"bad options for reference level {level!r}: {err}") from err
