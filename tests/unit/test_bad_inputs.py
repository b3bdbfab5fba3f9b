"""The bad-input corpus (tests/data/bad/, written by its make_corpus.py): every
mistake is refused with one line that names the file or config key and the problem.

Geometries and configs are refused when the plan is built, before any job runs (what
``snakemake -n`` does); a dataset file by its reader, the first thing the job that
uses it does. Two of them go through the real ``snakemake`` command in
tests/workflow/test_workflow.py (no partial outputs left behind).
"""

import re
from pathlib import Path

import pytest
import yaml
from snakemake.utils import update_config

from flexmlff.data import DatasetError, read_dataset
from flexmlff.planning import SCHEMA, Plan
from flexmlff.planning.config import ConfigError, validate_config

ROOT = Path(__file__).parents[2]
BAD = ROOT / "tests" / "data" / "bad"


def plan_with(overlay: dict) -> Plan:
    """The plan of tests/config.yaml with `overlay` merged over it (``--configfile`` runs a
    file over the schema's defaults alone), validated as the Snakefile does."""
    config = yaml.safe_load((ROOT / "tests" / "config.yaml").read_text())
    update_config(config, overlay)
    validate_config(config, SCHEMA)
    return Plan(config, basedir=ROOT)


def minimum(name: str, file: str) -> dict:
    return {"molecules": {"glycine": {"minima": {name: str(BAD / "geometries" / file)}}}}


GEOMETRIES = {
    "unknown_element.xyz": ("Ip", r"molecules\.glycine\.minima\.Ip': .*unknown_element\.xyz: cannot read a geometry"),
    "overlapping_atoms.xyz": ("Ip", r"overlapping_atoms\.xyz: atoms 0 and 1 \(N, C\) are 0\.000 Å apart"),
    "empty.xyz": ("Ip", r"empty\.xyz: (cannot read a geometry|the geometry has no atoms)"),
    "truncated.xyz": ("Ip", r"truncated\.xyz: cannot read a geometry"),
    "atoms_reordered.xyz": ("IIIp", r"minima\.IIIp': .*atoms_reordered\.xyz: atoms CNCOOHHHHH do not match"),
}

DATASETS = {
    "nan_forces.extxyz": r"nan_forces\.extxyz: .*(NaN|not finite)",
    "wrong_atom_count.extxyz": r"wrong_atom_count\.extxyz: frame 2 .*atom count 10",
    "truncated.extxyz": r"truncated\.extxyz: frame 3 .*",
    "no_forces.extxyz": r"no_forces\.extxyz: frame 0 has no energy or forces",
    "other_atoms_in_a_frame.extxyz": r"other_atoms_in_a_frame\.extxyz: frame 2 has different atoms",
    "energies_in_eV.npz": r"energies_in_eV\.npz: energy unit labelled 'eV' \(the file's e_unit\).*units\.energy",
    "forces_of_wrong_shape.npz": r"forces_of_wrong_shape\.npz: .*shape",
    "nan_energy.npz": r"nan_energy\.npz: .*(NaN|not finite)",
    "missing_forces.npz": r"missing_forces\.npz: not an sGDML dataset, missing keys \['F'\]",
    "not_a_dataset.extxyz": r"not_a_dataset\.extxyz: frame 0 \(line 1\): expected an atom count",
    "paper_format_missing_force.xyz": r"paper_format_missing_force\.xyz: frame at line 13: atom line 5 \(line 19\) "
    r"has 6 columns; the format needs 'El x y z fx fy fz'",
    "paper_format_bad_energy.xyz": r"paper_format_bad_energy\.xyz: malformed frame starting at line 25: .*'n/a'",
}

