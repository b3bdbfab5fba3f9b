"""Per-cluster errors of a family's best fold on a whole dataset (rule phi_cluster_errors); an
external model's, its energies taken up to their mean offset on the whole dataset."""

import numpy as np

from flexmlff.data import read_dataset
from flexmlff.evaluate import (
    HeldOut,
    best_fold_index,
    cluster_errors,
    coordinate_degrees,
    equilibrium_to_transition_intervals,
    error_metrics,
)
from flexmlff.external import ExternalModel, offset_removed, predict_frames
from flexmlff.models import family, limit_threads
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    limit_threads(snakemake.threads)
    wc, external = snakemake.wildcards, snakemake.params.external
    fold = best_fold_index(snakemake.input.errors, wc.model, snakemake.params.selection)
    data = read_dataset(snakemake.input.dataset)
    # the molecule's transition coordinate, checked before any job ran to be binned by |value|
    name, atoms_of_coordinate = snakemake.params.coordinate["cv"], snakemake.params.coordinate["atoms"]
    log.info(
        "%s trained on %s (n=%s, best fold %d) on all %d frames of %s, clusters of |%s|",
        wc.model,
        wc.dataset,
        wc.n_train,
        fold,
        len(data),
        wc.evaluated,
        name,
    )
    if external:
        energies, forces = predict_frames(ExternalModel(**external).calculator(), data.R, data.z, wc.model)
        held_out, offset = offset_removed(HeldOut(np.arange(len(data)), energies, forces), data.E)
        energies = held_out.energies
        log.info("%s: mean energy offset %.3f kcal/mol removed", wc.model, offset)
    else:
        models = family(wc.model)
        energies, forces = models.predict(models.load(snakemake.input.models[fold]), data.R, data.z)
    coordinate = coordinate_degrees(data.R, atoms_of_coordinate)
    table = cluster_errors(coordinate, energies, data.E, forces, data.F)
    overall = error_metrics(energies, data.E, forces, data.F)
    ratios = equilibrium_to_transition_intervals(coordinate, energies, data.E, forces, data.F)
    log.info("equilibrium/transition RMSE ratios with their 95 %% bootstrap intervals: %s", ratios)
    log.info("overall: %s\n%s", overall, table.round(3).to_string(index=False))
    for key, value in {
        "model": wc.model,
        "trained_on": wc.dataset,
        "n_train": int(wc.n_train),
        "best_fold": fold,
        "evaluated_on": wc.evaluated,
        **{f"overall_{k}": v for k, v in overall.items()},
        **ratios,
    }.items():
        table[key] = value
    table.to_csv(snakemake.output[0], index=False)
