# Config validation, output paths and input functions shared by the rules (no rules here).
import math
import os
import sys
from dataclasses import asdict

from snakemake.utils import validate

sys.path.insert(0, os.path.join(workflow.basedir, "src"))
from flexmlff.campaigns import expand_starts
from flexmlff.models import FAMILIES, MODEL_FILES

validate(config, schema="../schemas/config.schema.yaml")

ENVS = "../../envs"
MECHANISMS = ["rotation", "inversion", "rotation_inversion"]
RESULTS = "results"
LOGS = f"{RESULTS}/logs"
BENCHMARKS = f"{RESULTS}/benchmarks"


def _config_error(key, message):
    raise ValueError(f"config key '{key}': {message}")


def check_cross_references():
    """Names that point at other config entries must exist (the schema cannot check this)."""
    levels = config["levels"]
    for name, molecule in config["molecules"].items():
        if molecule["level"] not in levels:
            _config_error(
                f"molecules.{name}.level",
                f"unknown level {molecule['level']!r} (known: {', '.join(levels)})",
            )
        minima = molecule["minima"]
        mep = molecule.get("mep")
        if mep:
            for end in ("start", "end"):
                if mep[end] not in minima:
                    _config_error(
                        f"molecules.{name}.mep.{end}",
                        f"unknown minimum {mep[end]!r} (known: {', '.join(minima)})",
                    )
        isomerisation = molecule.get("isomerisation")
        if isomerisation:
            for end in ("start", "end"):
                if isomerisation[end] not in minima:
                    _config_error(
                        f"molecules.{name}.isomerisation.{end}",
                        f"unknown minimum {isomerisation[end]!r} (known: {', '.join(minima)})",
                    )
            for level in isomerisation.get("single_point_levels", []):
                if level not in levels:
                    _config_error(
                        f"molecules.{name}.isomerisation.single_point_levels",
                        f"unknown level {level!r} (known: {', '.join(levels)})",
                    )
        if molecule.get("md_level") and molecule["md_level"] not in levels:
            _config_error(
                f"molecules.{name}.md_level", f"unknown level {molecule['md_level']!r}"
            )
        for campaign, settings in molecule.get("md", {}).items():
            try:
                campaign_runs(name, campaign)
            except ValueError as err:
                _config_error(f"molecules.{name}.md.{campaign}.starts", str(err))
            if settings["steps"] % settings.get("stride", 1):
                _config_error(
                    f"molecules.{name}.md.{campaign}.stride", "must divide steps"
                )
    for name, dataset in config["datasets"].items():
        molecule = dataset["molecule"]
        if molecule not in config["molecules"]:
            _config_error(f"datasets.{name}.molecule", f"unknown molecule {molecule!r}")
        campaigns = config["molecules"][molecule].get("md", {})
        for campaign in dataset.get("campaigns", []):
            if campaign not in campaigns:
                _config_error(
                    f"datasets.{name}.campaigns",
                    f"unknown MD campaign {campaign!r} of {molecule}",
                )
        for key in ("same_size_as", "relabel_of"):
            other = dataset.get(key)
            if other and (other not in config["datasets"] or other == name):
                _config_error(f"datasets.{name}.{key}", f"unknown dataset {other!r}")
            if other and config["datasets"][other]["molecule"] != molecule:
                _config_error(
                    f"datasets.{name}.{key}", f"{other!r} is of another molecule"
                )
        if dataset.get("level") and dataset["level"] not in levels:
            _config_error(
                f"datasets.{name}.level", f"unknown level {dataset['level']!r}"
            )
        if not any(dataset.get(key) for key in ("file", "campaigns", "relabel_of")):
            _config_error(f"datasets.{name}", "needs campaigns, file or relabel_of")
    figures = config.get("figures", {})
    for key in ("energy_distributions", "distance_distributions"):
        for name in figures.get(key, {}).get("datasets", []):
            if name not in config["datasets"]:
                _config_error(f"figures.{key}.datasets", f"unknown dataset {name!r}")
    if figures.get("energy_distributions"):
        molecules = {
            config["datasets"][name]["molecule"]
            for name in figures["energy_distributions"]["datasets"]
        }
        if len(molecules) != 1:
            _config_error(
                "figures.energy_distributions.datasets", "must all be of one molecule"
            )
        minimum = figures["energy_distributions"]["reference_minimum"]
        if minimum not in config["molecules"][molecules.pop()]["minima"]:
            _config_error(
                "figures.energy_distributions.reference_minimum",
                f"unknown minimum {minimum!r}",
            )
    check_evaluation_references(figures)
    for name in config["training"]["models"]:
        if name not in FAMILIES:
            _config_error(
                "training.models",
                f"unknown model {name!r} (known: {', '.join(FAMILIES)})",
            )
    for name in config["training"]["datasets"]:
        if name not in config["datasets"]:
            _config_error("training.datasets", f"unknown dataset {name!r}")


