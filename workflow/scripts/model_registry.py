"""The best fold of every family, dataset and size as an ASE-calculator entry of models.yml
(rule model_registry; ml-peg's and mlipx's registry layout)."""

import pandas as pd
import yaml

from flexmlff.exports import registry_entry
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    entries = {}
    for row in pd.read_csv(snakemake.input[0]).itertuples():
        level = snakemake.params.levels[row.dataset]
        path = snakemake.params.model_files[f"{row.dataset}/{row.model}/n{row.n_train}"][row.best_fold]
        name, entry = registry_entry(row.dataset, row.model, row.n_train, row.best_fold, path, level.label,
                                     level.includes_dispersion)
        entries[name] = entry
    log.info("%d models", len(entries))
    with open(snakemake.output[0], "w") as handle:
        handle.write("# The best fold of each family, dataset and size; paths are relative to the folder\n"
                     "# the workflow ran in. flexmlff.models.load_calculator(**kwargs) -> ASE calculator.\n")
        yaml.safe_dump(entries, handle, sort_keys=False)
