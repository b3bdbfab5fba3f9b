#!/usr/bin/env python
"""How much of an i-PI MD step is the calculator: a level of theory or a trained model?

For each calculator, measured side by side in one run on the same machine: its bare
energy+forces calls per second along an MD trajectory, a plain ASE Langevin MD loop,
and the same MD through i-PI with the calculator as socket client
(flexmlff.ipi.run_ipi_md). Prints one table of ms per call or step and the
ratios i-PI / bare and i-PI / ASE (rates: 1.0 means i-PI costs nothing).

    python scripts/benchmark_md.py \\
        --level glycine=resources/geometries/glycine_Ip.xyz:xtb:GFN2-xTB \\
        --level azobenzene=results/azobenzene/minima/trans.extxyz:xtb:GFN1-xTB \\
        --model sgdml=results/rotation/models/sgdml/n100/fold0/model.npz:results/azobenzene/minima/trans.extxyz

A model file is any family's (flexmlff.models.family: the family is the directory
above n<size>); ML models run at 300 K with 0.5 fs steps, as the paper's Fig. 9 does.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from ase import units  # noqa: E402
from ase.io import read  # noqa: E402
from ase.md.langevin import Langevin  # noqa: E402
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution  # noqa: E402

from flexmlff.calculators import make_calculator  # noqa: E402
from flexmlff.ipi import MDSettings, run_ipi_md  # noqa: E402
from flexmlff.models import family, limit_threads  # noqa: E402


def ase_md(atoms, make, steps, temperature, timestep_fs):
    """Seconds per step of ASE's own Langevin MD; also returns the geometries it visited."""
    atoms = atoms.copy()
    atoms.calc = make()
    MaxwellBoltzmannDistribution(atoms, temperature_K=temperature, rng=np.random.default_rng(1))
    dyn = Langevin(
        atoms,
        timestep_fs * units.fs,
        temperature_K=temperature,
        friction=0.01 / units.fs,
        fixcm=False,
        rng=np.random.default_rng(2),
    )
    visited = []
    dyn.attach(lambda: visited.append(atoms.positions.copy()), interval=1)
    start = time.perf_counter()
    dyn.run(steps)
    return (time.perf_counter() - start) / steps, visited


def bare_calls(atoms, make, geometries):
    """Seconds per energy+forces call of a reused calculator over the given geometries."""
    atoms = atoms.copy()
    atoms.calc = make()
    start = time.perf_counter()
    for positions in geometries:
        atoms.positions = positions
        atoms.get_potential_energy()
        atoms.get_forces()
    return (time.perf_counter() - start) / len(geometries)


def ipi_md(atoms, make, steps, temperature, timestep_fs):
    """Seconds per step through i-PI: of the whole run (i-PI's start-up and exit included),
    and of its steps alone (from the answer to the first force call to the last one)."""
    settings = MDSettings(
        temperature_K=temperature,
        timestep_fs=timestep_fs,
        steps=steps,
        stride=10,
        seed=3,
        thermostat="langevin",
        thermostat_tau_fs=100.0,
    )
    timing = {}
    with tempfile.TemporaryDirectory() as workdir:
        start = time.perf_counter()
        run_ipi_md(atoms, make(), settings, workdir, timing=timing)
        return (time.perf_counter() - start) / steps, timing["steps_s"] / max(1, timing["force_calls"] - 1)


def level_case(spec):
    """name=geometry:calculator:method -> (name, atoms, factory, K, fs)."""
    name, rest = spec.split("=", 1)
    geometry, calculator, method = rest.split(":")
    temperature = 500.0 if "glycine" in name else 300.0
    return name, read(geometry), lambda: make_calculator(calculator, {"method": method}), temperature, 1.0


def model_case(spec):
    """name=model_file:geometry -> (name, atoms, factory, K, fs); the family from the path."""
    name, rest = spec.split("=", 1)
    model_file, geometry = rest.split(":")
    models = family(Path(model_file).parents[2].name)
    model = models.load(model_file)
    return name, read(geometry), lambda: models.calculator(model), 300.0, 0.5


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--level", action="append", default=[], metavar="NAME=GEOMETRY:CALCULATOR:METHOD")
    parser.add_argument("--model", action="append", default=[], metavar="NAME=MODEL_FILE:GEOMETRY")
    parser.add_argument("--steps", type=int, default=1000)
    args = parser.parse_args()
    limit_threads(1)
    if not args.level and not args.model:
        args.level = ["glycine_gfn2=resources/geometries/glycine_Ip.xyz:xtb:GFN2-xTB"]
    cases = [level_case(s) for s in args.level] + [model_case(s) for s in args.model]
    print(f"{args.steps} steps each, OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}, torch threads 1")
    print(
        f"{'calculator':24s} {'atoms':>5s} {'bare ms':>8s} {'ASE ms':>8s} {'i-PI ms':>8s} {'steps ms':>8s} "
        f"{'i-PI/bare':>9s} {'i-PI/ASE':>9s} {'steps/bare':>10s}"
    )
    for name, atoms, make, temperature, timestep_fs in cases:
        ase_step, visited = ase_md(atoms, make, args.steps, temperature, timestep_fs)
        bare = bare_calls(atoms, make, visited)
        ipi_step, ipi_steps_only = ipi_md(atoms, make, args.steps, temperature, timestep_fs)
        print(
            f"{name:24s} {len(atoms):5d} {1000 * bare:8.2f} {1000 * ase_step:8.2f} {1000 * ipi_step:8.2f} "
            f"{1000 * ipi_steps_only:8.2f} {bare / ipi_step:9.2f} {ase_step / ipi_step:9.2f} "
            f"{bare / ipi_steps_only:10.2f}",
            flush=True,
        )
    print(
        "ratios are rates: bare (or ASE) time per call over i-PI time per step. 'i-PI ms' is the whole run "
        "over its steps, i-PI's start-up (~2-3 s, mostly its imports) and exit included; 'steps ms' only the "
        "steps after the first force call"
    )


if __name__ == "__main__":
    main()
