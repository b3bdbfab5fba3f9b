"""Train one model of a family on one fold of one split, and test it on the held-out folds
(rules train_<family>, train_gap_cutoff).

Writes the model, its training record (the hyperparameters chosen on the validation
frames and, for networks, the losses of every epoch), its test errors and its predictions
on the held-out frames beside the reference (flexmlff.fitting). Testing here, on the model
read back from its file, spares a job per model that would start Python and import the
family's libraries again only to predict a few hundred frames.
"""

from flexmlff.data import read_dataset
from flexmlff.evaluate import predict_held_out
from flexmlff.fitting import fit_and_save, write_test_results
from flexmlff.models import family
from flexmlff.runlog import snakemake_step
from flexmlff.scratch import job_checkpoint_folder
from flexmlff.splits import Split

with snakemake_step(snakemake) as log:
    wc, params, output = snakemake.wildcards, snakemake.params, snakemake.output
    dataset = read_dataset(snakemake.input.dataset)
    split = Split.load(snakemake.input.split)
    fold = int(wc.fold)
    saved = fit_and_save(
        params.family,
        dataset.subset(split.train_indices(fold)),
        dataset.subset(split.validation),
        params.settings,
        snakemake.threads,
        output.model,
        output.record,
        fold,
        checkpoint_folder=job_checkpoint_folder(snakemake.rule, dict(wc.items())),
    )
    predict = family(params.family).predict
    held_out = predict_held_out(lambda R, z: predict(saved, R, z), dataset, split, fold)
    # a model of the GAP cutoff scan (Fig. 6a) carries its cutoff in a last column
    cutoff = {"cutoff_A": float(wc.cutoff)} if "cutoff" in wc.keys() else None
    write_test_results(
        held_out,
        dataset,
        split,
        fold,
        {"dataset": wc.dataset, "model": params.family},
        params.family,
        params.cluster_coordinate,
        output.errors,
        output.predictions,
        after=cutoff,
    )
