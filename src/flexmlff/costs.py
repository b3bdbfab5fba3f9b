"""What a config will cost: core-hours and peak memory per stage, from measured unit costs.

Every estimate is a unit cost measured on this project's reference machine (2 cores,
no GPU; see :data:`MEASURED`) scaled by a stated formula:

* MD and relabelling: steps (or frames) × the cost of one energy+forces call of the level,
  which grows as N^p with the atom count (p fitted to the glycine and azobenzene calls);
* kernel models (sGDML, GDML): time ∝ (n·3N)², memory a few copies of the (n·3N)² doubles
  of the kernel (:data:`KERNEL_COPIES`; azobenzene at n = 400: sgdml 20.1 GB, our GDML
  27.3 GB measured); under ``max_memory_gb`` both switch to an iterative solver and stay
  below that cap (n = 800: sgdml 4.6 GB, our GDML 5.9 GB under an 8 GB cap);
* GAP: time ∝ n and the sparse points, memory linear in the force rows n·3N and scaled with
  the sparse points (an upper bound: glycine at n = 100 peaked at 3.0 GB with 200 and with
  400 sparse points, 2026-12-06);
* networks (SchNet, BPNN, MACE): time ∝ n × epochs (an upper bound: early stopping ends sooner);
* every job: a start-up of a few seconds (Python, torch and quippy imports).

:func:`estimate` gives one row per job kind; :func:`stage_table` sums them per stage.
``python -m flexmlff.costs CONFIG`` prints both for a config file.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

import pandas as pd

from flexmlff.plan import Plan

GB = 1e9

#: Unit costs measured on the reference machine (2 cores, 2026-11-25/27; the project's notes).
MEASURED = {
    # seconds per energy+forces call (i-PI MD step), by level label and atom count
    "call_s": {"GFN2-xTB": {10: 3.5e-3}, "GFN1-xTB": {24: 14.06e-3},
               "PBE-D3BJ/def2-SVP": {10: 13.0, 24: 170.0}},
    # seconds to train one kernel model at n = 100 (every σ of the default grid), by atom count;
    # our GDML symmetrised over sGDML's permutations (glycine 4, azobenzene mostly 2; 2026-11-27)
    "train_100_s": {"sgdml": {10: 11.0, 24: 44.0}, "sgdml_ang": {10: 11.0, 24: 55.0},
                    "gdml": {10: 11.0, 24: 55.0}},
    # seconds of one gap_fit at n = 100 with 200 sparse points, two training jobs side by side
    # on 2 cores as the default run has them: glycine 114 s a job, azobenzene 196-200 s, less
    # start-up and the test on 200 frames (~5 s and ~21 s) (default run, 2026-12-05; alone
    # on the machine 60 and 150 s, 2026-11-27)
    "gap_fit_100_s": {10: 105.0, 24: 175.0},
    # seconds per epoch at n = 100, batch 10 (SchNet: 64 features, 6 interactions): glycine
    # 161 s for 246 epochs, rotation 394 s for 299; BPNN glycine 76 s for 500 (2026-11-27)
    # MACE (32 channels, L = 1, two layers, float64), validation on 50 frames: glycine 7.6 s
    # an epoch beside two SchNet jobs on 2 cores (2026-12-05); alanine dipeptide (22 atoms)
    # 28.9 s alone on one thread, 16 channels 15.1 s, float32 0.64x at 32 and 0.56x at 16
    # channels (2026-12-06)
    "epoch_100_s": {"schnet": {10: 0.65, 24: 1.32}, "bpnn": {10: 0.15, 24: 0.45}, "mace": {10: 7.6, 22: 28.9}},
    # gap_fit's peak memory at 200 frames and 200 sparse points: glycine 5.0 GB, azobenzene 8.6 GB
    "gap_memory_gb": {6000: 5.0, 14400: 8.6},
    "job_start_s": 4.0,
    # ML-driven MD through i-PI, steps per second (azobenzene, one thread): sgdml, gap and
    # schnet measured on rotation n = 100 models (scripts/benchmark_md.py, 500 steps with
    # i-PI's start-up, 2026-11-27); our GDMLs taken as sgdml's; bpnn an older, rougher figure
    # mace: its ASE calculator on 200 glycine frames, 16 s beside two training jobs (2026-12-05)
    "ml_md_steps_per_s": {"sgdml": 135.0, "sgdml_ang": 135.0, "gdml": 135.0, "gap": 9.4, "schnet": 65.0, "bpnn": 20.0,
                          "mace": 12.0},
}
#: Copies of the (n·3N)² kernel a closed-form solve holds at its peak: sgdml's three; ours one
#: per permutation (azobenzene mostly two), the kernel and a temporary
#: (flexmlff.models.gdml_iterative.closed_form_memory_gb).
KERNEL_COPIES = {"sgdml": 3, "sgdml_ang": 4, "gdml": 4}
#: Families whose training solves the kernel system in closed form (or iteratively).
KERNEL_FAMILIES = ("sgdml", "sgdml_ang", "gdml")
#: MACE's epoch time in float32 over float64 (0.64 at 32 channels, 0.56 at 16; 2026-12-06).
MACE_FLOAT32_SPEEDUP = 0.6
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


def _by_atoms(table: dict[int, float], n_atoms: int, exponent: float) -> float:
    """A measured cost at the nearest measured atom count, scaled as N^exponent."""
    nearest = min(table, key=lambda n: abs(n - n_atoms))
    return table[nearest] * (n_atoms / nearest) ** exponent


def call_seconds(label: str, n_atoms: int) -> float:
    """Seconds of one energy+forces call at a level (by its label) for `n_atoms` atoms."""
    table = MEASURED["call_s"].get(label) or MEASURED["call_s"]["PBE-D3BJ/def2-SVP"]
    if len(table) > 1:
        (n1, t1), (n2, t2) = sorted(table.items())[:2]
        exponent = math.log(t2 / t1) / math.log(n2 / n1)
    else:
        exponent = XTB_ATOM_EXPONENT
    return _by_atoms(table, n_atoms, exponent)


def training_seconds(family: str, n_train: int, n_atoms: int, settings: dict) -> float:
    """Seconds to train one model: a measured n = 100 cost scaled by the family's formula.

    Kernel models grow as n² (the kernel's entries); gap_fit linearly in n and in the sparse
    points, once per σ_F tried; networks linearly in n per epoch, every epoch up to
    ``max_epochs`` counted (early stopping ends most runs sooner: an upper bound).
    """
    if family in KERNEL_FAMILIES:
        return _by_atoms(MEASURED["train_100_s"][family], n_atoms, 1.0) * (n_train / 100) ** 2
    if family == "gap":
        per_fit = _by_atoms(MEASURED["gap_fit_100_s"], n_atoms, 1.0) * settings["n_sparse"] / 200
        return per_fit * (n_train / 100) * len(settings["force_sigmas_eV_per_A"])
    epoch = _by_atoms(MEASURED["epoch_100_s"][family], n_atoms, 1.0) * (n_train / 100)
    if family == "schnet":
        epoch *= settings["n_atom_basis"] / 64 * settings["n_interactions"] / 6
    if family == "mace":
        epoch *= settings["num_channels"] / 32 * (MACE_FLOAT32_SPEEDUP if settings["dtype"] == "float32" else 1.0)
    return epoch * settings["max_epochs"]


def training_memory_gb(family: str, n_train: int, n_atoms: int, settings: dict) -> float:
    """Peak memory of one training job, GB."""
    rows = n_train * 3 * n_atoms
    if family in KERNEL_FAMILIES:
        analytic = KERNEL_COPIES[family] * rows**2 * 8 / GB
        cap = settings.get("max_memory_gb")
        return min(analytic, cap) if cap else analytic
    if family == "gap":
        (r1, m1), (r2, m2) = sorted(MEASURED["gap_memory_gb"].items())
        slope = (m2 - m1) / (r2 - r1)
        return (m1 + slope * (rows - r1)) * settings["n_sparse"] / 200
    return 1.0 + rows * 3e-6  # networks: the framework plus small batches


def _atoms(plan: Plan, molecule: str) -> int:
    return len(plan.reference_atoms(molecule))


def training_resources(plan: Plan, family: str, dataset: str, n_train: int, attempt: int = 1) -> dict:
    """SLURM-style resources of one training job: ``mem_mb`` (the formula's peak with 20 %
    headroom) and ``runtime`` in minutes (3x the estimate: early stopping, a slower node);
    a retried job (`attempt` 2, 3, ...) asks for 1.5x more each time."""
    n_atoms = _atoms(plan, plan.dataset_molecule(dataset))
    settings = plan.model_settings(family, dataset)
    grow = 1.5 ** (attempt - 1)
    memory_gb = training_memory_gb(family, int(n_train), n_atoms, settings)
    minutes = training_seconds(family, int(n_train), n_atoms, settings) / 60
    return {"mem_mb": math.ceil((1.2 * memory_gb * 1024 + 500) * grow),
            "runtime": math.ceil(max(10.0, 3 * minutes) * grow)}


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
        md_label = plan.md_level(molecule).label
        runs = [(campaign, plan.campaign_runs(molecule, campaign)) for campaign in settings["md"]]
        steps = sum(plan.md_protocol(molecule, c)["steps"] * len(r) for c, r in runs)
        jobs = sum(len(r) for _, r in runs)
        seconds = steps * call_seconds(md_label, n_atoms) + jobs * start
        rows.append(JobCost("sampling", f"md_run ({molecule})", jobs, seconds / 3600, 0.5,
                            f"{steps} steps x {call_seconds(md_label, n_atoms):.3g} s ({md_label}, {n_atoms} atoms)"))
        if plan.relabelled(molecule):
            label = plan.molecule_level(molecule).label
            frames = sum(plan.md_frame_count(molecule, c) * len(r) for c, r in runs)
            chunks = sum(plan.n_relabel_chunks(molecule, c) * len(r) for c, r in runs)
            rows.append(JobCost("sampling", f"relabel_chunk ({molecule})", chunks,
                                frames * call_seconds(label, n_atoms) / 3600, 0.5,
                                f"{frames} frames x {call_seconds(label, n_atoms):.3g} s ({label})"))
    for dataset, family, sizes in plan.training_tasks():
        n_atoms = _atoms(plan, plan.dataset_molecule(dataset))
        settings = plan.model_settings(family, dataset)
        # each job also tests its model: one more start-up's worth for reading it back
        seconds = sum(training_seconds(family, n, n_atoms, settings) + 2 * start for n in sizes)
        memory = training_memory_gb(family, max(sizes), n_atoms, settings)
        rows.append(JobCost("training", f"train_{family} ({dataset})", len(sizes) * plan.n_folds,
                            seconds * plan.n_folds / 3600, memory,
                            f"n = {min(sizes)}..{max(sizes)}, {plan.n_folds} folds"))
    scan = plan.figures.get("gap_cutoff_scan")
    if scan:
        n_atoms = _atoms(plan, plan.dataset_molecule(scan["dataset"]))
        settings = plan.model_settings("gap", scan["dataset"])
        jobs = len(scan["cutoffs_A"]) * plan.n_folds
        seconds = jobs * (training_seconds("gap", scan["n_train"], n_atoms, settings) + 2 * start)
        rows.append(JobCost("evaluation", "train_gap_cutoff", jobs, seconds / 3600,
                            training_memory_gb("gap", scan["n_train"], n_atoms, settings),
                            f"{jobs} GAP models at n = {scan['n_train']}"))
    if plan.figures.get("training_set_optimisation"):
        settings = plan.optimisation
        dataset = settings["dataset"]
        n_atoms = _atoms(plan, plan.dataset_molecule(dataset))
        for family in settings["models"]:
            family_settings = plan.model_settings(family, dataset)
            folds = len(plan.optimisation_folds())
            # each step trains from scratch at its size, then predicts the whole dataset
            seconds = folds * sum(training_seconds(family, n, n_atoms, family_settings) + 2 * start
                                  for n in plan.optimisation_sizes())
            rows.append(JobCost("evaluation", f"optimise_training_set_step ({family})",
                                folds * (settings["steps"] + 1), seconds / 3600,
                                training_memory_gb(family, settings["n_train"], n_atoms, family_settings),
                                f"n = {settings['n_start']}..{settings['n_train']} in {settings['steps']} steps, "
                                f"{folds} folds"))
    ml_md = plan.figures.get("ml_md")
    if ml_md:
        runs = plan.ml_md_runs()
        seconds = sum(ml_md["steps"] / MEASURED["ml_md_steps_per_s"][model] + start for model, _, _ in runs)
        rows.append(JobCost("ml_md", "ml_md", len(runs), seconds / 3600, 2.0,
                            f"{ml_md['steps']} steps per run at the measured steps/s of each family"))
    return rows


def stage_table(rows: list[JobCost]) -> pd.DataFrame:
    """Jobs, core-hours and the largest single job's memory, per stage."""
    table = pd.DataFrame([vars(r) for r in rows])
    return table.groupby("stage", sort=False).agg(jobs=("jobs", "sum"), core_hours=("core_hours", "sum"),
                                                  peak_memory_gb=("peak_memory_gb", "max")).round(2)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("config", help="a config file, e.g. config/paper.yaml")
    args = parser.parse_args(argv)
    from flexmlff.plan import load_config

    plan = Plan(load_config(args.config))
    rows = estimate(plan)
    detail = pd.DataFrame([vars(r) for r in rows]).round({"core_hours": 2, "peak_memory_gb": 1})
    print(f"# Estimated cost of {args.config} (unit costs measured on 2 CPU cores, no GPU)\n")
    print(detail.to_markdown(index=False))
    print("\n## Per stage\n")
    stages = stage_table(rows)
    print(stages.to_markdown())
    print(f"\ntotal: {stages['jobs'].sum()} jobs, {stages['core_hours'].sum():.1f} core-hours; "
          "GPU-hours: not estimated (no GPU measurement yet)")


if __name__ == "__main__":
    main()
