"""Part of the smoke DAG through profiles/slurm on a real SLURM cluster: minima, one MEP,
one MD run, its dataset and split, one sGDML model, and one SchNet training whose time
limit is too short for it: cut by SLURM, it resumes from its checkpoint on each retry
until it finishes. Each job is sent with sbatch.

`bash scripts/slurm_cluster.sh up` brings up a single-node cluster with accounting
(as root, with apt); `.ci/run` does so before the tests. Without `sbatch`, or with no
cluster answering, the test is skipped and says why.
"""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from flexmlff.layout import Layout

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slurm


def cluster_problem() -> str | None:
    if not shutil.which("sbatch"):
        return "no sbatch on PATH (bring a cluster up with: bash scripts/slurm_cluster.sh up)"
    probe = subprocess.run(["sinfo", "-h", "-o", "%t"], capture_output=True, text=True)
    if probe.returncode != 0 or not probe.stdout.strip():
        return f"sbatch is installed but no SLURM cluster answers: {probe.stderr.strip()[:200]}"
    if (
        not shutil.which("sacct")
        or subprocess.run(["sacct", "-n", "-X", "-S", "now"], capture_output=True).returncode != 0
    ):
        return "the cluster has no accounting (sacct), which the executor plugin polls"
    return None


#: The SchNet training cut by its time limit: as many epochs as take ~200 s on this machine
#: (:func:`epochs_of`), longer than any one attempt can run (a limit of 3 minutes, SIGTERM a
#: minute ahead, which SLURM may send up to a minute earlier still), so it finishes in 2-4
#: pieces of 50-110 s of training. (A fixed count cannot: the smoke SchNet ran 3 epochs a
#: second on a loaded machine and 11 on an idle one. Many short attempts cannot either: each
#: retry asks for 1.5x the memory, and the eighth asked for more than the node has.)
CUT_TRAINING_S = 200.0
CUT_RUNTIME_MIN, CUT_SIGNAL, CUT_RETRIES = 3, "--signal=TERM@60", 5


def epochs_of(seconds: float, settings: dict, data) -> int:
    """Epochs of the smoke SchNet (n = 10, 50 validation frames) that take `seconds` here,
    from two short trainings in this process (their difference leaves out the start-up)."""
    from flexmlff.models import family

    schnet = family("schnet")
    train, valid = data.subset(range(10)), data.subset(range(10, 60))
    took = {}
    for epochs in (4, 24):
        start = time.perf_counter()
        schnet.train(train, valid, {**settings, "max_epochs": epochs, "patience": epochs})
        took[epochs] = time.perf_counter() - start
    per_epoch = max((took[24] - took[4]) / 20, 1e-3)
    return int(seconds / per_epoch)


def site_profile(tmp_path: Path) -> Path:
    """profiles/slurm with its site block filled in, as a user does for their cluster; SchNet's
    training gets a time limit too short for it, and retries enough to finish in pieces."""
    profile = yaml.safe_load((ROOT / "profiles/slurm/config.yaml").read_text())
    profile["default-resources"].update(slurm_account="flexmlff", slurm_partition="main")
    profile["max-threads"] = os.cpu_count()
    profile["set-resources"]["train_schnet"] = {"runtime": CUT_RUNTIME_MIN, "slurm_extra": CUT_SIGNAL}
    profile["retries"] = CUT_RETRIES
    folder = tmp_path / "profile"
    folder.mkdir()
    (folder / "config.yaml").write_text(yaml.safe_dump(profile))
    return folder


def test_part_of_the_smoke_dag_runs_through_slurm(tmp_path, glycine_dataset):
    problem = cluster_problem()
    if problem:
        pytest.skip(problem)
    config = yaml.safe_load((ROOT / "tests/config.yaml").read_text())
    config["datasets"]["glycine"]["campaigns"] = ["Ip_500K"]  # one MD run
    epochs = epochs_of(CUT_TRAINING_S, config["models"]["schnet"], glycine_dataset)
    config["models"]["schnet"].update(max_epochs=epochs, patience=epochs)
    config_file = tmp_path / "config.yaml"
    config_file.write_text(yaml.safe_dump(config))
    layout = Layout("results")
    n_train = min(config["training"]["sizes"])
    targets = [
        layout.relaxed("glycine", "Ip"),
        layout.relaxed("glycine", "IIIp"),
        layout.mep("glycine", "neb"),
        layout.md_frames("glycine", "Ip_500K", "00_Ip"),
        layout.split("glycine", n_train),
        layout.test_errors("glycine", "sgdml", n_train, 0),
        layout.test_errors("glycine", "schnet", n_train, 0),
    ]
    workdir = tmp_path / "run"
    workdir.mkdir()
    started = time.time()
    command = [
        "timeout",
        "-s",
        "INT",
        "1800",
        sys.executable,
        "-m",
        "snakemake",
        *targets,
        "--snakefile",
        str(ROOT / "Snakefile"),
        "--directory",
        str(workdir),
        "--workflow-profile",
        str(site_profile(tmp_path)),
        "--configfile",
        str(config_file),
        "--slurm-init-seconds-before-status-checks",
        "5",
        "--seconds-between-status-checks",
        "5",
    ]
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert result.returncode == 0, result.stderr[-4000:]
    assert "profiles/default" not in result.stderr  # the local profile stays out
    for target in targets:
        assert (workdir / target).stat().st_size > 0, target
    # every job went through SLURM and ended COMPLETED
    jobs = [
        line.split("|")
        for line in subprocess.run(
            [
                "sacct",
                "-n",
                "-X",
                "-P",
                "-S",
                time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started - 5)),
                "-o",
                "JobID,JobName,Account,Partition,AllocCPUS,State,Elapsed,Comment",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        if line
    ]
    print("\n".join("|".join(job) for job in jobs))
    rule_of = {job[0]: re.sub(r"^rule_|_wildcards_.*$", "", job[7]) for job in jobs}
    assert {
        "relax_minimum",
        "minimum_energy_path",
        "md_run",
        "assemble_dataset",
        "make_split",
        "train_sgdml",
        "train_schnet",
    } <= set(rule_of.values()), jobs
    assert {job[2] for job in jobs} == {"flexmlff"} and {job[3] for job in jobs} == {"main"}
    # the SchNet training, cut by its time limit, went on from its checkpoint on each retry
    cut = [job for job in jobs if rule_of[job[0]] == "train_schnet"]
    assert len(cut) >= 2 and cut[-1][5] == "COMPLETED" and all(job[5] != "COMPLETED" for job in cut[:-1]), cut
    assert {job[5] for job in jobs if rule_of[job[0]] != "train_schnet"} == {"COMPLETED"}, jobs
    log = (workdir / layout.log("train_schnet", f"glycine_n{n_train}_fold0")).read_text()  # the last attempt's
    resumed = [int(epoch) for epoch in re.findall(r"resuming schnet from epoch (\d+)", log)]
    assert len(resumed) == 1 and resumed[0] > 0, log[-3000:]
    assert not (workdir / "results/.checkpoints").exists() and not (workdir / "results/.scratch").exists()
