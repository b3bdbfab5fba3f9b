"""Join a run's relabelled chunks, in order, into one file (rule gather_labels)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

from flexmlff.calculators import level_label
from flexmlff.data import concatenate, read_dataset, write_extxyz
from flexmlff.runlog import logged_step

with logged_step(snakemake.log[0], "gather_labels") as log:
    parts = [read_dataset(path) for path in snakemake.input]
    run = concatenate(parts, Path(snakemake.output[0]).parent.name)
    run.theory = level_label(*snakemake.params.level)
    write_extxyz(run, snakemake.output[0])
    log.info("%d frames from %d chunks", len(run), len(parts))
