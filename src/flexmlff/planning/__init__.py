"""The workflow's plan: what a validated config asks for, and where each file lives.

Snakemake's rules only wire files together; everything they need to know about a config is
answered here, where it can be unit-tested without running Snakemake. One planner per stage,
as the rule files are split:

=====================================  ==========================================================
``plan.molecules`` (:class:`Molecules`)  levels, minima, atoms
``plan.cvs`` (:class:`CollectiveVariables`)  named coordinates, transition coordinate, built minima
``plan.paths`` (:class:`Paths`)          MEPs, driven paths, isomerisation mechanisms
``plan.sampling`` (:class:`Sampling`)    MD campaigns and their relabelling
``plan.datasets`` (:class:`Datasets`)    dataset sources, levels, splits; Figs. 2 and 3
``plan.training`` (:class:`Training`)    families, sizes, settings, fold files
``plan.external`` (:class:`ExternalModels`)  models trained elsewhere, tested on the same folds
``plan.evaluation`` (:class:`Evaluation`)  learning curves, tables, Figs. 4-8 and the grid maps
``plan.ml_md`` (:class:`MLDrivenMD`)     ML-driven MD (Fig. 9)
``plan.grown_sets`` (:class:`GrownTrainingSets`)  training sets grown where the model errs
``plan.path_errors`` (:class:`PathErrors`)  models along the reference paths
=====================================  ==========================================================

Each planner states its lookups and the cross-reference checks of its keys (what the JSON
schema cannot express); :class:`Plan` composes them, runs every check once and lists the
targets. Paths come from :class:`~flexmlff.layout.Layout`; the config is validated and its
defaults filled in by :func:`load_config` (:mod:`flexmlff.planning.config`): defaults live only
in the schema.
"""

from __future__ import annotations

from pathlib import Path

from flexmlff.calculators import Level
from flexmlff.config_error import ConfigError
from flexmlff.layout import Layout
from flexmlff.planning.collective_variables import CollectiveVariables
from flexmlff.planning.config import SCHEMA, load_config, raise_all, validate_config
from flexmlff.planning.datasets import Datasets
from flexmlff.planning.evaluation import DESCRIPTOR_FAMILIES, EVALUATION_FIGURES, Evaluation
from flexmlff.planning.external import ExternalModels
from flexmlff.planning.grown_sets import GrownTrainingSets
from flexmlff.planning.ml_md import MLDrivenMD
from flexmlff.planning.molecules import Molecules
from flexmlff.planning.path_errors import PathErrors
from flexmlff.planning.paths import Paths
from flexmlff.planning.sampling import Sampling
from flexmlff.planning.training import Training

__all__ = [
    "ConfigError",
    "DESCRIPTOR_FAMILIES",
    "EVALUATION_FIGURES",
    "Layout",
    "Level",
    "Plan",
    "SCHEMA",
    "load_config",
    "validate_config",
]


class Plan:
    """What one validated config (defaults filled in) asks the workflow to do.

    `basedir` is the workflow's folder: shipped input files (``resources/``) named in the
    config are found there when they are not found relative to the working directory.
    Construction checks the config's cross-references and raises :class:`ConfigError`.
    """

    def __init__(self, config: dict, basedir: str | Path = ".", results: str = "results"):
        self.config = config
        self.layout = layout = Layout(results)
        self.seed = config["seed"]
        self.molecules = Molecules(config, layout, basedir)
        self.cvs = CollectiveVariables(config, layout, self.molecules)
        self.paths = Paths(config, layout, self.molecules, self.cvs)
        self.sampling = Sampling(config, layout, self.molecules, self.cvs, self.paths)
        self.datasets = Datasets(config, layout, self.molecules, self.cvs, self.sampling)
        self.training = Training(config, layout, self.datasets)
        self.external = ExternalModels(config, layout, self.training)
        self.evaluation = Evaluation(config, layout, self.datasets, self.training)
        self.ml_md = MLDrivenMD(config, layout, self.paths, self.datasets, self.training)
        self.grown_sets = GrownTrainingSets(config, layout, self.datasets, self.training)
        self.path_errors = PathErrors(config, layout, self.paths, self.datasets, self.training)
        self.check()

    @property
    def stages(self) -> list:
        """The stage planners, in the order of the workflow."""
        return [
            self.molecules,
            self.cvs,
            self.paths,
            self.sampling,
            self.datasets,
            self.training,
            self.external,
            self.evaluation,
            self.ml_md,
            self.grown_sets,
            self.path_errors,
        ]

    def figure_settings(self, key: str) -> dict:
        """``figures.<key>``."""
        return self.config["figures"][key]

    def check(self) -> None:
        """Names that point at other config entries must exist (the schema cannot check this).

        Each stage's checks run unit by unit (a molecule, a dataset, a figure) and every
        problem is reported together (:class:`~flexmlff.planning.config.ConfigErrors`). A
        lookup that fails only because of a problem already found (an unknown molecule's
        minima, say) adds nothing.
        """
        problems = []
        for check, *args in (unit for stage in self.stages for unit in stage.checks()):
            try:
                check(*args)
            except ConfigError as err:
                problems.extend(getattr(err, "problems", [err]))
            except (KeyError, ValueError):
                if not problems:
                    raise
        raise_all(problems)

    def targets(self) -> list[str]:
        """Everything a plain ``snakemake`` makes for this config."""
        return [self.layout.effective_config(), *(path for stage in self.stages for path in stage.targets())]