def check_evaluation_references(figures):
    """Datasets and families named by the evaluation figures must be trained."""
    trained, families = config["training"]["datasets"], config["training"]["models"]
    for key in ("learning_curves", "fold_means", "descriptor_comparison"):
        for name in figures.get(key, {}).get("datasets", []):
            if name not in trained:
                _config_error(
                    f"figures.{key}.datasets", f"{name!r} is not in training.datasets"
                )
        for name in figures.get(key, {}).get("models", []):
            if name not in families:
                _config_error(
                    f"figures.{key}.models", f"{name!r} is not in training.models"
                )
    if figures.get("descriptor_comparison") and not {"sgdml", "sgdml_ang"} <= set(
        families
    ):
        _config_error(
            "figures.descriptor_comparison",
            "needs sgdml and sgdml_ang in training.models",
        )
    clusters = figures.get("phi_cluster_errors")
    if clusters:
        key = "figures.phi_cluster_errors"
        for name in (
            clusters["evaluate_on"],
            clusters["combined"]["dataset"],
            clusters["metadynamics"]["dataset"],
        ):
            if name not in config["datasets"]:
                _config_error(key, f"unknown dataset {name!r}")
        if clusters["evaluate_on"] not in trained:
            _config_error(
                f"{key}.evaluate_on",
                f"{clusters['evaluate_on']!r} is not in training.datasets",
            )
        if clusters["model"] not in FAMILIES:
            _config_error(f"{key}.model", f"unknown model {clusters['model']!r}")
    ml_md = figures.get("ml_md")
    if ml_md:
        for name in ml_md["models"]:
            if name not in families:
                _config_error(
                    "figures.ml_md.models", f"{name!r} is not in training.models"
                )
        for path, start in ml_md["paths"].items():
            if start["dataset"] not in trained:
                _config_error(
                    f"figures.ml_md.paths.{path}.dataset",
                    f"{start['dataset']!r} is not in training.datasets",
                )
            frames = path_frame_counts(config["datasets"][start["dataset"]]["molecule"])
            if path not in frames:
                _config_error(
                    "figures.ml_md.paths",
                    f"unknown path {path!r} (known: {', '.join(frames)})",
                )
            if max(start["frames"]) >= frames[path]:
                _config_error(
                    f"figures.ml_md.paths.{path}.frames",
                    f"the path has frames 0-{frames[path] - 1}",
                )
    scan = figures.get("gap_cutoff_scan")
    if scan and scan["dataset"] not in config["datasets"]:
        _config_error(
            "figures.gap_cutoff_scan.dataset", f"unknown dataset {scan['dataset']!r}"
        )
    ablation = figures.get("dispersion_ablation")
    if ablation:
        for key in ("dataset", "without_dispersion"):
            if ablation[key] not in config["datasets"]:
                _config_error(
                    f"figures.dispersion_ablation.{key}",
                    f"unknown dataset {ablation[key]!r}",
                )
        if (
            config["datasets"][ablation["without_dispersion"]].get("relabel_of")
            != ablation["dataset"]
        ):
            _config_error(
                "figures.dispersion_ablation.without_dispersion",
                f"must be a relabel_of {ablation['dataset']!r} (the same frames)",
            )
        if ablation["model"] not in FAMILIES:
            _config_error(
                "figures.dispersion_ablation.model",
                f"unknown model {ablation['model']!r}",
            )


TRAINING = config["training"]
N_FOLDS = TRAINING["n_folds"]


wildcard_constraints:
    molecule=r"[A-Za-z0-9_\-]+",
    dataset=r"[A-Za-z0-9_\-]+",
    minimum=r"[A-Za-z0-9_\-]+",
    run=r"[A-Za-z0-9_\-]+",
    method="neb|string",
    path="rotation|inversion|rotation_inversion|optimised_rotation",
    mechanism="rotation|inversion|rotation_inversion",
    level=r"[A-Za-z0-9_\-]+",
    campaign=r"[A-Za-z0-9_\-]+",
    chunk=r"\d+",
    model=r"[a-z0-9_]+",
    n_train=r"\d+",
    fold=r"\d+",
    evaluated=r"[A-Za-z0-9_\-]+",
    start_path=r"[A-Za-z0-9_\-]+",
    frame=r"\d+",
    cutoff=r"\d+(\.\d+)?",


