"""The run's effective configuration, defaults filled in by the schema (rule effective_config)."""

import yaml

from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:

    class PlainDumper(yaml.SafeDumper):
        """No &anchors: the schema fills the same default object into many places."""

        def ignore_aliases(self, data):
            return True

    with open(snakemake.output[0], "w") as handle:
        yaml.dump(dict(snakemake.params.config), handle, Dumper=PlainDumper, sort_keys=False)
    log.info("wrote %s", snakemake.output[0])
