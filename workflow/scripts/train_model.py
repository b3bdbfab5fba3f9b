"""Train one model of a family on one fold of one split (rules train_<family>).

Writes the model and its training record: the hyperparameters chosen on the
validation frames and, for networks, the losses of every epoch.
"""

import json

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
    record = {}
    model = models.train(train_set, dataset.subset(split.validation),
                         snakemake.params.settings, threads=snakemake.threads, record=record)
    log.info("chosen on the validation frames: %s", record.get("chosen"))
    models.save(model, snakemake.output.model)
    with open(snakemake.output.record, "w") as handle:
        json.dump({"family": snakemake.params.family, "n_train": len(train_set), "fold": fold,
                   "settings": snakemake.params.settings, **record}, handle, indent=1)
