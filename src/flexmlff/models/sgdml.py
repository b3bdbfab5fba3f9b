"""sGDML with its default descriptor (inverse pairwise distances), via the ``sgdml`` package.

The kernel width σ is chosen as ``sgdml`` does it: one model per σ of a grid,
each trained on the same training set, and the one with the lowest force RMSE
on the validation set wins. Energies are recovered by sgdml's integration
constant fitted to the training energies.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import yaml

from flexmlff.data import Dataset
from flexmlff.models import Family, kernel_training_memory_gb, kernel_training_seconds
from flexmlff.models._calculator import PredictorCalculator
from flexmlff.models._grid import best_on_validation, force_rmse
from flexmlff.sgdml_package import import_sgdml

log = logging.getLogger(__name__)

#: Seconds to train at n = 100 (every σ of the default grid), by atom count (2026-11-27).
TRAIN_100_S = {10: 11.0, 24: 44.0}
#: Copies of the (n·3N)² kernel sgdml's closed-form solve holds at its peak (azobenzene at
#: n = 400: 20.1 GB measured; n = 800 under an 8 GB cap, iterative: 4.6 GB).
KERNEL_COPIES = 3

FAMILY = Family(
    name="sgdml",
    label="sGDML [1/r]",
    colour="#0173b2",
    model_file="model.npz",
    selection="kernel",
    settings=yaml.safe_load("""
description: sGDML [1/r] through the sgdml package (paper Sec. III-V).
type: object
additionalProperties: false
default: {}
properties:
  sigmas:
    type: array
    items: {type: number, exclusiveMinimum: 0}
    minItems: 1
    default: [2, 5, 10, 20, 40, 80, 160]
    description: Kernel widths tried; the lowest validation force RMSE wins.
  lam:
    type: number
    exclusiveMinimum: 0
    default: 1.0e-10
    description: Regularisation strength.
  use_sym:
    type: boolean
    default: true
    description: Use permutational symmetries (sGDML) rather than plain GDML.
  max_memory_gb:
    type: [number, "null"]
    default: null
    description: Memory cap for sgdml's solver, GB (a lower cap switches it to the iterative solver).
"""),
    training_seconds=lambda n, atoms, settings: kernel_training_seconds(TRAIN_100_S, n, atoms),
    training_memory_gb=lambda n, atoms, settings: kernel_training_memory_gb(KERNEL_COPIES, n, atoms, settings),
    md_steps_per_s=135.0,  # i-PI with a rotation n = 100 model, one thread (scripts/benchmark_md.py)
    threads=4,
)
#: Settings understood by :func:`train` (config section ``models.sgdml``).
DEFAULTS = FAMILY.defaults

_TRAINER = None


def _trainer(threads: int, max_memory_gb: float | None):
    # sgdml allows one GDMLTrain per process.
    global _TRAINER
    if _TRAINER is None:
        import_sgdml()
        from sgdml.train import GDMLTrain

        _TRAINER = GDMLTrain(max_processes=threads, max_memory=max_memory_gb)
    return _TRAINER


def _predictor(model: dict):
    """sgdml's predictor of `model`, in this process (no worker pool)."""
    import_sgdml()
    from sgdml.predict import GDMLPredict

    return GDMLPredict(model, max_processes=1, log_level=logging.WARNING)


def predict(model: dict, R: np.ndarray, z: np.ndarray | None = None, predictor=None) -> tuple[np.ndarray, np.ndarray]:
    """Energies (M,) in kcal/mol and forces (M, N, 3) in kcal/(mol Å) for positions R (M, N, 3)
    (the atoms `z` are part of the model); `predictor` reuses one built by :func:`_predictor`."""
    R = np.asarray(R, dtype=float)
    predictor = predictor or _predictor(model)
    energies, forces = predictor.predict(R.reshape(len(R), -1))
    return np.asarray(energies).ravel(), np.asarray(forces).reshape(R.shape)


def train(
    train_set: Dataset, validation: Dataset, settings: dict | None = None, threads: int = 1, record: dict | None = None
) -> dict:
    """Train sGDML on `train_set`, choosing σ on `validation`. Returns the model dict.

    `record`, when given, receives ``scan`` (the validation force RMSE of every σ)
    and ``chosen`` (the σ kept).
    """
    settings = {**DEFAULTS, **(settings or {})}
    trainer = _trainer(threads, settings["max_memory_gb"])
    train_dict, valid_dict = train_set.to_sgdml(), validation.to_sgdml()
    found = {}  # the symmetry search is the same for every σ: done once

    def fit(sigma):
        # create_task draws n_train of n_train frames: the whole training set.
        task = trainer.create_task(
            train_dict,
            len(train_set),
            valid_dict,
            len(validation),
            sig=sigma,
            lam=settings["lam"],
            perms=found.get("perms"),
            use_sym=settings["use_sym"],
            use_E=True,
            use_E_cstr=False,
        )
        found["perms"] = task["perms"]
        return trainer.train(task)

    return best_on_validation(
        settings["sigmas"],
        fit,
        lambda model: force_rmse(predict(model, validation.R)[1], validation),
        "sigma",
        "sGDML",
        log,
        record,
    )


def save(model: dict, path: str | Path) -> None:
    """Write the model in sgdml's own npz format (loadable by ``sgdml`` tools)."""
    with open(path, "wb") as handle:
        np.savez_compressed(handle, **model)


def load(path: str | Path) -> dict:
    with np.load(path, allow_pickle=True) as npz:
        return dict(npz)


def calculator(model: dict) -> PredictorCalculator:
    """An ASE calculator (eV, eV/Å) around one sgdml predictor in this process.

    Not sgdml's own ASE calculator: it starts a pool of cpu_count - 1 worker processes,
    which oversubscribes a node shared by other jobs.
    """
    predictor = _predictor(model)
    return PredictorCalculator(lambda R, z: predict(model, R, predictor=predictor))
