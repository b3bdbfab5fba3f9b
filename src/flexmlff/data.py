"""Datasets of geometries with energies and forces, in the paper's units.

A :class:`Dataset` holds ``z`` (atomic numbers), ``R`` (Å), ``E`` (kcal/mol) and
``F`` (kcal/(mol Å)). It is read from and written to

* the sGDML npz layout (``R, z, E, F`` plus ``name, theory, r_unit, e_unit, md5``),
* extended XYZ (``energy`` in the comment line, ``forces`` per atom, both in
  kcal/mol units, marked by ``energy_unit`` / ``force_unit`` keys),
* the bare xyz of the paper's published data (read only): line 1 the atom
  count, line 2 the energy, then ``El x y z fx fy fz`` per atom.

Every reader validates what it read (shapes, one molecule, finite numbers) and
names the file in its error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from ase import Atoms
from ase.data import atomic_numbers, chemical_symbols
from ase.io import read, write

from flexmlff.scratch import atomic_output
from flexmlff.units import (
    ENERGY_UNIT,
    ENERGY_UNITS_IN_KCAL_MOL,
    FORCE_UNIT,
    LENGTH_UNIT,
    LENGTH_UNITS_IN_ANGSTROM,
    ev_to_kcal_mol,
    unit_factor,
)

#: Per-frame provenance kept through the extended XYZ files: MD step and time,
#: campaign (``source``), run and starting structure, and an audit frame's index in its dataset.
FRAME_INFO = ("step", "time_ps", "source", "run", "start", "dataset_frame")


class DatasetError(ValueError):
    """A dataset file is malformed; the message names the file."""


@dataclass
class Dataset:
    """Geometries with energies and forces: Å, kcal/mol, kcal/(mol Å)."""

    z: np.ndarray  # (N,) atomic numbers
    R: np.ndarray  # (M, N, 3) positions, Å
    E: np.ndarray  # (M,) energies, kcal/mol
    F: np.ndarray  # (M, N, 3) forces, kcal/(mol Å)
    name: str = "dataset"
    theory: str = "unknown"
    info: dict = field(default_factory=dict)  # per-frame extras (arrays of length M)

    def __post_init__(self):
        self.z = np.asarray(self.z, dtype=int)
        self.R = np.asarray(self.R, dtype=float)
        self.E = np.asarray(self.E, dtype=float).reshape(-1)
        self.F = np.asarray(self.F, dtype=float)

    def __len__(self) -> int:
        return len(self.E)

    @property
    def symbols(self) -> list[str]:
        return [chemical_symbols[z] for z in self.z]

    def validate(self, source: str | Path) -> "Dataset":
        """Raise :class:`DatasetError` naming `source` unless shapes and values are sound."""
        m, n = len(self.E), len(self.z)
        if m == 0:
            raise DatasetError(f"{source}: the dataset has no frames")
        if self.R.shape != (m, n, 3) or self.F.shape != (m, n, 3):
            raise DatasetError(
                f"{source}: inconsistent shapes R{self.R.shape}, F{self.F.shape}, "
                f"E({m},), z({n},); expected R and F of shape ({m}, {n}, 3)"
            )
        for key in ("R", "E", "F"):
            bad = ~np.isfinite(getattr(self, key)).reshape(m, -1).all(axis=1)
            if bad.any():
                raise DatasetError(
                    f"{source}: {key} has NaN or infinite values in {bad.sum()} frame(s), "
                    f"first at frame {int(np.argmax(bad))}"
                )
        return self

    def subset(self, indices: Sequence[int]) -> "Dataset":
        """The frames at `indices`, in that order."""
        idx = np.asarray(indices, dtype=int)
        info = {k: np.asarray(v)[idx] for k, v in self.info.items()}
        return Dataset(self.z, self.R[idx], self.E[idx], self.F[idx], self.name, self.theory, info)

    def md5(self) -> str:
        """sGDML's fingerprint of the numbers (z, R, E, F), as its tools check it."""
        from flexmlff.sgdml_package import import_sgdml

        import_sgdml()
        from sgdml.utils.io import dataset_md5

        arrays = {"z": self.z, "R": self.R, "E": self.E.reshape(-1, 1), "F": self.F}
        return dataset_md5({k: np.ascontiguousarray(v) for k, v in arrays.items()}).decode()

    def to_sgdml(self) -> dict:
        """The dict layout of an sGDML dataset (as ``np.load`` of its npz gives it)."""
        return {
            "type": np.array("d"),
            "code_version": np.array("flexmlff"),
            "name": np.array(self.name),
            "theory": np.array(self.theory),
            "z": self.z,
            "R": self.R,
            "E": self.E.reshape(-1, 1),
            "F": self.F,
            "r_unit": np.array("Ang"),
            "e_unit": np.array("kcal/mol"),
            "md5": np.array(self.md5()),
            "E_min": self.E.min(),
            "E_max": self.E.max(),
            "E_mean": self.E.mean(),
            "E_var": self.E.var(),
            "F_min": self.F.min(),
            "F_max": self.F.max(),
            "F_mean": self.F.mean(),
            "F_var": self.F.var(),
        }


