"""Training: which families learn which datasets at which sizes, with which settings, and
the files of every fold's model and test errors; models trained elsewhere (external models)
are evaluated on the same folds."""

from __future__ import annotations

from flexmlff.config_error import ConfigError
from flexmlff.evaluate import DESCRIPTOR_ALTERNATIVES, Selection
from flexmlff.external import external_models
from flexmlff.layout import Layout
from flexmlff.models import VARIANT_KEYS, describe
from flexmlff.models import families as known_families
from flexmlff.planning.datasets import Datasets
from flexmlff.planning.external import external_model_env
from flexmlff.planning.stage import Stage, known


def named_cv_lists(settings: dict) -> dict[str, list[dict]]:
    """The settings that name collective variables: lists of ``{cv: name, ...}`` (a local
    mixture's ``gate``)."""
    return {
        key: value
        for key, value in settings.items()
        if isinstance(value, list) and value and all(isinstance(entry, dict) and "cv" in entry for entry in value)
    }


class Training(Stage):
    """``training``, ``models`` and ``external_models``."""

    def __init__(self, config: dict, layout: Layout, datasets: Datasets):
        super().__init__(config, layout)
        self.datasets = datasets
        self.basedir = datasets.molecules.basedir
        self.settings = config["training"]
        self.seed = config["seed"]
        self.n_folds = self.settings["n_folds"]
        self.sizes = self.settings["sizes"]
        self.trained_datasets = self.settings["datasets"]
        #: Every family trained on some dataset, in config order.
        self.families = list(
            dict.fromkeys([*self.settings["models"], *(f for d in self.trained_datasets for f in self.families_on(d))])
        )
        #: Models flexmlff did not train, evaluated beside the families (flexmlff.external).
        self.external_models = external_models(config)
        #: The sGDML best-model rule (force tolerance, energy difference).
        self.selection = Selection(
            self.settings["selection_force_tolerance"], self.settings["selection_energy_difference"]
        )

    @property
    def largest_size(self) -> int:
        return max(self.sizes)

    def split_seed(self, n_train) -> int:
        """Each training size draws its own subset: the config seed plus the size."""
        return self.seed + int(n_train)

    def families_on(self, dataset: str) -> list[str]:
        """The families trained on `dataset`: its ``training.models_on`` entry or ``training.models``."""
        return self.settings["models_on"].get(dataset, self.settings["models"])

    def models_on(self, dataset: str) -> list[str]:
        """Every model with errors on `dataset`: its trained families, then the external models
        meant for it (:attr:`flexmlff.external.ExternalModel.datasets`)."""
        return [
            *self.families_on(dataset),
            *(
                name
                for name, model in self.external_models.items()
                if model.datasets is None or dataset in model.datasets
            ),
        ]

    @property
    def shown_models(self) -> list[str]:
        """The models of the learning-curve figures by default: every family, every external model."""
        return [*self.families, *self.external_models]

    def phi_cluster_models(self, figure: str) -> list[tuple[str, int]]:
        """(dataset, training size) of the models in Fig. 7 (own largest size, and the combined
        set where ``combined`` is given: 7b) or Fig. 8 (``metadynamics`` sizes); none without the
        figure or its key."""
        settings = self.config["figures"].get("phi_cluster_errors")
        if not settings:
            return []
        if figure == "fig7":
            combined = settings.get("combined")
            return [
                (settings["evaluate_on"], self.largest_size),
                *([(combined["dataset"], combined["n_train"])] if combined else []),
            ]
        meta = settings.get("metadynamics")
        return [(meta["dataset"], n) for n in meta["sizes"]] if meta else []

    def tasks(self) -> list[tuple[str, str, list[int]]]:
        """Every (dataset, family, sizes) the run trains: ``training.datasets`` with their
        families and every size, then what figures train beyond them (the dispersion
        ablation's relabelled set; Figs. 7 and 8's combined and metadynamics sets; the
        energy-stratified models the grown training sets are compared with)."""
        tasks = {(d, f): set(self.sizes) for d in self.trained_datasets for f in self.families_on(d)}
        figures = self.config["figures"]
        ablation = figures.get("dispersion_ablation")
        if ablation:
            tasks.setdefault((ablation["without_dispersion"], ablation["model"]), set()).update(self.sizes)
        for dataset, n in (*self.phi_cluster_models("fig7"), *self.phi_cluster_models("fig8")):
            tasks.setdefault((dataset, figures["phi_cluster_errors"]["model"]), set()).add(n)
        optimisation = figures.get("training_set_optimisation")
        if optimisation:
            for model in optimisation["models"]:
                tasks.setdefault((optimisation["dataset"], model), set()).add(optimisation["n_train"])
        return [(dataset, family, sorted(sizes)) for (dataset, family), sizes in tasks.items()]

    # -- settings and envs ---------------------------------------------------------------------
    def model_settings(self, model: str, dataset: str | None = None) -> dict:
        """A family's settings: ``models.<model>``, with ``training.settings_on.<dataset>.<model>``
        over them when a dataset is given (a named variant's without its ``family`` and ``label``)."""
        override = self.settings["settings_on"].get(dataset, {}).get(model, {}) if dataset else {}
        merged = {**self.config["models"][model], **override}
        settings = {key: value for key, value in merged.items() if key not in VARIANT_KEYS}
        if dataset:  # a family's CVs by name (a local mixture's gate) get their atoms
            cvs = self.datasets.cvs.atoms(self.datasets.molecule(dataset))
            settings.update(
                {
                    key: [{**entry, "atoms": cvs[entry["cv"]]} if entry["cv"] in cvs else entry for entry in value]
                    for key, value in named_cv_lists(settings).items()
                }
            )
        return settings

    def code_families(self) -> dict[str, str]:
        """The family whose code each trained model runs (a named variant's family)."""
        return {model: describe(model).code_family for model in self.families}

    def model_env(self, model: str) -> str:
        """Name of the conda env file (envs/<name>.yaml) a family, or an external model, runs in."""
        if model in self.external_models:
            return external_model_env(self.external_models[model])
        return describe(model).conda_env

    def descriptor_candidates(self, model: str, dataset: str, best_descriptor: bool = True) -> list[str]:
        """The families a figure's entry `model` chooses among on `dataset`
        (:data:`flexmlff.evaluate.DESCRIPTOR_ALTERNATIVES`, where `best_descriptor` and more
        than one of them is trained there, the entry among them); `model` alone otherwise."""
        trained = [f for f in DESCRIPTOR_ALTERNATIVES.get(model, ()) if f in self.families_on(dataset)]
        return trained if best_descriptor and model in trained and len(trained) > 1 else [model]

    def largest_size_records(self, dataset: str, models: list[str]) -> list[str]:
        """The training records of every fold of `models` at the largest size on `dataset`."""
        n = self.largest_size
        return [self.layout.training_record(dataset, m, n, k) for m in models for k in range(self.n_folds)]

    # -- files of every fold -------------------------------------------------------------------
    def fold_models(self, dataset: str, model: str, n_train) -> list[str]:
        """The model of every fold at one size, in fold order."""
        return [self.layout.model_file(dataset, model, n_train, k) for k in range(self.n_folds)]

    def fold_test_errors(self, dataset: str, model: str, n_train) -> list[str]:
        return [self.layout.test_errors(dataset, model, n_train, k) for k in range(self.n_folds)]

    def best_model_files(self, dataset: str, model: str, n_train) -> list[str]:
        """The fold models of a family at one size, the best of which a job evaluates; none for
        an external model, which has one for every fold."""
        return [] if model in self.external_models else self.fold_models(dataset, model, n_train)

    def trained_model_files(self) -> dict[str, list[str]]:
        """The fold models of every trained dataset, family and size, keyed
        ``<dataset>/<family>/n<n>`` (the best-model registry looks its best fold up here)."""
        return {
            f"{dataset}/{model}/n{n}": self.fold_models(dataset, model, n)
            for dataset in self.trained_datasets
            for model in self.families_on(dataset)
            for n in self.sizes
        }

    def family_fold_errors(self, dataset: str, model: str) -> list[str]:
        """Test errors of every size and fold of one family on one dataset."""
        return [f for n in self.sizes for f in self.fold_test_errors(dataset, model, n)]

    def training_records(self, dataset: str) -> list[str]:
        """The training record of every family, size and fold on one dataset."""
        return [
            self.layout.training_record(dataset, model, n, k)
            for model in self.families_on(dataset)
            for n in self.sizes
            for k in range(self.n_folds)
        ]

    def dataset_family_errors(self, dataset: str) -> list[str]:
        """The fold errors of every model on one dataset, trained or external."""
        return [self.layout.family_errors(dataset, model) for model in self.models_on(dataset)]

    def all_family_errors(self) -> list[str]:
        """Every family's fold errors on every training dataset."""
        return [f for dataset in self.trained_datasets for f in self.dataset_family_errors(dataset)]

    def targets(self) -> list[str]:
        # Models are wanted in their own right: a deleted one is retrained (and only what
        # depends on it recomputed) by the next plain `snakemake`.
        return [
            path
            for dataset in self.trained_datasets
            for model in self.families_on(dataset)
            for n in self.sizes
            for path in self.fold_models(dataset, model, n)
        ]

    # -- checks ------------------------------------------------------------------------------------
    def checks(self) -> list[tuple]:
        return [(self._check_training,)]

    def must_be_trained(self, key: str, dataset: str) -> None:
        if dataset not in self.trained_datasets:
            raise ConfigError(key, f"{dataset!r} is not in training.datasets")

    def must_be_a_family(self, key: str, model: str, dataset: str | None = None) -> None:
        """`model` must be trained (on `dataset`, when given)."""
        if model not in self.families:
            raise ConfigError(key, f"{model!r} is not in training.models")
        if dataset and model not in self.families_on(dataset):
            raise ConfigError(key, f"{model!r} is not trained on {dataset!r} (training.models_on)")

    def _check_training(self) -> None:
        for name in self.families:
            known("training.models", name, list(known_families()), "model")
        for name in self.trained_datasets:
            known("training.datasets", name, self.config["datasets"], "dataset")
        for name in self.settings["models_on"]:
            self.must_be_trained(f"training.models_on.{name}", name)
        trained = {(dataset, family) for dataset, family, _ in self.tasks()}
        scan = self.config["figures"].get("gap_cutoff_scan")
        if scan:  # Fig. 6a fits GAP on its dataset with that dataset's settings
            trained.add((scan["dataset"], "gap"))
        for name, families in self.settings["settings_on"].items():
            known("training.settings_on", name, self.config["datasets"], "dataset")
            for family in families:
                if (name, family) not in trained:
                    raise ConfigError(f"training.settings_on.{name}.{family}", f"{family!r} is not trained on {name!r}")
        for dataset, family in sorted(trained):
            if family in self.config["models"]:  # an unknown name is its own stage's error
                self._check_family_settings(dataset, family)

    def _check_family_settings(self, dataset: str, family: str) -> None:
        """The CVs a family's settings name are the molecule's angles or dihedrals, and its
        module's own check of its settings (``check_settings``, where it has one) passes."""
        where = self.settings["settings_on"].get(dataset, {}).get(family, {})
        settings = self.model_settings(family, dataset)
        for key, entries in named_cv_lists(settings).items():
            config_key = f"training.settings_on.{dataset}.{family}.{key}" if key in where else f"models.{family}.{key}"
            for entry in entries:
                self.datasets.cvs.must_be_cv(
                    config_key, self.datasets.molecule(dataset), entry["cv"], kinds=("angle", "dihedral")
                )
        check = getattr(describe(family).implementation(), "check_settings", None)
        if check:
            try:
                check(settings)
            except ValueError as err:
                raise ConfigError(f"models.{family}", f"on {dataset!r}: {err}") from None
