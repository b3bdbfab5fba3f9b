"""External models: models flexmlff did not train (``external_models``), each checked once on a
geometry of its molecule and then tested on the families' held-out frames of every size and fold."""

from __future__ import annotations

from flexmlff.config_error import ConfigError
from flexmlff.external import ExternalModel
from flexmlff.layout import Layout
from flexmlff.models import describe
from flexmlff.models import families as known_families
from flexmlff.planning.config import raise_all
from flexmlff.planning.stage import Stage


def external_model_env(model: ExternalModel) -> str:
    """The conda env file name of an external model's jobs: its ``conda``; for a model a
    flexmlff run saved (a models.yml entry through ``flexmlff.models.load_calculator``), its
    family's; otherwise the analysis env."""
    if model.conda:
        return model.conda
    family = model.kwargs.get("model") if model.module == "flexmlff.models" else None
    return describe(family).conda_env if family in known_families() else "analysis"


class ExternalModels(Stage):
    """``external_models`` (and ``external_models_file``), as the training planner reads them."""

    def __init__(self, config: dict, layout: Layout, training):
        super().__init__(config, layout)
        self.training = training
        self.models: dict[str, ExternalModel] = training.external_models

    def settings(self, name: str) -> dict:
        """An external model's entry as its jobs take it (module, class_name, kwargs, device)."""
        model = self.models[name]
        return {
            "name": name,
            "module": model.module,
            "class_name": model.class_name,
            "kwargs": model.kwargs,
            "device": model.device,
            "key": model.key,
        }

    def settings_or_none(self, model: str) -> dict | None:
        """:meth:`settings` of an external model; None for a family."""
        return self.settings(model) if model in self.models else None

    def env(self, name: str) -> str:
        """The conda env file name of the model's jobs (:func:`external_model_env`)."""
        return external_model_env(self.models[name])

    def errors(self, dataset: str, name: str) -> dict[str, list[str]]:
        """The test errors and predictions an external model's job writes: every size, then
        every fold (the order its script writes them in)."""
        keys = [(n, k) for n in self.training.sizes for k in range(self.training.n_folds)]
        return {
            "errors": [self.layout.test_errors(dataset, name, n, k) for n, k in keys],
            "predictions": [self.layout.test_predictions(dataset, name, n, k) for n, k in keys],
        }

    def check_geometry(self, name: str) -> str:
        """The frame an external model is first checked on: a geometry
        (:meth:`Molecules.a_geometry_file`) of the molecule of the first dataset it is evaluated on."""
        training = self.training
        meant = [d for d in training.trained_datasets if name in training.models_on(d)] or training.trained_datasets
        return training.datasets.molecules.a_geometry_file(training.datasets.molecule(meant[0]))

    def checks(self) -> list[tuple]:
        return [(self._check,)]

    def _check(self) -> None:
        """Every external model's module is installed and the model files it names exist
        (what needs no import of its library; its first job checks the rest, in its env)."""
        raise_all([problem for model in self.models.values() for problem in model.problems()])
        for name, model in self.models.items():
            if name in known_families():
                raise ConfigError(model.key, f"{name!r} is the name of a model family; name the model otherwise")
            if model.conda and not (self.training.basedir / "envs" / f"{model.conda}.yaml").is_file():
                raise ConfigError(f"{model.key}.conda", f"no env file envs/{model.conda}.yaml")
