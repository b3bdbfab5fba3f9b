"""Relabel one part of a set of frames at another level (rules relabel_chunk, relabel_dataset_chunk)."""

import numpy as np

from flexmlff.data import read_dataset, relabel, write_extxyz
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    level = snakemake.params.level
    frames = read_dataset(snakemake.input[0])
    k, n = snakemake.params.part
    # part k of n near-equal parts, in order
    indices = np.array_split(np.arange(len(frames)), n)[k]
    if not len(indices):
        raise ValueError(
            f"{snakemake.input[0]}: {len(frames)} frames cannot fill {n} relabelling jobs; lower the jobs "
            "(datasets.<name>.relabel_jobs or datasets.<name>.audit.jobs)"
        )
    part = frames.subset(indices)
    log.info(
        "frames %s of %s (labelled at %s) at %s",
        f"{indices[0]}-{indices[-1]}",
        snakemake.input[0],
        frames.theory,
        level.label,
    )
    every = max(1, len(part) // 10)

    def progress(i):
        if (i + 1) % every == 0:
            log.info("%d/%d frames", i + 1, len(part))

    write_extxyz(relabel(part, level.make(), level.label, progress), snakemake.output[0])
