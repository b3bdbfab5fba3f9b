"""Training sets grown where the model errs (beyond the paper): each family's set, per fold,
grown step by step from an energy-stratified start, and compared with the energy-stratified
model of the same size."""

from __future__ import annotations

from flexmlff.config_error import ConfigError
from flexmlff.layout import Layout
from flexmlff.models import families as known_families
from flexmlff.planning.datasets import Datasets
from flexmlff.planning.stage import Stage, known
from flexmlff.planning.training import Training


class GrownTrainingSets(Stage):
    """``figures.training_set_optimisation``."""

    def __init__(self, config: dict, layout: Layout, datasets: Datasets, training: Training):
        super().__init__(config, layout)
        self.datasets = datasets
        self.training = training

    @property
    def settings(self) -> dict:
        return self.config["figures"]["training_set_optimisation"]

    def folds(self) -> list[int]:
        """The folds of the n_train split whose training sets are grown (default all)."""
        return self.settings.get("folds") or list(range(self.training.n_folds))

    def runs(self) -> list[tuple[str, int]]:
        """(family, fold) of every grown training set, in the order of :meth:`inputs`."""
        return [(model, fold) for model in self.settings["models"] for fold in self.folds()]

    def sizes(self) -> list[int]:
        """Training-set size after each step, step 0 first."""
        from flexmlff.training_sets import step_sizes

        return step_sizes(self.settings["n_start"], self.settings["n_train"], self.settings["steps"])

    def scheme(self):
        """The clustering settings, a :class:`flexmlff.training_sets.ClusterScheme`."""
        from flexmlff.training_sets import ClusterScheme

        return ClusterScheme(**self.settings["clusters"])

    def seed(self, fold, step) -> int:
        """Seed of one step's random choices (the starting subset, the fine clusters' fit):
        apart from the seeds the split drew with (its seed + 0, 1, 2) and from each other."""
        return self.training.split_seed(self.settings["n_train"]) + 1000 * (int(fold) + 1) + int(step)

    def previous_step(self, dataset: str, model: str, n_train, fold, step) -> dict[str, str]:
        """What step `step` starts from: the training set and frame errors of the step
        before; nothing for step 0, which draws its set from the split."""
        if int(step) == 0:
            return {}
        previous = int(step) - 1
        return {
            "previous_training_set": self.layout.optimised_training_set(dataset, model, n_train, fold, previous),
            "previous_frame_errors": self.layout.optimised_frame_errors(dataset, model, n_train, fold, previous),
        }

    def inputs(self) -> dict[str, list[str]]:
        """The figure's inputs: the test predictions of each family and fold after the last
        step (``optimised``) and of the energy-stratified model of the same size and fold
        (``stratified``), in the same order, and every step's test errors (``steps``)."""
        settings, layout = self.settings, self.layout
        dataset, n, last = settings["dataset"], settings["n_train"], settings["steps"]
        runs = self.runs()
        return {
            "optimised": [layout.optimised_predictions(dataset, m, n, k, last) for m, k in runs],
            "stratified": [layout.test_predictions(dataset, m, n, k) for m, k in runs],
            "steps": [layout.optimised_errors(dataset, m, n, k, step) for m, k in runs for step in range(last + 1)],
        }

    def targets(self) -> list[str]:
        """Every step's model: a deleted one is made again by the next plain ``snakemake``."""
        if not self.config["figures"].get("training_set_optimisation"):
            return []
        settings = self.settings
        return [
            self.layout.optimised_model(settings["dataset"], model, settings["n_train"], fold, step)
            for model, fold in self.runs()
            for step in range(settings["steps"] + 1)
        ]

    def checks(self) -> list[tuple]:
        return [(self._check,)]

    def _check(self) -> None:
        settings = self.config["figures"].get("training_set_optimisation")
        if not settings:
            return
        key, n_folds = "figures.training_set_optimisation", self.training.n_folds
        known(f"{key}.dataset", settings["dataset"], self.config["datasets"], "dataset")
        for name in settings["models"]:
            known(f"{key}.models", name, list(known_families()), "model")
        if not settings["n_start"] < settings["n_train"]:
            raise ConfigError(f"{key}.n_start", f"{settings['n_start']} must be below n_train ({settings['n_train']})")
        if settings["steps"] > settings["n_train"] - settings["n_start"]:
            raise ConfigError(
                f"{key}.steps",
                f"{settings['steps']} steps cannot each add a frame from "
                f"{settings['n_start']} to {settings['n_train']}",
            )
        for fold in settings.get("folds") or []:
            if fold >= n_folds:
                raise ConfigError(f"{key}.folds", f"fold {fold}: training.n_folds is {n_folds} (folds 0-{n_folds - 1})")
        self.datasets.must_have_transition_coordinate(f"{key}.dataset", settings["dataset"], magnitude=True)