def concatenate(parts: Sequence[Dataset], name: str) -> Dataset:
    """One dataset from several of the same molecule (same atoms, same order)."""
    first = parts[0]
    for part in parts[1:]:
        if not np.array_equal(part.z, first.z):
            raise DatasetError(f"cannot combine {part.name!r} with {first.name!r}: different atoms")
    # the keys every part has, in the first part's order: a set's order would change
    # the written file from run to run
    keys = [k for k in first.info if all(k in p.info for p in parts[1:])]
    info = {k: np.concatenate([np.asarray(p.info[k]) for p in parts]) for k in keys}
    return Dataset(
        first.z,
        np.concatenate([p.R for p in parts]),
        np.concatenate([p.E for p in parts]),
        np.concatenate([p.F for p in parts]),
        name,
        first.theory,
        info,
    )


def from_atoms(frames: Sequence[Atoms], name: str, theory: str) -> Dataset:
    """A dataset from ASE frames that carry energies and forces in ASE units (eV)."""
    z = frames[0].numbers
    for i, frame in enumerate(frames):
        if not np.array_equal(frame.numbers, z):
            raise DatasetError(f"{name}: frame {i} has different atoms from frame 0")
    info_keys = [k for k in frames[0].info if np.isscalar(frames[0].info[k])]
    info = {k: np.array([f.info.get(k) for f in frames]) for k in info_keys}
    return Dataset(
        z,
        np.array([f.positions for f in frames]),
        ev_to_kcal_mol(np.array([f.get_potential_energy() for f in frames])),
        ev_to_kcal_mol(np.array([f.get_forces() for f in frames])),
        name,
        theory,
        info,
    )


def drop_duplicates(dataset: Dataset) -> tuple[Dataset, int]:
    """The dataset without repeated geometries (first kept, order kept), and how many went.

    Runs that start from the same structure share their step-0 frame; a frame in
    both a training and a test fold would flatter every model.
    """
    flat = np.ascontiguousarray(dataset.R.reshape(len(dataset), -1))
    _, first = np.unique(flat, axis=0, return_index=True)
    keep = np.sort(first)
    return dataset.subset(keep), len(dataset) - len(keep)


def relabel(dataset: Dataset, calculator, theory: str, progress=None) -> Dataset:
    """The same frames with the energies and forces of an ASE `calculator`, in kcal/mol.

    `progress(i)` is called after each frame (for logging long relabelling jobs).
    """
    energies, forces = np.empty(len(dataset)), np.empty_like(dataset.F)
    atoms = Atoms(numbers=dataset.z, positions=dataset.R[0])
    atoms.calc = calculator
    for i, positions in enumerate(dataset.R):
        atoms.positions = positions
        energies[i], forces[i] = atoms.get_potential_energy(), atoms.get_forces()
        if progress:
            progress(i)
    return Dataset(
        dataset.z,
        dataset.R.copy(),
        ev_to_kcal_mol(energies),
        ev_to_kcal_mol(forces),
        dataset.name,
        theory,
        dict(dataset.info),
    )


# --- writers -----------------------------------------------------------------


def write_sgdml_npz(dataset: Dataset, path: str | Path) -> None:
    """Write the sGDML npz layout (energies kcal/mol, positions Å)."""
    with atomic_output(path) as partial, open(partial, "wb") as handle:  # np.savez would append '.npz' to a bare name
        np.savez_compressed(handle, **dataset.to_sgdml())


def write_extxyz(dataset: Dataset, path: str | Path) -> None:
    """Write extended XYZ: ``energy`` (kcal/mol) per frame, ``forces`` (kcal/(mol Å)) per atom."""
    frames = []
    for i in range(len(dataset)):
        atoms = Atoms(numbers=dataset.z, positions=dataset.R[i])
        atoms.info.update({k: _plain(v[i]) for k, v in dataset.info.items()})
        atoms.info.update(
            energy=float(dataset.E[i]),
            theory=dataset.theory,
            energy_unit=ENERGY_UNIT,
            force_unit=FORCE_UNIT,
            length_unit=LENGTH_UNIT,
        )
        atoms.arrays["forces"] = dataset.F[i].copy()
        frames.append(atoms)
    with atomic_output(path) as partial:
        write(partial, frames, format="extxyz", write_info=True)


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


