"""Model families as plug-ins: each family is one module that says what it is.

A family module provides ``FAMILY``, a :class:`Family` (its name, saved file, conda env,
settings schema with their defaults, best-model rule, costs, plot label and colour, job
threads and whether it can use a GPU), and the functions ``train(train, validation,
settings, threads, record, checkpoint)`` returning a model object, ``save(model, path)``,
``load(path)``, ``predict(model, R, z) -> (E, F)`` in the dataset units (kcal/mol,
kcal/(mol Å)) and ``calculator(model)``, an ASE calculator (eV, eV/Å) that can drive MD.

The families of this package are found by looking through it (a module with a ``FAMILY``);
a family that lives elsewhere is named by its import path in the config's ``families``
(:func:`register_families`). Nothing outside a family's module names it: the plan, the
rules, the costs, the plots and the config schema read :func:`families`.

A named variant (config ``models.<name>`` with ``family: <family>``, e.g. a fine-tuned MACE
beside the one trained from scratch) is registered as a family of its own that shares its
base's code and description (:func:`register_variants`): its own rule, rows and line.

A family module keeps its heavy imports (torch, quippy, mace) inside its functions, so
that reading the descriptions costs the workflow's planning process nothing.
"""

from __future__ import annotations

import os
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib import import_module

import yaml

#: The best-fold rules a family can follow (flexmlff.evaluate.best_fold): sGDML's (lowest
#: force RMSE unless an energy is much lower among similar forces; paper Sec. IV) and the
#: lowest energy RMSE (SchNet, GAP, BPNN).
SELECTION_RULES = ("kernel", "lowest_energy_rmse")


@dataclass(frozen=True)
class Family:
    """What the workflow needs to know about a model family."""

    name: str  #: config key (``models.<name>``) and rule suffix (``train_<name>``)
    label: str  #: in figures and tables, e.g. "GAP/SOAP"
    colour: str  #: its colour in figures (matplotlib colour)
    model_file: str  #: name of a trained model's one file
    settings: dict  #: JSON schema of ``models.<name>``: every setting's type, default and meaning
    training_seconds: Callable[[int, int, dict], float]  #: (n_train, n_atoms, settings) -> s, an upper bound
    training_memory_gb: Callable[[int, int, dict], float]  #: (n_train, n_atoms, settings) -> peak GB
    md_steps_per_s: float  #: ML-driven MD through i-PI on one core (azobenzene size), measured
    env: str = ""  #: conda env file envs/<env>.yaml; its own name where empty
    selection: str = "lowest_energy_rmse"  #: one of :data:`SELECTION_RULES`
    threads: int = 1  #: cores a training job asks for on a cluster (locally one: jobs run side by side)
    gpu: bool = False  #: whether its training uses a GPU where a job is given one
    base: str = ""  #: for a named variant, the family it is (its saved models load as that family's)
    module: str = field(default="", compare=False)  #: import path, filled in on registration

    @property
    def conda_env(self) -> str:
        return self.env or self.name

    @property
    def code_family(self) -> str:
        """The family whose code it runs: its own name, or a variant's family."""
        return self.base or self.name

    @property
    def defaults(self) -> dict:
        """Every setting's default, from :attr:`settings`."""
        return {key: spec["default"] for key, spec in self.settings["properties"].items() if "default" in spec}

    def implementation(self):
        """The family's module (train, save, load, predict, calculator)."""
        return import_module(self.module)


_REGISTRY: dict[str, Family] = {}


def _register_module(path: str) -> Family:
    """Register the family that module `path` describes in its ``FAMILY``."""
    try:
        module = import_module(path)
    except ImportError as err:
        raise ValueError(f"model family module {path!r} does not import: {err}") from err
    described = getattr(module, "FAMILY", None)
    if not isinstance(described, Family):
        raise ValueError(f"module {path!r} has no FAMILY (a flexmlff.models.Family)")
    missing = [name for name in ("train", "save", "load", "predict", "calculator") if not hasattr(module, name)]
    if missing:
        raise ValueError(f"model family module {path!r} lacks {', '.join(missing)}")
    if described.selection not in SELECTION_RULES:
        raise ValueError(
            f"family {described.name!r}: selection {described.selection!r} is not one of {', '.join(SELECTION_RULES)}"
        )
    registered = Family(**{**vars(described), "module": path})
    _REGISTRY[registered.name] = registered
    return registered


def _register_built_in() -> None:
    if _REGISTRY:
        return
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = import_module(f"{__name__}.{info.name}")
        if isinstance(getattr(module, "FAMILY", None), Family):
            _register_module(module.__name__)


def register_families(paths: dict[str, str]) -> None:
    """Register families that live outside this package: config ``families``, a name and the
    import path of its module (whose ``FAMILY`` must carry that name)."""
    _register_built_in()
    for name, path in paths.items():
        registered = _register_module(path)
        if registered.name != name:
            raise ValueError(f"families.{name}: module {path!r} describes family {registered.name!r}")


#: The keys a named variant adds to its family's settings.
VARIANT_KEYS = ("family", "label")
#: Colours of named variants, in the order they are registered (the families have their own).
VARIANT_COLOURS = ("#333333", "#a6761d", "#7570b3", "#e7298a", "#66a61e", "#999999")


