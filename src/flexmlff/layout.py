"""Where every output of the workflow lives: one path template per file kind.

Each template below is a method of :class:`Layout` whose arguments are the template's
fields, in order. It takes values (``layout.relaxed("glycine", "Ip")``) or wildcard
patterns (``layout.relaxed("{molecule}", "{minimum}")``), so the rules' outputs and the
plan's input functions spell every path the same way, in this one place.
"""

from __future__ import annotations

from string import Formatter

from flexmlff.models import describe


def _zero_padded(chunk: int | str) -> str:
    """Chunk numbers are zero-padded so that files sort in order; a wildcard passes as is."""
    return f"{chunk:03d}" if isinstance(chunk, int) else chunk


def _path(template: str, doc: str = "", **defaults):
    """A Layout method filling `template` (relative to the results folder) in field order;
    a field left out takes its value from `defaults` (the file ending, say)."""
    fields = [name for _, name, _, _ in Formatter().parse(template) if name]

    def method(self, *values, **named) -> str:
        filled = {**defaults, **dict(zip(fields, values)), **named}
        missing = [name for name in fields if name not in filled]
        if missing or len(values) > len(fields):
            raise TypeError(f"the path {template!r} takes {', '.join(fields)}; missing {missing}")
        if "chunk" in filled:
            filled["chunk"] = _zero_padded(filled["chunk"])
        return f"{self.results}/" + template.format(**filled)

    method.__doc__ = doc or f"``<results>/{template}``"
    return method