# --- readers -----------------------------------------------------------------


def read_dataset(
    path: str | Path,
    name: str | None = None,
    units: dict | None = None,
    theory: str | None = None,
    config_key: str | None = None,
) -> Dataset:
    """Read a dataset in any supported format (chosen from the file) and validate it.

    The file's own unit labels (sGDML's ``e_unit`` / ``r_unit``, extended XYZ's
    ``energy_unit`` / ``length_unit``) must be kcal/mol and Å unless `units`
    (``{"energy": ..., "length": ...}``, e.g. from the dataset's config entry `config_key`)
    states them: then the data are converted from the stated units, whatever the labels
    say (published files often carry wrong labels). `theory` replaces the file's level of
    theory.
    """
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: dataset file not found")
    name = name or path.stem
    if path.suffix == ".npz":
        dataset, labels = _read_sgdml_npz(path, name)
    elif _is_bare_xyz(path):
        dataset, labels = _read_bare_xyz(path, name)
    else:
        dataset, labels = _read_extxyz(path, name)
    dataset = _in_workflow_units(dataset, path, labels, units or {}, config_key or "datasets.<name>.units")
    if theory:
        dataset.theory = theory
    return dataset.validate(path)


def _in_workflow_units(dataset: Dataset, path: Path, labels: dict, stated: dict, config_key: str) -> Dataset:
    """`dataset` converted to kcal/mol and Å from its stated units, or checked against its labels."""
    factors = {}
    for quantity, known, unit, example in (
        ("energy", ENERGY_UNITS_IN_KCAL_MOL, ENERGY_UNIT, "eV"),
        ("length", LENGTH_UNITS_IN_ANGSTROM, LENGTH_UNIT, "bohr"),
    ):
        label = stated.get(quantity)
        source = f"{config_key}.{quantity}"
        if label is None:
            label, source = labels.get(quantity) or unit, f"the file's {labels.get(quantity + '_key', 'label')}"
            if unit_factor(known, label) != 1.0:
                raise DatasetError(
                    f"{path}: {quantity} unit labelled {label!r} ({source}); the workflow works in {unit}. "
                    f"State the file's real unit in {config_key}.{quantity} (e.g. {example!r}) to convert, "
                    f"or {unit!r} if the label is wrong"
                )
        factor = unit_factor(known, label)
        if factor is None:
            raise DatasetError(f"{path}: unknown {quantity} unit {label!r} ({source}); known: {', '.join(known)}")
        factors[quantity] = factor
    if factors == {"energy": 1.0, "length": 1.0}:
        return dataset
    energy, length = factors["energy"], factors["length"]
    return Dataset(
        dataset.z,
        dataset.R * length,
        dataset.E * energy,
        dataset.F * (energy / length),
        dataset.name,
        dataset.theory,
        dataset.info,
    )


def _read_sgdml_npz(path: Path, name: str) -> Dataset:
    try:
        with np.load(path) as npz:
            missing = {"R", "z", "E", "F"} - set(npz.files)
            if missing:
                raise DatasetError(f"{path}: not an sGDML dataset, missing keys {sorted(missing)}")
            labels = {
                "energy": str(npz["e_unit"]) if "e_unit" in npz.files else None,
                "energy_key": "e_unit",
                "length": str(npz["r_unit"]) if "r_unit" in npz.files else None,
                "length_key": "r_unit",
            }
            return Dataset(
                npz["z"],
                npz["R"],
                npz["E"],
                npz["F"],
                str(npz["name"]) if "name" in npz.files else name,
                str(npz["theory"]) if "theory" in npz.files else "unknown",
            ), labels
    except (OSError, ValueError) as err:
        if isinstance(err, DatasetError):
            raise
        raise DatasetError(f"{path}: cannot read as npz: {err}") from err


def _is_bare_xyz(path: Path) -> bool:
    """The paper's format: line 2 is a single number, atom lines have 7 columns."""
    with open(path) as handle:
        head = [handle.readline() for _ in range(3)]
    try:
        float(head[1])
    except ValueError:
        return False
    return len(head[2].split()) == 7


