"""Fig. 3 analogue: interatomic distance distributions per dataset (rule plot_distance_distributions)."""

import numpy as np

from flexmlff.data import read_dataset
from flexmlff.geometry import pairwise_distances
from flexmlff.plots import distance_distributions, save_figure
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    rng = np.random.default_rng(snakemake.params.seed)
    distances = {}
    for name, path in zip(snakemake.params.names, snakemake.input):
        dataset = read_dataset(path)
        frames = rng.choice(len(dataset), min(len(dataset), snakemake.params.max_frames), replace=False)
        distances[name] = pairwise_distances(dataset.R[np.sort(frames)]).ravel()
        log.info(
            "%s: %d frames, distances %.2f-%.2f A", name, len(frames), distances[name].min(), distances[name].max()
        )
    save_figure(distance_distributions(distances), snakemake.output)