def level_spec(name):
    """(calculator, options) of the named level in `levels`."""
    options = dict(config["levels"][name])
    return options.pop("calculator"), options


def molecule_config(wildcards):
    return config["molecules"][wildcards.molecule]


def molecule_level(wildcards):
    """(calculator, options) of the molecule's reference level."""
    return level_spec(molecule_config(wildcards)["level"])


def input_path(path):
    """A config file path: relative to the working directory, or else to the
    workflow's own folder (so the shipped resources/ work from anywhere)."""
    if os.path.isabs(path) or os.path.exists(path):
        return path
    shipped = os.path.join(workflow.basedir, path)
    return shipped if os.path.exists(shipped) else path


def minimum_file(wildcards):
    return input_path(molecule_config(wildcards)["minima"][wildcards.minimum])


def first_minimum_file(wildcards):
    """The geometry every other minimum of the molecule is checked against."""
    return input_path(next(iter(molecule_config(wildcards)["minima"].values())))


def relaxed(molecule, minimum):
    return f"{RESULTS}/{molecule}/minima/{minimum}.extxyz"


def mep_endpoints(wildcards):
    mep = molecule_config(wildcards)["mep"]
    return {
        "start": relaxed(wildcards.molecule, mep["start"]),
        "end": relaxed(wildcards.molecule, mep["end"]),
    }


def isomerisation_endpoints(wildcards):
    settings = molecule_config(wildcards)["isomerisation"]
    return {
        "start": relaxed(wildcards.molecule, settings["start"]),
        "end": relaxed(wildcards.molecule, settings["end"]),
    }


def isomerisation_paths(molecule):
    """The driven mechanisms, then the optimised rotation path when asked for."""
    settings = config["molecules"][molecule]["isomerisation"]
    names = list(settings.get("mechanisms", MECHANISMS))
    if (
        settings.get("optimised_rotation", {}).get("enabled", True)
        and "rotation" in names
    ):
        names.append("optimised_rotation")
    return names


def isomerisation_profiles(wildcards):
    return [
        f"{RESULTS}/{wildcards.molecule}/paths/{name}.csv"
        for name in isomerisation_paths(wildcards.molecule)
    ]


def isomerisation_single_points(wildcards):
    """Per level: the cis and trans minima, then the highest frame of every path."""
    settings = molecule_config(wildcards)["isomerisation"]
    where = f"{RESULTS}/{wildcards.molecule}/single_points"
    return [
        f"{where}/{level}/{name}.json"
        for level in settings.get("single_point_levels", [])
        for name in (
            f"minimum_{settings['start']}",
            f"minimum_{settings['end']}",
            *(f"{path}_highest" for path in isomerisation_paths(wildcards.molecule)),
        )
    ]


def dataset_level(wildcards):
    """(calculator, options) of the dataset's labels: its own `level`, else its molecule's."""
    dataset = config["datasets"][wildcards.dataset]
    return level_spec(
        dataset.get("level") or config["molecules"][dataset["molecule"]]["level"]
    )


def mep_methods(molecule):
    return config["molecules"][molecule]["mep"].get("methods", ["neb", "string"])


def path_file(molecule, name):
    """Frames of a path: an isomerisation path or an MEP method."""
    if name in mep_methods(molecule):
        return f"{RESULTS}/{molecule}/mep/{name}.extxyz"
    return f"{RESULTS}/{molecule}/paths/{name}.extxyz"


def path_frame_counts(molecule):
    """Frames (end points included) of every path an MD start may name."""
    settings = config["molecules"][molecule]
    counts = {}
    if settings.get("isomerisation"):
        n_frames = settings["isomerisation"].get("n_images", 15) + 2
        counts.update({name: n_frames for name in isomerisation_paths(molecule)})
    if settings.get("mep"):
        n_frames = settings["mep"].get("n_images", 15) + 2
        counts.update({name: n_frames for name in mep_methods(molecule)})
    return counts


def campaign_runs(molecule, campaign):
    """The runs (flexmlff.campaigns.MDStart) of an MD campaign."""
    settings = config["molecules"][molecule]
    md = settings["md"][campaign]
    return expand_starts(
        md["starts"],
        list(settings["minima"]),
        path_frame_counts(molecule),
        md.get("seed", 12345),
    )


