"""Models flexmlff did not train: any ASE calculator, named as ml-peg's and mlipx's ``models.yml``.

An entry of ``external_models`` (or of the registry file ``external_models_file``, e.g. a
``results/models.yml`` another run wrote) names a callable by ``module`` and ``class_name``
that, called with ``kwargs``, returns an ASE calculator (eV, eV/Å): a foundation model,
a model trained elsewhere, or a semi-empirical method. ``conda`` (an env file name under
envs/) and ``device`` are optional; every other key is kept as metadata. Relative paths among
the ``kwargs`` of a registry file's entries resolve against that file's folder.

Such a model is evaluated zero-shot on the held-out frames of every fold and size, the same
frames the trained families are tested on. Its energies come from another reference and
carry an unknown constant offset, so its energy errors are taken after removing the mean
offset on each fold's held-out frames (:func:`offset_removed`; the offset is reported).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from flexmlff.config_error import ConfigError
from flexmlff.evaluate import HeldOut
from flexmlff.units import ev_to_kcal_mol

log = logging.getLogger(__name__)

#: The keys of a models.yml entry that say how to build the calculator; the rest is metadata.
CALCULATOR_KEYS = ("module", "class_name", "kwargs", "conda", "device")
#: Suffixes of model files: a kwargs value ending in one must name an existing file.
MODEL_FILE_SUFFIXES = (".model", ".pt", ".pth", ".npz", ".xml", ".tar.gz", ".ckpt", ".json", ".yaml")


@dataclass(frozen=True)
class ExternalModel:
    """One models.yml entry: what builds its ASE calculator, and what else it said."""

    name: str
    module: str
    class_name: str
    kwargs: dict = field(default_factory=dict)
    conda: str | None = None
    device: str | None = None
    metadata: dict = field(default_factory=dict)
    key: str = ""  #: where it was given, for messages

    @classmethod
    def from_entry(cls, name: str, entry: dict, key: str, relative_to: Path | None = None) -> ExternalModel:
        """An entry of ``external_models`` or of a registry file; with `relative_to`, relative
        file paths among its kwargs resolve against that folder."""
        missing = [k for k in ("module", "class_name") if not entry.get(k)]
        if missing:
            raise ConfigError(key, f"needs {' and '.join(missing)} (an ml-peg/mlipx models.yml entry)")
        kwargs = dict(entry.get("kwargs") or {})
        if relative_to is not None:
            kwargs = {k: _resolved(v, relative_to) for k, v in kwargs.items()}
        metadata = {k: v for k, v in entry.items() if k not in CALCULATOR_KEYS}
        return cls(
            name, entry["module"], entry["class_name"], kwargs, entry.get("conda"), entry.get("device"), metadata, key
        )

    def file_arguments(self) -> list[tuple[str, str]]:
        """(kwarg, path) of every kwarg value that names a model file (by its suffix)."""
        return [(k, v) for k, v in _flat_strings(self.kwargs) if v.endswith(MODEL_FILE_SUFFIXES)]

    @property
    def datasets(self) -> list[str] | None:
        """The datasets it is evaluated on: those its entry names (``datasets``, as a run's
        models.yml names what each model was trained on), or every trained dataset (None)."""
        named = self.metadata.get("datasets")
        return [named] if isinstance(named, str) else (list(named) if named else None)

    def problems(self) -> list[ConfigError]:
        """What can be checked without importing the model's library: that its name can be a
        path, that its package is installed here (unless its jobs run in an env of their own,
        ``conda``) and that the model files it names exist. Only the top-level package is
        looked up: finding ``mace.calculators`` would import ``mace``, which changes torch's
        loading for the whole process."""
        found = []
        if not re.fullmatch(r"[A-Za-z0-9_\-]+", self.name):
            found.append(ConfigError(self.key, f"{self.name!r}: a model name takes letters, digits, _ and - only"))
        if not self.conda:
            try:
                spec = importlib.util.find_spec(self.module.split(".")[0])
            except (ImportError, ValueError):
                spec = None
            if spec is None:
                found.append(ConfigError(f"{self.key}.module", f"no module {self.module!r} is installed"))
        for kwarg, path in self.file_arguments():
            if not Path(path).exists():
                found.append(ConfigError(f"{self.key}.kwargs.{kwarg}", f"model file {path} not found"))
        return found

    def calculator(self):
        """The ASE calculator the entry names (`device` given where the callable takes one)."""
        try:
            module = importlib.import_module(self.module)
        except Exception as err:  # noqa: BLE001 - any import failure is the entry's problem
            raise ConfigError(f"{self.key}.module", f"{self.module!r} does not import: {err}") from err
        build = getattr(module, self.class_name, None)
        if not callable(build):
            raise ConfigError(f"{self.key}.class_name", f"{self.module}.{self.class_name} is not callable")
        kwargs = dict(self.kwargs)
        if self.device and "device" not in kwargs and _takes(build, "device"):
            kwargs["device"] = self.device
        calculator = build(**kwargs)
        if not (hasattr(calculator, "get_potential_energy") or hasattr(calculator, "calculate")):
            raise ConfigError(
                f"{self.key}.class_name",
                f"{self.module}.{self.class_name}(**kwargs) returned "
                f"{type(calculator).__name__}, not an ASE calculator",
            )
        return calculator


def _takes(function, name: str) -> bool:
    try:
        return name in inspect.signature(function).parameters
    except (TypeError, ValueError):
        return False


def _flat_strings(kwargs: dict):
    for key, value in kwargs.items():
        if isinstance(value, str):
            yield key, value
        elif isinstance(value, (list, tuple)):
            yield from ((key, v) for v in value if isinstance(v, str))


def _resolved(value, folder: Path):
    """A relative path among a registry entry's kwargs, resolved against the registry's folder
    where a file is there."""
    if isinstance(value, (list, tuple)):
        return [_resolved(v, folder) for v in value]
    if isinstance(value, str) and not os.path.isabs(value) and (folder / value).exists():
        return str(folder / value)
    return value


def read_registry(path: str | Path) -> dict[str, dict]:
    """The entries of a models.yml registry file, by name."""
    import yaml

    entries = yaml.safe_load(Path(path).read_text()) or {}
    if not isinstance(entries, dict):
        raise ConfigError("external_models_file", f"{path} is not a mapping of model names to entries")
    return entries


def external_models(config: dict) -> dict[str, ExternalModel]:
    """Every external model of a config: those of ``external_models_file``, then those of
    ``external_models`` (which win where both name one)."""
    models = {}
    registry = config.get("external_models_file")
    if registry:
        if not Path(registry).is_file():
            raise ConfigError("external_models_file", f"{registry} not found")
        for name, entry in read_registry(registry).items():
            models[name] = ExternalModel.from_entry(
                name, entry, f"external_models_file ({registry}): {name}", Path(registry).parent
            )
    for name, entry in (config.get("external_models") or {}).items():
        models[name] = ExternalModel.from_entry(name, entry, f"external_models.{name}")
    return models


def predict_frames(
    calculator, R: np.ndarray, z: np.ndarray, name: str, frames=None, progress_every: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Energies (M,) in kcal/mol and forces (M, N, 3) in kcal/(mol Å) of an ASE calculator on
    positions R (M, N, 3) Å, the dataset's `frames` (their indices, for messages); a
    non-finite value stops with the model and the frame named. Logs progress every
    `progress_every` frames."""
    from ase import Atoms

    frames = np.arange(len(R)) if frames is None else np.asarray(frames)
    energies, forces = np.empty(len(R)), np.empty(np.shape(R))
    for i, positions in enumerate(R):
        atoms = Atoms(numbers=z, positions=positions)
        atoms.calc = calculator
        energies[i] = atoms.get_potential_energy()
        forces[i] = atoms.get_forces()
        if not (np.isfinite(energies[i]) and np.all(np.isfinite(forces[i]))):
            raise ValueError(
                f"external model {name!r} returned a non-finite energy or force on frame "
                f"{int(frames[i])} of the dataset"
            )
        if progress_every and (i + 1) % progress_every == 0:
            log.info("%s: %d of %d frames", name, i + 1, len(R))
    return ev_to_kcal_mol(energies), ev_to_kcal_mol(forces)


def held_out_frames(splits, n_folds: int) -> np.ndarray:
    """Every frame some fold of some split tests on, once: what an external model predicts."""
    return np.unique(np.concatenate([split.test_indices(k) for split in splits for k in range(n_folds)]))


def offset_removed(held_out: HeldOut, reference_energies: np.ndarray) -> tuple[HeldOut, float]:
    """`held_out` with its energies shifted by their mean offset from `reference_energies`
    (of the same frames): a model of another reference is compared up to a constant. Returns
    the shifted predictions and the removed offset, kcal/mol."""
    offset = float(np.mean(held_out.energies - np.asarray(reference_energies, dtype=float)))
    return held_out._replace(energies=held_out.energies - offset), offset
