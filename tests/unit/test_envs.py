"""Each conda env file provides what its rules import (conda channels cannot be reached
here, so this reads the code instead of building the envs).

For every rule with a ``conda:`` env, the imports of its script and, transitively, of
the library modules it imports (function-level imports included: they run when the
rule calls them) must be the standard library, flexmlff itself (which jobs get
through PYTHONPATH, :func:`flexmlff.runlog.share_library_with_jobs`) or a package the
env file lists. Model families are imported by name (:func:`flexmlff.models.family`):
a ``train_<family>`` rule needs its family's module; ``ml_md`` and
``phi_cluster_errors``, in the family's env, each family's. Programs a rule runs (i-PI, gap_fit) are checked by
the package that installs them.
"""

import ast
import re
import sys
from pathlib import Path

import pytest
import yaml

from flexmlff.models import families

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"

#: Import name -> the package names an env file may list for it (conda or pip).
PACKAGES = {
    "numpy": {"numpy"},
    "scipy": {"scipy"},
    "pandas": {"pandas"},
    "ase": {"ase"},
    "yaml": {"pyyaml"},
    "matplotlib": {"matplotlib-base", "matplotlib"},
    "seaborn": {"seaborn"},
    "tabulate": {"tabulate"},
    "psutil": {"psutil"},
    "torch": {"torch", "pytorch"},
    "sgdml": {"sgdml"},
    "schnetpack": {"schnetpack"},
    "torchani": {"torchani"},
    "quippy": {"quippy-ase"},
    "ipi": {"i-pi", "ipi"},
    "tblite": {"tblite-python"},
    "dftd3": {"dftd3-python"},
    "pyscf": {"pyscf"},
    "plumed": {"py-plumed"},
    "lightning": {"schnetpack"},
    "pytorch_lightning": {"schnetpack"},
    "dscribe": {"dscribe"},
    "jsonschema": {"jsonschema"},
    "snakemake": {"snakemake"},
    "mace": {"mace-torch"},
    "e3nn": {"e3nn"},
    "torchmetrics": {"torchmetrics"},
    "lightning_utilities": {"lightning-utilities"},
    "rdkit": {"rdkit"},
}
#: Imported only where they are installed (a GPU machine), and guarded there.
OPTIONAL = {"gpu4pyscf", "cupy"}
#: Imported by a shared library module, but called only by these rules (PLUMED: metadynamics).
ONLY_FOR = {"plumed": {"md_run"}}
#: Programs a rule runs (not imports): the env must list the package that installs them.
PROGRAMS = {"md_run": {"i-pi"}, "ml_md": {"i-pi"}, "train_gap": {"quippy-ase"}, "train_gap_cutoff": {"quippy-ase"}}
#: Packages the env's listed ones bring along (dependencies of a listed package).
BROUGHT_BY = {
    "schnetpack": {"lightning", "pytorch_lightning", "torch", "torchmetrics"},
    "torchani": {"torch"},
    "sgdml": {"scipy", "psutil"},
    "pyscf-dispersion": {"dftd3"},
    "seaborn": {"matplotlib"},
    "mace-torch": {"torch", "e3nn", "torchmetrics", "lightning_utilities"},
}


def imports_of(path: Path) -> set[str]:
    """Dotted names of everything `path` imports, wherever in the file, except imports
    guarded by ``try: ... except ImportError`` (optional by design)."""
    names = set()

    def visit(node, guarded=False):
        if isinstance(node, ast.Try) and any(_catches_import_error(h) for h in node.handlers):
            for child in node.body:
                visit(child, guarded=True)
            for child in [*node.handlers, *node.orelse, *node.finalbody]:
                visit(child, guarded)
            return
        if not guarded and isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif not guarded and isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child, guarded)

    visit(ast.parse(path.read_text()))
    return names


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(k, ast.Name) and k.id in ("ImportError", "ModuleNotFoundError") for k in kinds)


