"""GDML with the extended descriptor ``[1/r + ang]`` of paper Sec. IV/V, in flexmlff's own
GDML (:mod:`flexmlff.models._gdml`, which says how it works).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from flexmlff.models import Family, kernel_training_memory_gb, kernel_training_seconds

#: Seconds to train at n = 100 (every σ of the default grid), by atom count, symmetrised over
#: sGDML's permutations (glycine 4, azobenzene mostly 2; 2026-11-27).
TRAIN_100_S = {10: 11.0, 24: 55.0}
#: Copies of the (n·3N)² kernel the closed-form solve holds at its peak: one per permutation
#: (azobenzene mostly two), the kernel and a temporary (azobenzene at n = 400: 27.3 GB
#: measured; n = 800 under an 8 GB cap, iterative: 5.9 GB).
KERNEL_COPIES = 4

FAMILY = Family(
    name="sgdml_ang",
    label="sGDML [1/r + ang]",
    colour="#de8f05",
    model_file="model.npz",
    env="sgdml",
    selection="kernel",
    settings=yaml.safe_load("""
type: object
description: GDML with the extended descriptor [1/r + ang] (paper Sec. IV/V), flexmlff's own GDML.
additionalProperties: false
default: {}
properties:
  descriptor:
    type: string
    enum: [extended, inverse_distances]
    default: extended
    description: >-
      extended = 1/r of every pair + (1 - exp(-Θ))² - 1 per bonded angle + 1 + cos Φ per
      bonded dihedral; inverse_distances = sGDML's [1/r].
  sigmas:
    type: array
    items: {type: number, exclusiveMinimum: 0}
    minItems: 1
    default: [2, 5, 10, 20, 40, 80, 160]
    description: Kernel widths tried; the lowest validation force RMSE wins.
  lam: {type: number, exclusiveMinimum: 0, default: 1.0e-10, description: Regularisation strength.}
  use_sym:
    type: boolean
    default: true
    description: >-
      Symmetrise the kernel over the atom permutations sGDML finds (as sgdml's use_sym), so that descriptors compare
      with the same symmetries.
  max_memory_gb:
    type: [number, "null"]
    default: null
    description: >-
      Memory cap of a training job, GB. When the closed-form solve would exceed it, the
      kernel system is solved by conjugate gradients without storing the kernel.
  inducing_frames:
    $ref: '#/$defs/positive_int'
    default: 50
    description: >-
      Most frames of the conjugate-gradient solve's Nyström preconditioner (fewer if max_memory_gb requires).
  solver_tol:
    type: number
    exclusiveMinimum: 0
    default: 0.0001
    description: >-
      Relative residual at which conjugate gradients stop.
"""),
    training_seconds=lambda n, atoms, settings: kernel_training_seconds(TRAIN_100_S, n, atoms),
    training_memory_gb=lambda n, atoms, settings: kernel_training_memory_gb(KERNEL_COPIES, n, atoms, settings),
    md_steps_per_s=135.0,  # taken as sgdml's
    threads=8,
)
#: Settings understood by :func:`train` (config section ``models.sgdml_ang``).
DEFAULTS = FAMILY.defaults
#: The files whose change makes a training another training.
CODE_FILES = (Path(__file__), Path(__file__).with_name("_gdml.py"))


def train(train_set, validation, settings: dict | None = None, threads: int = 1, record: dict | None = None):
    """:func:`flexmlff.models._gdml.train` with this family's defaults."""
    from flexmlff.models import _gdml

    return _gdml.train(train_set, validation, {**DEFAULTS, **(settings or {})}, threads, record)


def save(model, path) -> None:
    from flexmlff.models import _gdml

    _gdml.save(model, path)


def load(path):
    from flexmlff.models import _gdml

    return _gdml.load(path)


def predict(model, R, z=None):
    from flexmlff.models import _gdml

    return _gdml.predict(model, R, z)


def calculator(model):
    from flexmlff.models import _gdml

    return _gdml.calculator(model)
