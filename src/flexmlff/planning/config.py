"""A config file read and validated: the JSON schema (with every family's settings filled in)
checks each key on its own and fills in its defaults; problems are reported all at once, one
line each, naming the key.

The checks between keys (a dataset's molecule, a figure's families) belong to the stage
planners of :mod:`flexmlff.planning`.
"""

from __future__ import annotations

from pathlib import Path

from flexmlff.config_error import ConfigError
from flexmlff.models import families as known_families
from flexmlff.models import register_families, register_variants

#: The config schema: the one place every key's default and meaning is stated.
SCHEMA = Path(__file__).resolve().parents[3] / "workflow" / "schemas" / "config.schema.yaml"

#: Keys that moved into the molecule entry, where the CV that tells its minima apart belongs:
#: an old config fails on them with the new key named.
MOVED_KEYS = {
    ("figures", "phi_cluster_errors", "coordinate"): "molecules.<molecule>.transition_coordinate.cv",
    ("figures", "ml_md", "outcome_coordinate"): "molecules.<molecule>.transition_coordinate.cv",
    ("figures", "ml_md", "outcome_signed"): "molecules.<molecule>.transition_coordinate.signed",
    ("figures", "ml_md", "outcome_bands_deg"): "molecules.<molecule>.transition_coordinate.bands_deg",
}


class ConfigErrors(ConfigError):
    """Several problems found in one pass: one line each, so that one run shows them all."""

    def __init__(self, problems: list[ConfigError]):
        if len(problems) == 1:
            ValueError.__init__(self, str(problems[0]))
        else:
            ValueError.__init__(
                self, f"{len(problems)} problems in the config:\n" + "\n".join(f"  {problem}" for problem in problems)
            )
        self.key, self.problems = problems[0].key, problems


def raise_all(problems: list[ConfigError]) -> None:
    """Raise every problem found at once (nothing when there are none)."""
    if problems:
        raise ConfigErrors(problems)


def load_config(path: str | Path, schema: str | Path = SCHEMA) -> dict:
    """A config file validated against the schema, its defaults filled in
    (as the Snakefile's ``validate`` does)."""
    import yaml

    config = yaml.safe_load(Path(path).read_text())
    validate_config(config, schema)
    return config


def config_schema(schema: str | Path) -> dict:
    """The config schema at `schema` with every known family's settings filled in (each
    family states them in its module: :attr:`flexmlff.models.Family.settings`), and the
    family names wherever a key names a family."""
    import yaml

    full = yaml.safe_load(Path(schema).read_text())
    known = known_families()
    full["properties"]["models"]["properties"] = {name: family.settings for name, family in known.items()}
    training = full["properties"]["training"]["properties"]
    training["models"]["items"]["enum"] = list(known)
    training["models_on"]["additionalProperties"]["items"]["enum"] = list(known)
    training["settings_on"]["additionalProperties"]["properties"] = {name: {"type": "object"} for name in known}
    return full


def validate_config(config: dict, schema: str | Path) -> None:
    """Validate `config` against the JSON `schema` (:func:`config_schema`: the families' own
    settings filled in, those of ``families`` registered first) and fill in its defaults,
    as Snakemake's ``validate`` does, but fail with one :class:`ConfigError` line per
    problem, each naming its key (Snakemake's own error prints the whole schema and
    config, and only its first problem)."""
    import tempfile

    import jsonschema
    import yaml
    from snakemake.utils import validate

    for path, new_key in MOVED_KEYS.items():
        section = config
        for part in path[:-1]:
            section = section.get(part) if isinstance(section, dict) else None
        if isinstance(section, dict) and path[-1] in section:
            raise ConfigError(".".join(path), f"moved to {new_key}")
    outside = config.get("families") or {}
    if isinstance(outside, dict):
        try:
            register_families(outside)
        except ValueError as err:
            raise ConfigError("families", str(err)) from None
    try:
        register_variants(config.get("models") if isinstance(config.get("models"), dict) else {})
    except ValueError as err:
        key, _, message = str(err).partition(": ")
        raise ConfigError(key, message) from None
    schema_dict = config_schema(schema)
    validator = jsonschema.validators.validator_for(schema_dict)(schema_dict)
    found = sorted(validator.iter_errors(config), key=lambda error: list(map(str, error.absolute_path)))
    problems = []
    for error in found:
        key = ".".join(str(part) for part in error.absolute_path) or "(top level)"
        message = " ".join(error.message.split())
        problems.append(ConfigError(key, message if len(message) <= 300 else message[:300] + " ..."))
    raise_all(problems)
    # as YAML: Snakemake reads a JSON schema's defaults into OrderedDicts, which then sit in the
    # config and cannot be written back as YAML (results/config.yaml)
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="flexmlff-schema-") as filled:
        yaml.safe_dump(schema_dict, filled, sort_keys=False)
        filled.flush()
        validate(config, schema=filled.name)  # no problem left: fills in the defaults
    raise_all(_settings_override_problems(config, validator))


def _settings_override_problems(config: dict, validator) -> list[ConfigError]:
    """Each ``training.settings_on.<dataset>.<family>`` checked as ``models.<family>`` is:
    the family's settings with the override merged in are validated against the schema,
    and each problem is named by the override's key."""
    problems = []
    for dataset, families in config.get("training", {}).get("settings_on", {}).items():
        for family, override in families.items():
            # validation reads, never writes: a new models section is copy enough
            models = {**config["models"], family: {**config["models"][family], **override}}
            candidate = {**config, "models": models}
            for error in validator.iter_errors(candidate):
                path = [str(part) for part in error.absolute_path]
                if path[:2] != ["models", family]:
                    continue
                key = ".".join(["training", "settings_on", dataset, family, *path[2:]])
                problems.append(ConfigError(key, " ".join(error.message.split())))
    return problems
