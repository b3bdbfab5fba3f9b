"""One i-PI MD run with the reference level as socket client (rule md_run)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

from ase.io import read

from flexmlff.calculators import make_calculator
from flexmlff.data import from_atoms, write_extxyz
from flexmlff.runlog import logged_step
from flexmlff.sampling import MDSettings, run_ipi_md

with logged_step(snakemake.log[0], "md_run") as log:
    run_settings = {k: v for k, v in snakemake.params.settings.items() if k != "start"}
    settings = MDSettings(**run_settings)
    level, options = snakemake.params.level
    log.info("%s: %s", snakemake.wildcards.run, settings)
    frames = run_ipi_md(read(snakemake.input.start), make_calculator(level, options),
                        settings, snakemake.params.ipi_dir)
    for frame in frames:
        frame.info["source"] = snakemake.wildcards.run
    write_extxyz(from_atoms(frames, snakemake.wildcards.run, level), snakemake.output.frames)
    log.info("wrote %d frames", len(frames))
