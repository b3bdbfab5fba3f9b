"""Cross-reference checks of a config: names that point at other entries must exist.

The JSON schema checks each key on its own; these checks follow the references between
keys (a dataset's molecule, a figure's datasets and families, an MD start's path frame)
and name the offending key in a :class:`ConfigError`.
"""

from __future__ import annotations

from pathlib import Path

from flexmlff.building import BuildError, require_mmff
from flexmlff.collective_variables import ALL_KINDS, CollectiveVariableError
from flexmlff.config_error import ConfigError
from flexmlff.geometry import bond_graph, check_same_atoms, moving_fragment, read_geometry
from flexmlff.models import families as known_families
from flexmlff.models import register_families, register_variants

#: Collective variables measured in degrees: what bands of |value| (Fig. 9's outcomes) need.
ANGULAR = ("angle", "dihedral")

#: Keys that moved into the molecule entry, where the CV that tells its minima apart belongs:
#: an old config fails on them with the new key named.
MOVED_KEYS = {
    ("figures", "phi_cluster_errors", "coordinate"): "molecules.<molecule>.transition_coordinate.cv",
    ("figures", "ml_md", "outcome_coordinate"): "molecules.<molecule>.transition_coordinate.cv",
    ("figures", "ml_md", "outcome_signed"): "molecules.<molecule>.transition_coordinate.signed",
    ("figures", "ml_md", "outcome_bands_deg"): "molecules.<molecule>.transition_coordinate.bands_deg",
}

#: Fig. 6b's families: the two descriptors in one implementation, and the sgdml package.
DESCRIPTOR_FAMILIES = ["gdml", "sgdml_ang", "sgdml"]


class ConfigErrors(ConfigError):
    """Several problems found in one pass: one line each, so that one run shows them all."""

    def __init__(self, problems: list[ConfigError]):
        if len(problems) == 1:
            ValueError.__init__(self, str(problems[0]))
        else:
            ValueError.__init__(self, f"{len(problems)} problems in the config:\n"
                                + "\n".join(f"  {problem}" for problem in problems))
        self.key, self.problems = problems[0].key, problems


def raise_all(problems: list[ConfigError]) -> None:
    """Raise every problem found at once (nothing when there are none)."""
    if problems:
        raise ConfigErrors(problems)


