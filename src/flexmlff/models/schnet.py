"""SchNet through schnetpack 2: 6 interaction blocks and a 5 Å cutoff (paper Sec. III).

Trained on energies and forces with schnetpack's own data module (an ASE
database of the training and validation frames, in the dataset units kcal/mol
and Å), its weighted energy + force loss, Adam with learning-rate decay on
plateaus and Lightning's early stopping on the validation loss; the weights of
the best validation epoch are kept. CPU here, GPU when one is present. The
mean training and validation loss of every epoch, and the validation MAEs, go
into the training record (:func:`train`'s ``record``).

schnetpack 2.0.4 predates torch 2.13 in three places, mended here and only
here: the ``T_co`` type alias it imports was renamed, ``torch.load`` now loads
weights only (a saved model is a whole module), and its own plateau scheduler
passes an argument torch removed (torch's scheduler is used directly). Its import
also calls ``logging.basicConfig`` (schnetpack.md.parsers), which is undone.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import yaml

from flexmlff.data import Dataset
from flexmlff.models import Family, network_training_memory_gb, network_training_seconds, with_network_training_settings
from flexmlff.models._calculator import PredictorCalculator
from flexmlff.models._checkpoint import TrainingCheckpoint

log = logging.getLogger(__name__)

#: Seconds per epoch at n = 100, batch 10, 64 features and 6 interactions, by atom count:
#: glycine 161 s for 246 epochs, rotation 394 s for 299 (2026-11-27).
EPOCH_100_S = {10: 0.65, 24: 1.32}


def training_seconds(n_train: int, n_atoms: int, settings: dict) -> float:
    """Every epoch up to ``max_epochs``, each in proportion to the features and interactions."""
    scale = settings["n_atom_basis"] / 64 * settings["n_interactions"] / 6
    return network_training_seconds(EPOCH_100_S, n_train, n_atoms, settings, scale)


FAMILY = Family(
    name="schnet",
    label="SchNet",
    colour="#d55e00",
    model_file="model.pt",
    settings=with_network_training_settings(
        yaml.safe_load("""
