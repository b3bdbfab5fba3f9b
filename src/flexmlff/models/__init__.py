"""Model families behind one small interface.

Each family module provides ``train(train, validation, settings, threads)``
returning a model object, ``save(model, path)``, ``load(path)``,
``predict(model, R, z) -> (E, F)`` in the dataset units (kcal/mol,
kcal/(mol Å)) and ``calculator(model)``, an ASE calculator (eV, eV/Å) that can
drive MD. :func:`family` returns the module of a family by its config name and
:data:`MODEL_FILES` the name of its saved file.
"""

import os
from importlib import import_module

FAMILIES = {
    "sgdml": "flexmlff.models.sgdml",  # sGDML [1/r], the sgdml package
    "sgdml_ang": "flexmlff.models.sgdml_ang",  # GDML with the [1/r + ang] descriptor
    "gdml": "flexmlff.models.gdml",  # the same GDML with [1/r]: Fig. 6b's like-for-like baseline
    "schnet": "flexmlff.models.schnet",
    "gap": "flexmlff.models.gap",
    "bpnn": "flexmlff.models.bpnn",
    "mace": "flexmlff.models.mace",  # beyond the paper: equivariant message passing, mace-torch
}
#: One file per trained model: sgdml's own npz; gap_fit's XML + sparseX files in a tar archive.
MODEL_FILES = {"sgdml": "model.npz", "sgdml_ang": "model.npz", "gdml": "model.npz", "schnet": "model.pt",
               "gap": "model.tar.gz", "bpnn": "model.pt", "mace": "model.model"}


def family(name: str):
    """The module implementing model family `name`."""
    if name not in FAMILIES:
        raise ValueError(f"unknown model family {name!r}; known: {', '.join(FAMILIES)}")
    return import_module(FAMILIES[name])


def load_calculator(model: str, path: str):
    """An ASE calculator (eV, eV/Å) of a saved model of family `model`: the entry point that
    results/models.yml names for other tools (ml-peg, mlipx)."""
    models = family(model)
    return models.calculator(models.load(path))


def limit_threads(n: int) -> None:
    """Let this process use `n` threads for model evaluation.

    Jobs run side by side, one core each: torch's default pool (one thread per core)
    then spins against the other jobs and a SchNet step gets ~25x slower.
    """
    os.environ["OMP_NUM_THREADS"] = str(n)
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(n)
