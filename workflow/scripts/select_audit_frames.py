"""Draw a dataset's audit frames over the clusters of its molecule's transition coordinate
(rule select_audit_frames; flexmlff.audit.stratified_frames)."""

import numpy as np

from flexmlff.audit import stratified_frames
from flexmlff.data import read_dataset, write_extxyz
from flexmlff.evaluate import coordinate_degrees, phi_clusters
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    dataset = read_dataset(snakemake.input[0])
    coordinate = snakemake.params.coordinate
    if coordinate:
        values = coordinate_degrees(dataset.R, coordinate["atoms"])
        clusters = phi_clusters(values, signed=coordinate["signed"])
        log.info("%d frames in %d clusters of %s", len(dataset), len(np.unique(clusters)), coordinate["cv"])
    else:
        clusters = np.zeros(len(dataset), dtype=int)
        log.info("%d frames; the molecule has no transition_coordinate: one stratum", len(dataset))
    chosen = stratified_frames(clusters, snakemake.params.frames, snakemake.params.seed)
    if len(chosen) < snakemake.params.frames:
        log.warning("the dataset has %d frames: all are audited, not %d", len(chosen), snakemake.params.frames)
    audit = dataset.subset(chosen)
    audit.info["dataset_frame"] = chosen
    log.info("frames %s; per cluster: %s", chosen.tolist(), np.bincount(clusters[chosen]).tolist())
    write_extxyz(audit, snakemake.output[0])
