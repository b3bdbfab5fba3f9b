"""Single points at another level on the minima and each path's highest frame (rule isomerisation_single_points)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

import os
import time

import numpy as np
import pandas as pd
from ase.io import read

from flexmlff.calculators import make_calculator
from flexmlff.runlog import logged_step
from flexmlff.units import ev_to_kcal_mol

with logged_step(snakemake.log[0], "isomerisation_single_points") as log:
    level = snakemake.wildcards.level
    os.environ["OMP_NUM_THREADS"] = str(snakemake.threads)
    calc = make_calculator(level, snakemake.params.options)
    paths = {name: read(f, index=":") for name, f in zip(snakemake.params.names, snakemake.input.paths)}
    first = next(iter(paths.values()))
    # the cis and trans minima, then the highest frame of every path at the reference level
    jobs = [("cis", "minimum", 0, first[0]), ("trans", "minimum", len(first) - 1, first[-1])]
    for name, frames in paths.items():
        top = int(np.argmax([f.get_potential_energy() for f in frames]))
        jobs.append((name, "highest", top, frames[top]))
    rows = []
    for name, kind, index, frame in jobs:
        work = frame.copy()
        work.calc = calc
        start = time.perf_counter()
        energy = ev_to_kcal_mol(work.get_potential_energy())
        log.info("%s frame %d (%s): %.4f kcal/mol in %.0f s", name, index, kind, energy,
                 time.perf_counter() - start)
        rows.append({"path": name, "kind": kind, "frame": index, "energy_kcal_mol": energy,
                     "seconds": round(time.perf_counter() - start, 1)})
    table = pd.DataFrame(rows)
    table["relative_to_cis_kcal_mol"] = table["energy_kcal_mol"] - table["energy_kcal_mol"].iloc[0]
    table.to_csv(snakemake.output[0], index=False)
