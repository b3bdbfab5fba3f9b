"""The run's effective configuration, defaults filled in by the schema (rule effective_config)."""

import yaml

from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    with open(snakemake.output[0], "w") as handle:
        yaml.safe_dump(dict(snakemake.params.config), handle, sort_keys=False)
    log.info("wrote %s", snakemake.output[0])
