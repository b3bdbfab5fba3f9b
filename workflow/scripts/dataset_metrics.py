"""One dataset's learning curves as metrics.json, ml-peg's table shape (rule dataset_metrics)."""

import json

import pandas as pd

from flexmlff.exports import metrics_table
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    table = metrics_table(pd.read_csv(snakemake.input[0]), snakemake.wildcards.dataset, snakemake.params.level)
    log.info(
        "%d metrics of %d families",
        len(table["metrics"]),
        len({model for values in table["metrics"].values() for model in values}),
    )
    with open(snakemake.output[0], "w") as handle:
        json.dump(table, handle, indent=1)
