# Config validation, output paths and input functions shared by the rules (no rules here).
import os

from snakemake.utils import validate

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
    for name, molecule in config["molecules"].items():
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
        for run, settings in molecule.get("md", {}).items():
            if settings["start"] not in minima:
                _config_error(
                    f"molecules.{name}.md.{run}.start",
                    f"unknown minimum {settings['start']!r}",
                )
            if settings["steps"] % settings.get("stride", 1):
                _config_error(f"molecules.{name}.md.{run}.stride", "must divide steps")
    for name, dataset in config["datasets"].items():
        molecule = dataset["molecule"]
        if molecule not in config["molecules"]:
            _config_error(f"datasets.{name}.molecule", f"unknown molecule {molecule!r}")
        runs = config["molecules"][molecule].get("md", {})
        for run in dataset.get("md_runs", []):
            if run not in runs:
                _config_error(
                    f"datasets.{name}.md_runs", f"unknown MD run {run!r} of {molecule}"
                )
        if not dataset.get("file") and not dataset.get("md_runs"):
            _config_error(f"datasets.{name}", "needs either md_runs or file")
    for name in config["training"]["datasets"]:
        if name not in config["datasets"]:
            _config_error("training.datasets", f"unknown dataset {name!r}")


check_cross_references()

TRAINING = config["training"]
N_FOLDS = TRAINING["n_folds"]


wildcard_constraints:
    molecule=r"[A-Za-z0-9_\-]+",
    dataset=r"[A-Za-z0-9_\-]+",
    minimum=r"[A-Za-z0-9_\-]+",
    run=r"[A-Za-z0-9_\-]+",
    method="neb|string",
    mechanism="rotation|inversion|rotation_inversion",
    level="xtb|pyscf|aims",
    model=r"[a-z0-9_]+",
    n_train=r"\d+",
    fold=r"\d+",


def reference_options():
    """(level, options) of the reference calculator."""
    level = config["reference"]["level"]
    return level, config["reference"].get(level, {})


def molecule_config(wildcards):
    return config["molecules"][wildcards.molecule]


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


def mep_methods(molecule):
    return config["molecules"][molecule]["mep"].get("methods", ["neb", "string"])


def md_start(wildcards):
    start = molecule_config(wildcards)["md"][wildcards.run]["start"]
    return relaxed(wildcards.molecule, start)


def md_frames(molecule, run):
    return f"{RESULTS}/{molecule}/md/{run}/frames.extxyz"


def dataset_sources(wildcards):
    """An external dataset file, or the frames of the dataset's MD runs."""
    dataset = config["datasets"][wildcards.dataset]
    if dataset.get("file"):
        return [input_path(dataset["file"])]
    return [md_frames(dataset["molecule"], run) for run in dataset["md_runs"]]


def dataset_npz(dataset):
    return f"{RESULTS}/datasets/{dataset}.npz"


def split_file(dataset, n_train):
    return f"{RESULTS}/{dataset}/splits/n{n_train}.npz"


def model_dir(dataset, model, n_train, fold):
    return f"{RESULTS}/{dataset}/models/{model}/n{n_train}/fold{fold}"


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


def model_settings(model):
    return config.get("models", {}).get(model, {})


def figure(name):
    return [f"{RESULTS}/figures/{name}.pdf", f"{RESULTS}/figures/{name}.png"]


def all_targets():
    targets = []
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
    for dataset in TRAINING["datasets"]:
        targets += [
            f"{RESULTS}/tables/{dataset}_learning_curve.csv",
            *figure(f"{dataset}_learning_curve"),
        ]
        # Models are wanted in their own right: a deleted one is retrained (and
        # only what depends on it recomputed) by the next plain `snakemake`.
        targets += [
            f"{model_dir(dataset, model, n, k)}/model.npz"
            for model in TRAINING["models"]
            for n in TRAINING["sizes"]
            for k in range(N_FOLDS)
        ]
    return targets
