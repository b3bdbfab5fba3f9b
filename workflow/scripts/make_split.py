"""Energy-stratified subset of n_folds x n frames, its folds and a validation set (rule make_split)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

import numpy as np

from flexmlff.data import read_dataset
from flexmlff.runlog import logged_step
from flexmlff.splits import make_split

with logged_step(snakemake.log[0], "make_split") as log:
    dataset = read_dataset(snakemake.input.dataset)
    split = make_split(dataset.E, int(snakemake.wildcards.n_train), snakemake.params.n_folds,
                       snakemake.params.n_valid, snakemake.params.seed)
    split.save(snakemake.output[0])
    log.info("subset %d frames, folds of %s, validation %d frames", len(split.subset),
             np.bincount(split.folds).tolist(), len(split.validation))
