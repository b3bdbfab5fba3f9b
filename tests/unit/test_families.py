"""Model families as plug-ins (flexmlff.models): each family's module describes it, and the
config schema, the plan, the costs and the figures read that description; a family that
lives outside flexmlff is named in the config's ``families`` and then used as the others."""

import sys
import textwrap
from pathlib import Path

import jsonschema
import matplotlib.colors
import pytest
import yaml

from flexmlff import costs
from flexmlff.models import _REGISTRY, describe, families, family
from flexmlff.planning import SCHEMA, Plan
from flexmlff.planning.config import ConfigError, config_schema, validate_config
from flexmlff.plots import line_colours, model_label

ROOT = Path(__file__).resolve().parents[2]


def smoke_config() -> dict:
    return yaml.safe_load((ROOT / "tests/config.yaml").read_text())


@pytest.mark.parametrize("name", list(families()))
def test_a_family_describes_itself_and_its_defaults_pass_its_own_schema(name):
    described = describe(name)
    assert described.name == name and described.label and described.model_file
    assert (ROOT / "envs" / f"{described.conda_env}.yaml").is_file()
    schema = config_schema(SCHEMA)
    settings_schema = {**schema["properties"]["models"]["properties"][name], "$defs": schema["$defs"]}
    jsonschema.validate(described.defaults, settings_schema)
    # the costs are the family's own and grow with the training set
    assert (
        0
        < costs.training_seconds(name, 100, 10, described.defaults)
        < costs.training_seconds(name, 200, 10, described.defaults)
    )
    assert costs.training_memory_gb(name, 100, 10, described.defaults) > 0
    assert described.md_steps_per_s > 0
    assert model_label(name) == described.label
    # loading the descriptions needs none of the families' heavy libraries
    assert family(name).FAMILY == described


def test_the_schema_lists_every_family_wherever_a_key_names_one():
    schema = config_schema(SCHEMA)
    names = list(families())
    assert list(schema["properties"]["models"]["properties"]) == names
    training = schema["properties"]["training"]["properties"]
    assert training["models"]["items"]["enum"] == names
    assert set(training["settings_on"]["additionalProperties"]["properties"]) == set(names)


def test_a_setting_unknown_to_its_family_is_refused_by_name():
    config = smoke_config()
    config["models"]["schnet"]["n_layers"] = 3
    with pytest.raises(ConfigError, match=r"models\.schnet"):
        validate_config(config, SCHEMA)


def test_defaults_come_from_the_family_module():
    config = smoke_config()
    validate_config(config, SCHEMA)
    for name, described in families().items():
        filled = config["models"][name]
        assert {
            key: filled[key] for key in described.defaults if key not in smoke_config()["models"].get(name, {})
        } == {
            key: value for key, value in described.defaults.items() if key not in smoke_config()["models"].get(name, {})
        }


def test_families_have_their_own_colours_in_figures():
    colours = line_colours(list(families()))
    assert len(set(colours)) == len(colours)
    # a line that is no family takes the palette's colours the families leave free, as many as asked
    assert line_colours(["with dispersion"])[0] == line_colours(["with dispersion", "without"])[0]
    others = line_colours([f"model {k}" for k in range(12)])
    assert len(others) == 12 and not {matplotlib.colors.to_hex(c) for c in others} & set(colours)


OUTSIDE_FAMILY = textwrap.dedent('''
    """A family outside flexmlff: sGDML's code under another name, with a setting of its own."""
    import yaml

    from flexmlff.models import Family, kernel_training_memory_gb, kernel_training_seconds
    from flexmlff.models.sgdml import calculator, load, predict, save
    from flexmlff.models.sgdml import train as sgdml_train

    FAMILY = Family(
        name="kernel_outside", label="outside kernel", colour="#000000", model_file="model.npz", env="sgdml",
        selection="kernel",
        settings=yaml.safe_load("""
    type: object
    additionalProperties: false
    default: {}
    properties:
      sigmas: {type: array, items: {type: number}, default: [10, 20]}
    """),
        training_seconds=lambda n, atoms, s: kernel_training_seconds({10: 11.0}, n, atoms),
        training_memory_gb=lambda n, atoms, s: kernel_training_memory_gb(3, n, atoms, s),
        md_steps_per_s=100.0)


    def train(train_set, validation, settings=None, threads=1, record=None):
        return sgdml_train(train_set, validation, {"sigmas": [10, 20], **(settings or {})}, threads, record)
''')


