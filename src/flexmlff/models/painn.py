"""PaiNN, an equivariant message-passing network (Schütt et al., ICML 2021), through schnetpack.

Beyond the paper: scalar and vector features per atom, messages that rotate with the
molecule, 3 interaction blocks and a 5 Å cutoff (the PaiNN paper's MD17 setting). It is
schnetpack's ``PaiNN`` representation in the same potential, data module, loss, early
stopping, checkpoints and calculator as SchNet (:func:`flexmlff.models.schnet.train_network`);
only the representation differs, so the two compare like for like.
"""

from __future__ import annotations

import copy
from pathlib import Path

from flexmlff.models import Family, network_training_memory_gb, network_training_seconds, schnet
from flexmlff.models.schnet import calculator, load, predict, save

__all__ = ["FAMILY", "calculator", "load", "predict", "save", "train"]

#: Seconds per epoch at n = 100, batch 10, 64 features and 3 interactions, by atom count: 1.6x
#: SchNet's epoch at the same features and blocks (the contract test's glycine training, 14.2
#: against 8.9 s, 2026-12-07) applied to SchNet's measured epochs.
EPOCH_100_S = {10: 0.55, 24: 1.1}


def training_seconds(n_train: int, n_atoms: int, settings: dict) -> float:
    """Every epoch up to ``max_epochs``, each in proportion to the features and interactions."""
    scale = settings["n_atom_basis"] / 64 * settings["n_interactions"] / 3
    return network_training_seconds(EPOCH_100_S, n_train, n_atoms, settings, scale)


#: PaiNN's defaults where they differ from SchNet's (the PaiNN paper's MD17 model: 3 blocks;
#: 64 features and a smaller learning rate for CPU budgets); every other setting is SchNet's.
OWN_DEFAULTS = {"n_interactions": 3, "n_atom_basis": 64, "learning_rate": 5.0e-4}


def settings_schema() -> dict:
    """SchNet's settings schema (the training is the same) with :data:`OWN_DEFAULTS`."""
    schema = copy.deepcopy(schnet.FAMILY.settings)
    schema["description"] = "PaiNN through schnetpack 2 (beyond the paper), trained as SchNet is."
    for key, default in OWN_DEFAULTS.items():
        schema["properties"][key]["default"] = default
    return schema


FAMILY = Family(
    name="painn",
    label="PaiNN",
    colour="#56b4e9",
    model_file="model.pt",
    env="schnet",
    settings=settings_schema(),
    training_seconds=training_seconds,
    training_memory_gb=network_training_memory_gb,
    md_steps_per_s=40.0,  # SchNet's 65 scaled by the epoch times' ratio
    threads=4,
    gpu=True,
)
#: Settings understood by :func:`train` (config section ``models.painn``).
DEFAULTS = FAMILY.defaults
#: The files whose change makes a training checkpoint another training's.
CODE_FILES = (Path(__file__), Path(schnet.__file__))


def painn_representation(settings: dict):
    """schnetpack's PaiNN on Gaussian radial functions with a cosine cutoff."""
    spk = schnet._schnetpack()
    cutoff = settings["cutoff_A"]
    return spk.representation.PaiNN(
        n_atom_basis=settings["n_atom_basis"],
        n_interactions=settings["n_interactions"],
        radial_basis=spk.nn.GaussianRBF(n_rbf=settings["n_rbf"], cutoff=cutoff),
        cutoff_fn=spk.nn.CosineCutoff(cutoff),
    )


def train(
    train_set, validation, settings: dict | None = None, threads: int = 1, record: dict | None = None, checkpoint=None
):
    """Train PaiNN on `train_set`, stopping early on the loss over `validation`; `record` and
    `checkpoint` as for :func:`flexmlff.models.schnet.train`."""
    return schnet.train_network(
        train_set,
        validation,
        {**DEFAULTS, **(settings or {})},
        threads,
        record,
        checkpoint,
        painn_representation,
        FAMILY.name,
    )
