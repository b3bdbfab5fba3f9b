"""Molecules and levels of theory: each molecule's minima (given as files or built from its
SMILES) and its atoms in their order (:mod:`.collective_variables` resolves its named
coordinates on them)."""

from __future__ import annotations

import os
from pathlib import Path

from flexmlff.building import BuildError
from flexmlff.calculators import Level
from flexmlff.config_error import ConfigError
from flexmlff.geometry import check_same_atoms, read_geometry
from flexmlff.layout import Layout
from flexmlff.planning.stage import Stage, known


class Molecules(Stage):
    """`levels` and `molecules`: minima, atoms, levels of theory.

    `basedir` is the workflow's folder: shipped input files (``resources/``) named in the
    config are found there when they are not found relative to the working directory.
    """

    def __init__(self, config: dict, layout: Layout, basedir: str | Path = "."):
        super().__init__(config, layout)
        self.basedir = Path(basedir)
        self._reference_atoms: dict = {}

    def settings(self, molecule: str) -> dict:
        """The molecule's config entry, ``molecules.<molecule>``."""
        return self.config["molecules"][molecule]

    # -- levels -------------------------------------------------------------------------
    def level(self, name: str) -> Level:
        return Level.from_config(name, self.config["levels"][name])

    def molecule_level(self, molecule: str) -> Level:
        """The molecule's reference level: minima, paths and dataset labels."""
        return self.level(self.settings(molecule)["level"])

    def md_level(self, molecule: str) -> Level:
        """The level that drives the molecule's MD (its reference level unless `md_level`)."""
        settings = self.settings(molecule)
        return self.level(settings["md_level"] or settings["level"])

    def relabelled(self, molecule: str) -> bool:
        """Whether MD frames of the molecule are relabelled at its reference level."""
        settings = self.settings(molecule)
        return settings["md_level"] not in (None, settings["level"])

    # -- minima -------------------------------------------------------------------------
    def input_path(self, path: str) -> str:
        """A config file path: relative to the working directory, or else to the
        workflow's own folder (so the shipped resources/ work from anywhere)."""
        if os.path.isabs(path) or os.path.exists(path):
            return path
        shipped = self.basedir / path
        return str(shipped) if shipped.exists() else path

    def built_minimum(self, molecule: str, minimum: str) -> dict[str, float] | None:
        """The collective-variable values a minimum is built at from the molecule's SMILES;
        None for a minimum given as a geometry file."""
        spec = self.settings(molecule)["minima"][minimum]
        return spec if isinstance(spec, dict) else None

    def minimum_file(self, molecule: str, minimum: str) -> str:
        """A minimum's starting geometry: the user's file, or the one the workflow builds."""
        if self.built_minimum(molecule, minimum) is not None:
            return self.layout.built(molecule, minimum)
        return self.input_path(self.settings(molecule)["minima"][minimum])

    def first_minimum_file(self, molecule: str) -> str:
        """The geometry every other minimum of the molecule is checked against."""
        return self.minimum_file(molecule, next(iter(self.settings(molecule)["minima"])))

    def a_geometry_file(self, molecule: str) -> str:
        """A geometry of the molecule for a first check of a model: its first minimum, or the
        frames of the dataset it takes its atoms from."""
        dataset = self.atoms_file_dataset(molecule)
        return self.layout.dataset(dataset, "extxyz") if dataset else self.first_minimum_file(molecule)

    def atoms_file_dataset(self, molecule: str) -> str | None:
        """The dataset whose file gives a molecule its atoms: the first with a ``file``, where
        the molecule names neither minima nor a SMILES (a molecule known only from a published
        dataset); None otherwise."""
        settings = self.settings(molecule)
        if settings["minima"] or settings["smiles"]:
            return None
        return next(
            (name for name, d in self.config["datasets"].items() if d["molecule"] == molecule and d["file"]), None
        )

    def reference_atoms(self, molecule: str):
        """The molecule's atoms in their order, before any job runs: its SMILES embedded
        (:func:`flexmlff.building.embedded`), its first minimum file, or else the first frame of
        its dataset file (:meth:`atoms_file_dataset`). Collective variables are resolved on
        them; read once per plan."""
        if molecule not in self._reference_atoms:
            smiles, dataset = self.settings(molecule)["smiles"], self.atoms_file_dataset(molecule)
            if smiles:
                from flexmlff.building import embedded

                self._reference_atoms[molecule] = embedded(smiles, self.config["seed"])
            elif dataset:
                self._reference_atoms[molecule] = self._first_frame(dataset)
            elif self.settings(molecule)["minima"]:
                self._reference_atoms[molecule] = read_geometry(self.first_minimum_file(molecule))
            else:  # the molecule's check names the key
                raise ValueError(f"molecules.{molecule}: no minima, SMILES or dataset file to take its atoms from")
        return self._reference_atoms[molecule]

    def _first_frame(self, dataset: str):
        """The first frame of a dataset's file, in Å (its stated units)."""
        from ase import Atoms

        from flexmlff.data import read_dataset

        settings = self.config["datasets"][dataset]
        frames = read_dataset(
            self.input_path(settings["file"]), units=settings["units"], config_key=f"datasets.{dataset}.units"
        )
        return Atoms(numbers=frames.z, positions=frames.R[0])

    # -- checks -----------------------------------------------------------------------------
    def checks(self) -> list[tuple]:
        return [(self._check_molecule, name) for name in self.config["molecules"]]

    def _check_molecule(self, name: str) -> None:
        levels, molecule, key = self.config["levels"], self.settings(name), f"molecules.{name}"
        self._check_minima_files(name)
        known(f"{key}.level", molecule["level"], levels, "level")
        if molecule["md_level"]:
            known(f"{key}.md_level", molecule["md_level"], levels, "level")

    def _check_minima_files(self, name: str) -> None:
        """The molecule's SMILES embeds; every minimum's geometry file is readable, has no
        overlapping atoms and the reference atoms in the same order; a built minimum has a
        SMILES to be built from. All found before any job runs."""
        key, molecule = f"molecules.{name}", self.settings(name)
        if molecule["smiles"]:
            try:
                self.reference_atoms(name)
            except BuildError as err:
                raise ConfigError(f"{key}.smiles", str(err)) from None
        elif not molecule["minima"]:
            dataset = self.atoms_file_dataset(name)
            if dataset is None:
                raise ConfigError(
                    f"{key}.minima",
                    "a molecule needs minima, a SMILES, or a dataset `file` of its own to take its atoms from",
                )
            try:
                self.reference_atoms(name)
            except ValueError as err:  # a DatasetError: missing, unreadable, units
                raise ConfigError(f"datasets.{dataset}.file", str(err)) from None
        for minimum in molecule["minima"]:
            if self.built_minimum(name, minimum) is not None:
                if not molecule["smiles"]:
                    raise ConfigError(
                        f"{key}.minima.{minimum}",
                        f"collective-variable values to build a minimum at need the molecule's SMILES ({key}.smiles)",
                    )
                continue
            path = self.minimum_file(name, minimum)
            try:
                check_same_atoms(read_geometry(path), self.reference_atoms(name), path)
            except ValueError as err:  # a GeometryError, or atoms that differ
                raise ConfigError(f"{key}.minima.{minimum}", str(err)) from None
