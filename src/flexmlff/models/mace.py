"""MACE, an equivariant message-passing network (mace-torch), trained from scratch.

Beyond the paper (issue 16): the kind of model users reach for since. Trained with
mace-torch's own trainer, ``mace_run_train``, in a process of its own: importing ``mace``
sets ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` for the whole process (e3nn 0.4.4 needs it on
torch >= 2.6), so the training never runs inside the caller. The frames go to it as
extended XYZ in eV and eV/Å, the units MACE and its ASE calculator assume; its per-element
reference energies are the training average (``E0s=average``). It evaluates the validation
frames every epoch, lowers the learning rate on plateaus and stops after ``patience``
epochs without a better validation loss; the saved model is that of the best epoch. The
validation loss and RMSEs of every epoch go into the training record.

No foundation weights: pretrained MACE-MP/OFF models are downloads, and this row is
trained like the others, on the same frames.

One mend, applied only in the training process (``python -m flexmlff.models.mace``, which
then runs mace-torch's own ``mace_run_train``): schnetpack 2.0.4 pins torchmetrics 1.0.1,
whose ``apply_to_collection`` cannot rebuild the defaultdict of metrics mace-torch's
validation returns; lightning-utilities' function of the same name and signature (what
later torchmetrics use) can.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import yaml

from flexmlff.data import Dataset
from flexmlff.models import Family, network_training_memory_gb, network_training_seconds
from flexmlff.models._checkpoint import TrainingCheckpoint
from flexmlff.models._mace_run import epoch_history, run_reporting_progress
from flexmlff.units import ev_to_kcal_mol, kcal_mol_to_ev

log = logging.getLogger(__name__)

#: Seconds per epoch at n = 100, batch 10, 32 channels, L = 1, two layers, float64, with
#: validation on 50 frames, by atom count: glycine 7.6 s beside two SchNet jobs on 2 cores
#: (2026-12-05); alanine dipeptide (22 atoms) 28.9 s alone on one thread (2026-12-06).
EPOCH_100_S = {10: 7.6, 22: 28.9}
#: An epoch in float32 over float64 (0.64 at 32 channels, 0.56 at 16; 2026-12-06).
FLOAT32_SPEEDUP = 0.6


def training_seconds(n_train: int, n_atoms: int, settings: dict) -> float:
    """Every epoch up to ``max_epochs``, each in proportion to the channels, less in float32."""
    scale = settings["num_channels"] / 32 * (FLOAT32_SPEEDUP if settings["dtype"] == "float32" else 1.0)
    return network_training_seconds(EPOCH_100_S, n_train, n_atoms, settings, scale)


FAMILY = Family(
    name="mace",
    label="MACE",
    colour="#fbafe4",
    model_file="model.model",
    settings=yaml.safe_load("""
