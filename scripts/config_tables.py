#!/usr/bin/env python
"""The key tables of config/README.md, generated from the config schema.

Each table sits between two marker comments that name the part of the schema it lists:

    <!-- keys: models.gap -->

    | key | type | default | meaning |
    ...

    <!-- end keys -->

A marker names one or more schema paths, separated by commas: dotted keys, with ``<...>``
(any name, e.g. ``levels.<name>``) for the entries of a mapping (the schema's
``additionalProperties``). One object path lists its keys relative to it (nested objects
flattened with dotted keys); several paths, or a single key, list full keys. ``-key``
leaves a key of the listed object out (one documented in a table of its own). Type,
default and meaning are the schema's ``type``, ``default`` and ``description``, with every
model family's settings filled in (``config_schema``); a key without a default is
"required" where its object requires it, "—" otherwise.

    python scripts/config_tables.py           # rewrite the tables in place
    python scripts/config_tables.py --check   # exit 1 naming the tables that differ

Edit the schema (or a family's settings in src/flexmlff/models/), never a table, then run
this script.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "workflow/schemas/config.schema.yaml"
README = ROOT / "config/README.md"

MARKER = re.compile(r"^<!-- keys: (?P<spec>.+?) -->\n(?P<body>.*?)^<!-- end keys -->$", re.M | re.S)
HEADER = "| key | type | default | meaning |\n|---|---|---|---|\n"

#: the placeholder of a mapping's entries in a flattened key, by the mapping's key
PLACEHOLDERS = {
    "collective_variables": "<cv>",
    "minima": "<minimum>",
    "driven_paths": "<path>",
    "md": "<campaign>",
    "paths": "<path>",
    "levels": "<level>",
    "datasets": "<dataset>",
    "molecules": "<molecule>",
    "models": "<family>",
    "external_models": "<name>",
}

#: the keys a property of the schema may have; any other is reported (a stray key is most
#: often a description with a comma in an unquoted YAML flow mapping, `{description: a, b}`)
SCHEMA_WORDS = {
    "$ref",
    "$schema",
    "$defs",
    "title",
    "type",
    "description",
    "default",
    "enum",
    "const",
    "properties",
    "additionalProperties",
    "required",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "pattern",
    "propertyNames",
    "minProperties",
    "maxProperties",
    "oneOf",
    "anyOf",
    "allOf",
    "not",
    "if",
    "then",
    "else",
    "format",
}


def load_schema(path: str | Path = SCHEMA) -> dict:
    """The config schema with every known model family's settings filled in."""
    src = str(ROOT / "src")
    if src not in sys.path:
        sys.path.insert(0, src)
    from flexmlff.planning.config import config_schema

    return config_schema(path)