def _read_bare_xyz(path: Path, name: str) -> Dataset:
    lines = path.read_text().splitlines()
    z, R, E, F = None, [], [], []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        try:
            n_atoms = int(lines[i])
            energy = float(lines[i + 1])
            rows = [lines[i + 2 + a].split() for a in range(n_atoms)]
            short = next((a for a, r in enumerate(rows) if len(r) != 7), None)
            if short is not None:
                raise DatasetError(
                    f"{path}: frame at line {i + 1}: atom line {short + 1} (line {i + 3 + short}) "
                    f"has {len(rows[short])} columns; the format needs 'El x y z fx fy fz' per atom"
                )
            symbols = [r[0] for r in rows]
            numbers = np.array([atomic_numbers[s] for s in symbols])
            values = np.array([[float(x) for x in r[1:7]] for r in rows])
        except DatasetError:
            raise
        except (IndexError, ValueError, KeyError) as err:
            raise DatasetError(f"{path}: malformed frame starting at line {i + 1}: {err}") from err
        if values.shape != (n_atoms, 6):
            raise DatasetError(f"{path}: frame at line {i + 1} needs 'El x y z fx fy fz' per atom")
        if z is None:
            z = numbers
        elif not np.array_equal(z, numbers):
            raise DatasetError(f"{path}: frame at line {i + 1} has different atoms from the first")
        R.append(values[:, :3])
        F.append(values[:, 3:])
        E.append(energy)
        i += 2 + n_atoms
    if z is None:
        raise DatasetError(f"{path}: no frames")
    return Dataset(z, R, E, F, name, "unknown"), {}  # the format has no unit labels


def _extxyz_problem(path: Path, reason: str) -> str:
    """Which frame of an unreadable extended XYZ file breaks, and how. ASE's own error
    (`reason`) names neither the frame nor the line, so the frames are walked here:
    an atom count line, a header, then that many atom lines of the header's columns."""
    import re

    lines = path.read_text(errors="replace").splitlines()
    line, frame = 0, 0
    while line < len(lines) and lines[line].strip():
        where = f"{path}: frame {frame} (line {line + 1})"
        try:
            n_atoms = int(lines[line])
        except ValueError:
            return f"{where}: expected an atom count, found {lines[line][:40]!r}"
        header = lines[line + 1] if line + 1 < len(lines) else ""
        columns = (
            sum(int(n) for n in re.findall(r":[SRIL]:(\d+)", header.split("Properties=")[-1].split()[0]))
            if "Properties=" in header
            else 4
        )
        atoms = lines[line + 2 : line + 2 + n_atoms]
        for k, atom in enumerate(atoms):
            if len(atom.split()) != columns:
                return (
                    f"{where}: atom line {k + 1} of {n_atoms} (line {line + 3 + k}) has {len(atom.split())} "
                    f"columns, the header says {columns}; is the atom count {n_atoms} right, or the file cut short?"
                )
        if len(atoms) < n_atoms:
            return f"{where}: the file ends after {len(atoms)} of its {n_atoms} atoms"
        line, frame = line + 2 + n_atoms, frame + 1
    return f"{path}: cannot be read as extended XYZ ({reason})"


def _read_extxyz(path: Path, name: str) -> Dataset:
    try:
        frames = read(path, index=":", format="extxyz")
    except Exception as err:  # ASE raises many types for malformed files
        raise DatasetError(_extxyz_problem(path, " ".join(str(err).split())[:200])) from None
    if not frames:
        raise DatasetError(f"{path}: no frames")
    labels = {
        "energy": frames[0].info.get("energy_unit"),
        "energy_key": "energy_unit",
        "length": frames[0].info.get("length_unit"),
        "length_key": "length_unit",
    }
    z = frames[0].numbers
    R, E, F = [], [], []
    for i, frame in enumerate(frames):
        if not np.array_equal(frame.numbers, z):
            raise DatasetError(f"{path}: frame {i} has different atoms from frame 0")
        try:
            energy = frame.info["energy"] if "energy" in frame.info else frame.get_potential_energy()
            forces = frame.arrays["forces"] if "forces" in frame.arrays else frame.get_forces()
        except Exception as err:
            raise DatasetError(f"{path}: frame {i} has no energy or forces") from err
        R.append(frame.positions)
        E.append(energy)
        F.append(forces)
    info_keys = [k for k in frames[0].info if k in FRAME_INFO]
    info = {k: np.array([f.info.get(k) for f in frames]) for k in info_keys}
    return Dataset(z, R, E, F, name, str(frames[0].info.get("theory", "unknown")), info), labels