type: object
description: "MACE through mace-torch, trained from scratch (beyond the paper; no foundation weights)."
additionalProperties: false
default: {}
properties:
  r_max_A:
    type: number
    exclusiveMinimum: 0
    default: 5.0
    description: >-
      Cutoff radius, Å (the paper's 5 Å of SchNet and GAP).
  num_channels: {$ref: "#/$defs/positive_int", default: 32, description: Channels of every irrep.}
  max_L: {type: integer, minimum: 0, maximum: 3, default: 1, description: Highest angular momentum of the messages.}
  correlation:
    $ref: '#/$defs/positive_int'
    default: 3
    description: >-
      Body order of the messages minus one (3: four-body).
  num_interactions: {$ref: "#/$defs/positive_int", default: 2, description: Message-passing layers.}
  batch_size: {$ref: "#/$defs/positive_int", default: 10, description: Frames per batch.}
  learning_rate:
    type: number
    exclusiveMinimum: 0
    default: 0.01
    description: >-
      Initial learning rate (AMSGrad Adam, mace-torch's default).
  energy_weight:
    type: number
    minimum: 0
    default: 30.0
    description: >-
      Weight of the energy error (eV, per atom, squared) in the loss. Forces fix the energy only up to
      a constant in each basin the training frames connect, so the basins' relative energies come
      from this term alone: at 30 MACE put rotation-set cis 3.3 kcal/mol too low and trans 2.9 too
      high (test energy RMSE 3.40, n = 100); 1000 took it to 1.71 with the same forces (2.05), and
      the shipped configs train from scratch at 1000. The default stays 30 for fine-tuning: a
      foundation at another level starts hundreds of kcal/mol off, and at 1000 that error swamped
      the forces (tiny MACE, 6 epochs: 175 kcal/(mol Å) fine-tuned against 80 from scratch).
  forces_weight: {type: number, minimum: 0, default: 100.0, description: Weight of the force error (eV/Å) in the loss.}
  max_epochs: {$ref: "#/$defs/positive_int", default: 500, description: Upper bound on training epochs.}
  patience:
    $ref: '#/$defs/positive_int'
    default: 50
    description: >-
      Early stopping after this many epochs without a better validation loss.
  scheduler_patience:
    $ref: '#/$defs/positive_int'
    default: 10
    description: >-
      Epochs without improvement before the learning rate drops.
  ema_decay:
    type: number
    exclusiveMinimum: 0
    exclusiveMaximum: 1
    default: 0.99
    description: >-
      Decay of the weights' exponential moving average (evaluated and saved).
  seed: {type: integer, default: 0, description: Seed of initial weights and batches.}
  dtype:
    type: string
    enum: [float64, float32]
    default: float64
    description: >-
      Floating-point type of the training (mace-torch's default_dtype); the saved model
      predicts in float64 either way. float32 trains at 0.6x the time of float64 with the
      same validation errors (alanine dipeptide, n = 100, 4 epochs, 2026-12-06).
  foundation_model:
    type: [string, "null"]
    default: null
    description: >-
      A MACE model file to fine-tune instead of training from scratch (mace-torch's
      --foundation_model: the architecture and cutoff are the file's, the channel and layer
      settings here are not used). Any MACE file: a foundation model you have, or one a run wrote.
  replay_file:
    type: [string, "null"]
    default: null
    description: >-
      Frames of the foundation model's own training (extended XYZ, REF_energy and REF_forces in
      eV): given, multihead fine-tuning replays them beside the new frames (mace-torch's
      --pt_train_file, E0s from the foundation model); without, naive fine-tuning.
  device:
    type: string
    enum: [auto, cpu, cuda]
    default: auto
    description: >-
      Torch device of the training; auto takes a GPU where torch sees one (the
      training record says which was used).
"""),
    training_seconds=training_seconds,
    training_memory_gb=network_training_memory_gb,
    md_steps_per_s=12.0,  # its ASE calculator on 200 glycine frames, 16 s beside two trainings (2026-12-05)
    threads=4,
    gpu=True,
)
#: Settings understood by :func:`train` (config section ``models.mace``): a small MACE
#: (32 channels, L = 1 messages, two layers, body order 4) that trains on a CPU core.
#: ``dtype`` is the training's; :func:`load` returns the network in float64 whatever it was.
DEFAULTS = FAMILY.defaults
NAME = "mace"
ENERGY_KEY, FORCES_KEY = "REF_energy", "REF_forces"


def _write_ev_frames(frames: Dataset, path: Path) -> None:
    """Frames as extended XYZ in eV and eV/Å under keys MACE reads (not ASE's reserved ones)."""
    from ase import Atoms
    from ase.io import write

    images = []
    for R, E, F in zip(frames.R, frames.E, frames.F):
        atoms = Atoms(numbers=frames.z, positions=R)
        atoms.info[ENERGY_KEY] = float(kcal_mol_to_ev(E))
        atoms.arrays[FORCES_KEY] = kcal_mol_to_ev(np.asarray(F, dtype=float))
        images.append(atoms)
    write(path, images, format="extxyz")


def train_command(work: Path, settings: dict, device: str = "cpu") -> list[str]:
    """The ``mace_run_train`` command line for frames written to `work` (train.xyz, valid.xyz),
    training on torch `device` ("cpu" or "cuda")."""
    s = settings
    return [
        sys.executable,
        "-m",
        __name__,
        f"--name={NAME}",
        f"--work_dir={work}",
        f"--seed={s['seed']}",
        f"--train_file={work / 'train.xyz'}",
        f"--valid_file={work / 'valid.xyz'}",
        f"--energy_key={ENERGY_KEY}",
        f"--forces_key={FORCES_KEY}",
        "--E0s=average",
        "--model=MACE",
        f"--r_max={s['r_max_A']}",
        f"--num_channels={s['num_channels']}",
        f"--max_L={s['max_L']}",
        f"--correlation={s['correlation']}",
        f"--num_interactions={s['num_interactions']}",
        f"--batch_size={s['batch_size']}",
        f"--valid_batch_size={s['batch_size']}",
        "--loss=weighted",
        f"--energy_weight={s['energy_weight']}",
        f"--forces_weight={s['forces_weight']}",
        f"--lr={s['learning_rate']}",
        f"--scheduler_patience={s['scheduler_patience']}",
        "--ema",
        f"--ema_decay={s['ema_decay']}",
        "--amsgrad",
        f"--max_num_epochs={s['max_epochs']}",
        f"--patience={s['patience']}",
        "--eval_interval=1",
        "--error_table=PerAtomRMSE",
        f"--device={device}",
        f"--default_dtype={s['dtype']}",
        "--save_cpu",
        *fine_tuning_arguments(s),
    ]


def fine_tuning_arguments(settings: dict) -> list[str]:
    """mace-torch's fine-tuning of ``foundation_model``: multihead with a ``replay_file``
    (its E0s the foundation's, as multihead fine-tuning requires), naive without."""
    foundation = settings.get("foundation_model")
    if not foundation:
        return []
    arguments = [f"--foundation_model={Path(foundation).resolve()}"]
    replay = settings.get("replay_file")
    if replay:
        return [
            *arguments,
            "--multiheads_finetuning=True",
            f"--pt_train_file={Path(replay).resolve()}",
            "--E0s=foundation",
            "--force_mh_ft_lr=True",
        ]
    return [*arguments, "--multiheads_finetuning=False"]


def training_device(setting: str = "auto") -> str:
    """The torch device of the training: `setting` ("cpu", "cuda"), or for "auto" "cuda"
    where torch sees a GPU (a GPU partition of profiles/slurm), else "cpu". The model is
    saved for the CPU either way (``--save_cpu``)."""
    if setting != "auto":
        return setting
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def train(
    train_set: Dataset,
    validation: Dataset,
    settings: dict | None = None,
    threads: int = 1,
    record: dict | None = None,
    checkpoint: TrainingCheckpoint | None = None,
):
    """Train MACE on `train_set`, stopping early on the loss over `validation`.

    Returns the trained network (a torch module). `record`, when given, receives
    ``history`` (:func:`flexmlff.models._mace_run.epoch_history`) and ``chosen`` (the best epoch). With a `checkpoint`,
    mace-torch works in its folder, where it keeps a checkpoint of every epoch that lowers
    the validation loss; where a killed attempt of this training left one, mace-torch's own
    restart (``--restart_latest``) continues from it. Its patience counter and moving
    average start afresh then, so a resumed MACE ends near, not exactly at, an unbroken one.
    """
    s = {**DEFAULTS, **(settings or {})}
    if checkpoint is None:
        work = Path(tempfile.mkdtemp(prefix="flexmlff-mace-"))
    else:
        work = checkpoint.file("mace")
        work.mkdir(exist_ok=True)
    resume_epoch = latest_checkpoint_epoch(work) if checkpoint is not None and checkpoint.resumable else None
    try:
        _write_ev_frames(train_set, work / "train.xyz")
        _write_ev_frames(validation, work / "valid.xyz")
        library = str(Path(__file__).resolve().parents[2])  # this flexmlff, for `python -m`
        env = {
            **os.environ,
            "OMP_NUM_THREADS": str(threads),
            "MKL_NUM_THREADS": str(threads),
            "PYTHONPATH": os.pathsep.join(filter(None, [library, os.environ.get("PYTHONPATH")])),
        }
        device = training_device(s["device"])
        command = train_command(work, s, device)
        if resume_epoch is not None:
            log.info("resuming mace from epoch %d (%s)", resume_epoch, work / "checkpoints")
            command.append("--restart_latest")
        returncode = run_reporting_progress(command, work, env)
        if returncode != 0:
            tail = (work / "train.log").read_text()[-3000:]
            raise RuntimeError(f"mace_run_train failed (exit {returncode}):\n{tail}")
        history = epoch_history(next((work / "results").glob("*_train.txt")))
        best = min(history, key=lambda row: row["valid_loss"])
        log.info(
            "MACE: %d epochs, best validation loss %.5f at epoch %d", len(history), best["valid_loss"], best["epoch"]
        )
        model = load(work / f"{NAME}.model")
        offset = refit_energy_offset(model, train_set)
        log.info("MACE: a mean energy offset of %.3f kcal/mol on the training frames moved into its E0s", offset)
        if record is not None:
            record.update(
                history=history,
                device=device,
                energy_offset_refit_kcal_mol=offset,
                chosen={"epoch": best["epoch"], "epochs_run": len(history), "valid_loss": best["valid_loss"]},
            )
        return model
    finally:
        if checkpoint is None:  # a checkpoint's folder stays for the next attempt, or goes with the job's success
            shutil.rmtree(work, ignore_errors=True)


def refit_energy_offset(model, frames: Dataset) -> float:
    """Move the network's mean energy residual on `frames` (its training frames) into its
    per-element reference energies (E0s), as sGDML fits its integration constant to the
    training energies; returns that offset, kcal/mol.

    Why: adding a constant to the energy leaves the forces unchanged, and mace-torch's loss
    weighs the energy error per atom squared (energy_weight / N² against the forces'
    weight), so the constant the network drifts to while learning the forces is barely
    pulled back: on 100 glycine frames after 150 epochs it was 0.69 of a 0.77 kcal/mol test
    energy RMSE. The shift is the least-norm one over the elements (frames of one molecule
    fix only their sum), so the forces and every energy difference stay as trained.
    """
    import torch

    energies, _ = predict(model, frames.R, frames.z)
    offset = float(np.mean(frames.E - energies))
    counts = np.array([np.sum(frames.z == int(z)) for z in model.atomic_numbers], dtype=float)
    shift = kcal_mol_to_ev(offset) * counts / np.dot(counts, counts)  # eV per atom of each element
    with torch.no_grad():
        e0 = model.atomic_energies_fn.atomic_energies
        e0 += torch.as_tensor(shift, dtype=e0.dtype)  # every head alike
    return offset


def latest_checkpoint_epoch(work: Path) -> int | None:
    """The epoch of the latest checkpoint mace-torch wrote in `work` (``..._epoch-<N>.pt``), or None."""
    epochs = [
        int(match[1])
        for path in (work / "checkpoints").glob("*.pt")
        if (match := re.search(r"_epoch-(\d+)", path.name))
    ]
    return max(epochs, default=None)


def save(model, path: str | Path) -> None:
    """The whole network with torch.save, as mace-torch saves its models."""
    import torch

    torch.save(model, path)


def load(path: str | Path):
    import mace  # noqa: F401  (its classes, for unpickling)
    import torch

    return torch.load(path, map_location="cpu", weights_only=False).double().eval()


def calculator(model):
    """mace-torch's own ASE calculator (eV, eV/Å) around the network, in float64."""
    from mace.calculators import MACECalculator

    return MACECalculator(models=model, device="cpu", default_dtype="float64")


def predict(model, R: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Energies (M,) in kcal/mol and forces (M, N, 3) in kcal/(mol Å), through
    :func:`calculator`."""
    from ase import Atoms

    calc = calculator(model)
    energies, forces = [], []
    for positions in R:
        atoms = Atoms(numbers=z, positions=positions)
        atoms.calc = calc
        energies.append(atoms.get_potential_energy())
        forces.append(atoms.get_forces())
    return ev_to_kcal_mol(np.array(energies)), ev_to_kcal_mol(np.array(forces))


def _run_mace_train() -> None:
    """mace-torch's ``mace_run_train`` on this process's arguments, torchmetrics mended."""
    import lightning_utilities.core.apply_func
    import torchmetrics.utilities.data

    torchmetrics.utilities.data.apply_to_collection = lightning_utilities.core.apply_func.apply_to_collection
    from mace.cli.run_train import main

    main()


if __name__ == "__main__":
    _run_mace_train()
