"""The kernel families' choice of a hyperparameter (sGDML's σ, GAP's σ_F): one model per value
of a grid, the one with the lowest force RMSE on the validation frames kept, as sGDML's own
cross-validation does (paper Sec. III)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

import numpy as np


def force_rmse(forces: np.ndarray, validation) -> float:
    """The force RMSE of predicted `forces` on the `validation` frames, kcal/(mol Å)."""
    return float(np.sqrt(np.mean((forces - validation.F) ** 2)))


def best_on_validation(
    grid: Iterable,
    fit: Callable,
    validation_rmse: Callable,
    key: str,
    label: str,
    log: logging.Logger,
    record: dict | None = None,
):
    """The model of the value of `grid` whose ``validation_rmse(model)`` is lowest.

    ``fit(value)`` makes each model; each value is logged as ``<label> <key>=<value>`` with its
    validation force RMSE. `record`, when given, receives ``scan`` (``{key, "valid_force_rmse"}``
    per value) and ``chosen`` (the same for the value kept). Only the best model so far is kept
    alive, so a model that owns files (GAP's folder) takes them with it when replaced.
    """
    best, scan = None, []
    for value in grid:
        model = fit(value)
        rmse = validation_rmse(model)
        log.info("%s %s=%s: validation force RMSE %.4f kcal/(mol A)", label, key, value, rmse)
        scan.append({key: value, "valid_force_rmse": rmse})
        if best is None or rmse < best[0]:
            best = (rmse, value, model)
    rmse, value, model = best
    log.info("%s chose %s=%s (validation force RMSE %.4f)", label, key, value, rmse)
    if record is not None:
        record.update(scan=scan, chosen={key: value, "valid_force_rmse": rmse})
    return model