def register_variants(models: dict) -> list[str]:
    """Register the named variants of config ``models``: entries ``<name>: {family: <family>,
    label: ..., <settings>}``; returns their names. A variant is its family under another
    name: the same code, costs and settings schema (plus ``family`` and ``label``), its own
    label (by default "<family label> (<name>)") and colour."""
    _register_built_in()
    names = []
    for name, settings in (models or {}).items():
        if not (isinstance(settings, dict) and "family" in settings):
            continue
        base = settings["family"]
        if name in _REGISTRY and "family" not in _REGISTRY[name].settings["properties"]:
            raise ValueError(f"models.{name}: {name!r} is a model family's own name; name the variant otherwise")
        if base not in _REGISTRY or _REGISTRY[base].settings["properties"].get("family"):
            raise ValueError(
                f"models.{name}.family: {base!r} is not a model family (known: "
                f"{', '.join(n for n, f in _REGISTRY.items() if 'family' not in f.settings['properties'])})"
            )
        family_of = _REGISTRY[base]
        schema = {
            **family_of.settings,
            "description": f"{family_of.label} under the name {name}",
            "properties": {
                **family_of.settings["properties"],
                "family": {"const": base, "description": "The family this model is a variant of."},
                "label": {"type": "string", "description": "Its name in figures and tables."},
            },
        }
        colour = VARIANT_COLOURS[len(names) % len(VARIANT_COLOURS)]
        _REGISTRY[name] = replace(
            family_of,
            name=name,
            label=settings.get("label") or f"{family_of.label} ({name})",
            colour=colour,
            settings=schema,
            env=family_of.conda_env,
            base=base,
        )
        names.append(name)
    return names


def families() -> dict[str, Family]:
    """Every known family by name."""
    _register_built_in()
    return dict(_REGISTRY)


def describe(name: str) -> Family:
    """The description of family `name`."""
    known = families()
    if name not in known:
        raise ValueError(f"unknown model family {name!r}; known: {', '.join(known)}")
    return known[name]


def family(name: str):
    """The module implementing model family `name`."""
    return describe(name).implementation()


def load_calculator(model: str, path: str):
    """An ASE calculator (eV, eV/Å) of a saved model of family `model`: the entry point that
    results/models.yml names for other tools (ml-peg, mlipx)."""
    models = family(model)
    return models.calculator(models.load(path))


def limit_threads(n: int) -> None:
    """Let this process use `n` threads for model evaluation.

    Jobs run side by side, one core each: torch's default pool (one thread per core)
    then spins against the other jobs and a SchNet step gets ~25x slower.
    """
    os.environ["OMP_NUM_THREADS"] = str(n)
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(n)


# -- shared pieces of the families' cost models (flexmlff.costs reads them per family) ------
GB = 1e9


def by_atoms(table: dict[int, float], n_atoms: int, exponent: float = 1.0) -> float:
    """A cost measured at some atom counts, taken at the nearest and scaled as N^exponent."""
    nearest = min(table, key=lambda n: abs(n - n_atoms))
    return table[nearest] * (n_atoms / nearest) ** exponent


def kernel_training_seconds(seconds_at_100: dict[int, float], n_train: int, n_atoms: int) -> float:
    """A kernel model's training: its n = 100 time (every σ of the default grid) grown as n²,
    the kernel's entries."""
    return by_atoms(seconds_at_100, n_atoms) * (n_train / 100) ** 2


def kernel_training_memory_gb(copies: int, n_train: int, n_atoms: int, settings: dict) -> float:
    """`copies` of the (n·3N)² doubles of the kernel a closed-form solve holds at its peak,
    or the ``max_memory_gb`` cap under which the family solves iteratively."""
    analytic = copies * (n_train * 3 * n_atoms) ** 2 * 8 / GB
    cap = settings.get("max_memory_gb")
    return min(analytic, cap) if cap else analytic


def network_training_seconds(
    epoch_at_100: dict[int, float], n_train: int, n_atoms: int, settings: dict, scale: float = 1.0
) -> float:
    """A network's training: an epoch at n = 100 (times `scale`, the settings' size against
    the measured one) grown linearly in n, every epoch up to ``max_epochs`` counted (early
    stopping ends most trainings sooner: an upper bound)."""
    return by_atoms(epoch_at_100, n_atoms) * scale * (n_train / 100) * settings["max_epochs"]


#: The settings of every network this package trains in-process (SchNet, PaiNN, BPNN): epochs,
#: early stopping, learning-rate drops, seed and checkpoints.
NETWORK_TRAINING_SETTINGS = yaml.safe_load("""
  max_epochs: {$ref: "#/$defs/positive_int", default: 1000, description: Upper bound on training epochs.}
  patience:
    $ref: '#/$defs/positive_int'
    default: 50
    description: >-
      Early stopping after this many epochs without a better validation loss.
  lr_patience:
    $ref: '#/$defs/positive_int'
    default: 20
    description: >-
      Epochs without improvement before the learning rate drops.
  lr_factor:
    type: number
    exclusiveMinimum: 0
    exclusiveMaximum: 1
    default: 0.5
    description: >-
      Factor of each learning-rate drop.
  seed: {type: integer, default: 0, description: Seed of initial weights and batches.}
  checkpoint_every:
    $ref: '#/$defs/positive_int'
    default: 1
    description: >-
      Epochs between checkpoints of a training job (results/.checkpoints/, removed once its model is saved): a rerun
      after a kill, preemption or time limit resumes from the last one.
""")


def with_network_training_settings(schema: dict) -> dict:
    """A network family's settings schema with :data:`NETWORK_TRAINING_SETTINGS` added."""
    return {**schema, "properties": {**schema["properties"], **NETWORK_TRAINING_SETTINGS}}


def network_training_memory_gb(n_train: int, n_atoms: int, settings: dict) -> float:
    """A network's training job: the framework and small batches."""
    return 1.0 + n_train * 3 * n_atoms * 3e-6