class Tables:
    """Markdown tables of parts of one schema."""

    def __init__(self, schema: dict):
        self.schema = schema

    def resolve(self, node: dict) -> dict:
        """`node` with its ``$ref`` (to ``#/$defs/...``) replaced by what it points to; the
        node's own keys (a description, a default) win over the definition's."""
        while isinstance(node, dict) and "$ref" in node:
            target = self.schema
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    @staticmethod
    def description(node: dict) -> str:
        """`node`'s description on one line."""
        return " ".join(str(node.get("description", "")).split())

    def find(self, path: str) -> dict:
        """The schema of the config key `path` (dotted, ``<...>`` for a mapping's entries)."""
        node = self.resolve(self.schema)
        for part in path.split("."):
            if part.startswith("<"):
                entries = node.get("additionalProperties")
                if not isinstance(entries, dict):
                    raise KeyError(f"{path}: {part} names the entries of a mapping, and there is none")
                node = self.resolve(entries)
            else:
                properties = self.properties(node)
                if part not in properties:
                    raise KeyError(f"{path}: the schema has no key {part!r} there")
                node = properties[part][0]
        return node

    def properties(self, node: dict) -> dict[str, tuple[dict, bool, str | None]]:
        """An object's keys: {name: (schema, required, qualifier)}; the keys of an
        ``allOf`` of ``if {key: const} then {...}`` (a level's calculator settings) come with
        that constant as qualifier, under a name of their own."""
        node = self.resolve(node)
        required = set(node.get("required", []))
        found = {
            name: (self.resolve(sub), name in required, None) for name, sub in (node.get("properties") or {}).items()
        }
        for case in node.get("allOf", []):
            condition = (case.get("if") or {}).get("properties") or {}
            consts = [sub["const"] for sub in condition.values() if isinstance(sub, dict) and "const" in sub]
            if not consts or "then" not in case:
                continue
            then = self.resolve(case["then"])
            needed = set(then.get("required", []))
            for name, sub in (then.get("properties") or {}).items():
                sub = self.resolve(sub)
                if "const" in sub:  # the condition's own key
                    continue
                found[f"{name} ({consts[0]})"] = (sub, name in needed, str(consts[0]))
        return found

    def entries(self, node: dict) -> dict | None:
        """The schema of a mapping's entries, where they are objects with keys of their own."""
        entries = node.get("additionalProperties")
        if isinstance(entries, dict):
            entries = self.resolve(entries)
            if self.properties(entries):
                return entries
        return None

    def rows(self, node: dict, prefix: str, skip: tuple[str, ...] = ()) -> list[tuple[str, dict, bool]]:
        """(key, schema, required) of every key under the object `node`, nested objects
        flattened; an object gets a row of its own where it has a description."""
        found = []
        for name, (sub, required, qualifier) in self.properties(node).items():
            if name in skip:
                continue
            key = prefix + name.split(" (")[0]  # a qualified key's name, without its qualifier
            found += self.entry(key, sub, required, qualifier)
        return found

    def entry(self, key: str, node: dict, required: bool, qualifier: str | None = None) -> list:
        shown = key if qualifier is None else f"{key} ({qualifier})"
        nested = self.properties(node) if node.get("type", "object") == "object" else {}
        entries = self.entries(node)
        if node.get("description") and not any(
            sub.get("description") for sub, _, _ in [*nested.values(), *self.properties(entries or {}).values()]
        ):
            nested, entries = {}, None  # keys nothing describes: the object's description says it
        found = []
        if not (nested or entries) or node.get("description"):
            found.append((shown, node, required))
        if nested:
            found += self.rows(node, key + ".")
        if entries:
            inner = f"{key}.{PLACEHOLDERS.get(key.split('.')[-1], '<name>')}"
            found += self.entry(inner, entries, False)
        return found

    def table(self, spec: str) -> str:
        """The markdown table of a marker's `spec`."""
        items = [item.strip() for item in spec.split(",") if item.strip()]
        skip = tuple(item[1:] for item in items if item.startswith("-"))
        paths = [item for item in items if not item.startswith("-")]
        found = []
        for path in paths:
            node = self.find(path)
            parent, _, name = path.rpartition(".")
            required = name in (self.find(parent) if parent else self.resolve(self.schema)).get("required", [])
            objectlike = self.properties(node) or self.entries(node)
            if len(paths) == 1 and objectlike:
                found += self.rows(node, "", skip)
                entries = self.entries(node)
                if entries:
                    found += self.entry(PLACEHOLDERS.get(path.split(".")[-1], "<name>"), entries, False)
            elif objectlike and node.get("type", "object") == "object":
                found += self.rows(node, path + ".", skip)
            else:
                found += self.entry(path, node, required)
        return HEADER + "".join(
            f"| {key_cell(key)} | {type_cell(self, node)} | {default_cell(node, required)} | "
            f"{text_cell(self.description(node))} |\n"
            for key, node, required in found
        )

    def undescribed(self, spec: str) -> list[str]:
        """The keys of a marker's table without a description in the schema."""
        lines = self.table(spec).splitlines()[2:]
        return [line.split(" | ")[0].removeprefix("| ") for line in lines if line.endswith(" |  |")]

    def stray_keys(self) -> list[str]:
        """Properties with a key that is not JSON-schema's (see SCHEMA_WORDS), as 'key: word'."""
        found = []

        def walk(node, where):
            if isinstance(node, dict):
                if "type" in node or "$ref" in node or "description" in node:
                    found.extend(
                        f"{where}: {word!r}" for word in node if word not in SCHEMA_WORDS and node[word] is None
                    )
                for word, sub in node.items():
                    walk(sub, f"{where}.{word}" if where else word)
            elif isinstance(node, list):
                for k, sub in enumerate(node):
                    walk(sub, f"{where}[{k}]")

        walk(self.schema, "")
        return found


