"""Train one model of a family on one fold of one split, and test it on the held-out folds
(rules train_<family>, train_gap_cutoff).

Writes the model, its training record (the hyperparameters chosen on the validation
frames and, for networks, the losses of every epoch), its test errors and its predictions
on the held-out frames beside the reference (flexmlff.exports). Testing here,
on the model read back from its file, spares a job per model that would start Python and
import the family's libraries again only to predict a few hundred frames.
"""

import json

import pandas as pd
from ase.io import write

from flexmlff.data import read_dataset
from flexmlff.evaluate import held_out_errors, predict_held_out
from flexmlff.exports import prediction_frames
from flexmlff.models import family
from flexmlff.runlog import snakemake_step
from flexmlff.splits import Split
from flexmlff.training_records import grid_edge

with snakemake_step(snakemake) as log:
    wc = snakemake.wildcards
    dataset = read_dataset(snakemake.input.dataset)
    split = Split.load(snakemake.input.split)
    fold = int(wc.fold)
    name = snakemake.params.family
    models = family(name)
    train_set = dataset.subset(split.train_indices(fold))
    log.info("training on %d frames, validating on %d", len(train_set), len(split.validation))
    record = {}
    model = models.train(train_set, dataset.subset(split.validation),
                         snakemake.params.settings, threads=snakemake.threads, record=record)
    log.info("chosen on the validation frames: %s", record.get("chosen"))
    edge = grid_edge(record)
    if edge:  # kept with the model, and said in its log
        record["grid_edge"] = edge
        log.warning("%s = %s is the %s value of the grid %s: the validation error may still fall beyond it; "
                    "widen models.%s.%s", edge["parameter"], edge["chosen"], edge["edge"], edge["grid"], name,
                    edge["grid_key"])
    models.save(model, snakemake.output.model)
    with open(snakemake.output.record, "w") as handle:
        json.dump({"family": name, "n_train": len(train_set), "fold": fold,
                   "settings": snakemake.params.settings, **record}, handle, indent=1)

    saved = models.load(snakemake.output.model)
    held_out = predict_held_out(lambda R, z: models.predict(saved, R, z), dataset, split, fold)
    row = {"dataset": wc.dataset, "model": name, **held_out_errors(held_out, dataset, split, fold)}
    write(snakemake.output.predictions, prediction_frames(dataset, held_out, name, snakemake.params.cluster_coordinate),
          format="extxyz", write_info=True)
    if "cutoff" in wc.keys():  # a model of the GAP cutoff scan (Fig. 6a)
        row["cutoff_A"] = float(wc.cutoff)
    log.info("test errors: %s", row)
    pd.DataFrame([row]).to_csv(snakemake.output.errors, index=False)
