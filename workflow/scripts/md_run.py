"""One i-PI MD run of a campaign with the driving level as socket client (rule md_run)."""

import sys
from pathlib import Path

# The workflow's own library, also where it is not installed (e.g. a per-rule conda env).
sys.path.insert(0, str(Path(snakemake.scriptdir).parents[1] / "src"))

from ase.io import read

from flexmlff.calculators import level_label, make_calculator
from flexmlff.data import from_atoms, write_extxyz
from flexmlff.geometry import named_coordinates
from flexmlff.runlog import logged_step
from flexmlff.sampling import MDSettings, Metadynamics, run_ipi_md

with logged_step(snakemake.log[0], "md_run") as log:
    start = snakemake.params.start
    protocol = {k: v for k, v in snakemake.params.settings.items() if k not in ("starts", "metadynamics")}
    level, options = snakemake.params.level
    # a minimum file holds one frame; a path, all of its frames
    atoms = read(snakemake.input.start, index=start["frame"] or 0)
    metad = snakemake.params.settings.get("metadynamics")
    if metad:
        named = named_coordinates(snakemake.wildcards.molecule, atoms)
        unknown = [cv for cv in metad["cvs"] if cv not in named]
        if unknown:
            raise ValueError(f"config key 'molecules.{snakemake.wildcards.molecule}.md."
                             f"{snakemake.wildcards.campaign}.metadynamics.cvs': unknown {unknown} "
                             f"(known: {', '.join(named) or 'none'})")
        metad = Metadynamics(**{**metad, "cvs": {cv: named[cv] for cv in metad["cvs"]}})
    settings = MDSettings(**{**protocol, "seed": start["seed"]}, metadynamics=metad)
    where = start["source"] if start["frame"] is None else f"{start['source']}:{start['frame']}"
    log.info("%s/%s from %s at %s: %s", snakemake.wildcards.campaign, snakemake.wildcards.run,
             where, level_label(level, options), settings)
    frames = run_ipi_md(atoms, make_calculator(level, options), settings, snakemake.params.ipi_dir)
    for frame in frames:
        frame.info.update(source=snakemake.wildcards.campaign, run=snakemake.wildcards.run, start=where)
    dataset = from_atoms(frames, f"{snakemake.wildcards.campaign}/{snakemake.wildcards.run}",
                         level_label(level, options))
    write_extxyz(dataset, snakemake.output.frames)
    log.info("wrote %d frames", len(frames))