CONFIGS = {
    "top_level_typo.yaml": r"config key '\(top level\)': Additional properties .*'trainig' was unexpected",
    "wrong_type.yaml": r"config key 'molecules\.glycine\.md\.Ip_500K\.steps': 'many' is not of type 'integer'",
    "unknown_level.yaml": r"config key 'molecules\.glycine\.level': unknown level 'gfn9'",
    "unknown_campaign.yaml": r"config key 'datasets\.glycine\.campaigns': unknown MD campaign 'Ip_900K'",
    "negative_temperature.yaml": r"config key 'molecules\.glycine\.md\.Ip_500K\.temperature_K': -5 is less than",
    "unknown_model.yaml": r"config key 'training\.models.*'nequip'",
    "missing_geometry_file.yaml": r"config key 'molecules\.glycine\.minima\.Ip': "
    r"no/such/file\.xyz: geometry file not found",
    "cv_unknown_atom.yaml": r"config key 'molecules\.glycine\.collective_variables\.tau1': atom 13 does not exist: "
    r"the molecule has 10 atoms",
    "cv_not_bonded.yaml": r"config key 'molecules\.glycine\.collective_variables\.n_c_o': atoms 1 and 3 \(C, O\) are "
    r"not bonded \(2\.\d\d Å apart\)",
    "cv_wrong_elements.yaml": r"config key 'molecules\.azobenzene\.collective_variables\.theta': atoms \[0, 1, 2\] are "
    r"C0-N1-N2, not the pattern 'N=N-C'",
    "cv_bad_pattern.yaml": r"config key 'molecules\.azobenzene\.collective_variables\.phi': pattern 'C-N=N=Q': 'Q' is "
    r"not an element symbol",
    "cv_unknown_name.yaml": r"config key 'molecules\.glycine\.mep\.driving_torsion': 'tau3' is not a collective "
    r"variable "
    r"of glycine \(molecules\.glycine\.collective_variables: tau1, tau2\)",
    "moved_outcome_coordinate.yaml": r"config key 'figures\.ml_md\.outcome_coordinate': moved to "
    r"molecules\.<molecule>\.transition_coordinate\.cv",
    "settings_on_unknown_key.yaml": r"config key 'training\.settings_on\.glycine\.gap': Additional properties .*"
    r"'n_sparce' was unexpected",
    "settings_on_wrong_type.yaml": r"config key 'training\.settings_on\.glycine\.schnet\.max_epochs': 'many' is not of "
    r"type 'integer'",
    "settings_on_not_trained.yaml": r"config key 'training\.settings_on\.rotation\.gap': "
    r"'gap' is not trained on 'rotation'",
}


def test_the_corpus_is_complete():
    on_disk = {p.relative_to(BAD).as_posix() for p in BAD.glob("*/*")}
    tested = (
        {f"geometries/{f}" for f in GEOMETRIES}
        | {f"datasets/{f}" for f in DATASETS}
        | {f"configs/{f}" for f in CONFIGS}
    )
    assert on_disk == tested
    assert len(tested) >= 15


def assert_one_line(message: str, pattern: str):
    assert "\n" not in message, message
    assert re.search(pattern, message), message


@pytest.mark.parametrize("file", GEOMETRIES)
def test_a_bad_geometry_is_refused_when_the_plan_is_built(file):
    name, pattern = GEOMETRIES[file]
    with pytest.raises(ConfigError) as err:
        plan_with(minimum(name, file))
    assert_one_line(str(err.value), pattern)


@pytest.mark.parametrize("file", DATASETS)
def test_a_bad_dataset_file_is_refused_by_its_reader(file):
    with pytest.raises(DatasetError) as err:
        read_dataset(BAD / "datasets" / file)
    assert_one_line(str(err.value), pattern=DATASETS[file])
    assert str(err.value).count(file) == 1  # named once, not wrapped twice


@pytest.mark.parametrize("file", CONFIGS)
def test_a_bad_config_is_refused_when_the_plan_is_built(file):
    with pytest.raises(ConfigError) as err:
        plan_with(yaml.safe_load((BAD / "configs" / file).read_text()))
    assert_one_line(str(err.value), CONFIGS[file])


def test_every_problem_of_a_config_is_reported_in_one_message():
    # the four rounds of issue 18 in one: each figure names what training does not provide
    with pytest.raises(ConfigError) as err:
        plan_with(
            {
                "figures": {
                    "fold_means": {"datasets": ["rotation"]},
                    "descriptor_comparison": {"datasets": ["inversion"]},
                    "ml_md": {"models": ["sgdml", "nequip"]},
                }
            }
        )
    lines = str(err.value).splitlines()
    assert lines[0] == "3 problems in the config:"
    assert re.search(r"config key 'figures\.fold_means\.datasets': 'rotation' is not in training\.datasets", lines[1])
    assert re.search(r"config key 'figures\.descriptor_comparison\.datasets': 'inversion' is not in training", lines[2])
    assert re.search(r"config key 'figures\.ml_md\.models': 'nequip' is not in training\.models", lines[3])


def test_every_schema_problem_is_reported_in_one_message():
    with pytest.raises(ConfigError) as err:
        plan_with({"training": {"n_folds": 0, "sizes": "many"}, "trainig": {}})
    lines = str(err.value).splitlines()
    assert lines[0] == "3 problems in the config:"
    assert any("'(top level)'" in line and "'trainig' was unexpected" in line for line in lines)
    assert any("'training.n_folds'" in line for line in lines)
    assert any("'training.sizes': 'many' is not of type 'array'" in line for line in lines)
