"""The code keeps one style: ruff's lint and formatter for the Python (pyproject.toml,
[tool.ruff]), snakefmt for the Snakefile and rule files."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "--no-cache"],
        ["ruff", "format", "--check", "--no-cache"],
    ],
    ids=["ruff-check", "ruff-format"],
)
def test_python_follows_the_projects_style(command):
    done = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, (
        f"`{' '.join(command)}` (run it, or `ruff format`, to fix):\n{done.stdout}{done.stderr}"
    )


def test_rules_follow_snakefmt():
    snakefmt = Path(sys.executable).with_name("snakefmt")
    done = subprocess.run(
        [str(snakefmt), "--check", "Snakefile", "workflow/"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, (
        f"`snakefmt --check Snakefile workflow/` (run `snakefmt Snakefile workflow/`):\n{done.stderr}"
    )
