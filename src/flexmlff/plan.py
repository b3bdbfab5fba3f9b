"""The workflow's plan: what a validated config asks for, and where each file lives.

Snakemake's rules only wire files together; everything they need to know about a
config is answered here, where it can be unit-tested without running Snakemake:

:class:`Layout`
    every output path, one method each. A method takes values (``"glycine"``) or
    wildcard patterns (``"{molecule}"``), so rules and input functions spell a
    path the same way.
:class:`Plan`
    the runs, datasets, relabelling chunks, seeds, sizes and targets of one config,
    and the cross-reference checks the JSON schema cannot express. It expects a
    config validated against ``workflow/schemas/config.schema.yaml`` with its
    defaults filled in (:func:`load_config`): defaults live only in the schema.
:class:`~flexmlff.calculators.Level`
    a named level of theory.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from flexmlff.calculators import Level
from flexmlff.campaigns import MDStart, expand_starts
from flexmlff.collective_variables import ALL_KINDS, CollectiveVariable, molecule_collective_variables
from flexmlff.evaluate import Selection
from flexmlff.external import external_models
from flexmlff.geometry import read_geometry
from flexmlff.layout import Layout
from flexmlff.models import VARIANT_KEYS, describe
from flexmlff.models import families as known_families
from flexmlff.plan_checks import ConfigError, CrossReferenceChecks, validate_config

__all__ = ["ConfigError", "Layout", "Level", "Plan", "load_config", "SCHEMA"]

#: The config schema: the one place every key's default and meaning is stated.
SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


def load_config(path: str | Path, schema: str | Path = SCHEMA) -> dict:
    """A config file validated against the schema, its defaults filled in
    (as the Snakefile's ``validate`` does)."""
    import yaml

    config = yaml.safe_load(Path(path).read_text())
    validate_config(config, schema)
    return config


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
}

