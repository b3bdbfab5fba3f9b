"""Evaluation: the learning curves and the tables built on every model's test errors, and
the figures of the paper's Sec. V that compare models (Figs. 4-8, the ablations, the grid maps)."""

from __future__ import annotations

from flexmlff.config_error import ConfigError
from flexmlff.layout import Layout
from flexmlff.models import families as known_families
from flexmlff.planning.datasets import Datasets
from flexmlff.planning.stage import Stage, figure_list, known
from flexmlff.planning.training import Training

#: Figure files of the evaluation figures, by their `figures` config key.
EVALUATION_FIGURES = {
    "learning_curves": ["fig4_learning_curves"],
    "fold_means": ["fig5_fold_means"],
    "gap_cutoff_scan": ["fig6a_gap_cutoff"],
    "descriptor_comparison": ["fig6b_sgdml_descriptors"],
    "dispersion_ablation": ["dispersion_ablation"],
    "phi_cluster_errors": ["fig7_phi_cluster_errors", "fig8_metadynamics_phi_cluster_errors"],
    "ml_md": ["fig9_ml_md"],
    "training_set_optimisation": ["training_set_optimisation"],
    "local_models": ["local_models"],
}

#: Fig. 6b's families: the two descriptors in one implementation, and the sgdml package.
DESCRIPTOR_FAMILIES = ["gdml", "sgdml_ang", "sgdml"]


