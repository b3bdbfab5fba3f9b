"""Build a minimum's starting geometry from its molecule's SMILES (rule build_minimum)."""

from ase.io import write

from flexmlff.building import build_geometry
from flexmlff.collective_variables import CollectiveVariable
from flexmlff.runlog import snakemake_step

with snakemake_step(snakemake) as log:
    settings = snakemake.params.build
    cvs = [CollectiveVariable(name, tuple(atoms)) for name, atoms, _ in settings["values"]]
    asked = [value for *_, value in settings["values"]]
    atoms = build_geometry(settings["smiles"], {cv.atoms: value for cv, value in zip(cvs, asked)}, settings["seed"])
    reached = ", ".join(
        f"{cv.name} {cv.values(atoms.positions)[0]:.1f} {cv.unit} (asked {value:g})" for cv, value in zip(cvs, asked)
    )
    log.info(
        "%s: %d atoms from %s (RDKit ETKDG + MMFF94); %s",
        snakemake.wildcards.minimum,
        len(atoms),
        settings["smiles"],
        reached,
    )
    write(snakemake.output[0], atoms, format="xyz")
