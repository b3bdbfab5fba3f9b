"""The molecules' planner (flexmlff.planning.molecules): levels, minima given or built, atoms and
collective variables."""

import numpy as np
import pytest
from plan_helpers import ROOT, example_with

from flexmlff.calculators import Level
from flexmlff.planning import ConfigError, Plan, load_config


def test_levels(smoke):
    gfn1 = smoke.molecules.molecule_level("azobenzene")
    assert (gfn1.name, gfn1.calculator, gfn1.options["method"]) == ("gfn1", "xtb", "GFN1-xTB")
    assert gfn1 == Level.from_config("gfn1", smoke.config["levels"]["gfn1"])
    assert gfn1.label == "GFN1-xTB"
    # MD is driven at md_level and relabelled at the molecule's level
    assert smoke.molecules.md_level("azobenzene").label == "GFN2-xTB" and smoke.molecules.relabelled("azobenzene")
    assert not smoke.molecules.relabelled("glycine") and smoke.molecules.md_level("glycine").name == "gfn2"
    ablated = smoke.datasets.level("rotation_no_dispersion")
    assert ablated.label == "GFN1-xTB without D3"
    # identity changes with any setting, the label need not
    assert (
        ablated.identity != gfn1.identity and ablated.identity == smoke.molecules.level("gfn1_no_dispersion").identity
    )
    assert smoke.molecules.level("pbe_d3bj").label == "PBE-D3BJ/def2-SVP"


def test_a_level_makes_its_calculator(smoke):
    calc = smoke.molecules.level("gfn1").make()
    assert calc.__class__.__name__ == "TBLite" and calc.parameters["method"] == "GFN1-xTB"


def test_minima_built_from_a_smiles_are_jobs_and_their_atoms_known_before_any_runs(alanine_dipeptide):
    plan = alanine_dipeptide
    assert plan.molecules.minimum_file("alanine_dipeptide", "C7ax") == "results/alanine_dipeptide/minima/C7ax_built.xyz"
    assert plan.molecules.first_minimum_file("alanine_dipeptide").endswith("C7eq_built.xyz")
    assert (
        "".join(plan.molecules.reference_atoms("alanine_dipeptide").get_chemical_symbols()) == "CCONCCCONC" + "H" * 12
    )
    assert plan.cvs.build_settings("alanine_dipeptide", "C7eq") == {
        "smiles": "CC(=O)N[C@@H](C)C(=O)NC",
        "seed": 2021,
        "values": [["phi", [1, 3, 4, 6], -83.0], ["psi", [3, 4, 6, 8], 73.0]],
    }
    # the 2-D error map reads every fold's held-out predictions at the largest size, per family
    assert plan.evaluation.grid_cvs("alanine_dipeptide") == {"phi": [1, 3, 4, 6], "psi": [3, 4, 6, 8]}
    predictions = plan.evaluation.grid_predictions("alanine_dipeptide")
    assert list(predictions) == plan.training.families_on("alanine_dipeptide") and "mace" in predictions
    assert predictions["schnet"] == [
        f"results/alanine_dipeptide/models/schnet/n100/fold{k}/predictions.extxyz" for k in range(3)
    ]
    assert "results/figures/alanine_dipeptide_cv_grid_errors.png" in plan.targets()


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            lambda c: c["molecules"]["alanine_dipeptide"].update(smiles=None),
            "config key 'molecules.alanine_dipeptide.minima.C7eq': collective-variable values to build a minimum at "
            "need the molecule's SMILES (molecules.alanine_dipeptide.smiles)",
        ),
        (
            lambda c: c["molecules"]["alanine_dipeptide"].update(smiles="CC(=O)N[C@@H](C)C(=O"),
            "config key 'molecules.alanine_dipeptide.smiles': RDKit cannot read the SMILES",
        ),
        # a boronic acid: MMFF94 has no boron, found before any job runs
        (
            lambda c: (
                c["molecules"]["alanine_dipeptide"].update(smiles="CB(O)N[C@@H](C)C(=O)NC"),
                c["molecules"]["alanine_dipeptide"]["collective_variables"]["phi"].update(pattern="B-N-C-C"),
            ),
            "config key 'molecules.alanine_dipeptide.smiles': MMFF94 has no parameters for 'CB(O)N[C@@H](C)C(=O)NC'",
        ),
        (
            lambda c: c["molecules"]["alanine_dipeptide"]["minima"]["C7eq"].update(omega=180),
            "config key 'molecules.alanine_dipeptide.minima.C7eq': 'omega' is not a collective variable of "
            "alanine_dipeptide",
        ),
        # the SMILES numbers the atoms: the pattern catches indices written for another order
        (
            lambda c: c["molecules"]["alanine_dipeptide"]["collective_variables"]["phi"].update(atoms=[0, 1, 3, 4]),
            "config key 'molecules.alanine_dipeptide.collective_variables.phi': atoms [0, 1, 3, 4] are C0-C1-N3-C4, "
            "not the pattern 'C-N-C-C'",
        ),
        (
            lambda c: c["molecules"]["alanine_dipeptide"]["driven_paths"]["phi_psi"].update(drive=["phi", "omega"]),
            "config key 'molecules.alanine_dipeptide.driven_paths.phi_psi.drive': 'omega' is not a collective variable",
        ),
        (
            lambda c: c["molecules"]["alanine_dipeptide"]["driven_paths"]["phi_psi"].update(end="C5"),
            "config key 'molecules.alanine_dipeptide.driven_paths.phi_psi.end': unknown minimum 'C5' "
            "(known: C7eq, C7ax)",
        ),
        (
            lambda c: c["molecules"]["alanine_dipeptide"]["driven_paths"].update(
                C7eq=dict(c["molecules"]["alanine_dipeptide"]["driven_paths"]["phi_psi"])
            ),
            "config key 'molecules.alanine_dipeptide.driven_paths.C7eq': an isomerisation path or a minimum "
            "has this name",
        ),
        # a distance between unbonded atoms (the two carbonyl carbons) cannot be set by RDKit
        (
            lambda c: (
                c["molecules"]["alanine_dipeptide"]["collective_variables"].update(cc={"atoms": [1, 6]}),
                c["molecules"]["alanine_dipeptide"]["minima"]["C7eq"].update(cc=3.0),
            ),
            "config key 'molecules.alanine_dipeptide.minima.C7eq': 'cc': atoms 1 and 6 are not bonded, so "
            "it cannot be set",
        ),
        (
            lambda c: c["molecules"]["alanine_dipeptide"]["transition_coordinate"].update(signed=False),
            "config key 'molecules.alanine_dipeptide.transition_coordinate.bands_deg': [-30, 30]: edges of "
            "|phi| cannot be "
            "negative",
        ),
        (
            lambda c: c["figures"]["cv_grid_errors"].update(cell_deg=25),
            "config key 'figures.cv_grid_errors.cell_deg': 25 degrees does not divide 360",
        ),
        (
            lambda c: (
                c["molecules"]["alanine_dipeptide"]["collective_variables"].update(
                    nca={"atoms": [3, 4], "pattern": "N-C"}
                ),
                c["figures"]["cv_grid_errors"].update(cvs=["phi", "nca"]),
            ),
            "config key 'figures.cv_grid_errors.cvs': 'nca' of alanine_dipeptide is a distance; this needs a dihedral",
        ),
    ],
)
def test_bad_molecule_entries_name_their_key(edit, message):
    with pytest.raises(ConfigError) as error:
        example_with(edit)
    assert str(error.value).startswith(message)


