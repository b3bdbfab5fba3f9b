"""The torch side of :mod:`flexmlff.models.bpnn` (which says what the model is), imported on
first use."""

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
from flexmlff.models._checkpoint import TrainingCheckpoint

os.environ.setdefault("TORCHANI_NO_WARN_EXTENSIONS", "1")  # the CUDA extensions are optional
log = logging.getLogger(__name__)

#: The file in a training's checkpoint folder that a resumed training starts from.
CHECKPOINT_FILE = "training.pt"


class BPNN(torch.nn.Module):
    """Energies (kcal/mol) of molecules from per-element networks on symmetry functions."""

    def __init__(self, elements: list[int], settings: dict, energy_shift: float = 0.0):
        from torchani.aev import AEVComputer
        from torchani.nn import ANINetworks, AtomicNetwork, SpeciesConverter

        super().__init__()
        self.elements, self.settings = list(elements), dict(settings)
        symbols = [chemical_symbols[z] for z in self.elements]
        self.species = SpeciesConverter(symbols)
        self.aev = AEVComputer.like_1x(
            num_species=len(symbols), radial_cutoff=settings["cutoff_A"], angular_cutoff=settings["angular_cutoff_A"]
        )
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


def train(
    train_set: Dataset,
    validation: Dataset,
    settings: dict,
    threads: int = 1,
    record: dict | None = None,
    checkpoint: TrainingCheckpoint | None = None,
) -> BPNN:
    """Train a BPNN on `train_set`, stopping early on the loss over `validation`.

    `record`, when given, receives ``history`` (per epoch: the mean training and
    the validation loss, and the learning rate) and ``chosen`` (the best epoch). With a
    `checkpoint`, the training writes its whole state there every ``checkpoint_every``
    epochs, and resumes from it where it holds one of this training: the same weights,
    optimiser, scheduler, shuffling and early-stopping state, so the same result.
    """
    s = settings  # every default filled in (flexmlff.models.bpnn.train)
    # one thread whatever the job was given: the networks are too small to gain from more
    # (8 glycine epochs: 5.3 s on one, 8.8 s on two), and torch's reductions sum in another
    # order on another count, which changed the trained model (validation loss 9608 against
    # 9906 after 8 epochs): a run on a 4-core node and one on a laptop now train the same model
    torch.set_num_threads(1)
    torch.manual_seed(s["seed"])
    rng = np.random.default_rng(s["seed"])
    model = BPNN(sorted(set(train_set.z.tolist())), s, energy_shift=float(np.mean(train_set.E)))
    optimizer = torch.optim.Adam(model.parameters(), lr=s["learning_rate"])
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=s["lr_factor"], patience=s["lr_patience"])
    all_valid = np.arange(len(validation))
    state = {"next_epoch": 0, "best_loss": np.inf, "best_state": None, "best_epoch": 0, "history": []}
    parts = {"model": model, "optimizer": optimizer, "scheduler": scheduler}
    saved = checkpoint.file(CHECKPOINT_FILE) if checkpoint is not None else None
    if checkpoint is not None and checkpoint.resumable and saved.exists():
        state = _restore(saved, parts, rng)
        log.info("resuming bpnn from epoch %d (%s)", state["next_epoch"], saved)
    history = state["history"]
    for epoch in range(state["next_epoch"], s["max_epochs"]):
        model.train()
        order = rng.permutation(len(train_set))
        batch_losses = []
        for start in range(0, len(order), s["batch_size"]):
            optimizer.zero_grad()
            loss = _loss(model, train_set, order[start : start + s["batch_size"]], s, create_graph=True)
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
        model.eval()
        valid_loss = _loss(model, validation, all_valid, s, create_graph=False).item()
        history.append(
            {
                "epoch": epoch,
                "train_loss": float(np.mean(batch_losses)),
                "valid_loss": valid_loss,
                "learning_rate": optimizer.param_groups[0]["lr"],
            }
        )
        scheduler.step(valid_loss)
        if valid_loss < state["best_loss"]:
            state.update(best_loss=valid_loss, best_state=copy.deepcopy(model.state_dict()), best_epoch=epoch)
        if epoch % 50 == 0:
            log.info(
                "BPNN epoch %d: validation loss %.4f (best %.4f at epoch %d)",
                epoch,
                valid_loss,
                state["best_loss"],
                state["best_epoch"],
            )
        if epoch - state["best_epoch"] >= s["patience"]:
            break
        state["next_epoch"] = epoch + 1
        if saved is not None and (epoch + 1) % s["checkpoint_every"] == 0:
            _keep(saved, state, parts, rng)
    best_loss, best_epoch = state["best_loss"], state["best_epoch"]
    log.info("BPNN: %d epochs, best validation loss %.4f at epoch %d", len(history), best_loss, best_epoch)
    if record is not None:
        record.update(
            history=history, chosen={"epoch": best_epoch, "epochs_run": len(history), "valid_loss": best_loss}
        )
    model.load_state_dict(state["best_state"])
    return model.eval()


def _keep(path: Path, state: dict, parts: dict, rng: np.random.Generator) -> None:
    """Write the training's state to `path`, whole or not at all."""
    from flexmlff.scratch import atomic_output

    with atomic_output(path) as partial:
        torch.save(
            {
                **state,
                **{name: part.state_dict() for name, part in parts.items()},
                "shuffle": rng.bit_generator.state,
                "torch_rng": torch.get_rng_state(),
            },
            partial,
        )


def _restore(path: Path, parts: dict, rng: np.random.Generator) -> dict:
    """Load the state :func:`_keep` wrote into the training's `parts` and `rng`; return the
    loop's own state."""
    saved = torch.load(path, map_location="cpu", weights_only=False)
    for name, part in parts.items():
        part.load_state_dict(saved.pop(name))
    rng.bit_generator.state = saved.pop("shuffle")
    torch.set_rng_state(saved.pop("torch_rng"))
    return saved


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
        batch = torch.as_tensor(np.asarray(R[start : start + batch_size]), dtype=torch.float32)
        e, f = _energies_and_forces(model, np.asarray(z), batch, create_graph=False)
        energies.append(e.detach().numpy())
        forces.append(f.detach().double().numpy())
    return np.concatenate(energies), np.concatenate(forces)


def calculator(model: BPNN) -> PredictorCalculator:
    """An ASE calculator (eV, eV/Å) of the model."""
    return PredictorCalculator(lambda R, z: predict(model, R, z))
