"""One i-PI MD run of a campaign with the driving level as socket client (rule md_run)."""

from ase.io import read

from flexmlff.data import from_atoms, write_extxyz
from flexmlff.ipi import MDSettings, run_ipi_md
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    start = snakemake.params.start
    level = snakemake.params.level
    # a minimum file holds one frame; a path, all of its frames
    atoms = read(snakemake.input.start, index=start.frame or 0)
    # metadynamics cvs are {name: atoms}, checked against the config before any job ran
    settings = MDSettings.from_protocol(snakemake.params.settings, seed=start.seed)
    where = start.source if start.frame is None else f"{start.source}:{start.frame}"
    log.info(
        "%s/%s from %s at %s: %s", snakemake.wildcards.campaign, snakemake.wildcards.run, where, level.label, settings
    )
    frames = run_ipi_md(atoms, level.make(), settings, snakemake.params.ipi_dir, identity=level.identity)
    for frame in frames:
        frame.info.update(source=snakemake.wildcards.campaign, run=snakemake.wildcards.run, start=where)
    dataset = from_atoms(frames, f"{snakemake.wildcards.campaign}/{snakemake.wildcards.run}", level.label)
    write_extxyz(dataset, snakemake.output.frames)
    log.info("wrote %d frames", len(frames))
