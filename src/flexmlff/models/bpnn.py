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

import copy
import logging
import os
from pathlib import Path

import numpy as np
import torch
from ase.data import chemical_symbols

from flexmlff.data import Dataset
from flexmlff.models._calculator import PredictorCalculator

os.environ.setdefault("TORCHANI_NO_WARN_EXTENSIONS", "1")  # the CUDA extensions are optional
log = logging.getLogger(__name__)

#: Settings understood by :func:`train` (config section ``models.bpnn``).
DEFAULTS = {"cutoff_A": 5.0, "angular_cutoff_A": 4.5, "hidden_layers": [64, 64], "batch_size": 10,
            "learning_rate": 1e-3, "energy_weight": 1.0, "force_weight": 10.0, "max_epochs": 1000,
            "patience": 50, "lr_patience": 20, "lr_factor": 0.5, "seed": 0}


class BPNN(torch.nn.Module):
    """Energies (kcal/mol) of molecules from per-element networks on symmetry functions."""

    def __init__(self, elements: list[int], settings: dict, energy_shift: float = 0.0):
        from torchani.aev import AEVComputer
        from torchani.nn import ANINetworks, AtomicNetwork, SpeciesConverter

        super().__init__()
        self.elements, self.settings = list(elements), dict(settings)
        symbols = [chemical_symbols[z] for z in self.elements]
        self.species = SpeciesConverter(symbols)
        self.aev = AEVComputer.like_1x(num_species=len(symbols), radial_cutoff=settings["cutoff_A"],
                                       angular_cutoff=settings["angular_cutoff_A"])
        dims = [self.aev.out_dim, *settings["hidden_layers"], 1]
        self.networks = ANINetworks({s: AtomicNetwork(dims, activation="celu", bias=True) for s in symbols})
        self.register_buffer("energy_shift", torch.tensor(float(energy_shift), dtype=torch.float64))

    def forward(self, z: torch.Tensor, R: torch.Tensor) -> torch.Tensor:
        """Energies (M,) for atomic numbers z (M, N) and positions R (M, N, 3) in Å."""
        species = self.species(z).contiguous()
        return self.networks(species, self.aev(species, R)).double() + self.energy_shift


def _energies_and_forces(model: BPNN, z: np.ndarray, R: torch.Tensor, create_graph: bool):
    R = R.detach().requires_grad_(True)
    energies = model(torch.as_tensor(np.broadcast_to(z, R.shape[:2]).copy()), R)
    (gradient,) = torch.autograd.grad(energies.sum(), R, create_graph=create_graph)
    return energies, -gradient


def _loss(model: BPNN, data: Dataset, idx: np.ndarray, s: dict, create_graph: bool) -> torch.Tensor:
    R = torch.as_tensor(data.R[idx], dtype=torch.float32)
    energies, forces = _energies_and_forces(model, data.z, R, create_graph)
    dE = energies - torch.as_tensor(data.E[idx])
    dF = forces.double() - torch.as_tensor(data.F[idx])
    return s["energy_weight"] * (dE**2).mean() + s["force_weight"] * (dF**2).mean()


def train(train_set: Dataset, validation: Dataset, settings: dict | None = None, threads: int = 1,
          record: dict | None = None) -> BPNN:
    """Train a BPNN on `train_set`, stopping early on the loss over `validation`.

    `record`, when given, receives ``history`` (per epoch: the mean training and
    the validation loss, and the learning rate) and ``chosen`` (the best epoch).
    """
    s = {**DEFAULTS, **(settings or {})}
    torch.set_num_threads(threads)  # jobs side by side: one thread each
    torch.manual_seed(s["seed"])
    rng = np.random.default_rng(s["seed"])
    model = BPNN(sorted(set(train_set.z.tolist())), s, energy_shift=float(np.mean(train_set.E)))
    optimizer = torch.optim.Adam(model.parameters(), lr=s["learning_rate"])
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=s["lr_factor"],
                                                           patience=s["lr_patience"])
    all_valid = np.arange(len(validation))
    best_loss, best_state, best_epoch = np.inf, None, 0
    history = []
    for epoch in range(s["max_epochs"]):
        model.train()
        order = rng.permutation(len(train_set))
        batch_losses = []
        for start in range(0, len(order), s["batch_size"]):
            optimizer.zero_grad()
            loss = _loss(model, train_set, order[start:start + s["batch_size"]], s, create_graph=True)
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
        model.eval()
        valid_loss = _loss(model, validation, all_valid, s, create_graph=False).item()
        history.append({"epoch": epoch, "train_loss": float(np.mean(batch_losses)), "valid_loss": valid_loss,
                        "learning_rate": optimizer.param_groups[0]["lr"]})
        scheduler.step(valid_loss)
        if valid_loss < best_loss:
            best_loss, best_state, best_epoch = valid_loss, copy.deepcopy(model.state_dict()), epoch
        if epoch % 50 == 0:
            log.info("BPNN epoch %d: validation loss %.4f (best %.4f at epoch %d)", epoch, valid_loss,
                     best_loss, best_epoch)
        if epoch - best_epoch >= s["patience"]:
            break
    log.info("BPNN: %d epochs, best validation loss %.4f at epoch %d", epoch + 1, best_loss, best_epoch)
    if record is not None:
        record.update(history=history, chosen={"epoch": best_epoch, "epochs_run": epoch + 1, "valid_loss": best_loss})
    model.load_state_dict(best_state)
    return model.eval()


def save(model: BPNN, path: str | Path) -> None:
    torch.save({"elements": model.elements, "settings": model.settings, "state_dict": model.state_dict()}, path)


def load(path: str | Path) -> BPNN:
    saved = torch.load(path, map_location="cpu", weights_only=True)
    model = BPNN(saved["elements"], saved["settings"])
    model.load_state_dict(saved["state_dict"])
    return model.eval()


def predict(model: BPNN, R: np.ndarray, z: np.ndarray, batch_size: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Energies (M,) in kcal/mol and forces (M, N, 3) in kcal/(mol Å) for positions R (M, N, 3)."""
    energies, forces = [], []
    for start in range(0, len(R), batch_size):
        batch = torch.as_tensor(np.asarray(R[start:start + batch_size]), dtype=torch.float32)
        e, f = _energies_and_forces(model, np.asarray(z), batch, create_graph=False)
        energies.append(e.detach().numpy())
        forces.append(f.detach().double().numpy())
    return np.concatenate(energies), np.concatenate(forces)


def calculator(model: BPNN) -> PredictorCalculator:
    """An ASE calculator (eV, eV/Å) of the model."""
    return PredictorCalculator(lambda R, z: predict(model, R, z))