def test_a_molecule_known_only_from_its_dataset_file_takes_the_files_atoms(glycine_dataset, tmp_path):
    order = [1, 0, *range(2, len(glycine_dataset.z))]  # N first and C second swapped, as no minimum has them
    path = tmp_path / "published.npz"
    np.savez(
        path,
        z=glycine_dataset.z[order],
        R=glycine_dataset.R[:, order],
        E=glycine_dataset.E[:, None],
        F=glycine_dataset.F[:, order],
        e_unit="eV",
        r_unit="au",
    )
    config = load_config(ROOT / "config/examples/published_dataset.yaml")
    config["datasets"]["glycine"]["file"] = str(path)
    plan = Plan(config, basedir=ROOT)
    atoms = plan.molecules.reference_atoms("glycine")
    assert list(atoms.numbers) == list(glycine_dataset.z[order])
    assert np.allclose(atoms.positions, glycine_dataset.R[0, order])  # in Å: the stated units, not the labels
    assert plan.datasets.atom_order("glycine") == []  # nothing to check the file against: it is the order
    assert plan.external.check_geometry("glycine") == "results/datasets/glycine.extxyz"

    config["datasets"]["glycine"]["file"] = str(tmp_path / "missing.npz")
    with pytest.raises(
        ConfigError, match=r"^config key 'datasets\.glycine\.file': .*missing\.npz: dataset file not found"
    ):
        Plan(config, basedir=ROOT)
    config["datasets"]["glycine"].update(file="", campaigns=["hot"])
    with pytest.raises(ConfigError, match=r"config key 'molecules\.glycine\.minima': a molecule needs minima"):
        Plan(config, basedir=ROOT)
