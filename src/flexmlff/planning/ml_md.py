"""ML-driven MD (the paper's Fig. 9): runs driven by each family's best model of the largest
size from frames of the reference paths, and how each run's end is classed."""

from __future__ import annotations

from flexmlff.config_error import ConfigError
from flexmlff.layout import Layout
from flexmlff.planning.collective_variables import ANGULAR
from flexmlff.planning.datasets import Datasets
from flexmlff.planning.paths import Paths
from flexmlff.planning.stage import Stage, known
from flexmlff.planning.training import Training


class MLDrivenMD(Stage):
    """``figures.ml_md``: per start path, its dataset, frames and families."""

    def __init__(self, config: dict, layout: Layout, paths: Paths, datasets: Datasets, training: Training):
        super().__init__(config, layout)
        self.paths = paths
        self.datasets = datasets
        self.training = training

    @property
    def settings(self) -> dict:
        return self.config["figures"]["ml_md"]

    def start(self, start_path: str) -> dict:
        """The settings of the runs from `start_path` (``figures.ml_md.paths.<start_path>``)."""
        return self.settings["paths"][start_path]

    def molecule(self, start_path: str) -> str:
        return self.datasets.molecule(self.start(start_path)["dataset"])

    def start_file(self, start_path: str) -> str:
        return self.paths.path_file(self.molecule(start_path), start_path)

    def candidates(self, start_path: str, model: str) -> list[str]:
        """The families whose models may drive the runs of `model` from `start_path`: the
        sGDML entry's descriptors (``figures.ml_md.best_descriptor``), else the model itself."""
        dataset = self.start(start_path)["dataset"]
        return self.training.descriptor_candidates(model, dataset, self.settings["best_descriptor"])

    def fold_models(self, start_path: str, model: str) -> list[str]:
        """The largest size's models of every fold of every candidate (:meth:`candidates`), in
        that order (the best is chosen from their errors)."""
        dataset, n = self.start(start_path)["dataset"], self.training.largest_size
        return [f for c in self.candidates(start_path, model) for f in self.training.fold_models(dataset, c, n)]

    def fold_errors(self, start_path: str, model: str) -> list[str]:
        dataset, n = self.start(start_path)["dataset"], self.training.largest_size
        return [f for c in self.candidates(start_path, model) for f in self.training.fold_test_errors(dataset, c, n)]

    def fold_records(self, start_path: str, model: str) -> list[str]:
        """The candidates' training records at the largest size, where there is a choice to make."""
        candidates = self.candidates(start_path, model)
        if len(candidates) < 2:
            return []
        return self.training.largest_size_records(self.start(start_path)["dataset"], candidates)

    def end_minima(self, start_path: str) -> list[str]:
        """The relaxed end minima of the path the runs start from, in the order of `molecule_ends`."""
        molecule = self.molecule(start_path)
        return [self.layout.relaxed(molecule, name) for name in self.paths.molecule_ends(molecule, start_path)]

    def models(self, start_path: str) -> list[str]:
        """The families that drive the runs from `start_path`: its own ``models`` or
        ``figures.ml_md.models``."""
        return self.start(start_path).get("models") or self.settings["models"]

    @property
    def replicas(self) -> range:
        return range(self.settings["replicas"])

    def starts(self) -> list[tuple[str, int]]:
        """(path, frame) of every start, in the config's order."""
        return [(path, frame) for path, start in self.settings["paths"].items() for frame in start["frames"]]

    def runs(self) -> list[tuple[str, str, int, int]]:
        """(model, path, frame, replica) of every ML-driven MD run, in order; the reference
        level's runs (:meth:`reference_runs`) last."""
        settings = self.settings
        families = list(
            dict.fromkeys(model for path in settings["paths"] for model in [*settings["models"], *self.models(path)])
        )
        runs = [
            (model, path, frame, replica)
            for model in families
            for path, frame in self.starts()
            if model in self.models(path)
            for replica in self.replicas
        ]
        return runs + self.reference_runs()

    def reference_runs(self) -> list[tuple[str, str, int, int]]:
        """The same starts and seeds driven by each dataset's reference level
        (``figures.ml_md.reference``), under the model name ``reference``."""
        if not self.settings["reference"]:
            return []
        return [
            (self.layout.ml_md_reference, path, frame, replica)
            for path, frame in self.starts()
            for replica in self.replicas
        ]

    def reference_level(self, start_path: str):
        """The level that labelled the dataset whose models drive the runs from `start_path`."""
        return self.datasets.level(self.start(start_path)["dataset"])

    def seed(self, start_path: str, frame, replica=0) -> int:
        """Each (start, replica) has its own seed, the same for every model and the reference;
        the first replicas keep the seeds of runs without replicas."""
        starts = self.starts()
        return self.settings["seed"] + starts.index((start_path, int(frame))) + len(starts) * int(replica)

    def frames(self) -> list[str]:
        return [self.layout.ml_md_frames(*run) for run in self.runs()]

    def outcomes(self) -> list[str]:
        return [self.layout.ml_md_outcome(*run) for run in self.runs()]

    def figure_outcomes(self) -> list[str]:
        """Fig. 9 draws each family's (and the reference's) first replica, as the paper's one run."""
        return [self.layout.ml_md_outcome(*run) for run in self.runs() if run[3] == 0]

    def statistics_table(self) -> list[str]:
        """The statistics table the summary reads; none without ML-driven MD."""
        return [self.layout.table("ml_md_statistics")] if self.config["figures"].get("ml_md") else []

    def targets(self) -> list[str]:
        if not self.config["figures"].get("ml_md"):
            return []
        return [self.layout.table("ml_md_outcomes"), self.layout.table("ml_md_statistics")]

    def checks(self) -> list[tuple]:
        return [(self._check_ml_md,)]

    def _check_ml_md(self) -> None:
        ml_md = self.config["figures"].get("ml_md")
        if not ml_md:
            return
        for name in ml_md["models"]:  # checked even where every path names its own
            self.training.must_be_a_family("figures.ml_md.models", name)
        for path, start in ml_md["paths"].items():
            key = f"figures.ml_md.paths.{path}.models" if start.get("models") else "figures.ml_md.models"
            for name in self.models(path):
                self.training.must_be_a_family(key, name, start["dataset"])
        for path, start in ml_md["paths"].items():
            key = f"figures.ml_md.paths.{path}"
            self.training.must_be_trained(f"{key}.dataset", start["dataset"])
            self.datasets.must_have_transition_coordinate(f"{key}.dataset", start["dataset"])
            molecule = self.datasets.molecule(start["dataset"])
            self.datasets.cvs.must_be_cv(f"{key}.coordinate", molecule, start["coordinate"], ANGULAR)
            frames = self.paths.frame_counts(molecule)
            known("figures.ml_md.paths", path, frames, "path")
            if max(start["frames"]) >= frames[path]:
                raise ConfigError(f"{key}.frames", f"the path has frames 0-{frames[path] - 1}")
