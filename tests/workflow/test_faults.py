"""Fault injection on the smoke MD and dataset stages: the glycine dataset is built
through six faults in a row, each at a seeded random checkpoint of whichever MD run
is going, and must come out as an unbroken build's.

Faults, in order: SIGTERM to i-PI, SIGKILL to the client (the md_run job's script),
SIGTERM to Snakemake alone, SIGKILL to Snakemake alone (its jobs must not live on),
SIGKILL to the whole process group (both SIGKILLs are followed by
``snakemake --unlock``, as the README says), SIGTERM to the process group (a
scheduler's preemption). After each, the same command is run again.
"""

import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import psutil
import pytest
from test_workflow import ROOT, inject, snakemake, write_config

from flexmlff.data import read_dataset
from flexmlff.units import ev_to_kcal_mol

pytestmark = pytest.mark.workflow

TARGET = "results/datasets/glycine.npz"
FAULTS = [
    "SIGTERM to i-PI",
    "SIGKILL to the client",
    "SIGTERM to snakemake",
    "SIGKILL to snakemake",
    "SIGKILL to the process group",
    "SIGTERM to the process group",
]
STEPS, CHECKPOINT_STRIDE = 3000, 100


def longer_md(config):
    for campaign in ("Ip_500K", "IIIp_500K"):
        config["molecules"]["glycine"]["md"][campaign].update(steps=STEPS, checkpoint_stride=CHECKPOINT_STRIDE)


def start_build(workdir: Path, config: Path) -> subprocess.Popen:
    """The dataset build as a batch job runs it: a session of its own, one core."""
    command = [
        sys.executable,
        "-m",
        "snakemake",
        TARGET,
        "--snakefile",
        str(ROOT / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        str(config),
        "--cores",
        "1",
    ]
    return subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


def md_pair(job: subprocess.Popen):
    """(client, i-PI) of the MD run going on in `job`, or None."""
    try:
        processes = psutil.Process(job.pid).children(recursive=True)
        client = [p for p in processes if "md_run.py" in " ".join(p.cmdline())]
        ipi = [p for p in processes if "i-pi" in " ".join(p.cmdline())]
    except psutil.Error:
        return None
    return (client[0], ipi[0]) if client and ipi else None


def checkpoint_step(ipi_dir: Path) -> int:
    try:
        return int(re.search(r"<step>\s*(\d+)\s*</step>", (ipi_dir / "md.restart").read_text(errors="replace"))[1])
    except (OSError, TypeError):
        return -1


def wait_for_checkpoints(job, checkpoints: int, timeout_s: float = 300):
    """Wait until the running MD run has written `checkpoints` more checkpoints than it had
    when first seen; returns (client, i-PI) then, or None if the build ended first."""
    deadline, first = time.monotonic() + timeout_s, None
    while time.monotonic() < deadline and job.poll() is None:
        pair = md_pair(job)
        if pair:
            try:
                ipi_dir = Path(pair[1].cwd())
            except psutil.Error:
                continue
            step = checkpoint_step(ipi_dir)
            if first is None or first[0] != ipi_dir:
                first = (ipi_dir, step)
            elif step >= first[1] + checkpoints * CHECKPOINT_STRIDE and step < STEPS:
                return pair
        time.sleep(0.05)
    return None


def finished_outputs(workdir: Path) -> dict[Path, int]:
    """Every finished output so far with its modification time."""
    results = workdir / "results"
    files = [*results.glob("glycine/minima/*.extxyz"), *results.glob("glycine/md/*/*/frames.extxyz")]
    return {f: f.stat().st_mtime_ns for f in files}


def test_the_dataset_survives_six_faults_and_equals_an_unbroken_build(tmp_path):
    unbroken_dir, broken_dir = tmp_path / "unbroken", tmp_path / "broken"
    for folder in (unbroken_dir, broken_dir):
        folder.mkdir()
    config = write_config(tmp_path, longer_md)
    snakemake(unbroken_dir, TARGET, config=config)

    rng = np.random.default_rng(2026)
    finished, survived, logs = {}, [], []
    md_logs = broken_dir / "results/logs/md_run"
    for fault in FAULTS:
        job = start_build(broken_dir, config)
        pair = wait_for_checkpoints(job, checkpoints=int(rng.integers(2, 8)))
        assert pair, f"the build ended before {fault}: {job.stderr.read()[-2000:] if job.poll() is not None else ''}"
        session = psutil.Process(job.pid).children(recursive=True)
        inject(fault, job, {"the client": pair[0], "i-PI": pair[1]})
        try:
            job.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            os.killpg(job.pid, signal.SIGKILL)
            raise AssertionError(f"the build did not stop after {fault}") from None
        # the jobs of a killed Snakemake stop on their own, cleanly (runlog.stop_when_orphaned)
        _, alive = psutil.wait_procs(session, timeout=60)
        assert not alive, f"{fault} left {[' '.join(p.cmdline())[:80] for p in alive]}"
        logs += [p.read_text() for p in md_logs.glob("*.log")]  # the rerun replaces them
        # what was finished before the fault is still there, untouched
        now = finished_outputs(broken_dir)
        assert all(now.get(f) == mtime for f, mtime in finished.items()), fault
        finished = now
        if fault in ("SIGKILL to snakemake", "SIGKILL to the process group"):
            snakemake(broken_dir, "--unlock", config=config)
        survived.append(fault)

    snakemake(broken_dir, TARGET, config=config)
    assert survived == FAULTS
    assert all(finished_outputs(broken_dir)[f] == mtime for f, mtime in finished.items())
    logs = "".join(logs + [p.read_text() for p in md_logs.glob("*.log")])
    assert "starting afresh" not in logs, logs
    assert len(re.findall(r"resuming .* from i-PI's checkpoint at step \d+", logs)) >= 5, logs
    for ipi_dir in (broken_dir / "results/glycine/md").glob("*/*/ipi"):
        sockets = [ET.parse(f).find(".//ffsocket/address").text for f in ipi_dir.glob("*.xml")]
        assert not [s for s in sockets if Path(f"/tmp/ipi_{s}").exists()]

    broken, unbroken = read_dataset(broken_dir / TARGET), read_dataset(unbroken_dir / TARGET)
    assert len(broken) == len(unbroken) == 2 * (STEPS + 1)
    # the same frames to round-off (docs/md_engine.md). The frames files
    # hold 8 decimals: a 1e-13 Å difference can still tip the last one, and the frames
    # kept before a checkpoint come back from a file in eV/Å, rounded once more
    positions = np.abs(broken.R - unbroken.R)
    assert positions.max() <= 1.01e-8 and np.mean(positions == 0) > 0.999
    assert np.abs(broken.F - unbroken.F).max() <= 1.01 * ev_to_kcal_mol(1e-8)
    assert np.abs(broken.E - unbroken.E).max() < 1e-6
