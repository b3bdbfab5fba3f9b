#!/usr/bin/env python
"""Time and peak memory of training the kernel models against the training-set size.

Trains, each in a fresh process so that its peak RSS is its own, one sGDML model (the
sgdml package; with --max-memory-gb its iterative solver) and one GDML [1/r + ang] model
(flexmlff's own, closed-form solve) per size on a dataset file, one σ each. Prints
seconds and peak RSS per size, the fitted power laws in n, the extrapolation to
--extrapolate-to, and flexmlff.costs' formula beside the measured memory.

    python scripts/benchmark_kernel_training.py results/datasets/rotation.npz --sizes 100 200 400
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

CHILD = """
import json, sys, time
from flexmlff.data import read_dataset
from flexmlff.models import family
path, name, n, settings = sys.argv[1], sys.argv[2], int(sys.argv[3]), json.loads(sys.argv[4])
data = read_dataset(path)
rng = np.random.default_rng(0)
order = rng.permutation(len(data))
train, valid = data.subset(order[:n]), data.subset(order[n:n + 100])
start = time.perf_counter()
family(name).train(train, valid, settings)
print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def measure(path: str, name: str, n: int, settings: dict) -> dict:
    """Seconds and peak RSS (GB) of training `name` on `n` frames of `path`, in a new process."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen([sys.executable, "-c", "import numpy as np\n" + CHILD, path, name, str(n),
                                  json.dumps(settings)], stdout=out, stderr=err,
                                 env={**os.environ, "OMP_NUM_THREADS": "1"})
        _, status, usage = os.wait4(child.pid, 0)  # this child's own peak RSS (kB on Linux)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    if child.returncode:
        return {"family": name, "n": n, "seconds": float("nan"), "peak_gb": usage.ru_maxrss / 1e6,
                "error": (stderr.strip().splitlines() or ["killed"])[-1]}
    seconds = json.loads(stdout.strip().splitlines()[-1])["seconds"]
    return {"family": name, "n": n, "seconds": seconds, "peak_gb": usage.ru_maxrss / 1e6}


def power_law(ns, values) -> tuple[float, float]:
    """(c, p) of values = c n^p, fitted in log-log."""
    p, log_c = np.polyfit(np.log(ns), np.log(values), 1)
    return float(np.exp(log_c)), float(p)


def main() -> None:
    from flexmlff.costs import training_memory_gb
    from flexmlff.data import read_dataset

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset")
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 200, 400])
    parser.add_argument("--sigma", type=float, default=20.0)
    parser.add_argument("--max-memory-gb", type=float, default=None, help="sgdml's memory cap (iterative solver)")
    parser.add_argument("--families", nargs="+", default=["sgdml", "sgdml_ang"])
    parser.add_argument("--extrapolate-to", type=int, default=1000)
    args = parser.parse_args()
    n_atoms = len(read_dataset(args.dataset).z)
    rows = []
    for name in args.families:
        settings = {"sigmas": [args.sigma]}
        if name == "sgdml":
            settings["max_memory_gb"] = args.max_memory_gb
        for n in sorted(args.sizes):
            row = measure(args.dataset, name, n, settings)
            row["formula_gb"] = training_memory_gb(name, n, n_atoms, settings)
            rows.append(row)
            print(json.dumps(row), flush=True)
    print(f"\n{args.dataset}: {n_atoms} atoms, one sigma per model, one thread")
    print(f"{'family':10s} {'n':>6s} {'seconds':>9s} {'peak GB':>8s} {'formula GB':>10s}")
    for row in rows:
        print(f"{row['family']:10s} {row['n']:6d} {row['seconds']:9.1f} {row['peak_gb']:8.2f} {row['formula_gb']:10.2f}")
    for name in args.families:
        done = [r for r in rows if r["family"] == name and np.isfinite(r["seconds"])]
        if len(done) < 2:
            continue
        ns = np.array([r["n"] for r in done], dtype=float)
        ct, pt = power_law(ns, [r["seconds"] for r in done])
        # memory: a fixed part plus the kernel's (n 3N)^2 doubles, fitted as a + b n^2
        b, a = np.polyfit(ns**2, [r["peak_gb"] for r in done], 1)
        n = args.extrapolate_to
        formula = training_memory_gb(name, n, n_atoms, {"max_memory_gb": args.max_memory_gb})
        print(f"{name}: time ~ n^{pt:.2f}, memory {a:.2f} GB + {b * 1e6:.2f} GB x (n/1000)^2; at n = {n}: "
              f"{ct * n ** pt:.0f} s, {a + b * n**2:.1f} GB (formula {formula:.1f} GB)")


if __name__ == "__main__":
    main()