class Layout:
    """Where every output of the workflow lives, under `results`."""

    def __init__(self, results: str = "results"):
        self.results = results

    scratch = _path(
        ".scratch", "Where jobs keep their temporary files, a folder each (flexmlff.scratch); empty after a run."
    )
    checkpoints = _path(
        ".checkpoints",
        "Where training jobs keep their checkpoints until their model is saved "
        "(flexmlff.models._checkpoint); empty after a run.",
    )

    # minima, paths, single points
    built = _path(
        "{molecule}/minima/{minimum}_built.xyz",
        "A minimum built from the molecule's SMILES at its collective-variable values, unrelaxed.",
    )
    relaxed = _path("{molecule}/minima/{minimum}.extxyz")
    mep = _path(
        "{molecule}/mep/{method}.{ext}", "A minimum-energy path: frames, profile csv or summary json.", ext="extxyz"
    )
    path = _path(
        "{molecule}/paths/{name}.{ext}", "A driven or optimised isomerisation path: frames or csv.", ext="extxyz"
    )
    driven_path = _path(
        "{molecule}/driven_paths/{name}.{ext}",
        "A path driven by dihedrals, frames relaxed at their values: frames, profile csv or summary json.",
        ext="extxyz",
    )
    single_point = _path("{molecule}/single_points/{level}/{name}.json")

    # MD and relabelling
    md_dir = _path("{molecule}/md/{campaign}/{run}")
    md_frames = _path("{molecule}/md/{campaign}/{run}/frames.extxyz")
    md_ipi_dir = _path("{molecule}/md/{campaign}/{run}/ipi", "i-PI's own files of one run.")
    md_labelled = _path("{molecule}/md/{campaign}/{run}/labelled.extxyz")
    md_relabel_chunk = _path("{molecule}/md/{campaign}/{run}/relabel/chunk{chunk}.extxyz")

    # datasets and splits
    dataset = _path("datasets/{name}.{ext}", "A dataset as extxyz, sGDML npz or its json manifest.", ext="npz")
    dataset_relabel_chunk = _path("datasets/{name}_relabel/chunk{chunk}.extxyz")
    audit_frames = _path(
        "{dataset}/audit/frames.extxyz", "The frames of a dataset's audit, with the dataset's labels (index: frame)."
    )
    audit_chunk = _path("{dataset}/audit/chunk{chunk}.extxyz", "One part of the audit frames, at the audit level.")
    audit_labels = _path("{dataset}/audit/audited.extxyz", "The audit frames at the audit level, in order.")
    split = _path("{dataset}/splits/n{n_train}.npz")

    # models and their errors
    model_dir = _path("{dataset}/models/{model}/n{n_train}/fold{fold}")
    test_errors = _path("{dataset}/models/{model}/n{n_train}/fold{fold}/test_errors.csv")
    training_record = _path(
        "{dataset}/models/{model}/n{n_train}/fold{fold}/training.json",
        "What training chose on the validation frames (σ, epoch) and the loss per epoch.",
    )
    test_predictions = _path(
        "{dataset}/models/{model}/n{n_train}/fold{fold}/predictions.extxyz",
        "Reference and predicted energies and forces of the held-out frames.",
    )
    family_errors = _path("{dataset}/errors/{model}.csv", "Every fold and size of one family on one dataset.")
    external_model_check = _path(
        "external/{model}/check.json", "An external model's first job: its calculator built and run on one frame."
    )
    cutoff_scan_dir = _path(
        "{dataset}/cutoff_scan/gap/r{cutoff}/n{n_train}/fold{fold}", "One GAP model of the SOAP-cutoff scan (Fig. 6a)."
    )
    cutoff_scan_record = _path("{dataset}/cutoff_scan/gap/r{cutoff}/n{n_train}/fold{fold}/training.json")
    cutoff_scan_errors = _path("{dataset}/cutoff_scan/gap/r{cutoff}/n{n_train}/fold{fold}/test_errors.csv")
    cutoff_scan_predictions = _path("{dataset}/cutoff_scan/gap/r{cutoff}/n{n_train}/fold{fold}/predictions.extxyz")
    phi_clusters = _path(
        "{evaluated}/phi_clusters/{dataset}/{model}/n{n_train}.csv",
        "Per-cluster errors on `evaluated` of a family's best model trained on `dataset`.",
    )
    ml_md_dir = _path(
        "ml_md/{model}/{start_path}/frame{frame}/replica{replica}",
        "One MD run from a path frame, driven by a family's best model ('reference': by the dataset's level).",
    )
    ml_md_frames = _path("ml_md/{model}/{start_path}/frame{frame}/replica{replica}/frames.extxyz")
    ml_md_outcome = _path("ml_md/{model}/{start_path}/frame{frame}/replica{replica}/outcome.json")
    ml_md_ipi_dir = _path("ml_md/{model}/{start_path}/frame{frame}/replica{replica}/ipi")
    #: the name of the runs driven by the reference level in the ML-driven MD folders
    ml_md_reference = "reference"

    # training sets grown where the model errs (flexmlff.training_sets): one folder per step
    dataset_clusters = _path(
        "{dataset}/optimised/clusters.npz", "Cluster label of every frame of a dataset (distances, then energy)."
    )
    optimised_model = _path(
        "{dataset}/optimised/{model}/n{n_train}/fold{fold}/step{step}/model",
        "One step's model, in its family's own format (any family's load reads it).",
    )
    optimised_training_set = _path(
        "{dataset}/optimised/{model}/n{n_train}/fold{fold}/step{step}/training_set.npz",
        "One step's training frames (dataset indices) and those it added.",
    )
    optimised_frame_errors = _path(
        "{dataset}/optimised/{model}/n{n_train}/fold{fold}/step{step}/frame_errors.npy",
        "One step's model: mean squared force error on every frame of the dataset.",
    )
    optimised_record = _path("{dataset}/optimised/{model}/n{n_train}/fold{fold}/step{step}/training.json")
    optimised_errors = _path("{dataset}/optimised/{model}/n{n_train}/fold{fold}/step{step}/test_errors.csv")
    optimised_predictions = _path("{dataset}/optimised/{model}/n{n_train}/fold{fold}/step{step}/predictions.extxyz")

    # exports for other tools (flexmlff.exports)
    path_errors = _path(
        "{dataset}/path_errors/{model}.csv", "A model's errors on every frame of the reference paths of its molecule."
    )
    metrics = _path("{dataset}/metrics.json", "RMSE and MAE per family and size, ml-peg's {metric: {model: value}}.")
    model_registry = _path("models.yml", "Every best model as an ASE calculator entry (ml-peg's models.yml).")

    # tables, figures, logs
    table = _path("tables/{name}.{ext}", "A table: csv, or markdown for reading.", ext="csv")
    figure_stem = _path("figures/{name}", "A figure's path without extension (rules add it with multiext).")
    benchmark = _path("benchmarks/{rule}/{name}.tsv")
    effective_config = _path("config.yaml", "The config a run used, every default filled in (provenance).")

    def model_file(self, dataset, model, n_train, fold) -> str:
        """The saved model of a family (`model` must be a family name, not a wildcard)."""
        return f"{self.model_dir(dataset, model, n_train, fold)}/{describe(model).model_file}"

    def cutoff_scan_model(self, dataset, cutoff, n_train, fold) -> str:
        return f"{self.cutoff_scan_dir(dataset, cutoff, n_train, fold)}/{describe('gap').model_file}"

    def figure(self, name) -> list[str]:
        """A figure as PDF and PNG."""
        return [f"{self.figure_stem(name)}.pdf", f"{self.figure_stem(name)}.png"]

    def log(self, rule, name="") -> str:
        """A job's log: one per rule, or one per rule and job name."""
        return f"{self.results}/logs/{rule}/{name}.log" if name else f"{self.results}/logs/{rule}.log"
