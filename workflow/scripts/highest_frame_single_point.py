"""Single point at another level on the highest frame of a path or on a minimum
(rules single_point_path_top, single_point_minimum)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

import json
import os
import time

import numpy as np
from ase.io import read

from flexmlff.calculators import level_label, make_calculator
from flexmlff.paths import single_points
from flexmlff.runlog import logged_step
from flexmlff.units import ev_to_kcal_mol

with logged_step(snakemake.log[0], "single_point") as log:
    calculator, options = snakemake.params.level
    os.environ["OMP_NUM_THREADS"] = str(snakemake.threads)
    frames = read(snakemake.input[0], index=":")
    # a minimum file holds one frame; on a path, the highest at the molecule's own level
    index = int(np.argmax([frame.get_potential_energy() for frame in frames]))
    log.info("frame %d of %s at %s", index, snakemake.input[0], level_label(calculator, options))
    start = time.perf_counter()
    (labelled,) = single_points([frames[index]], make_calculator(calculator, options))
    seconds = time.perf_counter() - start
    energy = ev_to_kcal_mol(labelled.get_potential_energy())
    log.info("%.4f kcal/mol in %.0f s", energy, seconds)
    Path(snakemake.output[0]).write_text(json.dumps({
        "source": snakemake.input[0], "frame": index, "level": snakemake.wildcards.level,
        "label": level_label(calculator, options), "energy_kcal_mol": energy,
        "seconds": round(seconds, 1)}, indent=1))
