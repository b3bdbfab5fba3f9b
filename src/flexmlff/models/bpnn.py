"""A Behler–Parrinello network through torchani (paper Sec. IV).

Atom-centred symmetry functions are torchani's AEVs (radial and angular
Behler–Parrinello functions with a cosine cutoff; radial cutoff 5 Å as in the
paper, angular cutoff 4.5 Å because torchani needs it below the radial one).
One feed-forward network per element maps an atom's AEV to its energy; the
molecule's energy is their sum plus the mean training energy, and forces are
its negative gradient (autograd). Training minimises a weighted sum of the
energy and force mean-squared errors with Adam, keeps the epoch with the lowest
validation loss and stops when that has not improved for ``patience`` epochs.

The saved file is a plain dict of settings, elements and weights (loadable with
``torch.load(weights_only=True)``).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from flexmlff.models import Family, network_training_memory_gb, network_training_seconds, with_network_training_settings

#: Seconds per epoch at n = 100, batch 10, by atom count: glycine 76 s for 500 epochs
#: (2026-11-27).
EPOCH_100_S = {10: 0.15, 24: 0.45}

FAMILY = Family(
    name="bpnn",
    label="BPNN",
    colour="#ca9161",
    model_file="model.pt",
    settings=with_network_training_settings(
        yaml.safe_load("""
type: object
description: Behler-Parrinello network through torchani (paper Sec. IV).
additionalProperties: false
default: {}
properties:
  cutoff_A: {type: number, exclusiveMinimum: 0, default: 5.0, description: "Radial symmetry-function cutoff, Å."}
  angular_cutoff_A:
    type: number
    exclusiveMinimum: 0
    default: 4.5
    description: >-
      Angular symmetry-function cutoff, Å (torchani needs it below cutoff_A).
  hidden_layers:
    type: array
    items: {$ref: "#/$defs/positive_int"}
    minItems: 1
    default: [64, 64]
    description: Hidden layer widths of every element's network.
  batch_size:
    $ref: '#/$defs/positive_int'
    default: 10
    description: >-
      Frames per batch (10: glycine forces 2.4 against 5.4 kcal/(mol Å) with 32, 100 frames).
  learning_rate: {type: number, exclusiveMinimum: 0, default: 1.0e-3, description: Adam's initial learning rate.}
  energy_weight:
    type: number
    minimum: 0
    default: 1.0
    description: >-
      Weight of the energy MSE (kcal/mol)² in the loss.
  force_weight:
    type: number
    minimum: 0
    default: 10.0
    description: >-
      Weight of the force MSE (kcal/(mol Å))² in the loss.
""")
    ),
    training_seconds=lambda n, atoms, settings: network_training_seconds(EPOCH_100_S, n, atoms, settings),
    training_memory_gb=network_training_memory_gb,
    md_steps_per_s=20.0,  # a rough, early figure
    threads=1,  # it trains on one thread (flexmlff.models._bpnn.train), bit-reproducibly
)
#: Settings understood by :func:`train` (config section ``models.bpnn``).
DEFAULTS = FAMILY.defaults
#: The network in torch (imported on first use, so that reading FAMILY needs no torch).
IMPLEMENTATION = Path(__file__).with_name("_bpnn.py")
#: The files whose change makes a training checkpoint another training's.
CODE_FILES = (Path(__file__), IMPLEMENTATION)


def train(
    train_set, validation, settings: dict | None = None, threads: int = 1, record: dict | None = None, checkpoint=None
):
    """:func:`flexmlff.models._bpnn.train` with this family's defaults."""
    from flexmlff.models import _bpnn

    return _bpnn.train(train_set, validation, {**DEFAULTS, **(settings or {})}, threads, record, checkpoint)


def save(model, path) -> None:
    from flexmlff.models import _bpnn

    _bpnn.save(model, path)


def load(path):
    from flexmlff.models import _bpnn

    return _bpnn.load(path)


def predict(model, R, z):
    from flexmlff.models import _bpnn

    return _bpnn.predict(model, R, z)


def calculator(model):
    from flexmlff.models import _bpnn

    return _bpnn.calculator(model)
