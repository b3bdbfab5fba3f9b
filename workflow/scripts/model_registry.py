"""The best fold of every family, dataset and size as an ASE-calculator entry of models.yml
(rule model_registry; ml-peg's and mlipx's registry layout). Model paths are relative to the
registry's folder, so that the file can be another run's external_models_file as it is, from
wherever the results folder lies. External models are not listed: they came from elsewhere."""

import os

import pandas as pd
import yaml

from flexmlff.exports import registry_entry
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    entries = {}
    folder = os.path.dirname(snakemake.output[0])
    for row in pd.read_csv(snakemake.input[0]).itertuples():
        trained = snakemake.params.model_files.get(f"{row.dataset}/{row.model}/n{row.n_train}")
        if trained is None:  # an external model
            continue
        level = snakemake.params.levels[row.dataset]
        path = os.path.relpath(trained[row.best_fold], folder)
        name, entry = registry_entry(
            row.dataset,
            row.model,
            row.n_train,
            row.best_fold,
            path,
            level.label,
            level.includes_dispersion,
            snakemake.params.code_families[row.model],
        )
        entries[name] = entry
    log.info("%d models", len(entries))
    with open(snakemake.output[0], "w") as handle:
        handle.write(
            "# The best fold of each family, dataset and size; paths are relative to this file's\n"
            "# folder. flexmlff.models.load_calculator(**kwargs) -> ASE calculator; usable as\n"
            "# another run's external_models_file as it is.\n"
        )
        yaml.safe_dump(entries, handle, sort_keys=False)