class CrossReferenceChecks:
    """The checks, as part of :class:`flexmlff.plan.Plan` (they use its lookups)."""

    def check(self) -> None:
        """Names that point at other config entries must exist (the schema cannot check this).

        Each molecule, dataset and figure is checked on its own and every problem is
        reported together (:class:`ConfigErrors`). A lookup that fails only because of a
        problem already found (an unknown molecule's minima, say) adds nothing.
        """
        units = [(self._check_molecule, name) for name in self.config["molecules"]]
        units += [(self._check_dataset, name) for name in self.config["datasets"]]
        units += [(self._check_training,), (self._check_external_models,), (self._check_dataset_figures,)]
        units += [(self._check_evaluation_figure, key)
                  for key in ("learning_curves", "fold_means", "descriptor_comparison")]
        units += [(self._check_phi_cluster_errors,), (self._check_cv_grid_errors,), (self._check_ml_md,),
                  (self._check_ablations,), (self._check_training_set_optimisation,)]
        problems = []
        for check, *args in units:
            try:
                check(*args)
            except ConfigError as err:
                problems.extend(getattr(err, "problems", [err]))
            except (KeyError, ValueError):
                if not problems:
                    raise
        raise_all(problems)

    def _known(self, key: str, name, known, what: str) -> None:
        if name not in known:
            raise ConfigError(key, f"unknown {what} {name!r} (known: {', '.join(known) or 'none'})")

    def _check_molecule(self, name: str) -> None:
        levels, molecule = self.config["levels"], self.molecule(name)
        key = f"molecules.{name}"
        self._check_minima_files(name)
        self._check_collective_variables(name)
        self._check_built_minima(name)
        self._known(f"{key}.level", molecule["level"], levels, "level")
        if molecule["md_level"]:
            self._known(f"{key}.md_level", molecule["md_level"], levels, "level")
        for section in ("mep", "isomerisation"):
            for end in ("start", "end"):
                if molecule.get(section):
                    self._known(f"{key}.{section}.{end}", molecule[section][end],
                                molecule["minima"], "minimum")
        for level in molecule["isomerisation"]["single_point_levels"] if molecule.get("isomerisation") else []:
            self._known(f"{key}.isomerisation.single_point_levels", level, levels, "level")
        for campaign, settings in molecule["md"].items():
            try:
                self.campaign_runs(name, campaign)
            except ValueError as err:
                raise ConfigError(f"{key}.md.{campaign}.starts", str(err)) from None
            if settings["steps"] % settings["stride"]:
                raise ConfigError(f"{key}.md.{campaign}.stride", "must divide steps")
            metadynamics = settings.get("metadynamics")
            if metadynamics:
                for cv in metadynamics["cvs"]:
                    self._must_be_cv(f"{key}.md.{campaign}.metadynamics.cvs", name, cv)
                if len(metadynamics["sigma"]) != len(metadynamics["cvs"]):
                    raise ConfigError(f"{key}.md.{campaign}.metadynamics.sigma",
                                      f"{len(metadynamics['sigma'])} widths for {len(metadynamics['cvs'])} cvs")
        if molecule.get("mep") and molecule["mep"]["driving_torsion"]:
            self._must_be_cv(f"{key}.mep.driving_torsion", name, molecule["mep"]["driving_torsion"], ("dihedral",))
        if molecule.get("isomerisation"):
            self._must_be_cv(f"{key}.isomerisation.torsion", name, molecule["isomerisation"]["torsion"], ("dihedral",))
        self._check_driven_paths(name)
        self._check_transition_coordinate(name)

    def _check_transition_coordinate(self, name: str) -> None:
        """A dihedral or angle (a dihedral where signed) with bands in order; bands of a
        magnitude cannot be negative. Whether the minima lie in the outer bands is known
        only once they are relaxed: each ML-driven MD job checks it before its run."""
        settings, key = self.molecule(name).get("transition_coordinate"), f"molecules.{name}.transition_coordinate"
        if not settings:
            return
        self._must_be_cv(f"{key}.cv", name, settings["cv"], ("dihedral",) if settings["signed"] else ANGULAR)
        low, high = settings["bands_deg"]
        if not low < high:
            raise ConfigError(f"{key}.bands_deg", f"[{low}, {high}]: the first edge must be the lower")
        if low < 0 and not settings["signed"]:
            raise ConfigError(f"{key}.bands_deg", f"[{low}, {high}]: edges of |{settings['cv']}| cannot be "
                              "negative (signed: true classes by the signed value)")

    def _must_have_transition_coordinate(self, key: str, dataset: str, magnitude: bool = False) -> None:
        """The dataset's molecule names the CV that tells its minima apart; where the figure
        bins a dihedral's magnitude (Figs. 7 and 8, the training-set optimisation), an
        unsigned dihedral."""
        molecule = self.dataset_molecule(dataset)
        settings = self.molecule(molecule).get("transition_coordinate")
        if not settings:
            raise ConfigError(key, f"{dataset!r} is of {molecule}, which has no transition_coordinate "
                              f"(molecules.{molecule}.transition_coordinate: {{cv: ...}})")
        if magnitude and settings["signed"]:
            raise ConfigError(key, f"this figure bins |{settings['cv']}|; molecules.{molecule}.transition_coordinate "
                              "is signed")
        if magnitude:
            self._must_be_cv(f"molecules.{molecule}.transition_coordinate.cv", molecule, settings["cv"], ("dihedral",))

    def _check_driven_paths(self, name: str) -> None:
        """A driven path joins two known minima by dihedrals, under a name no other path has."""
        molecule, key = self.molecule(name), f"molecules.{name}.driven_paths"
        others = self.isomerisation_paths(name) if molecule.get("isomerisation") else []
        for path, settings in molecule["driven_paths"].items():
            if path in others or path in molecule["minima"]:
                raise ConfigError(f"{key}.{path}", "an isomerisation path or a minimum has this name")
            for end in ("start", "end"):
                self._known(f"{key}.{path}.{end}", settings[end], molecule["minima"], "minimum")
            if settings["start"] == settings["end"]:
                raise ConfigError(f"{key}.{path}.end", "the path must end at another minimum than it starts")
            for cv in settings["drive"]:
                self._must_be_cv(f"{key}.{path}.drive", name, cv, ("dihedral",))
                self._must_be_settable(f"{key}.{path}.drive", name, cv)

    def _check_collective_variables(self, name: str) -> None:
        """Each collective variable's atoms exist, are bonded as declared and match its pattern."""
        try:
            self.collective_variables(name)
        except CollectiveVariableError as err:
            raise ConfigError(f"molecules.{name}.collective_variables.{err.name}", str(err)) from None

    def _must_be_cv(self, key: str, molecule: str, name: str, kinds=ALL_KINDS) -> None:
        """`name` must be one of the molecule's collective variables, of one of `kinds`."""
        cvs = self.collective_variables(molecule)
        if name not in cvs:
            raise ConfigError(key, f"{name!r} is not a collective variable of {molecule} (molecules.{molecule}."
                              f"collective_variables: {', '.join(cvs) or 'none'})")
        if cvs[name].kind not in kinds:
            article = "an" if cvs[name].kind == "angle" else "a"
            raise ConfigError(key, f"{name!r} of {molecule} is {article} {cvs[name].kind}; this needs a "
                              f"{' or '.join(kinds)}")

    def _check_minima_files(self, name: str) -> None:
        """The molecule's SMILES embeds; every minimum's geometry file is readable, has no
        overlapping atoms and the reference atoms in the same order; a built minimum has a
        SMILES to be built from. All found before any job runs."""
        key, molecule = f"molecules.{name}", self.molecule(name)
        if molecule["smiles"]:
            try:
                self.reference_atoms(name)
            except BuildError as err:
                raise ConfigError(f"{key}.smiles", str(err)) from None
        for minimum in molecule["minima"]:
            if self.built_minimum(name, minimum) is not None:
                if not molecule["smiles"]:
                    raise ConfigError(f"{key}.minima.{minimum}", "collective-variable values to build a "
                                      f"minimum at need the molecule's SMILES ({key}.smiles)")
                continue
            path = self.minimum_file(name, minimum)
            try:
                check_same_atoms(read_geometry(path), self.reference_atoms(name), path)
            except ValueError as err:  # a GeometryError, or atoms that differ
                raise ConfigError(f"{key}.minima.{minimum}", str(err)) from None

    def _check_built_minima(self, name: str) -> None:
        """The values a minimum is built at are of the molecule's collective variables, each
        one RDKit can set: the atoms bonded, the bond it turns or stretches in no ring; and
        MMFF94, which relaxes the built geometry, has parameters for the molecule."""
        built = [m for m in self.molecule(name)["minima"] if self.built_minimum(name, m) is not None]
        if built:
            try:
                require_mmff(self.molecule(name)["smiles"])
            except BuildError as err:
                raise ConfigError(f"molecules.{name}.smiles", str(err)) from None
        for minimum in built:
            key = f"molecules.{name}.minima.{minimum}"
            for cv in self.built_minimum(name, minimum):
                self._must_be_cv(key, name, cv)
                self._must_be_settable(key, name, cv)

    def _must_be_settable(self, key: str, molecule: str, name: str) -> None:
        """The CV `name` can be set by moving one side of its last bond (a distance's bond, an
        angle's j-k, a dihedral's central j-k): bonded, and not in a ring."""
        atoms = self.collective_variables(molecule)[name].atoms
        bond = atoms[-2:] if len(atoms) < 4 else atoms[1:3]
        reference = self.reference_atoms(molecule)
        if bond[1] not in bond_graph(reference)[bond[0]]:
            raise ConfigError(key, f"{name!r}: atoms {bond[0]} and {bond[1]} are not bonded, so it cannot be set")
        try:
            moving_fragment(reference, bond)
        except ValueError as err:
            raise ConfigError(key, f"{name!r} cannot be set: {err}") from None

    def _check_dataset(self, name: str) -> None:
        datasets, dataset = self.config["datasets"], self.dataset_settings(name)
        key = f"datasets.{name}"
        molecule = dataset["molecule"]
        self._known(f"{key}.molecule", molecule, self.config["molecules"], "molecule")
        for campaign in dataset["campaigns"]:
            if campaign not in self.molecule(molecule)["md"]:
                raise ConfigError(f"{key}.campaigns", f"unknown MD campaign {campaign!r} of {molecule}")
        for field in ("same_size_as", "relabel_of"):
            other = dataset[field]
            if other and (other not in datasets or other == name):
                raise ConfigError(f"{key}.{field}", f"unknown dataset {other!r}")
            if other and datasets[other]["molecule"] != molecule:
                raise ConfigError(f"{key}.{field}", f"{other!r} is of another molecule")
        if dataset["level"]:
            self._known(f"{key}.level", dataset["level"], self.config["levels"], "level")
        if not any(dataset[field] for field in ("file", "campaigns", "relabel_of")):
            raise ConfigError(key, "needs campaigns, file or relabel_of")
        for field in ("units", "theory"):
            if dataset[field] and not dataset["file"]:
                raise ConfigError(f"{key}.{field}", "describes a dataset `file`; this dataset has none")

    def _check_training(self) -> None:
        for name in self.families:
            self._known("training.models", name, list(known_families()), "model")
        for name in self.trained_datasets:
            self._known("training.datasets", name, self.config["datasets"], "dataset")
        for name in self.training["models_on"]:
            self._must_be_trained(f"training.models_on.{name}", name)
        trained = {(dataset, family) for dataset, family, _ in self.training_tasks()}
        scan = self.figures.get("gap_cutoff_scan")
        if scan:  # Fig. 6a fits GAP on its dataset with that dataset's settings
            trained.add((scan["dataset"], "gap"))
        for name, families in self.training["settings_on"].items():
            self._known("training.settings_on", name, self.config["datasets"], "dataset")
            for family in families:
                if (name, family) not in trained:
                    raise ConfigError(f"training.settings_on.{name}.{family}", f"{family!r} is not trained on {name!r}")

    def _figure_list(self, key: str, field: str) -> list:
        """`figures.<key>.<field>`: none where the figure is off or the (optional) field unset."""
        settings = self.figures.get(key)
        return (settings.get(field) or []) if settings else []

    def _check_dataset_figures(self) -> None:
        for key in ("energy_distributions", "distance_distributions"):
            for name in self._figure_list(key, "datasets"):
                self._known(f"figures.{key}.datasets", name, self.config["datasets"], "dataset")
        settings = self.figures.get("energy_distributions")
        if settings:
            molecules = {self.dataset_molecule(name) for name in settings["datasets"]}
            if len(molecules) != 1:
                raise ConfigError("figures.energy_distributions.datasets", "must all be of one molecule")
            self._known("figures.energy_distributions.reference_minimum", settings["reference_minimum"],
                        self.molecule(molecules.pop())["minima"], "minimum")

    def _must_be_trained(self, key: str, dataset: str) -> None:
        if dataset not in self.trained_datasets:
            raise ConfigError(key, f"{dataset!r} is not in training.datasets")

    def _check_external_models(self) -> None:
        """Every external model's module is installed and the model files it names exist
        (what needs no import of its library; its first job checks the rest, in its env)."""
        raise_all([problem for model in self.external_models.values() for problem in model.problems()])
        for name, model in self.external_models.items():
            if name in known_families():
                raise ConfigError(model.key, f"{name!r} is the name of a model family; name the model otherwise")
            if model.conda and not (self.basedir / "envs" / f"{model.conda}.yaml").is_file():
                raise ConfigError(f"{model.key}.conda", f"no env file envs/{model.conda}.yaml")

    def _must_be_a_family(self, key: str, model: str, dataset: str | None = None) -> None:
        """`model` must be trained (on `dataset`, when given)."""
        if model not in self.families:
            raise ConfigError(key, f"{model!r} is not in training.models")
        if dataset and model not in self.families_on(dataset):
            raise ConfigError(key, f"{model!r} is not trained on {dataset!r} (training.models_on)")

    def _check_evaluation_figure(self, key: str) -> None:
        """Datasets and families named by an evaluation figure must be trained."""
        for name in self._figure_list(key, "datasets"):
            self._must_be_trained(f"figures.{key}.datasets", name)
        for name in self._figure_list(key, "models"):
            if name not in self.external_models:  # a learning curve may show a model not trained here
                self._must_be_a_family(f"figures.{key}.models", name)
        if key != "descriptor_comparison":
            return
        for name in self._figure_list(key, "datasets"):
            if not set(DESCRIPTOR_FAMILIES) <= set(self.families_on(name)):
                raise ConfigError("figures.descriptor_comparison",
                                  f"needs {', '.join(DESCRIPTOR_FAMILIES)} in training.models on {name!r}")

    def _check_phi_cluster_errors(self) -> None:
        clusters = self.figures.get("phi_cluster_errors")
        if clusters:
            key = "figures.phi_cluster_errors"
            for name in (clusters["evaluate_on"], *(clusters[part]["dataset"] for part in ("combined", "metadynamics")
                                                    if clusters.get(part))):
                self._known(key, name, self.config["datasets"], "dataset")
            self._must_be_trained(f"{key}.evaluate_on", clusters["evaluate_on"])
            self._known(f"{key}.model", clusters["model"], list(known_families()), "model")
            for name in clusters["beside"]:
                if name not in self.external_models:  # or a model not trained here, on the same frames
                    self._must_be_a_family(f"{key}.beside", name, clusters["evaluate_on"])
            rows = [clusters["model"], *clusters["beside"]]
            if len(set(rows)) < len(rows):
                raise ConfigError(f"{key}.beside", f"{clusters['beside']}: each family once, and not the model "
                                                   f"({clusters['model']!r}) again")
            self._must_have_transition_coordinate(f"{key}.evaluate_on", clusters["evaluate_on"], magnitude=True)

    def _check_cv_grid_errors(self) -> None:
        settings = self.figures.get("cv_grid_errors")
        if not settings:
            return
        key = "figures.cv_grid_errors"
        for name in settings["datasets"]:
            self._must_be_trained(f"{key}.datasets", name)
            for cv in settings["cvs"]:
                self._must_be_cv(f"{key}.cvs", self.dataset_molecule(name), cv, ("dihedral",))
        n_cells = 360.0 / settings["cell_deg"]
        if abs(n_cells - round(n_cells)) > 1e-9:
            raise ConfigError(f"{key}.cell_deg", f"{settings['cell_deg']} degrees does not divide 360")

    def _check_ml_md(self) -> None:
        ml_md = self.figures.get("ml_md")
        if not ml_md:
            return
        for name in ml_md["models"]:  # checked even where every path names its own
            self._must_be_a_family("figures.ml_md.models", name)
        for path, start in ml_md["paths"].items():
            key = f"figures.ml_md.paths.{path}.models" if start.get("models") else "figures.ml_md.models"
            for name in self.ml_md_models(path):
                self._must_be_a_family(key, name, start["dataset"])
        for path, start in ml_md["paths"].items():
            self._must_be_trained(f"figures.ml_md.paths.{path}.dataset", start["dataset"])
            self._must_have_transition_coordinate(f"figures.ml_md.paths.{path}.dataset", start["dataset"])
            molecule = self.dataset_molecule(start["dataset"])
            self._must_be_cv(f"figures.ml_md.paths.{path}.coordinate", molecule, start["coordinate"], ANGULAR)
            frames = self.path_frame_counts(self.dataset_molecule(start["dataset"]))
            self._known("figures.ml_md.paths", path, frames, "path")
            if max(start["frames"]) >= frames[path]:
                raise ConfigError(f"figures.ml_md.paths.{path}.frames", f"the path has frames 0-{frames[path] - 1}")

    def _check_ablations(self) -> None:
        scan = self.figures.get("gap_cutoff_scan")
        if scan:
            self._known("figures.gap_cutoff_scan.dataset", scan["dataset"], self.config["datasets"], "dataset")
        ablation = self.figures.get("dispersion_ablation")
        if not ablation:
            return
        for key in ("dataset", "without_dispersion"):
            self._known(f"figures.dispersion_ablation.{key}", ablation[key], self.config["datasets"], "dataset")
        if self.dataset_settings(ablation["without_dispersion"])["relabel_of"] != ablation["dataset"]:
            raise ConfigError("figures.dispersion_ablation.without_dispersion",
                              f"must be a relabel_of {ablation['dataset']!r} (the same frames)")
        self._known("figures.dispersion_ablation.model", ablation["model"], list(known_families()), "model")
        model = ablation["model"]
        if self.model_settings(model, ablation["dataset"]) != self.model_settings(model, ablation["without_dispersion"]):
            raise ConfigError(f"training.settings_on.{ablation['without_dispersion']}.{model}",
                              f"{model}'s settings differ from those on {ablation['dataset']!r}, which "
                              "figures.dispersion_ablation compares it with: set both or neither")

    def _check_training_set_optimisation(self) -> None:
        settings = self.figures.get("training_set_optimisation")
        if not settings:
            return
        key = "figures.training_set_optimisation"
        self._known(f"{key}.dataset", settings["dataset"], self.config["datasets"], "dataset")
        for name in settings["models"]:
            self._known(f"{key}.models", name, list(known_families()), "model")
        if not settings["n_start"] < settings["n_train"]:
            raise ConfigError(f"{key}.n_start", f"{settings['n_start']} must be below n_train ({settings['n_train']})")
        if settings["steps"] > settings["n_train"] - settings["n_start"]:
            raise ConfigError(f"{key}.steps", f"{settings['steps']} steps cannot each add a frame from "
                              f"{settings['n_start']} to {settings['n_train']}")
        for fold in settings.get("folds") or []:
            if fold >= self.n_folds:
                raise ConfigError(f"{key}.folds", f"fold {fold}: training.n_folds is {self.n_folds} (folds 0-{self.n_folds - 1})")
        self._must_have_transition_coordinate(f"{key}.dataset", settings["dataset"], magnitude=True)