class Evaluation(Stage):
    """``figures.learning_curves``, ``fold_means``, ``gap_cutoff_scan``, ``descriptor_comparison``,
    ``dispersion_ablation``, ``phi_cluster_errors`` and ``cv_grid_errors``, and the tables
    every run with training writes."""

    def __init__(self, config: dict, layout: Layout, datasets: Datasets, training: Training):
        super().__init__(config, layout)
        self.figures = config["figures"]
        self.datasets = datasets
        self.training = training

    def figure_files(self, key: str) -> list[str]:
        """The figure names of `figures.<key>` (Fig. 8 only with its metadynamics set)."""
        names = EVALUATION_FIGURES[key]
        if key == "phi_cluster_errors" and not self.figures[key].get("metadynamics"):
            names = [name for name in names if not name.startswith("fig8")]
        return names

    def learning_curve_rows(self, key: str, default_models: list[str]) -> list[tuple]:
        """(row title, dataset, models) of a learning-curve figure from `figures.<key>`, each
        row with the models evaluated on its dataset."""
        settings = self.figures[key]
        models = settings.get("models") or default_models
        return [
            (dataset, dataset, [m for m in models if m in self.training.models_on(dataset)])
            for dataset in settings["datasets"]
        ]

    def descriptor_choices(self, key: str, default_models: list[str]) -> list[list]:
        """[dataset, entry, candidates, their records at the largest size] of every row of the
        learning-curve figure `figures.<key>` whose entry chooses its descriptor
        (``best_descriptor``; :meth:`Training.descriptor_candidates`)."""
        settings = self.figures[key]
        if not settings.get("best_descriptor"):
            return []
        choices = []
        for _, dataset, models in self.learning_curve_rows(key, default_models):
            for entry in models:
                candidates = self.training.descriptor_candidates(entry, dataset)
                if len(candidates) > 1:
                    records = self.training.largest_size_records(dataset, candidates)
                    choices.append([dataset, entry, candidates, records])
        return choices

    def gap_cutoff_settings(self, cutoff) -> dict:
        """GAP's settings on the scanned dataset (Fig. 6a) with a scanned SOAP cutoff (Å)."""
        dataset = self.figures["gap_cutoff_scan"]["dataset"]
        return {**self.training.model_settings("gap", dataset), "cutoff_A": float(cutoff)}

    def gap_cutoff_errors(self) -> list[str]:
        """Test errors of every cutoff and fold of the Fig. 6a scan."""
        scan = self.figures["gap_cutoff_scan"]
        return [
            self.layout.cutoff_scan_errors(scan["dataset"], f"{cutoff:g}", scan["n_train"], k)
            for cutoff in scan["cutoffs_A"]
            for k in range(self.training.n_folds)
        ]

    def dispersion_ablation_errors(self, key: str) -> str:
        """Fold errors of the ablation's family on `figures.dispersion_ablation.<key>`."""
        settings = self.figures["dispersion_ablation"]
        return self.layout.family_errors(settings[key], settings["model"])

    def phi_cluster_tables(self, figure: str) -> list[str]:
        """Per-cluster error tables of the models of Fig. 7 or 8
        (:meth:`Training.phi_cluster_models`), all evaluated on `evaluate_on`, in the figure's
        row order; Fig. 7a's ``beside`` models follow its own model."""
        settings = self.figures.get("phi_cluster_errors")
        tables = [
            self.layout.phi_clusters(settings["evaluate_on"], dataset, settings["model"], n)
            for dataset, n in self.training.phi_cluster_models(figure)
        ]
        if figure == "fig7" and settings:
            evaluated = settings["evaluate_on"]
            tables[1:1] = [
                self.layout.phi_clusters(evaluated, evaluated, family, self.training.largest_size)
                for family in settings["beside"]
            ]
        return tables

    # -- errors on a 2-D grid of two dihedrals (beyond the paper) -------------------------------
    def grid_cvs(self, dataset: str) -> dict[str, list[int]]:
        """The two dihedrals of ``figures.cv_grid_errors.cvs``, x first, with their atoms."""
        atoms = self.datasets.cvs.atoms(self.datasets.molecule(dataset))
        return {name: atoms[name] for name in self.figures["cv_grid_errors"]["cvs"]}

    def grid_predictions(self, dataset: str) -> dict[str, list[str]]:
        """The held-out predictions of every fold at the largest size, per family of the dataset."""
        n, folds = self.training.largest_size, range(self.training.n_folds)
        return {
            model: [self.layout.test_predictions(dataset, model, n, k) for k in folds]
            for model in self.training.families_on(dataset)
        }

    def comparison_predictions(self, dataset: str) -> list[str]:
        """The held-out predictions of every model on a dataset, every size, then every fold
        (the order the paired comparisons read them in)."""
        training = self.training
        return [
            self.layout.test_predictions(dataset, model, n, k)
            for model in training.models_on(dataset)
            for n in training.sizes
            for k in range(training.n_folds)
        ]

    def local_model_clusters(self) -> list[str]:
        """The per-cluster tables of the local-models comparison: per dataset, the mixture and
        then each single model, each evaluated on its own dataset at the largest size."""
        settings, n = self.figures["local_models"], self.training.largest_size
        return [
            self.layout.phi_clusters(dataset, dataset, model, n)
            for dataset in settings["datasets"]
            for model in [settings["model"], *settings["against"]]
        ]

    def local_model_records(self) -> list[str]:
        """The mixture's training records at the largest size, per dataset then fold (its merged regions)."""
        settings = self.figures["local_models"]
        return [
            record
            for dataset in settings["datasets"]
            for record in self.training.largest_size_records(dataset, [settings["model"]])
        ]

    def local_model_comparisons(self) -> list[str]:
        """The paired comparisons of each dataset of the local-models comparison."""
        return [
            self.layout.table(f"{dataset}_family_comparisons") for dataset in self.figures["local_models"]["datasets"]
        ]

    def local_model_table(self) -> list[str]:
        """The local-models table the summary reads; none without the comparison."""
        return [self.layout.table("local_models")] if self.figures.get("local_models") else []

    def comparison_tables(self) -> list[str]:
        """The paired comparisons of every trained dataset (the summary's input)."""
        return [self.layout.table(f"{dataset}_family_comparisons") for dataset in self.training.trained_datasets]

    def targets(self) -> list[str]:
        layout, targets = self.layout, []
        for key in EVALUATION_FIGURES:
            if self.figures.get(key):
                targets += [path for name in self.figure_files(key) for path in layout.figure(name)]
        targets += [*self.local_model_table(), *(layout.table("local_models", "md") for _ in self.local_model_table())]
        for dataset in (self.figures.get("cv_grid_errors") or {}).get("datasets", []):
            targets += [layout.table(f"{dataset}_cv_grid_errors"), *layout.figure(f"{dataset}_cv_grid_errors")]
        if self.training.trained_datasets:
            targets += [
                layout.table("summary", "md"),
                layout.table("model_errors"),
                layout.table("learning_curves"),
                layout.model_registry(),
            ]
        for dataset in self.training.trained_datasets:
            targets += [
                layout.table(f"{dataset}_learning_curve"),
                layout.table(f"{dataset}_family_comparisons"),
                *layout.figure(f"{dataset}_learning_curve"),
                layout.table(f"{dataset}_training_choices"),
                *layout.figure(f"{dataset}_training"),
                layout.metrics(dataset),
            ]
        return targets

    # -- checks --------------------------------------------------------------------------------
    def checks(self) -> list[tuple]:
        return [
            *((self._check_model_figure, key) for key in ("learning_curves", "fold_means", "descriptor_comparison")),
            (self._check_phi_cluster_errors,),
            (self._check_cv_grid_errors,),
            (self._check_ablations,),
            (self._check_local_models,),
        ]

    def _check_local_models(self) -> None:
        """The mixture and its single models are trained on every dataset, which has a
        transition coordinate to cluster by."""
        settings = self.figures.get("local_models")
        if not settings:
            return
        key = "figures.local_models"
        for dataset in settings["datasets"]:
            self.training.must_be_trained(f"{key}.datasets", dataset)
            self.training.must_be_a_family(f"{key}.model", settings["model"], dataset)
            for single in settings["against"]:
                self.training.must_be_a_family(f"{key}.against", single, dataset)
            self.datasets.must_have_transition_coordinate(f"{key}.datasets", dataset, magnitude=True)

    def _check_model_figure(self, key: str) -> None:
        """Datasets and families named by an evaluation figure must be trained."""
        training = self.training
        for name in figure_list(self.figures, key, "datasets"):
            training.must_be_trained(f"figures.{key}.datasets", name)
        for name in figure_list(self.figures, key, "models"):
            if name not in training.external_models:  # a learning curve may show a model not trained here
                training.must_be_a_family(f"figures.{key}.models", name)
        if key != "descriptor_comparison":
            return
        for name in figure_list(self.figures, key, "datasets"):
            if not set(DESCRIPTOR_FAMILIES) <= set(training.families_on(name)):
                raise ConfigError(
                    "figures.descriptor_comparison",
                    f"needs {', '.join(DESCRIPTOR_FAMILIES)} in training.models on {name!r}",
                )

    def _check_phi_cluster_errors(self) -> None:
        clusters = self.figures.get("phi_cluster_errors")
        if not clusters:
            return
        key = "figures.phi_cluster_errors"
        for name in (
            clusters["evaluate_on"],
            *(clusters[part]["dataset"] for part in ("combined", "metadynamics") if clusters.get(part)),
        ):
            known(key, name, self.config["datasets"], "dataset")
        self.training.must_be_trained(f"{key}.evaluate_on", clusters["evaluate_on"])
        known(f"{key}.model", clusters["model"], list(known_families()), "model")
        for name in clusters["beside"]:
            if name not in self.training.external_models:  # or a model not trained here, on the same frames
                self.training.must_be_a_family(f"{key}.beside", name, clusters["evaluate_on"])
        rows = [clusters["model"], *clusters["beside"]]
        if len(set(rows)) < len(rows):
            raise ConfigError(
                f"{key}.beside",
                f"{clusters['beside']}: each family once, and not the model ({clusters['model']!r}) again",
            )
        self.datasets.must_have_transition_coordinate(f"{key}.evaluate_on", clusters["evaluate_on"], magnitude=True)

    def _check_cv_grid_errors(self) -> None:
        settings = self.figures.get("cv_grid_errors")
        if not settings:
            return
        key = "figures.cv_grid_errors"
        for name in settings["datasets"]:
            self.training.must_be_trained(f"{key}.datasets", name)
            for cv in settings["cvs"]:
                self.datasets.cvs.must_be_cv(f"{key}.cvs", self.datasets.molecule(name), cv, ("dihedral",))
        n_cells = 360.0 / settings["cell_deg"]
        if abs(n_cells - round(n_cells)) > 1e-9:
            raise ConfigError(f"{key}.cell_deg", f"{settings['cell_deg']} degrees does not divide 360")

    def _check_ablations(self) -> None:
        scan = self.figures.get("gap_cutoff_scan")
        if scan:
            known("figures.gap_cutoff_scan.dataset", scan["dataset"], self.config["datasets"], "dataset")
        ablation = self.figures.get("dispersion_ablation")
        if not ablation:
            return
        for key in ("dataset", "without_dispersion"):
            known(f"figures.dispersion_ablation.{key}", ablation[key], self.config["datasets"], "dataset")
        if self.datasets.settings(ablation["without_dispersion"])["relabel_of"] != ablation["dataset"]:
            raise ConfigError(
                "figures.dispersion_ablation.without_dispersion",
                f"must be a relabel_of {ablation['dataset']!r} (the same frames)",
            )
        known("figures.dispersion_ablation.model", ablation["model"], list(known_families()), "model")
        model, settings = ablation["model"], self.training.model_settings
        if settings(model, ablation["dataset"]) != settings(model, ablation["without_dispersion"]):
            raise ConfigError(
                f"training.settings_on.{ablation['without_dispersion']}.{model}",
                f"{model}'s settings differ from those on {ablation['dataset']!r}, which "
                "figures.dispersion_ablation compares it with: set both or neither",
            )
