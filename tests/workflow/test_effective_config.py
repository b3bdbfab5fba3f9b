"""What the command line really runs: `snakemake --configfile X` from the repository root
runs X over the schema's defaults, nothing from config/config.yaml; plain `snakemake` runs
config/config.yaml. Each run writes the config it used to results/config.yaml."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from flexmlff.plan import load_config

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def checkout(tmp_path_factory):
    """A copy of the repository's tracked files: commands run from its root, as a user's do."""
    copy = tmp_path_factory.mktemp("checkout")
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, copy / name)
    return copy


def effective_config(checkout, *args):
    """results/config.yaml written by `snakemake results/config.yaml <args>` from the root."""
    target = checkout / "results" / "config.yaml"
    target.unlink(missing_ok=True)
    result = subprocess.run([sys.executable, "-m", "snakemake", "results/config.yaml", "--cores", "1", *args],
                            cwd=checkout, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return yaml.safe_load(target.read_text())


@pytest.mark.parametrize("name", ["config/paper.yaml", "tests/config.yaml"])
def test_configfile_runs_that_file_over_the_schema_defaults(checkout, name):
    used = effective_config(checkout, "--configfile", name)
    assert used == load_config(ROOT / name)
    laptop = load_config(ROOT / "config/config.yaml")
    # no value comes from config/config.yaml alone: every key the file leaves out is the schema's
    if name == "config/paper.yaml":
        assert used["models"]["schnet"]["n_atom_basis"] == 128 != laptop["models"]["schnet"]["n_atom_basis"]
        assert used["models"]["gap"]["force_sigmas_eV_per_A"] == [0.1, 0.03, 0.01, 0.003]
        assert laptop["models"]["gap"]["force_sigmas_eV_per_A"] == [0.01]
    else:
        assert set(used["datasets"]) < set(laptop["datasets"]) and "ml_md" in used["figures"]
        assert list(used["figures"]["ml_md"]["paths"]) == ["neb"]


def test_plain_snakemake_runs_the_default_config(checkout):
    assert effective_config(checkout) == load_config(ROOT / "config/config.yaml")


def test_readme_commands_plan_from_the_root(checkout):
    for args in ([], ["--configfile", "config/paper.yaml"], ["--configfile", "tests/config.yaml"]):
        result = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--cores", "2", *args], cwd=checkout,
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "Job stats:" in result.stdout


def test_published_dataset_example_samples_nothing_and_reads_the_file_in_its_stated_units(checkout, glycine_dataset):
    # a published file as they come: kcal/mol and Å data labelled eV and bohr ("au")
    (checkout / "data").mkdir(exist_ok=True)
    np.savez(checkout / "data/glycine_published.npz", z=glycine_dataset.z, R=glycine_dataset.R,
             E=glycine_dataset.E[:, None], F=glycine_dataset.F, e_unit="eV", r_unit="au", theory="unknown")
    example = ["--configfile", "config/examples/published_dataset.yaml"]
    plan = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--cores", "2", *example], cwd=checkout,
                          capture_output=True, text=True)
    assert plan.returncode == 0, plan.stderr[-3000:]
    stats = plan.stdout.split("Job stats:")[1].split("total")[0]
    assert all(f"train_{family} " in stats for family in ("sgdml", "sgdml_ang", "gdml", "schnet", "gap", "bpnn"))
    assert not any(rule in stats for rule in ("md_run", "relax_minimum", "relabel", "single_point", "ml_md"))
    assert "plot_fig4_learning_curves" in stats

    made = subprocess.run([sys.executable, "-m", "snakemake", "results/datasets/glycine.json", "--cores", "1",
                           *example], cwd=checkout, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr[-3000:]
    manifest = json.loads((checkout / "results/datasets/glycine.json").read_text())
    assert manifest["theory"] == "PBE0+MBD (the publication's reference)"
    assert manifest["n_frames"] == len(glycine_dataset)
    with np.load(checkout / "results/datasets/glycine.npz") as npz:  # the stated units: nothing converted
        assert np.array_equal(npz["R"], glycine_dataset.R) and str(npz["r_unit"]) == "Ang"

    # without the stated units the labels are believed, and refused with the key to set
    config = yaml.safe_load((checkout / "config/examples/published_dataset.yaml").read_text())
    del config["datasets"]["glycine"]["units"]
    (checkout / "unlabelled.yaml").write_text(yaml.safe_dump(config))
    shutil.rmtree(checkout / "results/datasets")
    refused = subprocess.run([sys.executable, "-m", "snakemake", "results/datasets/glycine.json", "--cores", "1",
                              "--configfile", "unlabelled.yaml"], cwd=checkout, capture_output=True, text=True)
    assert refused.returncode != 0
    log = (checkout / "results/logs/assemble_dataset/glycine.log").read_text()
    assert "labelled 'eV' (the file's e_unit)" in log and "datasets.glycine.units.energy" in log
