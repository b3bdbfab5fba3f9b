"""Cluster every frame of a dataset by its interatomic distances, then its energy
(rule cluster_dataset; flexmlff.training_sets.dataset_clusters)."""

import numpy as np

from flexmlff.data import read_dataset
from flexmlff.runlog import snakemake_step
from flexmlff.training_sets import ClusterScheme, dataset_clusters

with snakemake_step(snakemake) as log:
    dataset = read_dataset(snakemake.input.dataset)
    scheme = ClusterScheme(**snakemake.params.scheme)
    log.info("clustering %d frames: %s", len(dataset), scheme)
    labels = dataset_clusters(dataset.R, dataset.E, scheme, snakemake.params.seed)
    log.info("%d clusters; frames per cluster: %s", labels.max() + 1, np.bincount(labels).tolist())
    with open(snakemake.output[0], "wb") as handle:
        np.savez(handle, labels=labels)