def md_run_start(wildcards):
    runs = campaign_runs(wildcards.molecule, wildcards.campaign)
    return next(run for run in runs if run.run == wildcards.run)


def md_start(wildcards):
    start = md_run_start(wildcards)
    if start.frame is None:
        return relaxed(wildcards.molecule, start.source)
    return path_file(wildcards.molecule, start.source)


def md_level(wildcards):
    """(calculator, options) of the level that drives the molecule's MD."""
    molecule = molecule_config(wildcards)
    return level_spec(molecule.get("md_level") or molecule["level"])


def relabelled(molecule):
    """Whether MD frames of the molecule are relabelled at another level."""
    settings = config["molecules"][molecule]
    return settings.get("md_level") not in (None, settings["level"])


def md_frames(molecule, campaign, run):
    return f"{RESULTS}/{molecule}/md/{campaign}/{run}/frames.extxyz"


def labelled_frames(molecule, campaign, run):
    """Frames of a run labelled at the molecule's level (after relabelling, if any)."""
    if relabelled(molecule):
        return f"{RESULTS}/{molecule}/md/{campaign}/{run}/labelled.extxyz"
    return md_frames(molecule, campaign, run)


def n_relabel_chunks(wildcards):
    """Relabelling jobs of one MD run: its kept frames in chunks of `relabel_chunk_frames`."""
    molecule = molecule_config(wildcards)
    md = molecule["md"][wildcards.campaign]
    n_frames = md["steps"] // md.get("stride", 1) + 1
    return math.ceil(n_frames / molecule.get("relabel_chunk_frames", 200))


def relabel_chunks(wildcards):
    """The chunk files a run's frames are relabelled in."""
    where = f"{RESULTS}/{wildcards.molecule}/md/{wildcards.campaign}/{wildcards.run}"
    return [
        f"{where}/relabel/chunk{k:03d}.extxyz"
        for k in range(n_relabel_chunks(wildcards))
    ]


def dataset_campaign_runs(dataset):
    """(campaign, run) of every MD run of a dataset, in order."""
    settings = config["datasets"][dataset]
    return [
        (campaign, run.run)
        for campaign in settings.get("campaigns", [])
        for run in campaign_runs(settings["molecule"], campaign)
    ]


def dataset_sources(wildcards):
    """An external dataset file, or the labelled frames of the dataset's MD runs."""
    dataset = config["datasets"][wildcards.dataset]
    if dataset.get("file"):
        return [input_path(dataset["file"])]
    if dataset.get("relabel_of"):
        return [
            f"{RESULTS}/datasets/{wildcards.dataset}_relabel/chunk{k:03d}.extxyz"
            for k in range(dataset.get("relabel_jobs", 4))
        ]
    return [
        labelled_frames(dataset["molecule"], campaign, run)
        for campaign, run in dataset_campaign_runs(wildcards.dataset)
    ]


def dataset_npz(dataset):
    return f"{RESULTS}/datasets/{dataset}.npz"


def dataset_source_names(wildcards):
    """What each input of assemble_dataset is: an MD campaign, "file" or "relabelled"."""
    dataset = config["datasets"][wildcards.dataset]
    if dataset.get("file"):
        return ["file"]
    if dataset.get("relabel_of"):
        return ["relabelled"] * dataset.get("relabel_jobs", 4)
    return [campaign for campaign, _ in dataset_campaign_runs(wildcards.dataset)]


def dataset_manifest(dataset):
    return f"{RESULTS}/datasets/{dataset}.json"


def same_size_manifest(wildcards):
    """The manifest of the dataset whose size this one must match, if any."""
    other = config["datasets"][wildcards.dataset].get("same_size_as")
    return dataset_manifest(other) if other else []


def dataset_extxyz(dataset):
    return f"{RESULTS}/datasets/{dataset}.extxyz"


def energy_distribution_inputs(wildcards):
    settings = config["figures"]["energy_distributions"]
    molecule = config["datasets"][settings["datasets"][0]]["molecule"]
    return {
        "datasets": [dataset_extxyz(name) for name in settings["datasets"]],
        "reference": relaxed(molecule, settings["reference_minimum"]),
    }


def split_file(dataset, n_train):
    """The CV split of a dataset; a relabelled dataset (same frames, other level) shares
    its source's split, so both are trained and tested on the same tasks (paper Sec. V).
    """
    source = config["datasets"][dataset].get("relabel_of") or dataset
    return f"{RESULTS}/{source}/splits/n{n_train}.npz"


