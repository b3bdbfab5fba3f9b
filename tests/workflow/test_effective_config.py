"""What the command line really runs: `snakemake --configfile X` from the repository root
runs X over the schema's defaults, nothing from config/config.yaml; plain `snakemake` runs
config/config.yaml. Each run writes the config it used to results/config.yaml."""

import shutil
import subprocess
import sys
from pathlib import Path

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
