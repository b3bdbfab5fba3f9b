"""Relabel one chunk of an MD run's frames at the molecule's level (rule relabel_chunk)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

from flexmlff.calculators import level_label, make_calculator
from flexmlff.data import read_dataset, relabel, write_extxyz
from flexmlff.runlog import logged_step

with logged_step(snakemake.log[0], "relabel_chunk") as log:
    level, options = snakemake.params.level
    frames = read_dataset(snakemake.input[0])
    size, chunk = snakemake.params.chunk_frames, int(snakemake.wildcards.chunk)
    part = frames.subset(range(chunk * size, min(len(frames), (chunk + 1) * size)))
    log.info("frames %d-%d of %s (driven at %s) at %s", chunk * size, chunk * size + len(part) - 1,
             snakemake.input[0], frames.theory, level_label(level, options))
    every = max(1, len(part) // 10)

    def progress(i):
        if (i + 1) % every == 0:
            log.info("%d/%d frames", i + 1, len(part))

    write_extxyz(relabel(part, make_calculator(level, options), level_label(level, options), progress),
                 snakemake.output[0])