def model_dir(dataset, model, n_train, fold):
    return f"{RESULTS}/{dataset}/models/{model}/n{n_train}/fold{fold}"


def model_file(dataset, model, n_train, fold):
    return f"{model_dir(dataset, model, n_train, fold)}/{MODEL_FILES[model]}"


def trained_model(wildcards):
    return model_file(
        wildcards.dataset, wildcards.model, wildcards.n_train, wildcards.fold
    )


def fold_errors(wildcards):
    return [
        f"{model_dir(wildcards.dataset, wildcards.model, n, k)}/test_errors.csv"
        for n in TRAINING["sizes"]
        for k in range(N_FOLDS)
    ]


def model_errors(wildcards):
    return [
        f"{RESULTS}/{wildcards.dataset}/errors/{model}.csv"
        for model in TRAINING["models"]
    ]


def all_model_errors(wildcards):
    """Every family's fold errors on every training dataset."""
    return [
        f"{RESULTS}/{dataset}/errors/{model}.csv"
        for dataset in TRAINING["datasets"]
        for model in TRAINING["models"]
    ]


def learning_curve_rows(key, statistic_models):
    """(row title, dataset, families) of a learning-curve figure from `figures.<key>`."""
    settings = config["figures"][key]
    models = settings.get("models") or statistic_models
    return [(dataset, dataset, models) for dataset in settings["datasets"]]


def dispersion_ablation_errors(key):
    """Fold errors of the ablation's family on `figures.dispersion_ablation.<key>`."""
    settings = config["figures"]["dispersion_ablation"]
    return f"{RESULTS}/{settings[key]}/errors/{settings['model']}.csv"


def fold_models(wildcards):
    """The model of every fold at one training size, in fold order."""
    return [
        model_file(wildcards.dataset, wildcards.model, wildcards.n_train, k)
        for k in range(N_FOLDS)
    ]


def fold_test_errors(wildcards):
    return [
        f"{model_dir(wildcards.dataset, wildcards.model, wildcards.n_train, k)}/test_errors.csv"
        for k in range(N_FOLDS)
    ]


def phi_cluster_tables(figure_name):
    """Per-cluster error tables of Fig. 7 (own largest size, combined set) or Fig. 8
    (metadynamics sizes), all evaluated on `evaluate_on`."""
    settings = config["figures"]["phi_cluster_errors"]
    where = f"{RESULTS}/{settings['evaluate_on']}/phi_clusters"
    if figure_name == "fig7":
        trained = [
            (settings["evaluate_on"], max(TRAINING["sizes"])),
            (settings["combined"]["dataset"], settings["combined"]["n_train"]),
        ]
    else:
        meta = settings["metadynamics"]
        trained = [(meta["dataset"], n) for n in meta["sizes"]]
    return [f"{where}/{dataset}/{settings['model']}/n{n}.csv" for dataset, n in trained]


def ml_md_molecule(wildcards):
    path = config["figures"]["ml_md"]["paths"][wildcards.start_path]
    return config["datasets"][path["dataset"]]["molecule"]


def _ml_md_model_dirs(wildcards):
    dataset = config["figures"]["ml_md"]["paths"][wildcards.start_path]["dataset"]
    n_train = max(TRAINING["sizes"])
    return [model_dir(dataset, wildcards.model, n_train, k) for k in range(N_FOLDS)]


def ml_md_fold_models(wildcards):
    """The largest size's models of every fold (the best is chosen from their errors)."""
    return [f"{d}/{MODEL_FILES[wildcards.model]}" for d in _ml_md_model_dirs(wildcards)]


def ml_md_fold_errors(wildcards):
    return [f"{d}/test_errors.csv" for d in _ml_md_model_dirs(wildcards)]


def molecule_ends(molecule):
    """The two minima a transition connects: the isomerisation's, else the MEP's."""
    settings = config["molecules"][molecule]
    ends = settings.get("isomerisation") or settings.get("mep")
    return ends["start"], ends["end"]


def ml_md_end_minima(wildcards):
    """The relaxed end minima, in the order of molecule_ends."""
    molecule = ml_md_molecule(wildcards)
    return [relaxed(molecule, name) for name in molecule_ends(molecule)]


def ml_md_runs():
    """(model, path, frame) of every ML-driven MD run, in order."""
    settings = config["figures"]["ml_md"]
    return [
        (model, path, frame)
        for model in settings["models"]
        for path, start in settings["paths"].items()
        for frame in start["frames"]
    ]


