"""A dataset's errors against its audit level, per cluster of the transition coordinate, as a
table and a figure (rule audit_table; flexmlff.audit.audit_errors)."""

from flexmlff.audit import audit_errors
from flexmlff.data import concatenate, read_dataset, write_extxyz
from flexmlff.evaluate import coordinate_degrees
from flexmlff.plots import audit_panels, save_figure
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    dataset = snakemake.wildcards.dataset
    frames = read_dataset(snakemake.input.frames)
    audited = concatenate([read_dataset(path) for path in snakemake.input.chunks], f"{dataset}_audit")
    audited.theory = snakemake.params.level
    if audited.R.shape != frames.R.shape or abs(audited.R - frames.R).max() > 1e-6:
        raise ValueError(
            f"{snakemake.input.chunks}: the relabelled parts are not the frames of {snakemake.input.frames}"
        )
    write_extxyz(audited, snakemake.output.labels)
    coordinate = snakemake.params.coordinate
    values = coordinate_degrees(frames.R, coordinate["atoms"]) if coordinate else None
    table, offset = audit_errors(
        values, frames.E, audited.E, frames.F, audited.F, signed=bool(coordinate and coordinate["signed"])
    )
    for key, value in {
        "dataset": dataset,
        "dataset_level": frames.theory,
        "audit_level": audited.theory,
        "energy_offset_kcal_mol": offset,
    }.items():
        table[key] = value
    log.info("%s against %s (offset %.2f kcal/mol removed):\n%s", frames.theory, audited.theory, offset, table)
    table.to_csv(snakemake.output.table, index=False)
    figure = audit_panels(
        table,
        frames.E,
        audited.E,
        frames.theory,
        audited.theory,
        coordinate["cv"] if coordinate else None,
        signed=bool(coordinate and coordinate["signed"]),
    )
    save_figure(figure, snakemake.output.figure)
