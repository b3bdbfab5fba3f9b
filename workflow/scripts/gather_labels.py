"""Join a run's relabelled chunks, in order, into one file (rule gather_labels)."""

from pathlib import Path

from flexmlff.data import concatenate, read_dataset, write_extxyz
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    parts = [read_dataset(path) for path in snakemake.input]
    run = concatenate(parts, Path(snakemake.output[0]).parent.name)
    run.theory = snakemake.params.level.label
    write_extxyz(run, snakemake.output[0])
    log.info("%d frames from %d chunks", len(run), len(parts))