def key_cell(key: str) -> str:
    name, _, qualifier = key.partition(" (")
    return f"`{name}`" + (f" ({qualifier}" if qualifier else "")


def compact(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def type_cell(tables: Tables, node: dict) -> str:
    return escape(type_text(tables, node))


def type_text(tables: Tables, node: dict) -> str:
    node = tables.resolve(node)
    if "const" in node:
        return f"`{compact(node['const'])}`"
    for either in ("oneOf", "anyOf"):
        if either in node:
            return " or ".join(type_text(tables, sub) for sub in node[either])
    kinds = node.get("type", [])
    kinds = kinds if isinstance(kinds, list) else [kinds]
    words = []
    for kind in kinds:
        if kind == "array" and isinstance(node.get("items"), dict):
            words.append(f"array of {type_text(tables, node['items'])}")
        elif (
            kind == "object"
            and not node.get("properties")
            and isinstance(node.get("additionalProperties"), dict)
            and not tables.entries(node)
        ):
            inner = type_text(tables, node["additionalProperties"])
            words.append(f"object of ({inner})" if " or " in inner else f"object of {inner}")
        else:
            words.append(kind)
    text = " or ".join(words) or ("object" if node.get("properties") or node.get("allOf") else "any")
    if node.get("enum"):
        text += ": " + ", ".join(f"`{value}`" for value in node["enum"])
    return text


def default_cell(node: dict, required: bool) -> str:
    if "default" in node:
        return escape(f"`{compact(node['default'])}`")
    return "required" if required else "—"


def text_cell(text: str) -> str:
    return escape(" ".join(str(text).split()))


def escape(text: str) -> str:
    """`text` safe in a table cell: pipes escaped, and `<` outside code spans (a config
    placeholder such as models.<family> would be taken for an HTML tag)."""
    parts = text.split("`")
    for k in range(0, len(parts), 2):
        parts[k] = parts[k].replace("<", "&lt;")
    return "`".join(parts).replace("|", "\\|")


def regenerate(text: str, tables: Tables) -> tuple[str, list[str]]:
    """`text` with every marked table regenerated, and the specs of those that changed."""
    changed = []

    def fill(match):
        spec = match.group("spec").strip()
        try:
            body = "\n" + tables.table(spec) + "\n"  # blank lines: the table a block of its own
        except KeyError as err:
            raise SystemExit(f"config/README.md: <!-- keys: {spec} -->: {err.args[0]}") from None
        if body != match.group("body"):
            changed.append(spec)
        return f"<!-- keys: {spec} -->\n{body}<!-- end keys -->"

    return MARKER.sub(fill, text), changed


def check(readme: str | Path = README, schema: str | Path = SCHEMA) -> list[str]:
    """The specs of the tables of `readme` that differ from `schema`'s."""
    return regenerate(Path(readme).read_text(), Tables(load_schema(schema)))[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 naming the tables that differ; change nothing")
    parser.add_argument("--readme", type=Path, default=README)
    parser.add_argument("--schema", type=Path, default=SCHEMA)
    parser.add_argument("--undescribed", action="store_true", help="list the keys without a description")
    args = parser.parse_args(argv)
    tables = Tables(load_schema(args.schema))
    text = args.readme.read_text()
    for stray in tables.stray_keys():
        print(
            f"warning: schema property {stray} is not a JSON-schema keyword "
            "(a comma in an unquoted flow-mapping description?)",
            file=sys.stderr,
        )
    if args.undescribed:
        for match in MARKER.finditer(text):
            for key in tables.undescribed(match.group("spec").strip()):
                print(f"{match.group('spec').strip()}: {key}")
        return 0
    new, changed = regenerate(text, tables)
    if args.check:
        if changed:
            print(
                f"{args.readme}: tables differ from the schema: {', '.join(changed)} "
                "(python scripts/config_tables.py rewrites them)",
                file=sys.stderr,
            )
            return 1
        return 0
    if changed:
        args.readme.write_text(new)
        print(f"{args.readme}: rewrote {', '.join(changed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
