"""One i-PI MD run of a campaign with the driving level as socket client (rule md_run)."""

from ase.io import read

from flexmlff.data import from_atoms, write_extxyz
from flexmlff.runlog import snakemake_step
from flexmlff.sampling import MDSettings, Metadynamics, run_ipi_md

with snakemake_step(snakemake) as log:
    start = snakemake.params.start
    protocol = {k: v for k, v in snakemake.params.settings.items() if k not in ("starts", "metadynamics")}
    level = snakemake.params.level
    # a minimum file holds one frame; a path, all of its frames
    atoms = read(snakemake.input.start, index=start.frame or 0)
    metad = snakemake.params.settings.get("metadynamics")
    if metad:  # its cvs are {name: atoms}, checked against the config before any job ran
        metad = Metadynamics(**metad)
    settings = MDSettings(**{**protocol, "seed": start.seed}, metadynamics=metad)
    where = start.source if start.frame is None else f"{start.source}:{start.frame}"
    log.info("%s/%s from %s at %s: %s", snakemake.wildcards.campaign, snakemake.wildcards.run,
             where, level.label, settings)
    frames = run_ipi_md(atoms, level.make(), settings, snakemake.params.ipi_dir, identity=level.identity)
    for frame in frames:
        frame.info.update(source=snakemake.wildcards.campaign, run=snakemake.wildcards.run, start=where)
    dataset = from_atoms(frames, f"{snakemake.wildcards.campaign}/{snakemake.wildcards.run}",
                         level.label)
    write_extxyz(dataset, snakemake.output.frames)
    log.info("wrote %d frames", len(frames))
