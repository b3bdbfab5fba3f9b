"""A molecule's collective variables as config data: resolved, measured and refused with the key."""

from pathlib import Path

import numpy as np
import pytest
from ase.build import molecule
from ase.io import read

from flexmlff import geometry
from flexmlff.collective_variables import (
    CollectiveVariable,
    CollectiveVariableError,
    check_atoms,
    find_pattern,
    molecule_collective_variables,
    pattern_elements,
)
from flexmlff.planning import ConfigError, Plan, load_config

ROOT = Path(__file__).resolve().parents[2]
GEOMETRIES = ROOT / "resources" / "geometries"


def test_glycine_torsions_as_configured_are_the_papers(glycine_ip, glycine_iiip, glycine_torsions):
    # tau1 ends on the hydroxyl oxygen (bonded to H), tau2 on the carbonyl one; Ip is 180/0, IIIp 0/180
    symbols, neighbours = glycine_ip.get_chemical_symbols(), geometry.bond_graph(glycine_ip)
    assert "H" in {symbols[n] for n in neighbours[glycine_torsions["tau1"][3]]}
    assert "H" not in {symbols[n] for n in neighbours[glycine_torsions["tau2"][3]]}
    for atoms, tau1, tau2 in ((glycine_ip, 180.0, 0.0), (glycine_iiip, 0.0, 180.0)):
        values = {
            name: CollectiveVariable(name, atoms_of).values(atoms.positions)[0]
            for name, atoms_of in glycine_torsions.items()
        }
        assert abs(geometry.wrap_degrees(values["tau1"] - tau1)) < 1.0
        assert abs(geometry.wrap_degrees(values["tau2"] - tau2)) < 1.0


def test_azobenzene_pattern_finds_the_rotor_the_bond_graph_finder_finds():
    cis = read(GEOMETRIES / "azobenzene_cis.xyz")
    cvs = Plan(load_config(ROOT / "config/config.yaml"), ROOT).cvs.collective_variables("azobenzene")
    rotor = geometry.azobenzene_atoms(cis)
    assert cvs["phi"].atoms == rotor.phi and cvs["theta"].atoms == rotor.theta
    assert cvs["theta_prime"].atoms == rotor.theta_prime
    assert abs(cvs["phi"].values(cis.positions)[0]) < 20  # cis
    assert [cvs[name].kind for name in ("phi", "theta")] == ["dihedral", "angle"]


def test_values_of_each_kind_over_frames():
    water = molecule("H2O")
    frames = np.array([water.positions, water.positions * 1.1])
    oh = CollectiveVariable("oh", (0, 1)).values(frames)
    assert oh[1] == pytest.approx(1.1 * oh[0]) and CollectiveVariable("oh", (0, 1)).unit == "A"
    hoh = CollectiveVariable("hoh", (1, 0, 2)).values(frames)
    assert np.allclose(hoh, water.get_angle(1, 0, 2))


def test_pattern_elements_and_malformed_patterns():
    assert pattern_elements("C-N=N-C") == ("C", "N", "N", "C")
    assert pattern_elements("Cl-C#N") == ("Cl", "C", "N")
    with pytest.raises(ValueError, match="not an element"):
        pattern_elements("C-X-C")
    with pytest.raises(ValueError, match="5 atoms"):
        pattern_elements("C-C-C-C-C")


def test_a_pattern_that_matches_twice_asks_for_atoms(glycine_ip):
    with pytest.raises(ValueError, match=r"matches 2 chains \(N0-C1-C2-O3, N0-C1-C2-O4\).*give `atoms`"):
        find_pattern(glycine_ip, "N-C-C-O")
    with pytest.raises(ValueError, match="matches no chain"):
        find_pattern(glycine_ip, "N-N")
    assert find_pattern(glycine_ip, "O-H") == (3, 5)


@pytest.mark.parametrize(
    "atoms, pattern, message",
    [
        ([0, 1, 2, 10], None, "atom 10 does not exist: the molecule has 10 atoms"),
        ([0, 1, 1], None, "repeat an atom"),
        ([0, 1, 3], None, r"atoms 1 and 3 \(C, O\) are not bonded"),
        ([0, 1, 2, 3], "N-C-C-N", "are N0-C1-C2-O3, not the pattern 'N-C-C-N'"),
        ([0, 3], "N-O", "atoms 0 and 3 .* not bonded"),
    ],
)
def test_atoms_not_as_declared_are_refused(glycine_ip, atoms, pattern, message):
    with pytest.raises(ValueError, match=message):
        check_atoms(glycine_ip, atoms, pattern)


