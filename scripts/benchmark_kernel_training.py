#!/usr/bin/env python
"""Time and peak memory of training the kernel models against the training-set size.

Trains, each in a fresh process so that its peak RSS is its own, one model per run and size
on a dataset file, one σ each. A run is FAMILY:CAP, CAP the family's ``max_memory_gb`` in GB
or ``none``: ``sgdml:8`` is the sgdml package under its iterative solver, ``gdml:none``
flexmlff's own GDML [1/r] with its closed-form solve, ``gdml:8`` with its conjugate-gradient
solve. Prints seconds and peak RSS per size, the fitted power laws in n, the extrapolation
to --extrapolate-to, and flexmlff.costs' formula beside the measured memory.

    python scripts/benchmark_kernel_training.py results/datasets/rotation.npz \
        --sizes 200 400 800 --runs gdml:8 sgdml:8 gdml:none sgdml:none
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

CHILD = """
import json, sys, time
from flexmlff.data import read_dataset
from flexmlff.models import family
path, name, n, settings, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4]), int(sys.argv[5])
data = read_dataset(path)
rng = np.random.default_rng(0)
order = rng.permutation(len(data))
train, valid = data.subset(order[:n]), data.subset(order[n:n + 100])
record = {}
start = time.perf_counter()
family(name).train(train, valid, settings, threads, record)
print(json.dumps({"seconds": time.perf_counter() - start, "valid_force_rmse": record["chosen"]["valid_force_rmse"],
                  "solves": record.get("solves", [])}))
"""


def measure(path: str, name: str, n: int, settings: dict, threads: int = 1, timeout_s: float | None = None) -> dict:
    """Seconds, peak RSS (GB) and validation force RMSE of training `name` on `n` frames of
    `path`, in a new process with `threads` threads; killed after `timeout_s`."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import numpy as np\n" + CHILD,
                path,
                name,
                str(n),
                json.dumps(settings),
                str(threads),
            ],
            stdout=out,
            stderr=err,
            env={**os.environ, "OMP_NUM_THREADS": str(threads)},
        )
        timer = threading.Timer(timeout_s, child.kill) if timeout_s else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak RSS (kB on Linux)
        if timer:
            timer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    if child.returncode:
        return {
            "family": name,
            "n": n,
            "seconds": float("nan"),
            "peak_gb": usage.ru_maxrss / 1e6,
            "error": (stderr.strip().splitlines() or [f"killed (status {child.returncode})"])[-1],
        }
    result = json.loads(stdout.strip().splitlines()[-1])
    return {"family": name, "n": n, **result, "peak_gb": usage.ru_maxrss / 1e6}


def power_law(ns, values) -> tuple[float, float]:
    """(c, p) of values = c n^p, fitted in log-log."""
    p, log_c = np.polyfit(np.log(ns), np.log(values), 1)
    return float(np.exp(log_c)), float(p)


def parse_run(text: str) -> tuple[str, float | None]:
    """FAMILY:CAP -> (family, max_memory_gb or None)."""
    name, _, cap = text.partition(":")
    return name, None if cap in ("", "none") else float(cap)


def main() -> None:
    from flexmlff.costs import training_memory_gb
    from flexmlff.data import read_dataset

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 200, 400])
    parser.add_argument("--sigma", type=float, default=20.0)
    parser.add_argument(
        "--runs",
        nargs="+",
        default=["sgdml:none", "gdml:none"],
        help="FAMILY:CAP, CAP = max_memory_gb in GB or none (closed form)",
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--timeout-s", type=float, default=None, help="kill one training after this long")
    parser.add_argument("--deadline-s", type=float, default=None, help="start no training after this long")
    parser.add_argument("--jsonl", default=None, help="append each measurement to this file as it comes")
    parser.add_argument("--extrapolate-to", type=int, default=1000)
    args = parser.parse_args()
    n_atoms = len(read_dataset(args.dataset).z)
    started, rows = time.perf_counter(), []
    for run in args.runs:
        name, cap = parse_run(run)
        settings = {"sigmas": [args.sigma], "max_memory_gb": cap}
        for n in sorted(args.sizes):
            if args.deadline_s and time.perf_counter() - started > args.deadline_s:
                print(f"deadline: {run} n = {n} not started", flush=True)
                continue
            row = {"run": run, **measure(args.dataset, name, n, settings, args.threads, args.timeout_s)}
            row["formula_gb"] = training_memory_gb(name, n, n_atoms, settings)
            rows.append(row)
            print(json.dumps(row), flush=True)
            if args.jsonl:
                with open(args.jsonl, "a") as handle:
                    handle.write(json.dumps(row) + "\n")
    print(f"\n{args.dataset}: {n_atoms} atoms, one sigma ({args.sigma}) per model, {args.threads} thread(s)")
    print(f"{'run':12s} {'n':>6s} {'seconds':>9s} {'peak GB':>8s} {'formula GB':>10s} {'valid F RMSE':>12s}")
    for row in rows:
        print(
            f"{row['run']:12s} {row['n']:6d} {row['seconds']:9.1f} {row['peak_gb']:8.2f} {row['formula_gb']:10.2f} "
            f"{row.get('valid_force_rmse', float('nan')):12.4f}"
        )
    for run in args.runs:
        done = [r for r in rows if r["run"] == run and np.isfinite(r["seconds"])]
        if len(done) < 2:
            continue
        name, cap = parse_run(run)
        ns = np.array([r["n"] for r in done], dtype=float)
        ct, pt = power_law(ns, [r["seconds"] for r in done])
        cm, pm = power_law(ns, [r["peak_gb"] for r in done])
        n = args.extrapolate_to
        formula = training_memory_gb(name, n, n_atoms, {"max_memory_gb": cap})
        print(
            f"{run}: time ~ n^{pt:.2f}, peak memory ~ n^{pm:.2f}; at n = {n}: "
            f"{ct * n**pt:.0f} s, {cm * n**pm:.1f} GB (formula {formula:.1f} GB)"
        )


if __name__ == "__main__":
    main()