class Plan(CrossReferenceChecks):
    """What one validated config (defaults filled in) asks the workflow to do.

    `basedir` is the workflow's folder: shipped input files (``resources/``) named in
    the config are found there when they are not found relative to the working directory.
    Construction checks the config's cross-references and raises :class:`ConfigError`.
    """

    def __init__(self, config: dict, basedir: str | Path = ".", results: str = "results"):
        self.config = config
        self.basedir = Path(basedir)
        self.layout = Layout(results)
        self.training = config["training"]
        self.figures = config["figures"]
        self.seed = config["seed"]
        self.n_folds = self.training["n_folds"]
        self.sizes = self.training["sizes"]
        self.trained_datasets = self.training["datasets"]
        #: Every family trained on some dataset, in config order.
        self.families = list(dict.fromkeys(
            [*self.training["models"], *(f for d in self.trained_datasets for f in self.families_on(d))]))
        #: Models flexmlff did not train, evaluated beside the families (flexmlff.external).
        self.external_models = external_models(config)
        #: The sGDML best-model rule (force tolerance, energy difference).
        self.selection = Selection(self.training["selection_force_tolerance"],
                                   self.training["selection_energy_difference"])
        self._collective_variables: dict[str, dict[str, CollectiveVariable]] = {}
        self._reference_atoms: dict = {}
        self.check()

    def families_on(self, dataset: str) -> list[str]:
        """The families trained on `dataset`: its ``training.models_on`` entry or ``training.models``."""
        return self.training["models_on"].get(dataset, self.training["models"])

    def models_on(self, dataset: str) -> list[str]:
        """Every model with errors on `dataset`: its trained families, then the external models
        meant for it (:attr:`flexmlff.external.ExternalModel.datasets`)."""
        return [*self.families_on(dataset), *(name for name, model in self.external_models.items()
                                              if model.datasets is None or dataset in model.datasets)]

    @property
    def shown_models(self) -> list[str]:
        """The models of the learning-curve figures by default: every family, every external model."""
        return [*self.families, *self.external_models]

    def external_model_settings(self, name: str) -> dict:
        """An external model's entry as its jobs take it (module, class_name, kwargs, device)."""
        model = self.external_models[name]
        return {"name": name, "module": model.module, "class_name": model.class_name, "kwargs": model.kwargs,
                "device": model.device, "key": model.key}

    def external_model_env(self, name: str) -> str:
        """The conda env file name of an external model's jobs: its ``conda``; for a model a
        flexmlff run saved (a models.yml entry through ``flexmlff.models.load_calculator``),
        its family's; otherwise the analysis env."""
        model = self.external_models[name]
        if model.conda:
            return model.conda
        family = model.kwargs.get("model") if model.module == "flexmlff.models" else None
        return describe(family).conda_env if family in known_families() else "analysis"

    def training_tasks(self) -> list[tuple[str, str, list[int]]]:
        """Every (dataset, family, sizes) the run trains: ``training.datasets`` with their
        families and every size, then what figures train beyond them (the dispersion
        ablation's relabelled set; Figs. 7 and 8's combined and metadynamics sets)."""
        tasks = {(d, f): set(self.sizes) for d in self.trained_datasets for f in self.families_on(d)}
        ablation = self.figures.get("dispersion_ablation")
        if ablation:
            tasks.setdefault((ablation["without_dispersion"], ablation["model"]), set()).update(self.sizes)
        clusters = self.figures.get("phi_cluster_errors")
        for dataset, n in (*self.phi_cluster_models("fig7"), *self.phi_cluster_models("fig8")):
            tasks.setdefault((dataset, clusters["model"]), set()).add(n)
        optimisation = self.figures.get("training_set_optimisation")
        if optimisation:  # the energy-stratified models the grown sets are compared with
            for model in optimisation["models"]:
                tasks.setdefault((optimisation["dataset"], model), set()).add(optimisation["n_train"])
        return [(dataset, family, sorted(sizes)) for (dataset, family), sizes in tasks.items()]

    # -- sizes, seeds, settings -------------------------------------------------------
    @property
    def largest_size(self) -> int:
        return max(self.sizes)

    def split_seed(self, n_train) -> int:
        """Each training size draws its own subset: the config seed plus the size."""
        return self.seed + int(n_train)

    def model_settings(self, model: str, dataset: str | None = None) -> dict:
        """A family's settings: ``models.<model>``, with ``training.settings_on.<dataset>.<model>``
        over them when a dataset is given (a named variant's without its ``family`` and ``label``)."""
        override = self.training["settings_on"].get(dataset, {}).get(model, {}) if dataset else {}
        merged = {**self.config["models"][model], **override}
        return {key: value for key, value in merged.items() if key not in VARIANT_KEYS}

    def gap_cutoff_settings(self, cutoff) -> dict:
        """GAP's settings on the scanned dataset (Fig. 6a) with a scanned SOAP cutoff (Å)."""
        dataset = self.figures["gap_cutoff_scan"]["dataset"]
        return {**self.model_settings("gap", dataset), "cutoff_A": float(cutoff)}

    def model_env(self, model: str) -> str:
        """Name of the conda env file (envs/<name>.yaml) a family, or an external model, runs in."""
        if model in self.external_models:
            return self.external_model_env(model)
        return describe(model).conda_env

    def best_model_files(self, dataset: str, model: str, n_train) -> list[str]:
        """The fold models of a family at one size, the best of which a job evaluates; none for
        an external model, which has one for every fold."""
        return [] if model in self.external_models else self.fold_models(dataset, model, n_train)

    def external_model_or_none(self, model: str) -> dict | None:
        """:meth:`external_model_settings` of an external model; None for a family."""
        return self.external_model_settings(model) if model in self.external_models else None

    # -- levels -----------------------------------------------------------------------
    def level(self, name: str) -> Level:
        return Level.from_config(name, self.config["levels"][name])

    def molecule(self, name: str) -> dict:
        return self.config["molecules"][name]

    def molecule_level(self, molecule: str) -> Level:
        """The molecule's reference level: minima, paths and dataset labels."""
        return self.level(self.molecule(molecule)["level"])

    def md_level(self, molecule: str) -> Level:
        """The level that drives the molecule's MD (its reference level unless `md_level`)."""
        settings = self.molecule(molecule)
        return self.level(settings["md_level"] or settings["level"])

    def relabelled(self, molecule: str) -> bool:
        """Whether MD frames of the molecule are relabelled at its reference level."""
        settings = self.molecule(molecule)
        return settings["md_level"] not in (None, settings["level"])

    def dataset_level(self, dataset: str) -> Level:
        """The level of a dataset's labels: its own `level`, else its molecule's."""
        settings = self.config["datasets"][dataset]
        return self.level(settings["level"] or self.molecule(settings["molecule"])["level"])

    # -- input files ------------------------------------------------------------------
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
        spec = self.molecule(molecule)["minima"][minimum]
        return spec if isinstance(spec, dict) else None

    def minimum_file(self, molecule: str, minimum: str) -> str:
        """A minimum's starting geometry: the user's file, or the one the workflow builds."""
        if self.built_minimum(molecule, minimum) is not None:
            return self.layout.built(molecule, minimum)
        return self.input_path(self.molecule(molecule)["minima"][minimum])

    def first_minimum_file(self, molecule: str) -> str:
        """The geometry every other minimum of the molecule is checked against."""
        return self.minimum_file(molecule, next(iter(self.molecule(molecule)["minima"])))

    def reference_atoms(self, molecule: str):
        """The molecule's atoms in their order, before any job runs: its SMILES embedded
        (:func:`flexmlff.building.embedded`) or its first minimum file. Collective variables
        are resolved on it; read once per plan."""
        if molecule not in self._reference_atoms:
            smiles = self.molecule(molecule)["smiles"]
            if smiles:
                from flexmlff.building import embedded

                self._reference_atoms[molecule] = embedded(smiles, self.seed)
            else:
                self._reference_atoms[molecule] = read_geometry(self.first_minimum_file(molecule))
        return self._reference_atoms[molecule]

    def build_settings(self, molecule: str, minimum: str) -> dict:
        """What the build job of a built minimum takes: the SMILES, the seed and each
        collective variable's name, atoms and value ([[name, atoms, value], ...])."""
        atoms = self.cv_atoms(molecule)
        values = self.built_minimum(molecule, minimum)
        return {"smiles": self.molecule(molecule)["smiles"], "seed": self.seed,
                "values": [[name, atoms[name], float(value)] for name, value in values.items()]}

    # -- collective variables -------------------------------------------------------------
    def collective_variables(self, molecule: str) -> dict[str, CollectiveVariable]:
        """The molecule's named distances, angles and dihedrals (its ``collective_variables``),
        resolved on its reference atoms (:meth:`reference_atoms`) once per plan."""
        if molecule not in self._collective_variables:
            self._collective_variables[molecule] = molecule_collective_variables(
                self.molecule(molecule)["collective_variables"], self.reference_atoms(molecule))
        return self._collective_variables[molecule]

    def cv_atoms(self, molecule: str, kinds=ALL_KINDS) -> dict[str, list[int]]:
        """The atoms of each collective variable of one of `kinds`, by name: what jobs measure
        (a rule parameter)."""
        return {name: list(cv.atoms) for name, cv in self.collective_variables(molecule).items()
                if cv.kind in kinds}

    def isomerisation_rotor(self, molecule: str) -> list[int]:
        """The dihedral X1-N2=N3-X4 the isomerisation paths turn (``isomerisation.torsion``)."""
        return self.cv_atoms(molecule)[self.molecule(molecule)["isomerisation"]["torsion"]]

    # -- paths --------------------------------------------------------------------------
    def mep_methods(self, molecule: str) -> list[str]:
        mep = self.molecule(molecule).get("mep")
        return mep["methods"] if mep else []

    def _endpoints(self, molecule: str, settings: dict) -> dict[str, str]:
        """The relaxed minima a path's `settings` name as its start and end."""
        return {end: self.layout.relaxed(molecule, settings[end]) for end in ("start", "end")}

    def mep_endpoints(self, molecule: str) -> dict[str, str]:
        return self._endpoints(molecule, self.molecule(molecule)["mep"])

    def isomerisation_endpoints(self, molecule: str) -> dict[str, str]:
        return self._endpoints(molecule, self.molecule(molecule)["isomerisation"])

    def mep_outputs(self, molecule: str, ext: str) -> list[str]:
        return [self.layout.mep(molecule, method, ext) for method in self.mep_methods(molecule)]

    def driven_path_names(self, molecule: str) -> list[str]:
        return list(self.molecule(molecule)["driven_paths"])

    def driven_path_settings(self, molecule: str, name: str) -> dict:
        """A driven path's settings, its driven dihedrals resolved to {name: atoms}."""
        settings = self.molecule(molecule)["driven_paths"][name]
        atoms = self.cv_atoms(molecule)
        return {**settings, "drive": {cv: atoms[cv] for cv in settings["drive"]}}

    def driven_path_endpoints(self, molecule: str, name: str) -> dict[str, str]:
        return self._endpoints(molecule, self.molecule(molecule)["driven_paths"][name])

    def path_table_rows(self, molecule: str) -> list[str]:
        """The paths of the molecule's barrier table and profile figure: the MEP methods,
        then the driven paths."""
        return [*self.mep_methods(molecule), *self.driven_path_names(molecule)]

    def path_table_inputs(self, molecule: str, ext: str) -> list[str]:
        """Profile (csv) or summary (json) of every path in :meth:`path_table_rows`."""
        return [*self.mep_outputs(molecule, ext),
                *(self.layout.driven_path(molecule, name, ext) for name in self.driven_path_names(molecule))]

    def isomerisation_paths(self, molecule: str) -> list[str]:
        """The driven mechanisms, then the optimised rotation path when asked for."""
        settings = self.molecule(molecule)["isomerisation"]
        names = list(settings["mechanisms"])
        if settings["optimised_rotation"]["enabled"] and "rotation" in names:
            names.append("optimised_rotation")
        return names

    def isomerisation_profiles(self, molecule: str) -> list[str]:
        return [self.layout.path(molecule, name, "csv") for name in self.isomerisation_paths(molecule)]

    def isomerisation_ends(self, molecule: str) -> list[str]:
        settings = self.molecule(molecule)["isomerisation"]
        return [settings["start"], settings["end"]]

    def single_point_levels(self, molecule: str) -> dict[str, Level]:
        names = self.molecule(molecule)["isomerisation"]["single_point_levels"]
        return {name: self.level(name) for name in names}

    def isomerisation_single_points(self, molecule: str) -> list[str]:
        """Per level: the two end minima, then the highest frame of every path."""
        points = [f"minimum_{end}" for end in self.isomerisation_ends(molecule)]
        points += [f"{path}_highest" for path in self.isomerisation_paths(molecule)]
        return [
            self.layout.single_point(molecule, level, name)
            for level in self.single_point_levels(molecule)
            for name in points
        ]

    def path_file(self, molecule: str, name: str) -> str:
        """Frames of a path: an MEP method or an isomerisation path."""
        if name in self.mep_methods(molecule):
            return self.layout.mep(molecule, name)
        if name in self.molecule(molecule)["driven_paths"]:
            return self.layout.driven_path(molecule, name)
        return self.layout.path(molecule, name)

    def path_frame_counts(self, molecule: str) -> dict[str, int]:
        """Frames (end points included) of every path an MD start may name."""
        settings = self.molecule(molecule)
        counts = {}
        if settings.get("isomerisation"):
            n_frames = settings["isomerisation"]["n_images"] + 2
            counts.update({name: n_frames for name in self.isomerisation_paths(molecule)})
        if settings.get("mep"):
            n_frames = settings["mep"]["n_images"] + 2
            counts.update({name: n_frames for name in self.mep_methods(molecule)})
        counts.update({name: path["n_images"] + 2 for name, path in settings["driven_paths"].items()})
        return counts

    def molecule_ends(self, molecule: str, path: str | None = None) -> tuple[str, str]:
        """The two minima a transition connects: those `path` joins (a driven path), else the
        isomerisation's, else the MEP's."""
        settings = self.molecule(molecule)
        ends = settings["driven_paths"].get(path) or settings.get("isomerisation") or settings.get("mep")
        return ends["start"], ends["end"]

    # -- MD campaigns -------------------------------------------------------------------
    def campaign_runs(self, molecule: str, campaign: str) -> list[MDStart]:
        """The runs of an MD campaign, each with its start and seed."""
        settings = self.molecule(molecule)
        md = settings["md"][campaign]
        return expand_starts(md["starts"], list(settings["minima"]),
                             self.path_frame_counts(molecule), md["seed"])

    def md_run_start(self, molecule: str, campaign: str, run: str) -> MDStart:
        return next(s for s in self.campaign_runs(molecule, campaign) if s.run == run)

    def md_start_file(self, molecule: str, campaign: str, run: str) -> str:
        """The relaxed minimum or the path a run starts from."""
        start = self.md_run_start(molecule, campaign, run)
        if start.frame is None:
            return self.layout.relaxed(molecule, start.source)
        return self.path_file(molecule, start.source)

    def md_protocol(self, molecule: str, campaign: str) -> dict:
        return self.molecule(molecule)["md"][campaign]

    def md_run_settings(self, molecule: str, campaign: str) -> dict:
        """A campaign's protocol as its runs take it: metadynamics CVs named by the config
        become {name: atoms}."""
        protocol = self.md_protocol(molecule, campaign)
        metadynamics = protocol.get("metadynamics")
        if not metadynamics:
            return protocol
        atoms = self.cv_atoms(molecule)
        return {**protocol, "metadynamics": {**metadynamics, "cvs": {cv: atoms[cv] for cv in metadynamics["cvs"]}}}

    def md_frame_count(self, molecule: str, campaign: str) -> int:
        """Frames one run of the campaign keeps (step 0 included)."""
        md = self.md_protocol(molecule, campaign)
        return md["steps"] // md["stride"] + 1

    def n_relabel_chunks(self, molecule: str, campaign: str) -> int:
        """Relabelling jobs of one run: its frames in chunks of `relabel_chunk_frames`."""
        size = self.molecule(molecule)["relabel_chunk_frames"]
        return math.ceil(self.md_frame_count(molecule, campaign) / size)

    def relabel_chunks(self, molecule: str, campaign: str, run: str) -> list[str]:
        return [
            self.layout.md_relabel_chunk(molecule, campaign, run, k)
            for k in range(self.n_relabel_chunks(molecule, campaign))
        ]

    def labelled_frames(self, molecule: str, campaign: str, run: str) -> str:
        """Frames of a run labelled at the molecule's level (after relabelling, if any)."""
        if self.relabelled(molecule):
            return self.layout.md_labelled(molecule, campaign, run)
        return self.layout.md_frames(molecule, campaign, run)

    # -- datasets -------------------------------------------------------------------------
    def dataset_settings(self, dataset: str) -> dict:
        return self.config["datasets"][dataset]

    def dataset_molecule(self, dataset: str) -> str:
        return self.dataset_settings(dataset)["molecule"]

    def dataset_campaign_runs(self, dataset: str) -> list[tuple[str, str]]:
        """(campaign, run) of every MD run of a dataset, in order."""
        settings = self.dataset_settings(dataset)
        return [
            (campaign, run.run)
            for campaign in settings["campaigns"]
            for run in self.campaign_runs(settings["molecule"], campaign)
        ]

    def dataset_sources(self, dataset: str) -> list[str]:
        """A user's dataset file, the relabelled chunks, or the labelled frames of its runs."""
        settings = self.dataset_settings(dataset)
        if settings["file"]:
            return [self.input_path(settings["file"])]
        if settings["relabel_of"]:
            return [self.layout.dataset_relabel_chunk(dataset, k)
                    for k in range(settings["relabel_jobs"])]
        return [self.labelled_frames(settings["molecule"], campaign, run)
                for campaign, run in self.dataset_campaign_runs(dataset)]

    def dataset_source_names(self, dataset: str) -> list[str]:
        """What each source of a dataset is: an MD campaign, "file" or "relabelled"."""
        settings = self.dataset_settings(dataset)
        if settings["file"]:
            return ["file"]
        if settings["relabel_of"]:
            return ["relabelled"] * settings["relabel_jobs"]
        return [campaign for campaign, _ in self.dataset_campaign_runs(dataset)]

    def dataset_atom_order(self, dataset: str) -> str | list:
        """The geometry a user's dataset file must match atom for atom (its molecule's first
        minimum: collective variables index its atoms); none for sampled datasets, whose
        frames start from the minima."""
        settings = self.dataset_settings(dataset)
        return self.first_minimum_file(settings["molecule"]) if settings["file"] else []

    def same_size_manifest(self, dataset: str) -> str | list:
        """The manifest of the dataset whose size this one must match; none is an empty input."""
        other = self.dataset_settings(dataset)["same_size_as"]
        return self.layout.dataset(other, "json") if other else []

    def split_file(self, dataset: str, n_train) -> str:
        """The CV split of a dataset; a relabelled dataset (same frames, other level) shares
        its source's split, so both are trained and tested on the same tasks (paper Sec. V)."""
        source = self.dataset_settings(dataset)["relabel_of"] or dataset
        return self.layout.split(source, n_train)

    # -- models and errors ------------------------------------------------------------------
    def fold_models(self, dataset: str, model: str, n_train) -> list[str]:
        """The model of every fold at one size, in fold order."""
        return [self.layout.model_file(dataset, model, n_train, k) for k in range(self.n_folds)]

    def fold_test_errors(self, dataset: str, model: str, n_train) -> list[str]:
        return [self.layout.test_errors(dataset, model, n_train, k) for k in range(self.n_folds)]

    def trained_model_files(self) -> dict[str, list[str]]:
        """The fold models of every trained dataset, family and size, keyed
        ``<dataset>/<family>/n<n>`` (the best-model registry looks its best fold up here)."""
        return {f"{dataset}/{model}/n{n}": self.fold_models(dataset, model, n)
                for dataset in self.trained_datasets for model in self.families_on(dataset) for n in self.sizes}

    def code_families(self) -> dict[str, str]:
        """The family whose code each trained model runs (a named variant's family)."""
        return {model: describe(model).code_family for model in self.families}

    def family_fold_errors(self, dataset: str, model: str) -> list[str]:
        """Test errors of every size and fold of one family on one dataset."""
        return [f for n in self.sizes for f in self.fold_test_errors(dataset, model, n)]

    def training_records(self, dataset: str) -> list[str]:
        """The training record of every family, size and fold on one dataset."""
        return [self.layout.training_record(dataset, model, n, k)
                for model in self.families_on(dataset) for n in self.sizes for k in range(self.n_folds)]

    def dataset_family_errors(self, dataset: str) -> list[str]:
        """The fold errors of every model on one dataset, trained or external."""
        return [self.layout.family_errors(dataset, model) for model in self.models_on(dataset)]

    def external_model_errors(self, dataset: str, name: str) -> dict[str, list[str]]:
        """The test errors and predictions an external model's job writes: every size, then
        every fold (the order its script writes them in)."""
        keys = [(n, k) for n in self.sizes for k in range(self.n_folds)]
        return {"errors": [self.layout.test_errors(dataset, name, n, k) for n, k in keys],
                "predictions": [self.layout.test_predictions(dataset, name, n, k) for n, k in keys]}

    def external_model_check_geometry(self, name: str) -> str:
        """The frame an external model is first checked on: the first minimum of the molecule
        of the first dataset it is evaluated on."""
        meant = [d for d in self.trained_datasets if name in self.models_on(d)] or self.trained_datasets
        return self.first_minimum_file(self.dataset_molecule(meant[0]))

    def all_family_errors(self) -> list[str]:
        """Every family's fold errors on every training dataset."""
        return [f for dataset in self.trained_datasets for f in self.dataset_family_errors(dataset)]

    def cluster_coordinate(self, dataset: str) -> dict | None:
        """The transition coordinate of a dataset's molecule, ``{"cv", "atoms", "signed"}``,
        whose bins cluster the frames of its prediction files and per-cluster figures; None
        where the molecule names none."""
        molecule = self.dataset_molecule(dataset)
        settings = self.molecule(molecule).get("transition_coordinate")
        if not settings:
            return None
        return {"cv": settings["cv"], "atoms": self.cv_atoms(molecule)[settings["cv"]], "signed": settings["signed"]}

    def transition_outcome(self, dataset: str) -> dict:
        """How an ML-driven run of a dataset's models is classed: its molecule's
        ``transition_coordinate`` (``cv``, ``signed``, ``bands_deg``)."""
        return dict(self.molecule(self.dataset_molecule(dataset))["transition_coordinate"])

    # -- figures -----------------------------------------------------------------------------
    def figure_settings(self, key: str) -> dict:
        return self.figures[key]

    def learning_curve_rows(self, key: str, default_models: list[str]) -> list[tuple]:
        """(row title, dataset, families) of a learning-curve figure from `figures.<key>`, each
        row with the families trained on its dataset."""
        settings = self.figures[key]
        models = settings.get("models") or default_models
        return [(dataset, dataset, [m for m in models if m in self.models_on(dataset)])
                for dataset in settings["datasets"]]

    def energy_distribution_inputs(self) -> dict:
        settings = self.figures["energy_distributions"]
        molecule = self.dataset_molecule(settings["datasets"][0])
        return {
            "datasets": [self.layout.dataset(name, "extxyz") for name in settings["datasets"]],
            "reference": self.layout.relaxed(molecule, settings["reference_minimum"]),
        }

    def distance_distribution_inputs(self) -> list[str]:
        return [self.layout.dataset(name) for name in self.figures["distance_distributions"]["datasets"]]

    def gap_cutoff_errors(self) -> list[str]:
        """Test errors of every cutoff and fold of the Fig. 6a scan."""
        scan = self.figures["gap_cutoff_scan"]
        return [
            self.layout.cutoff_scan_errors(scan["dataset"], f"{cutoff:g}", scan["n_train"], k)
            for cutoff in scan["cutoffs_A"]
            for k in range(self.n_folds)
        ]

    def dispersion_ablation_errors(self, key: str) -> str:
        """Fold errors of the ablation's family on `figures.dispersion_ablation.<key>`."""
        settings = self.figures["dispersion_ablation"]
        return self.layout.family_errors(settings[key], settings["model"])

    def phi_cluster_models(self, figure: str) -> list[tuple[str, int]]:
        """(dataset, training size) of the models in Fig. 7 (own largest size, and the combined
        set where ``combined`` is given: 7b) or Fig. 8 (``metadynamics`` sizes); none without the
        figure or its key."""
        settings = self.figures.get("phi_cluster_errors")
        if not settings:
            return []
        if figure == "fig7":
            combined = settings.get("combined")
            return [(settings["evaluate_on"], self.largest_size),
                    *([(combined["dataset"], combined["n_train"])] if combined else [])]
        meta = settings.get("metadynamics")
        return [(meta["dataset"], n) for n in meta["sizes"]] if meta else []

    def evaluation_figures(self, key: str) -> list[str]:
        """The figure files of `figures.<key>` (Fig. 8 only with its metadynamics set)."""
        names = EVALUATION_FIGURES[key]
        if key == "phi_cluster_errors" and not self.figures[key].get("metadynamics"):
            names = [name for name in names if not name.startswith("fig8")]
        return names

    def phi_cluster_tables(self, figure: str) -> list[str]:
        """Per-cluster error tables of :meth:`phi_cluster_models`, all evaluated on `evaluate_on`,
        in the figure's row order; Fig. 7a's ``beside`` families follow its own model."""
        settings = self.figures.get("phi_cluster_errors")
        tables = [self.layout.phi_clusters(settings["evaluate_on"], dataset, settings["model"], n)
                  for dataset, n in self.phi_cluster_models(figure)]
        if figure == "fig7" and settings:
            evaluated = settings["evaluate_on"]
            tables[1:1] = [self.layout.phi_clusters(evaluated, evaluated, family, self.largest_size)
                           for family in settings["beside"]]
        return tables

    # -- errors on a 2-D grid of two dihedrals (beyond the paper) ------------------------------
    def grid_cvs(self, dataset: str) -> dict[str, list[int]]:
        """The two dihedrals of ``figures.cv_grid_errors.cvs``, x first, with their atoms."""
        atoms = self.cv_atoms(self.dataset_molecule(dataset))
        return {name: atoms[name] for name in self.figures["cv_grid_errors"]["cvs"]}

    def grid_predictions(self, dataset: str) -> dict[str, list[str]]:
        """The held-out predictions of every fold at the largest size, per family of the dataset."""
        n = self.largest_size
        return {model: [self.layout.test_predictions(dataset, model, n, k) for k in range(self.n_folds)]
                for model in self.families_on(dataset)}

    # -- training sets grown where the model errs (beyond the paper) --------------------------
    @property
    def optimisation(self) -> dict:
        """``figures.training_set_optimisation``."""
        return self.figures["training_set_optimisation"]

    def optimisation_folds(self) -> list[int]:
        """The folds of the n_train split whose training sets are grown (default all)."""
        return self.optimisation.get("folds") or list(range(self.n_folds))

    def optimisation_runs(self) -> list[tuple[str, int]]:
        """(family, fold) of every grown training set, in the order of :meth:`optimisation_inputs`."""
        return [(model, fold) for model in self.optimisation["models"] for fold in self.optimisation_folds()]

    def optimisation_sizes(self) -> list[int]:
        """Training-set size after each step, step 0 first."""
        from flexmlff.training_sets import step_sizes

        settings = self.optimisation
        return step_sizes(settings["n_start"], settings["n_train"], settings["steps"])

    def optimisation_scheme(self):
        """The clustering settings, a :class:`flexmlff.training_sets.ClusterScheme`."""
        from flexmlff.training_sets import ClusterScheme

        return ClusterScheme(**self.optimisation["clusters"])

    def optimisation_seed(self, fold, step) -> int:
        """Seed of one step's random choices (the starting subset, the fine clusters' fit):
        apart from the seeds the split drew with (its seed + 0, 1, 2) and from each other."""
        return self.split_seed(self.optimisation["n_train"]) + 1000 * (int(fold) + 1) + int(step)

    def previous_optimisation_step(self, dataset: str, model: str, n_train, fold, step) -> dict[str, str]:
        """What step `step` starts from: the training set and frame errors of the step
        before; nothing for step 0, which draws its set from the split."""
        if int(step) == 0:
            return {}
        previous = int(step) - 1
        return {"previous_training_set": self.layout.optimised_training_set(dataset, model, n_train, fold, previous),
                "previous_frame_errors": self.layout.optimised_frame_errors(dataset, model, n_train, fold, previous)}

    def optimisation_inputs(self) -> dict[str, list[str]]:
        """The figure's inputs: the test predictions of each family and fold after the last
        step (``optimised``) and of the energy-stratified model of the same size and fold
        (``stratified``), in the same order, and every step's test errors (``steps``)."""
        settings, layout = self.optimisation, self.layout
        dataset, n, last = settings["dataset"], settings["n_train"], settings["steps"]
        runs = self.optimisation_runs()
        return {
            "optimised": [layout.optimised_predictions(dataset, m, n, k, last) for m, k in runs],
            "stratified": [layout.test_predictions(dataset, m, n, k) for m, k in runs],
            "steps": [layout.optimised_errors(dataset, m, n, k, step) for m, k in runs for step in range(last + 1)],
        }

    # -- ML-driven MD (Fig. 9) ----------------------------------------------------------------
    def ml_md_start(self, start_path: str) -> dict:
        return self.figures["ml_md"]["paths"][start_path]

    def ml_md_molecule(self, start_path: str) -> str:
        return self.dataset_molecule(self.ml_md_start(start_path)["dataset"])

    def ml_md_start_file(self, start_path: str) -> str:
        return self.path_file(self.ml_md_molecule(start_path), start_path)

    def ml_md_fold_models(self, start_path: str, model: str) -> list[str]:
        """The largest size's models of every fold (the best is chosen from their errors)."""
        return self.fold_models(self.ml_md_start(start_path)["dataset"], model, self.largest_size)

    def ml_md_fold_errors(self, start_path: str, model: str) -> list[str]:
        return self.fold_test_errors(self.ml_md_start(start_path)["dataset"], model, self.largest_size)

    def ml_md_end_minima(self, start_path: str) -> list[str]:
        """The relaxed end minima of the path the runs start from, in the order of `molecule_ends`."""
        molecule = self.ml_md_molecule(start_path)
        return [self.layout.relaxed(molecule, name) for name in self.molecule_ends(molecule, start_path)]

    def ml_md_models(self, start_path: str) -> list[str]:
        """The families that drive the runs from `start_path`: its own ``models`` or
        ``figures.ml_md.models``."""
        return self.ml_md_start(start_path).get("models") or self.figures["ml_md"]["models"]

    def ml_md_runs(self) -> list[tuple[str, str, int]]:
        """(model, path, frame) of every ML-driven MD run, in order."""
        settings = self.figures["ml_md"]
        families = list(dict.fromkeys(
            model for path in settings["paths"] for model in [*settings["models"], *self.ml_md_models(path)]))
        return [(model, path, frame)
                for model in families
                for path, start in settings["paths"].items() if model in self.ml_md_models(path)
                for frame in start["frames"]]

    def ml_md_seed(self, start_path: str, frame) -> int:
        """Each (path, frame) start has its own seed, the same for every model."""
        settings = self.figures["ml_md"]
        starts = [(p, f) for p, s in settings["paths"].items() for f in s["frames"]]
        return settings["seed"] + starts.index((start_path, int(frame)))

    def ml_md_frames(self) -> list[str]:
        return [self.layout.ml_md_frames(*run) for run in self.ml_md_runs()]

    def ml_md_outcomes(self) -> list[str]:
        return [self.layout.ml_md_outcome(*run) for run in self.ml_md_runs()]

    # -- targets ---------------------------------------------------------------------------------
    def targets(self) -> list[str]:
        """Everything a plain ``snakemake`` makes for this config."""
        layout = self.layout
        targets = [layout.effective_config()]
        targets += [layout.dataset(name) for name in self.config["datasets"]]
        for molecule, settings in self.config["molecules"].items():
            if settings.get("mep") or settings["driven_paths"]:
                targets += [layout.table(f"{molecule}_mep_barriers"),
                            *layout.figure(f"{molecule}_mep_profiles")]
            if settings.get("isomerisation"):
                targets += [layout.table(f"{molecule}_isomerisation_barriers"),
                            *layout.figure(f"{molecule}_isomerisation_profiles")]
        if self.figures.get("energy_distributions"):
            targets += layout.figure("fig2_energy_distributions")
        if self.figures.get("distance_distributions"):
            targets += layout.figure("fig3_distance_distributions")
        for key in EVALUATION_FIGURES:
            if self.figures.get(key):
                targets += [path for name in self.evaluation_figures(key) for path in layout.figure(name)]
        if self.figures.get("ml_md"):
            targets.append(layout.table("ml_md_outcomes"))
        for dataset in (self.figures.get("cv_grid_errors") or {}).get("datasets", []):
            targets += [layout.table(f"{dataset}_cv_grid_errors"), *layout.figure(f"{dataset}_cv_grid_errors")]
        if self.trained_datasets:
            targets += [layout.table("summary", "md"), layout.table("model_errors"),
                        layout.table("learning_curves"), layout.model_registry()]
        for dataset in self.trained_datasets:
            targets += [layout.table(f"{dataset}_learning_curve"),
                        *layout.figure(f"{dataset}_learning_curve"),
                        layout.table(f"{dataset}_training_choices"), *layout.figure(f"{dataset}_training"),
                        layout.metrics(dataset)]
            # Models are wanted in their own right: a deleted one is retrained (and
            # only what depends on it recomputed) by the next plain `snakemake`.
            targets += [path for model in self.families_on(dataset) for n in self.sizes
                        for path in self.fold_models(dataset, model, n)]
        if self.figures.get("training_set_optimisation"):  # every step's model, likewise
            settings = self.optimisation
            targets += [self.layout.optimised_model(settings["dataset"], model, settings["n_train"], fold, step)
                        for model, fold in self.optimisation_runs() for step in range(settings["steps"] + 1)]
        return targets