def config_schema(schema: str | Path) -> dict:
    """The config schema at `schema` with every known family's settings filled in (each
    family states them in its module: :attr:`flexmlff.models.Family.settings`), and the
    family names wherever a key names a family."""
    import yaml

    full = yaml.safe_load(Path(schema).read_text())
    known = known_families()
    full["properties"]["models"]["properties"] = {name: family.settings for name, family in known.items()}
    training = full["properties"]["training"]["properties"]
    training["models"]["items"]["enum"] = list(known)
    training["models_on"]["additionalProperties"]["items"]["enum"] = list(known)
    training["settings_on"]["additionalProperties"]["properties"] = {name: {"type": "object"} for name in known}
    return full


def validate_config(config: dict, schema: str | Path) -> None:
    """Validate `config` against the JSON `schema` (:func:`config_schema`: the families' own
    settings filled in, those of ``families`` registered first) and fill in its defaults,
    as Snakemake's ``validate`` does, but fail with one :class:`ConfigError` line per
    problem, each naming its key (Snakemake's own error prints the whole schema and
    config, and only its first problem)."""
    import tempfile

    import jsonschema
    import yaml
    from snakemake.utils import validate

    for path, new_key in MOVED_KEYS.items():
        section = config
        for part in path[:-1]:
            section = section.get(part) if isinstance(section, dict) else None
        if isinstance(section, dict) and path[-1] in section:
            raise ConfigError(".".join(path), f"moved to {new_key}")
    outside = config.get("families") or {}
    if isinstance(outside, dict):
        try:
            register_families(outside)
        except ValueError as err:
            raise ConfigError("families", str(err)) from None
    try:
        register_variants(config.get("models") if isinstance(config.get("models"), dict) else {})
    except ValueError as err:
        key, _, message = str(err).partition(": ")
        raise ConfigError(key, message) from None
    schema_dict = config_schema(schema)
    validator = jsonschema.validators.validator_for(schema_dict)(schema_dict)
    found = sorted(validator.iter_errors(config), key=lambda error: list(map(str, error.absolute_path)))
    problems = []
    for error in found:
        key = ".".join(str(part) for part in error.absolute_path) or "(top level)"
        message = " ".join(error.message.split())
        problems.append(ConfigError(key, message if len(message) <= 300 else message[:300] + " ..."))
    raise_all(problems)
    # as YAML: Snakemake reads a JSON schema's defaults into OrderedDicts, which then sit in the
    # config and cannot be written back as YAML (results/config.yaml)
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="flexmlff-schema-") as filled:
        yaml.safe_dump(schema_dict, filled, sort_keys=False)
        filled.flush()
        validate(config, schema=filled.name)  # no problem left: fills in the defaults
    raise_all(_settings_override_problems(config, validator))


def _settings_override_problems(config: dict, validator) -> list[ConfigError]:
    """Each ``training.settings_on.<dataset>.<family>`` checked as ``models.<family>`` is:
    the family's settings with the override merged in are validated against the schema,
    and each problem is named by the override's key."""
    problems = []
    for dataset, families in config.get("training", {}).get("settings_on", {}).items():
        for family, override in families.items():
            # validation reads, never writes: a new models section is copy enough
            models = {**config["models"], family: {**config["models"][family], **override}}
            candidate = {**config, "models": models}
            for error in validator.iter_errors(candidate):
                path = [str(part) for part in error.absolute_path]
                if path[:2] != ["models", family]:
                    continue
                key = ".".join(["training", "settings_on", dataset, family, *path[2:]])
                problems.append(ConfigError(key, " ".join(error.message.split())))
    return problems
