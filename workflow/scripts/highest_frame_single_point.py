"""Single point at another level on the highest frame of a path or on a minimum
(rules single_point_path_top, single_point_minimum)."""

import json
import os
import time
from pathlib import Path

import numpy as np
from ase.io import read

from flexmlff.mep import single_points
from flexmlff.runlog import snakemake_step
from flexmlff.units import ev_to_kcal_mol

with snakemake_step(snakemake) as log:
    level = snakemake.params.level
    os.environ["OMP_NUM_THREADS"] = str(snakemake.threads)
    frames = read(snakemake.input[0], index=":")
    # a minimum file holds one frame; on a path, the highest at the molecule's own level
    index = int(np.argmax([frame.get_potential_energy() for frame in frames]))
    log.info("frame %d of %s at %s", index, snakemake.input[0], level.label)
    start = time.perf_counter()
    (labelled,) = single_points([frames[index]], level.make())
    seconds = time.perf_counter() - start
    energy = ev_to_kcal_mol(labelled.get_potential_energy())
    log.info("%.4f kcal/mol in %.0f s", energy, seconds)
    Path(snakemake.output[0]).write_text(
        json.dumps(
            {
                "source": snakemake.input[0],
                "frame": index,
                "level": snakemake.wildcards.level,
                "label": level.label,
                "energy_kcal_mol": energy,
                "seconds": round(seconds, 1),
            },
            indent=1,
        )
    )
