"""Train one model of a family on one fold of one split (rules train_<family>)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

from flexmlff.data import read_dataset
from flexmlff.models import family
from flexmlff.runlog import logged_step
from flexmlff.splits import Split

with logged_step(snakemake.log[0], f"train_{snakemake.params.family}") as log:
    dataset = read_dataset(snakemake.input.dataset)
    split = Split.load(snakemake.input.split)
    fold = int(snakemake.wildcards.fold)
    models = family(snakemake.params.family)
    train_set = dataset.subset(split.train_indices(fold))
    log.info("training on %d frames, validating on %d", len(train_set), len(split.validation))
    model = models.train(train_set, dataset.subset(split.validation),
                         snakemake.params.settings, threads=snakemake.threads)
    models.save(model, snakemake.output.model)