def ml_md_seed(wildcards):
    """Each (path, frame) start has its own seed, the same for every model."""
    settings = config["figures"]["ml_md"]
    starts = [(p, f) for p, s in settings["paths"].items() for f in s["frames"]]
    return settings.get("seed", 901) + starts.index(
        (wildcards.start_path, int(wildcards.frame))
    )


def ml_md_outputs(name):
    return [
        f"{RESULTS}/ml_md/{model}/{path}/frame{frame}/{name}"
        for model, path, frame in ml_md_runs()
    ]


def cutoff_scan_dir(wildcards):
    scan = f"{RESULTS}/{wildcards.dataset}/cutoff_scan/gap/r{wildcards.cutoff}"
    return f"{scan}/n{wildcards.n_train}/fold{wildcards.fold}"


def gap_cutoff_settings(wildcards):
    """The configured GAP settings with the scanned SOAP cutoff."""
    return {**model_settings("gap"), "cutoff_A": float(wildcards.cutoff)}


def gap_cutoff_errors(wildcards):
    """Test errors of every cutoff and fold of the Fig. 6a scan."""
    scan = config["figures"]["gap_cutoff_scan"]
    where = f"{RESULTS}/{scan['dataset']}/cutoff_scan/gap"
    return [
        f"{where}/r{cutoff:g}/n{scan['n_train']}/fold{k}/test_errors.csv"
        for cutoff in scan["cutoffs_A"]
        for k in range(N_FOLDS)
    ]


#: Figure files of the evaluation figures, by their `figures` config key.
EVALUATION_FIGURES = {
    "learning_curves": "fig4_learning_curves",
    "fold_means": "fig5_fold_means",
    "gap_cutoff_scan": "fig6a_gap_cutoff",
    "descriptor_comparison": "fig6b_sgdml_descriptors",
    "dispersion_ablation": "dispersion_ablation",
    "phi_cluster_errors": [
        "fig7_phi_cluster_errors",
        "fig8_metadynamics_phi_cluster_errors",
    ],
    "ml_md": "fig9_ml_md",
}


#: Conda env of each family; GDML [1/r + ang] shares sGDML's.
FAMILY_ENVS = {"sgdml_ang": "sgdml"}


def model_env(wildcards):
    return f"{ENVS}/{FAMILY_ENVS.get(wildcards.model, wildcards.model)}.yaml"


def model_settings(model):
    return config.get("models", {}).get(model, {})


def figure(name):
    return [f"{RESULTS}/figures/{name}.pdf", f"{RESULTS}/figures/{name}.png"]


def all_targets():
    targets = [dataset_npz(dataset) for dataset in config["datasets"]]
    for molecule, settings in config["molecules"].items():
        if settings.get("mep"):
            targets += [
                f"{RESULTS}/tables/{molecule}_mep_barriers.csv",
                *figure(f"{molecule}_mep_profiles"),
            ]
        if settings.get("isomerisation"):
            targets += [
                f"{RESULTS}/tables/{molecule}_isomerisation_barriers.csv",
                *figure(f"{molecule}_isomerisation_profiles"),
            ]
    if config.get("figures", {}).get("energy_distributions"):
        targets += figure("fig2_energy_distributions")
    if config.get("figures", {}).get("distance_distributions"):
        targets += figure("fig3_distance_distributions")
    for key, names in EVALUATION_FIGURES.items():
        if config.get("figures", {}).get(key):
            for name in [names] if isinstance(names, str) else names:
                targets += figure(name)
    if config.get("figures", {}).get("ml_md"):
        targets.append(f"{RESULTS}/tables/ml_md_outcomes.csv")
    if TRAINING["datasets"]:
        targets.append(f"{RESULTS}/tables/summary.md")
    if TRAINING["datasets"]:
        targets += [
            f"{RESULTS}/tables/model_errors.csv",
            f"{RESULTS}/tables/learning_curves.csv",
        ]
    for dataset in TRAINING["datasets"]:
        targets += [
            f"{RESULTS}/tables/{dataset}_learning_curve.csv",
            *figure(f"{dataset}_learning_curve"),
        ]
        # Models are wanted in their own right: a deleted one is retrained (and
        # only what depends on it recomputed) by the next plain `snakemake`.
        targets += [
            model_file(dataset, model, n, k)
            for model in TRAINING["models"]
            for n in TRAINING["sizes"]
            for k in range(N_FOLDS)
        ]
    return targets


check_cross_references()
