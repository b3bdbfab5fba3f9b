#!/usr/bin/env python
"""How much of an i-PI MD step is the reference calculator?

Prints, for one molecule and level: the bare calculator's energy+force calls per
second along an MD trajectory, a plain ASE Langevin MD loop, and the same MD run
through i-PI with the calculator as socket client (flexmlff.sampling.run_ipi_md).

    python scripts/benchmark_md.py --geometry resources/geometries/glycine_Ip.xyz --steps 2000
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from ase import units  # noqa: E402
from ase.io import read  # noqa: E402
from ase.md.langevin import Langevin  # noqa: E402
from ase.md.velocitydistribution import MaxwellBoltzmannDistribution  # noqa: E402

from flexmlff.calculators import make_calculator  # noqa: E402
from flexmlff.sampling import MDSettings, run_ipi_md  # noqa: E402


def ase_md(atoms, level, method, steps, temperature):
    """Seconds per step of ASE's own Langevin MD; also returns the geometries it visited."""
    atoms = atoms.copy()
    atoms.calc = make_calculator(level, {"method": method})
    MaxwellBoltzmannDistribution(atoms, temperature_K=temperature, rng=np.random.default_rng(1))
    dyn = Langevin(atoms, 1.0 * units.fs, temperature_K=temperature, friction=0.01 / units.fs,
                   fixcm=False, rng=np.random.default_rng(2))
    visited = []
    dyn.attach(lambda: visited.append(atoms.positions.copy()), interval=1)
    start = time.perf_counter()
    dyn.run(steps)
    return (time.perf_counter() - start) / steps, visited


def bare_calls(atoms, level, method, geometries):
    """Seconds per energy+forces call of a reused calculator over the given geometries."""
    atoms = atoms.copy()
    atoms.calc = make_calculator(level, {"method": method})
    start = time.perf_counter()
    for positions in geometries:
        atoms.positions = positions
        atoms.get_forces()
    return (time.perf_counter() - start) / len(geometries)


def ipi_md(atoms, level, method, steps, temperature):
    settings = MDSettings(temperature_K=temperature, timestep_fs=1.0, steps=steps, stride=1, seed=3)
    with tempfile.TemporaryDirectory() as workdir:
        start = time.perf_counter()
        run_ipi_md(atoms, make_calculator(level, {"method": method}), settings, workdir)
        return (time.perf_counter() - start) / steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--geometry", default="resources/geometries/glycine_Ip.xyz")
    parser.add_argument("--level", default="xtb")
    parser.add_argument("--method", default="GFN2-xTB")
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--temperature", type=float, default=500.0)
    args = parser.parse_args()
    atoms = read(args.geometry)

    ase_step, visited = ase_md(atoms, args.level, args.method, args.steps, args.temperature)
    bare = bare_calls(atoms, args.level, args.method, visited)
    ipi_step = ipi_md(atoms, args.level, args.method, args.steps, args.temperature)
    print(f"molecule {args.geometry} ({len(atoms)} atoms), {args.level} {args.method}, "
          f"{args.steps} steps at {args.temperature:.0f} K, OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}")
    print(f"bare calculator : {1000 * bare:7.2f} ms/call  ({1 / bare:7.1f} calls/s)")
    print(f"ASE Langevin MD : {1000 * ase_step:7.2f} ms/step ({1 / ase_step:7.1f} steps/s)")
    print(f"i-PI + socket   : {1000 * ipi_step:7.2f} ms/step ({1 / ipi_step:7.1f} steps/s), "
          f"wall time incl. i-PI start-up and output")
    print(f"calculator share of an i-PI step: {100 * bare / ipi_step:.0f} %")


if __name__ == "__main__":
    main()
