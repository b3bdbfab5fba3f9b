"""What a config will cost: core-hours and peak memory per stage, from measured unit costs.

Every estimate is a unit cost measured on this project's reference machine (2 cores,
no GPU; see :data:`MEASURED`) scaled by a stated formula:

* MD and relabelling: steps (or frames) × the cost of one energy+forces call of the level,
  which grows as N^p with the atom count (p fitted to the glycine and azobenzene calls);
* training: each model family's own measured costs and formula, stated in its module
  (:class:`flexmlff.models.Family`: kernel models grow as (n·3N)², GAP linearly in n and the
  sparse points, networks as n × epochs, every epoch counted: an upper bound);
* every job: a start-up of a few seconds (Python, torch and quippy imports).

:func:`estimate` gives one row per job kind; :func:`stage_table` sums them per stage.
``python -m flexmlff.costs CONFIG`` prints both for a config file.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

import pandas as pd

from flexmlff.models import by_atoms, describe
from flexmlff.planning import Plan

GB = 1e9

#: Unit costs measured on the reference machine (2 cores, 2026-11-25/27; the project's notes)
#: that belong to no model family (each family states its own: flexmlff.models.Family).
MEASURED = {
    # seconds per energy+forces call (i-PI MD step), by level label and atom count
    "call_s": {"GFN2-xTB": {10: 3.5e-3}, "GFN1-xTB": {24: 14.06e-3}, "PBE-D3BJ/def2-SVP": {10: 13.0, 24: 170.0}},
    "job_start_s": 4.0,
}
#: Exponent of a call's cost in the atom count for levels measured at one size only.
XTB_ATOM_EXPONENT = math.log(14.06 / 3.5) / math.log(24 / 10)


@dataclass
class JobCost:
    stage: str
    rule: str
    jobs: int
    core_hours: float
    peak_memory_gb: float
    formula: str


def call_seconds(label: str, n_atoms: int) -> float:
    """Seconds of one energy+forces call at a level (by its label) for `n_atoms` atoms."""
    table = MEASURED["call_s"].get(label) or MEASURED["call_s"]["PBE-D3BJ/def2-SVP"]
    if len(table) > 1:
        (n1, t1), (n2, t2) = sorted(table.items())[:2]
        exponent = math.log(t2 / t1) / math.log(n2 / n1)
    else:
        exponent = XTB_ATOM_EXPONENT
    return by_atoms(table, n_atoms, exponent)


def training_seconds(family: str, n_train: int, n_atoms: int, settings: dict) -> float:
    """Seconds to train one model: the family's measured unit cost scaled by its formula
    (:attr:`flexmlff.models.Family.training_seconds`; an upper bound for networks, every
    epoch counted)."""
    return describe(family).training_seconds(int(n_train), n_atoms, settings)


def training_memory_gb(family: str, n_train: int, n_atoms: int, settings: dict) -> float:
    """Peak memory of one training job, GB (:attr:`flexmlff.models.Family.training_memory_gb`)."""
    return describe(family).training_memory_gb(int(n_train), n_atoms, settings)


def _atoms(plan: Plan, molecule: str) -> int:
    return len(plan.molecules.reference_atoms(molecule))


def training_resources(plan: Plan, family: str, dataset: str, n_train: int, attempt: int = 1) -> dict:
    """SLURM-style resources of one training job: ``mem_mb`` (the formula's peak with 20 %
    headroom) and ``runtime`` in minutes (3x the estimate: early stopping, a slower node);
    a retried job (`attempt` 2, 3, ...) asks for 1.5x more each time."""
    n_atoms = _atoms(plan, plan.datasets.molecule(dataset))
    settings = plan.training.model_settings(family, dataset)
    grow = 1.5 ** (attempt - 1)
    memory_gb = training_memory_gb(family, int(n_train), n_atoms, settings)
    minutes = training_seconds(family, int(n_train), n_atoms, settings) / 60
    return {
        "mem_mb": math.ceil((1.2 * memory_gb * 1024 + 500) * grow),
        "runtime": math.ceil(max(10.0, 3 * minutes) * grow),
    }


def clustering_memory_mb(n_frames: int, max_fitted: int) -> int:
    """Memory of Ward's tree on min(`n_frames`, `max_fitted`) frames (flexmlff.training_sets):
    scipy holds the m(m-1)/2 condensed distances about twice, on top of ~500 MB of Python
    and the dataset (20 000 frames: ~3.7 GB)."""
    m = min(int(n_frames), int(max_fitted))
    return math.ceil(2 * 8 * m * (m - 1) / 2 / 2**20 + 500)


def estimate(plan: Plan) -> list[JobCost]:
    """One row per kind of expensive job of the plan: MD, relabelling, training, ML-MD."""
    start = MEASURED["job_start_s"]
    rows = []
    for molecule, settings in plan.config["molecules"].items():
        n_atoms = _atoms(plan, molecule)
        md_label = plan.molecules.md_level(molecule).label
        runs = [(campaign, plan.sampling.campaign_runs(molecule, campaign)) for campaign in settings["md"]]
        steps = sum(plan.sampling.protocol(molecule, c)["steps"] * len(r) for c, r in runs)
        jobs = sum(len(r) for _, r in runs)
        seconds = steps * call_seconds(md_label, n_atoms) + jobs * start
        rows.append(
            JobCost(
                "sampling",
                f"md_run ({molecule})",
                jobs,
                seconds / 3600,
                0.5,
                f"{steps} steps x {call_seconds(md_label, n_atoms):.3g} s ({md_label}, {n_atoms} atoms)",
            )
        )
        if plan.molecules.relabelled(molecule):
            label = plan.molecules.molecule_level(molecule).label
            frames = sum(plan.sampling.frame_count(molecule, c) * len(r) for c, r in runs)
            chunks = sum(plan.sampling.n_relabel_chunks(molecule, c) * len(r) for c, r in runs)
            rows.append(
                JobCost(
                    "sampling",
                    f"relabel_chunk ({molecule})",
                    chunks,
                    frames * call_seconds(label, n_atoms) / 3600,
                    0.5,
                    f"{frames} frames x {call_seconds(label, n_atoms):.3g} s ({label})",
                )
            )
    for dataset in plan.datasets.audited():
        n_atoms = _atoms(plan, plan.datasets.molecule(dataset))
        label, frames = plan.datasets.audit_level(dataset).label, plan.datasets.audit(dataset)["frames"]
        rows.append(
            JobCost(
                "sampling",
                f"audit_chunk ({dataset})",
                plan.datasets.audit_jobs(dataset),
                frames * call_seconds(label, n_atoms) / 3600,
                0.5,
                f"{frames} frames x {call_seconds(label, n_atoms):.3g} s ({label})",
            )
        )
    for dataset, family, sizes in plan.training.tasks():
        n_atoms = _atoms(plan, plan.datasets.molecule(dataset))
        settings = plan.training.model_settings(family, dataset)
        # each job also tests its model: one more start-up's worth for reading it back
        seconds = sum(training_seconds(family, n, n_atoms, settings) + 2 * start for n in sizes)
        memory = training_memory_gb(family, max(sizes), n_atoms, settings)
        rows.append(
            JobCost(
                "training",
                f"train_{family} ({dataset})",
                len(sizes) * plan.training.n_folds,
                seconds * plan.training.n_folds / 3600,
                memory,
                f"n = {min(sizes)}..{max(sizes)}, {plan.training.n_folds} folds",
            )
        )
    scan = plan.config["figures"].get("gap_cutoff_scan")
    if scan:
        n_atoms = _atoms(plan, plan.datasets.molecule(scan["dataset"]))
        settings = plan.training.model_settings("gap", scan["dataset"])
        jobs = len(scan["cutoffs_A"]) * plan.training.n_folds
        seconds = jobs * (training_seconds("gap", scan["n_train"], n_atoms, settings) + 2 * start)
        rows.append(
            JobCost(
                "evaluation",
                "train_gap_cutoff",
                jobs,
                seconds / 3600,
                training_memory_gb("gap", scan["n_train"], n_atoms, settings),
                f"{jobs} GAP models at n = {scan['n_train']}",
            )
        )
    if plan.config["figures"].get("training_set_optimisation"):
        settings = plan.grown_sets.settings
        dataset = settings["dataset"]
        n_atoms = _atoms(plan, plan.datasets.molecule(dataset))
        for family in settings["models"]:
            family_settings = plan.training.model_settings(family, dataset)
            folds = len(plan.grown_sets.folds())
            # each step trains from scratch at its size, then predicts the whole dataset
            seconds = folds * sum(
                training_seconds(family, n, n_atoms, family_settings) + 2 * start for n in plan.grown_sets.sizes()
            )
            rows.append(
                JobCost(
                    "evaluation",
                    f"optimise_training_set_step ({family})",
                    folds * (settings["steps"] + 1),
                    seconds / 3600,
                    training_memory_gb(family, settings["n_train"], n_atoms, family_settings),
                    f"n = {settings['n_start']}..{settings['n_train']} in {settings['steps']} steps, {folds} folds",
                )
            )
    ml_md = plan.config["figures"].get("ml_md")
    if ml_md:
        model_runs = [run for run in plan.ml_md.runs() if run[0] != plan.layout.ml_md_reference]
        seconds = sum(ml_md["steps"] / describe(model).md_steps_per_s + start for model, *_ in model_runs)
        rows.append(
            JobCost(
                "ml_md",
                "ml_md",
                len(model_runs),
                seconds / 3600,
                2.0,
                f"{ml_md['steps']} steps per run at the measured steps/s of each family, "
                f"{ml_md['replicas']} replicas a start",
            )
        )
        reference_runs = plan.ml_md.reference_runs()
        if reference_runs:
            levels = [plan.ml_md.reference_level(path) for _, path, _, _ in reference_runs]
            atoms = [_atoms(plan, plan.ml_md.molecule(path)) for _, path, _, _ in reference_runs]
            seconds = sum(ml_md["steps"] * call_seconds(level.label, n) + start for level, n in zip(levels, atoms))
            rows.append(
                JobCost(
                    "ml_md",
                    "reference_md",
                    len(reference_runs),
                    seconds / 3600,
                    1.0,
                    f"{ml_md['steps']} steps per run at the reference level "
                    f"({', '.join(sorted({level.label for level in levels}))})",
                )
            )
    return rows


def stage_table(rows: list[JobCost]) -> pd.DataFrame:
    """Jobs, core-hours and the largest single job's memory, per stage."""
    table = pd.DataFrame([vars(r) for r in rows])
    return (
        table.groupby("stage", sort=False)
        .agg(jobs=("jobs", "sum"), core_hours=("core_hours", "sum"), peak_memory_gb=("peak_memory_gb", "max"))
        .round(2)
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("config", help="a config file, e.g. config/paper.yaml")
    args = parser.parse_args(argv)
    from flexmlff.planning import load_config

    plan = Plan(load_config(args.config))
    rows = estimate(plan)
    detail = pd.DataFrame([vars(r) for r in rows]).round({"core_hours": 2, "peak_memory_gb": 1})
    print(f"# Estimated cost of {args.config} (unit costs measured on 2 CPU cores, no GPU)\n")
    print(detail.to_markdown(index=False))
    print("\n## Per stage\n")
    stages = stage_table(rows)
    print(stages.to_markdown())
    print(
        f"\ntotal: {stages['jobs'].sum()} jobs, {stages['core_hours'].sum():.1f} core-hours; "
        "GPU-hours: not estimated (no GPU measurement yet)"
    )


if __name__ == "__main__":
    main()