def test_a_distance_may_join_unbonded_atoms(glycine_ip):
    assert check_atoms(glycine_ip, [0, 5]) == (0, 5)  # N ... H(O): no bond needed without a pattern


def test_the_error_names_the_variable(glycine_ip):
    with pytest.raises(CollectiveVariableError, match="does not exist") as caught:
        molecule_collective_variables({"tau1": {"atoms": [0, 1, 2, 3]}, "bad": {"atoms": [0, 1, 2, 30]}}, glycine_ip)
    assert caught.value.name == "bad"


def _config_with(edit):
    config = load_config(ROOT / "tests/config.yaml")
    edit(config)
    return config


@pytest.mark.parametrize(
    "edit, key",
    [
        (
            lambda c: c["molecules"]["glycine"]["collective_variables"]["tau1"].update(atoms=[0, 1, 2, 12]),
            "molecules.glycine.collective_variables.tau1",
        ),
        (
            lambda c: c["molecules"]["glycine"]["collective_variables"]["tau2"].update(atoms=[0, 1, 3, 4]),
            "molecules.glycine.collective_variables.tau2",
        ),
        (
            lambda c: c["molecules"]["glycine"]["mep"].update(driving_torsion="tau9"),
            "molecules.glycine.mep.driving_torsion",
        ),
        (
            lambda c: c["molecules"]["azobenzene"]["isomerisation"].update(torsion="theta"),
            "molecules.azobenzene.isomerisation.torsion",
        ),
        (
            lambda c: c["molecules"]["azobenzene"]["md"]["metadynamics"]["metadynamics"].update(cvs=["phi", "psi"]),
            "molecules.azobenzene.md.metadynamics.metadynamics.cvs",
        ),
        (
            lambda c: c["molecules"]["glycine"]["transition_coordinate"].update(cv="tau3"),
            "molecules.glycine.transition_coordinate.cv",
        ),
    ],
)
def test_plan_refuses_a_collective_variable_not_as_declared_naming_the_key(edit, key):
    with pytest.raises(ConfigError, match=f"config key '{key}'"):
        Plan(_config_with(edit), ROOT)


def test_plan_hands_jobs_each_variables_atoms():
    plan = Plan(load_config(ROOT / "config/config.yaml"), ROOT)
    assert plan.cvs.atoms("glycine", kinds=("dihedral",)) == {"tau1": [0, 1, 2, 3], "tau2": [0, 1, 2, 4]}
    assert plan.paths.isomerisation_rotor("azobenzene") == [0, 1, 2, 3]
    metadynamics = plan.sampling.run_settings("azobenzene", "metadynamics")["metadynamics"]
    assert metadynamics["cvs"] == {"phi": [0, 1, 2, 3], "theta": [0, 1, 2]}
    assert plan.sampling.run_settings("azobenzene", "equilibrium") == plan.sampling.protocol(
        "azobenzene", "equilibrium"
    )
    assert plan.datasets.cluster_coordinate("rotation") == {"cv": "phi", "atoms": [0, 1, 2, 3], "signed": False}
    assert plan.datasets.cluster_coordinate("glycine") is None  # glycine names no transition coordinate
    assert plan.datasets.transition_outcome("inversion") == {"cv": "phi", "signed": False, "bands_deg": [45, 135]}


@pytest.mark.parametrize(
    "edit, message",
    [
        (
            lambda c: c["molecules"]["glycine"]["collective_variables"].update({"my cv": {"atoms": [0, 1]}}),
            r"'molecules\.glycine\.collective_variables': 'my cv' does not match",
        ),
        # PLUMED's bias is labelled metad: a CV of that name would clash with it
        (
            lambda c: c["molecules"]["glycine"]["collective_variables"].update({"metad": {"atoms": [0, 1]}}),
            r"'molecules\.glycine\.collective_variables': 'metad' should not be valid",
        ),
        (
            lambda c: c["molecules"]["azobenzene"]["md"]["metadynamics"]["metadynamics"].update(cvs=["phi", "phi"]),
            r"'molecules\.azobenzene\.md\.metadynamics\.metadynamics\.cvs': \['phi', 'phi'\] has non-unique elements",
        ),
    ],
)
def test_the_schema_refuses_names_plumed_and_tables_cannot_take(edit, message):
    import yaml

    from flexmlff.planning import SCHEMA
    from flexmlff.planning.config import validate_config

    config = yaml.safe_load((ROOT / "tests/config.yaml").read_text())
    edit(config)
    with pytest.raises(ConfigError, match=message):
        validate_config(config, SCHEMA)
