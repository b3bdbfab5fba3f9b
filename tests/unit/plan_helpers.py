"""Plans of edited configs, for the planning tests."""

import copy
from pathlib import Path

from flexmlff.planning import Plan, load_config

ROOT = Path(__file__).resolve().parents[2]


def plan_with(smoke_config, edit):
    config = copy.deepcopy(smoke_config)
    edit(config)
    return Plan(config, basedir=ROOT)


def example_with(edit):
    config = load_config(ROOT / "config/examples/alanine_dipeptide.yaml")
    edit(config)
    return Plan(config, basedir=ROOT)