def library_file(module: str) -> Path | None:
    path = SRC / Path(*module.split("."))
    for candidate in (path.with_suffix(".py"), path / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def third_party_imports(path: Path, extra_modules=()) -> set[str]:
    """Top-level third-party packages `path` needs, through the library's modules too."""
    needed, seen, todo = set(), set(), [path, *filter(None, map(library_file, extra_modules))]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for name in imports_of(current):
            top = name.split(".")[0]
            if top == "flexmlff":
                found = library_file(name)
                if found:
                    todo.append(found)
            elif top not in sys.stdlib_module_names and top != "__future__":
                needed.add(top)
    return needed


def rules() -> list[tuple[str, str, str]]:
    """(rule, script, env) of every rule with a script and a conda env; `use rule` inherits both."""
    blocks = {}
    for smk in sorted((ROOT / "workflow" / "rules").glob("*.smk")):
        text = smk.read_text()
        for match in re.finditer(r"^(rule (\w+):|use rule (\w+) as (\w+) with:)\n(.*?)(?=^\S|\Z)", text, re.M | re.S):
            name = match.group(2) or match.group(4)
            body = match.group(5)
            inherited = dict(blocks.get(match.group(3), {})) if match.group(3) else {}
            script = re.search(r"script:\s*\"\.\./scripts/(\w+\.py)\"", body)
            env = re.search(r"conda:\s*(env\(\"(\w+)\"\)|model_env)", body)
            if script:
                inherited["script"] = script.group(1)
            if env:
                inherited["env"] = env.group(2) or "model_env"
            blocks[name] = inherited
    return [(name, b["script"], b["env"]) for name, b in blocks.items() if "script" in b and "env" in b]


def env_packages(name: str) -> set[str]:
    spec = yaml.safe_load((ROOT / "envs" / f"{name}.yaml").read_text())
    listed = set()
    for dependency in spec["dependencies"]:
        entries = dependency["pip"] if isinstance(dependency, dict) else [dependency]
        listed |= {re.split(r"[\s=<>\[]", entry.strip())[0].lower() for entry in entries}
    return listed


def cases():
    """(rule, script, env, family modules it imports by name): the rules written out, and the
    training rule generated for each family (training.smk)."""
    out = []
    for rule, script, env in rules():
        if env == "model_env":
            out += [(rule, script, f.conda_env, [f.module]) for f in families().values()]
        else:
            out.append((rule, script, env, []))
    out += [(f"train_{f.name}", "train_model.py", f.conda_env, [f.module]) for f in families().values()]
    return out


def test_the_rules_are_found():
    found = {rule for rule, _, _, _ in cases()}
    assert {"md_run", "train_sgdml", "train_schnet", "ml_md", "collect_errors"} <= found
    assert len(found) >= 30


@pytest.mark.parametrize("rule, script, env, families", cases(), ids=[f"{c[0]}-{c[2]}" for c in cases()])
def test_an_env_provides_what_its_rule_imports(rule, script, env, families):
    listed = env_packages(env)
    available = set()
    for import_name, packages in PACKAGES.items():
        if packages & listed:
            available.add(import_name)
    for package, brought in BROUGHT_BY.items():
        if package in listed:
            available |= brought
    needed = third_party_imports(ROOT / "workflow" / "scripts" / script, families) - OPTIONAL
    needed = {name for name in needed if rule in ONLY_FOR.get(name, {rule})}
    unknown = needed - set(PACKAGES)
    assert not unknown, f"add the package names of {sorted(unknown)} to PACKAGES"
    missing = needed - available
    assert not missing, (
        f"envs/{env}.yaml lacks {sorted(missing)}, imported by rule {rule} "
        f"(workflow/scripts/{script} or the library modules it uses)"
    )
    programs = PROGRAMS.get(rule, set()) - listed
    assert not programs, f"envs/{env}.yaml lacks {sorted(programs)}, whose program rule {rule} runs"