@pytest.fixture
def outside_family(tmp_path, monkeypatch):
    (tmp_path / "outside_family.py").write_text(OUTSIDE_FAMILY)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "outside_family"
    sys.modules.pop("outside_family", None)
    _REGISTRY.pop("kernel_outside", None)  # the other tests see the built-in families only


def test_a_family_from_outside_is_planned_costed_and_trained_as_the_others(outside_family, glycine_dataset):
    config = smoke_config()
    config["families"] = {"kernel_outside": outside_family}
    config["training"]["models"] = [*config["training"]["models"], "kernel_outside"]
    config["training"]["settings_on"] = {"glycine": {"kernel_outside": {"sigmas": [20]}}}
    validate_config(config, SCHEMA)
    assert config["models"]["kernel_outside"] == {"sigmas": [10, 20]}
    plan = Plan(config, basedir=ROOT)
    assert plan.training.model_settings("kernel_outside", "glycine") == {"sigmas": [20]}
    assert plan.training.model_env("kernel_outside") == "sgdml"
    assert any(f == "kernel_outside" for _, f, _ in plan.training.tasks())
    rows = [row for row in costs.estimate(plan) if row.rule.startswith("train_kernel_outside")]
    assert rows and all(row.core_hours > 0 for row in rows)
    assert plan.layout.model_file("glycine", "kernel_outside", 10, 0).endswith("/model.npz")
    model = family("kernel_outside").train(glycine_dataset.subset(range(30)), glycine_dataset.subset(range(30, 40)))
    energies, forces = family("kernel_outside").predict(model, glycine_dataset.R[40:42], glycine_dataset.z)
    assert energies.shape == (2,) and forces.shape == (2, len(glycine_dataset.z), 3)


@pytest.mark.parametrize(
    "module, problem",
    [
        ("no_such_module_anywhere", "does not import"),
        ("json", "has no FAMILY"),
    ],
)
def test_a_bad_outside_family_is_one_line_naming_the_key(module, problem):
    config = smoke_config()
    config["families"] = {"mine": module}
    with pytest.raises(ConfigError, match=rf"^config key 'families': .*{problem}"):
        validate_config(config, SCHEMA)


def test_the_filled_in_config_is_plain_data_that_yaml_writes_back():
    config = smoke_config()
    validate_config(config, SCHEMA)
    assert yaml.safe_load(yaml.safe_dump(config)) == config  # results/config.yaml is written so


def test_a_named_variant_is_its_family_under_its_own_name():
    config = smoke_config()
    config["models"]["mace_wide"] = {"family": "mace", "num_channels": 64, "label": "MACE, 64 channels"}
    config["training"]["models"] = [*config["training"]["models"], "mace_wide"]
    try:
        validate_config(config, SCHEMA)
        plan = Plan(config, basedir=ROOT)
        wide, mace = describe("mace_wide"), describe("mace")
        assert wide.module == mace.module and wide.label == "MACE, 64 channels" and wide.colour != mace.colour
        assert wide.conda_env == mace.conda_env == "mace"
        # its own settings, the family's defaults beneath them, and nothing of the variant's own keys
        settings = plan.training.model_settings("mace_wide", "glycine")
        assert settings["num_channels"] == 64 and settings["max_epochs"] == mace.defaults["max_epochs"]
        assert "family" not in settings and "label" not in settings
        assert plan.layout.model_file("glycine", "mace_wide", 10, 0).endswith("models/mace_wide/n10/fold0/model.model")
        assert any(f == "mace_wide" for _, f, _ in plan.training.tasks())
        assert costs.training_seconds("mace_wide", 100, 10, settings) == pytest.approx(
            2 * costs.training_seconds("mace", 100, 10, {**settings, "num_channels": 32})
        )
    finally:
        _REGISTRY.pop("mace_wide", None)


@pytest.mark.parametrize(
    "entry, message",
    [
        ({"family": "macee"}, r"models.mace_x.family': 'macee' is not a model family"),
        ({"family": "mace", "channels": 3}, r"models.mace_x.*channels"),
    ],
)
def test_a_bad_variant_is_named(entry, message):
    config = smoke_config()
    config["models"]["mace_x"] = entry
    try:
        with pytest.raises(ConfigError, match=message):
            validate_config(config, SCHEMA)
    finally:
        _REGISTRY.pop("mace_x", None)
