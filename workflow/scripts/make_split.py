"""Energy-stratified subset of n_folds x n frames, its folds and a validation set (rule make_split)."""

import numpy as np

from flexmlff.data import read_dataset
from flexmlff.runlog import snakemake_step
from flexmlff.splits import make_split

with snakemake_step(snakemake) as log:
    dataset = read_dataset(snakemake.input.dataset)
    split = make_split(
        dataset.E,
        int(snakemake.wildcards.n_train),
        snakemake.params.n_folds,
        snakemake.params.n_valid,
        snakemake.params.seed,
    )
    split.save(snakemake.output[0])
    log.info(
        "subset %d frames, folds of %s, validation %d frames",
        len(split.subset),
        np.bincount(split.folds).tolist(),
        len(split.validation),
    )