type: object
description: SchNet through schnetpack 2 (paper Sec. III-V).
additionalProperties: false
default: {}
properties:
  n_interactions: {$ref: "#/$defs/positive_int", default: 6, description: Interaction blocks.}
  cutoff_A: {type: number, exclusiveMinimum: 0, default: 5.0, description: "Cutoff radius, Å."}
  n_atom_basis: {$ref: "#/$defs/positive_int", default: 128, description: Atom feature size.}
  n_rbf: {$ref: "#/$defs/positive_int", default: 20, description: Gaussian radial basis functions.}
  batch_size:
    $ref: '#/$defs/positive_int'
    default: 10
    description: >-
      Frames per batch (small: few frames still make many steps per epoch).
  learning_rate: {type: number, exclusiveMinimum: 0, default: 1.0e-3, description: Adam's initial learning rate.}
  energy_weight:
    type: number
    minimum: 0
    default: 0.1
    description: >-
      Weight of the energy MSE (kcal/mol)² in the loss (0.01 left energies ~10x worse at 100 glycine frames).
  force_weight:
    type: number
    minimum: 0
    default: 0.9
    description: >-
      Weight of the force MSE (kcal/(mol Å))² in the loss.
""")
    ),
    training_seconds=training_seconds,
    training_memory_gb=network_training_memory_gb,
    md_steps_per_s=65.0,  # i-PI with a rotation n = 100 model, one thread (scripts/benchmark_md.py)
    threads=4,
    gpu=True,
)
#: Settings understood by :func:`train` (config section ``models.schnet``).
DEFAULTS = FAMILY.defaults
#: The file in a training's checkpoint folder that a resumed training starts from.
LAST_CHECKPOINT = "last.ckpt"


def _schnetpack():
    """schnetpack, importable under torch 2.13."""
    import torch.utils.data.dataloader as loader

    if not hasattr(loader, "T_co"):  # renamed _T_co in torch 2.x
        loader.T_co = loader._T_co
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    import schnetpack

    # its import configures the root logger (a stderr handler at INFO): keep the caller's
    for handler in root.handlers[len(handlers) :]:
        root.removeHandler(handler)
    root.setLevel(level)
    return schnetpack


def _database(frames: Dataset, path: Path):
    spk = _schnetpack()
    from ase import Atoms

    data = spk.data.ASEAtomsData.create(
        str(path), distance_unit="Ang", property_unit_dict={"energy": "kcal/mol", "forces": "kcal/mol/Ang"}
    )
    data.add_systems(
        [{"energy": np.array([e]), "forces": f} for e, f in zip(frames.E, frames.F)],
        [Atoms(numbers=frames.z, positions=r) for r in frames.R],
    )
    return data


def schnet_representation(settings: dict):
    """SchNet's interaction blocks on Gaussian radial functions with a cosine cutoff."""
    spk = _schnetpack()
    cutoff = settings["cutoff_A"]
    return spk.representation.SchNet(
        n_atom_basis=settings["n_atom_basis"],
        n_interactions=settings["n_interactions"],
        radial_basis=spk.nn.GaussianRBF(n_rbf=settings["n_rbf"], cutoff=cutoff),
        cutoff_fn=spk.nn.CosineCutoff(cutoff),
    )


def _network(settings: dict, representation):
    """A schnetpack potential: `representation` (settings -> a schnetpack representation),
    atomwise energies summed, forces their negative gradient."""
    spk = _schnetpack()
    import schnetpack.transform as trn

    representation = representation(settings)
    return spk.model.NeuralNetworkPotential(
        representation=representation,
        input_modules=[spk.atomistic.PairwiseDistances()],
        output_modules=[
            spk.atomistic.Atomwise(n_in=settings["n_atom_basis"], output_key="energy"),
            spk.atomistic.Forces(energy_key="energy", force_key="forces"),
        ],
        postprocessors=[trn.CastTo64(), trn.AddOffsets("energy", add_mean=True)],
    )


def _training_state(history: list, checkpoint: Path | None = None, every: int = 1, resume: dict | None = None):
    """A Lightning callback keeping what a training has learnt about itself: each epoch's
    losses (appended to `history`) and the best epoch's weights; with a `checkpoint` file,
    the whole training state written there at the start of every `every`-th epoch, once the
    epoch before is complete (its scheduler step and early-stopping check included).

    schnetpack logs the training loss per step only; its mean over the epoch's batches is
    kept here next to the validation loss and MAEs of that epoch. A training given the
    state of an earlier attempt (`resume`, as :func:`_read_checkpoint` gives it) restores
    it when the training starts: weights, optimiser, scheduler, early stopping and the
    epochs so far and torch's random state, which decides the batches.
    Lightning's own resume is not used: it skips the plateau scheduler's step of the epoch
    it resumes in, and the result would differ from an unbroken training's.
    """
    import pytorch_lightning as pl
    import torch

    from flexmlff.scratch import atomic_output

    class TrainingState(pl.callbacks.Callback):
        def __init__(self):
            self.losses, self.best_loss, self.best_weights = [], float("inf"), None
            self.epochs_before = 0  # epochs of earlier attempts

        def epoch(self, trainer) -> int:
            return self.epochs_before + trainer.current_epoch

        def on_fit_start(self, trainer, task):
            # after schnetpack's data module has drawn batches for its energy statistics, and
            # before Lightning draws the first epoch's (it does so before on_train_start)
            if resume is not None:
                torch.set_rng_state(resume["rng"])

        def on_train_start(self, trainer, task):
            if resume is None:
                return
            task.load_state_dict(resume["weights"])
            trainer.optimizers[0].load_state_dict(resume["optimizer"])
            trainer.lr_scheduler_configs[0].scheduler.load_state_dict(resume["scheduler"])
            _early_stopping(trainer).load_state_dict(resume["early_stopping"])
            history[:] = resume["history"]
            self.best_loss, self.best_weights = resume["best_loss"], resume["best_weights"]
            self.epochs_before = resume["epochs"]

        def on_train_epoch_start(self, trainer, task):
            self.losses = []
            if checkpoint is not None and trainer.current_epoch > 0 and self.epoch(trainer) % every == 0:
                state = {
                    "epochs": self.epoch(trainer),
                    "weights": task.state_dict(),
                    "optimizer": trainer.optimizers[0].state_dict(),
                    "scheduler": trainer.lr_scheduler_configs[0].scheduler.state_dict(),
                    "early_stopping": _early_stopping(trainer).state_dict(),
                    "history": history,
                    "best_loss": self.best_loss,
                    "best_weights": self.best_weights,
                    "rng": torch.get_rng_state(),
                }
                with atomic_output(checkpoint) as partial:
                    torch.save(state, partial)

        def on_train_batch_end(self, trainer, task, outputs, batch, batch_idx):
            self.losses.append(float(outputs["loss"]))

        def on_train_epoch_end(self, trainer, task):
            metrics = trainer.callback_metrics
            row = {
                "epoch": self.epoch(trainer),
                "train_loss": float(np.mean(self.losses)),
                "valid_loss": float(metrics["val_loss"]),
                "valid_energy_mae": float(metrics["val_energy_MAE"]),
                "valid_force_mae": float(metrics["val_forces_MAE"]),
                "learning_rate": float(trainer.optimizers[0].param_groups[0]["lr"]),
            }
            history.append(row)
            if row["valid_loss"] < self.best_loss:
                self.best_loss = row["valid_loss"]
                self.best_weights = {k: v.detach().clone() for k, v in task.state_dict().items()}

    return TrainingState()


def _early_stopping(trainer):
    import pytorch_lightning as pl

    return next(c for c in trainer.callbacks if isinstance(c, pl.callbacks.EarlyStopping))


def _read_checkpoint(checkpoint: TrainingCheckpoint | None) -> dict | None:
    """The state an earlier attempt of this training left, or None."""
    if checkpoint is None or not checkpoint.resumable or not checkpoint.file(LAST_CHECKPOINT).exists():
        return None
    import torch

    return torch.load(checkpoint.file(LAST_CHECKPOINT), map_location="cpu", weights_only=False)


def train(
    train_set: Dataset,
    validation: Dataset,
    settings: dict | None = None,
    threads: int = 1,
    record: dict | None = None,
    checkpoint: TrainingCheckpoint | None = None,
):
    """Train SchNet on `train_set`, stopping early on the loss over `validation`.

    `record`, when given, receives ``history`` (one dict per epoch: losses in
    (kcal/mol)² units of the weighted loss, MAEs in kcal/mol and kcal/(mol Å))
    and ``chosen`` (the best epoch and its validation loss). With a `checkpoint`, the
    training writes its state there every ``checkpoint_every`` epochs, and resumes from
    it where it holds one of this training.
    """
    return train_network(
        train_set,
        validation,
        {**DEFAULTS, **(settings or {})},
        threads,
        record,
        checkpoint,
        schnet_representation,
        FAMILY.name,
    )


def train_network(
    train_set: Dataset,
    validation: Dataset,
    settings: dict,
    threads: int,
    record: dict | None,
    checkpoint: TrainingCheckpoint | None,
    representation,
    name: str,
):
    """:func:`train` for any schnetpack `representation` (settings -> a representation
    module) of family `name`: SchNet's, or another family's built on schnetpack (PaiNN)."""
    work = Path(tempfile.mkdtemp(prefix=f"flexmlff-{name}-"))  # the frame database
    try:
        return _fit(train_set, validation, settings, threads, record, work, checkpoint, representation, name)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _fit(
    train_set: Dataset,
    validation: Dataset,
    s: dict,
    threads: int,
    record: dict | None,
    work: Path,
    checkpoint: TrainingCheckpoint | None,
    representation,
    name: str,
):
    """:func:`train` with settings `s`, its frame database in `work`."""
    import pytorch_lightning as pl
    import torch
    import torchmetrics

    spk = _schnetpack()
    import schnetpack.transform as trn

    torch.set_num_threads(threads)  # jobs side by side: one thread each, or 25-60x slower
    pl.seed_everything(s["seed"], workers=True)
    from flexmlff.data import concatenate

    _database(concatenate([train_set, validation], "train+valid"), work / "frames.db")
    n_train = len(train_set)
    np.savez(
        work / "split.npz",
        train_idx=np.arange(n_train),
        val_idx=np.arange(n_train, n_train + len(validation)),
        test_idx=np.array([], dtype=int),
    )
    data = spk.data.AtomsDataModule(
        str(work / "frames.db"),
        batch_size=min(s["batch_size"], n_train),
        split_file=str(work / "split.npz"),
        transforms=[
            trn.ASENeighborList(cutoff=s["cutoff_A"]),
            trn.RemoveOffsets("energy", remove_mean=True, remove_atomrefs=False),
            trn.CastTo32(),
        ],
        num_workers=0,
        pin_memory=False,
        property_units={"energy": "kcal/mol", "forces": "kcal/mol/Ang"},
        distance_unit="Ang",
        load_properties=["energy", "forces"],
    )
    outputs = [
        spk.task.ModelOutput(
            name=name, loss_fn=torch.nn.MSELoss(), loss_weight=weight, metrics={"MAE": torchmetrics.MeanAbsoluteError()}
        )
        for name, weight in (("energy", s["energy_weight"]), ("forces", s["force_weight"]))
    ]
    task = spk.task.AtomisticTask(
        model=_network(s, representation),
        outputs=outputs,
        optimizer_cls=torch.optim.Adam,
        optimizer_args={"lr": s["learning_rate"]},
        scheduler_cls=torch.optim.lr_scheduler.ReduceLROnPlateau,
        scheduler_args={"factor": s["lr_factor"], "patience": s["lr_patience"]},
        scheduler_monitor="val_loss",
    )
    from pytorch_lightning.plugins.environments import LightningEnvironment

    history, resume = [], _read_checkpoint(checkpoint)
    state = _training_state(
        history, checkpoint.file(LAST_CHECKPOINT) if checkpoint else None, s["checkpoint_every"], resume
    )
    if resume is not None:
        log.info("resuming %s from epoch %d (%s)", name, resume["epochs"], checkpoint.file(LAST_CHECKPOINT))
    trainer = pl.Trainer(
        max_epochs=s["max_epochs"] - (resume["epochs"] if resume else 0),
        accelerator="auto",
        devices=1,
        default_root_dir=str(work),
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        deterministic=False,
        callbacks=[pl.callbacks.EarlyStopping(monitor="val_loss", patience=s["patience"]), state],
        # not Lightning's SLURM environment, which on a cluster would requeue the job itself on a
        # signal: the workflow's retry resumes it from the checkpoint
        plugins=[LightningEnvironment()],
    )
    cwd = os.getcwd()
    os.chdir(work)  # schnetpack's data module writes its "splitting.lock" into the working directory
    try:
        trainer.fit(task, datamodule=data)
    finally:
        os.chdir(cwd)
    best_epoch = min(history, key=lambda row: row["valid_loss"])
    log.info(
        "%s: %d epochs, best validation loss %.4f at epoch %d", name, len(history), state.best_loss, best_epoch["epoch"]
    )
    if record is not None:
        record.update(
            history=history,
            chosen={"epoch": best_epoch["epoch"], "epochs_run": len(history), "valid_loss": best_epoch["valid_loss"]},
        )
    task.load_state_dict(state.best_weights)
    return task.model.cpu().eval()


def save(model, path: str | Path) -> None:
    """The whole network (architecture and weights) with torch.save, as schnetpack does."""
    import torch

    torch.save(model, path)


def load(path: str | Path):
    import torch

    _schnetpack()
    return torch.load(path, map_location="cpu", weights_only=False).eval()


def _converter(model):
    """schnetpack's input converter at the network's own precision."""
    spk = _schnetpack()
    import schnetpack.transform as trn

    cutoff = float(model.representation.cutoff)
    dtype = next(model.parameters()).dtype
    return spk.interfaces.AtomsConverter(neighbor_list=trn.ASENeighborList(cutoff=cutoff), dtype=dtype)


def predict(model, R: np.ndarray, z: np.ndarray, batch_size: int = 64, converter=None) -> tuple[np.ndarray, np.ndarray]:
    """Energies (M,) in kcal/mol and forces (M, N, 3) in kcal/(mol Å) for positions R (M, N, 3).

    The molecules are handed over without a cell: given i-PI's large box, ASE's
    neighbour list bins the whole box and takes ~6x longer than the network itself.
    """
    from ase import Atoms

    converter = converter or _converter(model)
    energies, forces = [], []
    for start in range(0, len(R), batch_size):
        batch = [Atoms(numbers=z, positions=r) for r in R[start : start + batch_size]]
        results = model(converter(batch))
        energies.append(results["energy"].detach().numpy())
        forces.append(results["forces"].detach().numpy().reshape(len(batch), len(z), 3))
    return np.concatenate(energies), np.concatenate(forces)


def calculator(model):
    """An ASE calculator (eV, eV/Å) for MD: the network in float64, energy and forces
    from one pass.

    Not schnetpack's SpkCalculator: it computes only the property asked for, so ASE's
    energy-then-forces request (i-PI's socket client) runs the network twice a step,
    and it passes i-PI's box on to the neighbour list (see :func:`predict`). Profiled
    as an i-PI client on rotation's n = 100 model: 0.34 s a step before, 86 % of it there.
    """
    import copy

    import torch

    network = copy.deepcopy(model).to(torch.float64).eval()
    converter = _converter(network)
    return PredictorCalculator(lambda R, z: predict(network, R, z, converter=converter))
