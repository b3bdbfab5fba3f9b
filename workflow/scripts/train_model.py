"""Train one model of a family on one fold of one split (rules train_<family>)."""

from flexmlff.data import read_dataset
from flexmlff.models import family
from flexmlff.runlog import snakemake_step
from flexmlff.splits import Split

with snakemake_step(snakemake) as log:
    dataset = read_dataset(snakemake.input.dataset)
    split = Split.load(snakemake.input.split)
    fold = int(snakemake.wildcards.fold)
    models = family(snakemake.params.family)
    train_set = dataset.subset(split.train_indices(fold))
    log.info("training on %d frames, validating on %d", len(train_set), len(split.validation))
    model = models.train(train_set, dataset.subset(split.validation),
                         snakemake.params.settings, threads=snakemake.threads)
    models.save(model, snakemake.output.model)
