"""Azobenzene cis->trans path along one mechanism by driven internal coordinates (rule isomerisation_path)."""

from ase.io import read, write

from flexmlff.azobenzene_paths import azobenzene_path, isomerisation_profile
from flexmlff.mep import single_points
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    level = snakemake.params.level
    settings = snakemake.params.settings
    frames = azobenzene_path(
        read(snakemake.input.start),
        read(snakemake.input.end),
        snakemake.wildcards.mechanism,
        n_images=settings["n_images"],
        theta_top_deg=settings["theta_top_deg"],
        rotor=snakemake.params.rotor,
    )
    frames = single_points(frames, level.make())
    profile = isomerisation_profile(frames, snakemake.params.rotor)
    log.info("\n%s", profile.round(2).to_string(index=False))
    write(snakemake.output.path, frames, format="extxyz")
    profile.to_csv(snakemake.output.profile, index=False)
