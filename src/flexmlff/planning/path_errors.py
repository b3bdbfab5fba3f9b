"""Errors along the reference paths (``figures.path_errors``): every model of the largest size
on a dataset, its best fold, evaluated on every frame of every reference path of the dataset's
molecule (flexmlff.path_errors)."""

from __future__ import annotations

from flexmlff.config_error import ConfigError
from flexmlff.layout import Layout
from flexmlff.planning.datasets import Datasets
from flexmlff.planning.paths import Paths
from flexmlff.planning.stage import Stage
from flexmlff.planning.training import Training


class PathErrors(Stage):
    """``figures.path_errors``: which datasets' models, on which paths."""

    def __init__(self, config: dict, layout: Layout, paths: Paths, datasets: Datasets, training: Training):
        """The paths, datasets and training planners it looks names up in."""
        super().__init__(config, layout)
        self.paths = paths
        self.datasets = datasets
        self.training = training
        self.settings = config["figures"].get("path_errors")

    def path_names(self, dataset: str) -> list[str]:
        """The reference paths of a dataset's molecule (:meth:`Paths.reference_paths`)."""
        return self.paths.reference_paths(self.datasets.molecule(dataset))

    def path_files(self, dataset: str) -> list[str]:
        """The frames of each of :meth:`path_names`, in that order."""
        molecule = self.datasets.molecule(dataset)
        return [self.paths.path_file(molecule, name) for name in self.path_names(dataset)]

    def at_the_paths_level(self, dataset: str) -> bool:
        """A dataset sampled and labelled at its molecule's level, that of its paths (not a
        relabelling at another level, not a file of unknown level)."""
        molecule = self.datasets.molecule(dataset)
        same_level = self.datasets.level(dataset).label == self.datasets.molecules.molecule_level(molecule).label
        return same_level and not self.datasets.settings(dataset)["file"]

    def evaluated_datasets(self) -> list[str]:
        """``figures.path_errors.datasets``; by default every trained dataset at its
        molecule's level whose molecule has reference paths."""
        if self.settings is None:
            return []
        chosen = self.settings.get("datasets") or [
            d for d in self.training.trained_datasets if self.at_the_paths_level(d)
        ]
        return [d for d in chosen if self.path_names(d)]

    def jobs(self) -> list[tuple[str, str]]:
        """(dataset, model) of every path-error job: each model on each evaluated dataset."""
        return [(d, model) for d in self.evaluated_datasets() for model in self.training.models_on(d)]

    def frame_tables(self) -> list[str]:
        """Every job's per-frame table, in :meth:`jobs` order."""
        return [self.layout.path_errors(dataset, model) for dataset, model in self.jobs()]

    def barrier_table(self) -> list[str]:
        """The barrier table the summary reads; none without path-error jobs."""
        return [self.layout.table("barrier_errors")] if self.jobs() else []

    def targets(self) -> list[str]:
        """The tables and figure of every model's path errors; none without jobs."""
        if not self.jobs():
            return []
        return [
            self.layout.table("path_errors"),
            self.layout.table("barrier_errors"),
            self.layout.table("barrier_errors", "md"),
            *self.layout.figure("path_profiles"),
        ]

    # -- checks --------------------------------------------------------------------------------
    def checks(self) -> list[tuple]:
        """One check of ``figures.path_errors``, where it is on."""
        return [] if self.settings is None else [(self._check,)]

    def _check(self) -> None:
        """Named datasets are trained, at the level of their molecule's paths, and their
        molecule has paths."""
        for dataset in self.settings.get("datasets") or []:
            self.training.must_be_trained("figures.path_errors.datasets", dataset)
            if not self.at_the_paths_level(dataset):
                raise ConfigError(
                    "figures.path_errors.datasets",
                    f"{dataset!r} is not labelled at its molecule's level, that of the reference paths",
                )
            if not self.path_names(dataset):
                raise ConfigError(
                    "figures.path_errors.datasets",
                    f"{dataset!r} is of {self.datasets.molecule(dataset)}, which has no reference paths",
                )
