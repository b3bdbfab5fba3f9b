"""Relabel one part of a set of frames at another level (rules relabel_chunk, relabel_dataset_chunk)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

import numpy as np

from flexmlff.calculators import level_label, make_calculator
from flexmlff.data import read_dataset, relabel, write_extxyz
from flexmlff.runlog import logged_step

with logged_step(snakemake.log[0], "relabel_chunk") as log:
    level, options = snakemake.params.level
    frames = read_dataset(snakemake.input[0])
    k, n = snakemake.params.part
    # part k of n near-equal parts, in order
    indices = np.array_split(np.arange(len(frames)), n)[k]
    if not len(indices):
        raise ValueError(f"{snakemake.input[0]}: {len(frames)} frames cannot fill {n} relabelling jobs; "
                         "lower relabel_jobs")
    part = frames.subset(indices)
    log.info("frames %s of %s (labelled at %s) at %s",
             f"{indices[0]}-{indices[-1]}", snakemake.input[0],
             frames.theory, level_label(level, options))
    every = max(1, len(part) // 10)

    def progress(i):
        if (i + 1) % every == 0:
            log.info("%d/%d frames", i + 1, len(part))

    write_extxyz(relabel(part, make_calculator(level, options), level_label(level, options), progress),
                 snakemake.output[0])
