"""The user documentation stays true to the code: config/README.md's key tables are the
schema's (scripts/config_tables.py generates them), every model family has its section,
the README's commands are the ones CI runs, and the pages' links lead somewhere."""

import importlib.util
import re
from pathlib import Path

import pytest

from flexmlff.models import families

ROOT = Path(__file__).resolve().parents[2]
CONFIG_README = ROOT / "config/README.md"
PAGES = [ROOT / "README.md", CONFIG_README, *sorted((ROOT / "docs").glob("*.md"))]


def config_tables():
    """scripts/config_tables.py as a module."""
    spec = importlib.util.spec_from_file_location("config_tables", ROOT / "scripts/config_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_config_readme_tables_are_the_schemas():
    differ = config_tables().check(CONFIG_README)
    assert not differ, (
        f"config/README.md's key tables differ from the schema in: {', '.join(differ)}; "
        "run `python scripts/config_tables.py` to regenerate them"
    )


def test_no_schema_property_has_a_key_json_schema_does_not_know():
    # most often a description with a comma in an unquoted YAML flow mapping: `{description: a, b}`
    # reads as the description "a" and a key "b"
    module = config_tables()
    assert module.Tables(module.load_schema()).stray_keys() == []


@pytest.mark.parametrize("name", list(families()))
def test_every_family_has_a_section_with_a_generated_table(name):
    text = CONFIG_README.read_text()
    assert re.search(rf"^## `models\.{name}`$", text, re.M), f"config/README.md has no section `models.{name}`"
    assert f"<!-- keys: models.{name} -->" in text, (
        f"config/README.md's section `models.{name}` has no generated table (<!-- keys: models.{name} -->)"
    )


def test_the_check_names_a_table_that_differs_and_the_script_rewrites_it(tmp_path, capsys):
    module = config_tables()
    readme = tmp_path / "README.md"
    text = CONFIG_README.read_text()
    section = re.search(r"<!-- keys: models\.gap -->\n.*?<!-- end keys -->", text, re.S).group(0)
    tampered = section.replace("| `n_sparse` | integer | `200` |", "| `n_sparse` | integer | `50` |")
    assert tampered != section
    readme.write_text(text.replace(section, tampered))
    assert module.main(["--check", "--readme", str(readme)]) == 1
    assert "models.gap" in capsys.readouterr().err
    assert module.main(["--readme", str(readme)]) == 0
    assert readme.read_text() == text
    assert module.main(["--check", "--readme", str(readme)]) == 0


def test_a_marker_naming_no_key_of_the_schema_is_an_error(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("<!-- keys: models.no_such_family -->\n<!-- end keys -->\n")
    with pytest.raises(SystemExit, match="no_such_family"):
        config_tables().main(["--check", "--readme", str(readme)])


def test_the_readme_holds_the_commands_ci_runs_verbatim():
    ci = ROOT / ".ci/run"
    if not ci.is_file():
        pytest.skip("no .ci/run")
    blocks = "\n".join(re.findall(r"^```bash\n(.*?)^```", (ROOT / "README.md").read_text(), re.M | re.S))
    commands = [
        line.strip()
        for line in ci.read_text().splitlines()
        if line.strip().startswith(("bash scripts/setup.sh", ".venv/bin/python -m pytest"))
    ]
    assert commands
    for command in commands:
        assert command in blocks.splitlines(), f"README.md has no ```bash block with `{command}`"


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.M | re.S)
    return {anchor(heading) for heading in re.findall(r"^#+ (.+)$", text, re.M)}


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_links_between_the_pages_lead_somewhere(page):
    text = re.sub(r"^```.*?^```", "", page.read_text(), flags=re.M | re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, fragment = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        assert linked.exists(), f"{page.relative_to(ROOT)} links to {target}, which does not exist"
        if fragment and linked.suffix == ".md":
            assert fragment in anchors(linked), f"{page.relative_to(ROOT)} links to {target}: no such heading"
