"""`segdsl schema`: JSON Schema of the four kinds of file, generated from their models.

Checked with a small draft-07 validator written here (jsonschema too, when installed) on
the demo's files read as an editor reads YAML (times stay text), and against files the
models refuse; a segment file's schema lists the project's names as hints.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import segdsl
from segdsl import cli
from segdsl.demo import write_demo

KIND_FILES = {
    "segdsl": ["segdsl.yaml"],
    "schema": ["schema.yaml"],
    "segments": [f"segments/{n}.yaml" for n in ("behavioural", "value", "lifecycle", "contact")],
    "tests": ["tests/behaviour.yaml"],
}


class _EditorLoader(yaml.SafeLoader):
    """YAML as an editor's language server reads it: a timestamp is text."""


_EditorLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def problems(schema: dict[str, Any], value: Any, node: dict[str, Any] | None = None) -> list[str]:
    """Where `value` breaks `schema` (the draft-07 keywords the generated schemas use)."""
    node = schema if node is None else node
    if "$ref" in node:
        return problems(schema, value, schema["definitions"][node["$ref"].split("/")[-1]])
    if "anyOf" in node:
        found = [problems(schema, value, option) for option in node["anyOf"]]
        return [] if any(not f for f in found) else [f"no option of anyOf fits {value!r}"]
    kinds = {
        "object": dict,
        "array": list,
        "string": str,
        "integer": int,
        "boolean": bool,
        "number": (int, float),
        "null": type(None),
    }
    kind = node.get("type")
    if kind and (
        not isinstance(value, kinds[kind]) or (kind == "integer" and isinstance(value, bool))
    ):
        return [f"{value!r} is not {kind}"]
    if "enum" in node and value not in node["enum"]:
        return [f"{value!r} not in enum"]
    if "const" in node and value != node["const"]:
        return [f"{value!r} is not {node['const']!r}"]
    if "pattern" in node and isinstance(value, str) and not re.search(node["pattern"], value):
        return [f"{value!r} does not match"]
    if "minimum" in node and isinstance(value, int | float) and value < node["minimum"]:
        return [f"{value!r} is below the minimum"]
    found: list[str] = []
    if isinstance(value, dict):
        if not node.get("minProperties", 0) <= len(value) <= node.get("maxProperties", 1 << 30):
            found.append(f"{len(value)} keys")
        found += [f"missing {k}" for k in node.get("required", []) if k not in value]
        for key, item in value.items():
            if key in node.get("properties", {}):
                found += problems(schema, item, node["properties"][key])
            elif node.get("additionalProperties") is False:
                found.append(f"unknown key {key}")
            elif isinstance(node.get("additionalProperties"), dict):
                found += problems(schema, item, node["additionalProperties"])
    if isinstance(value, list) and "items" in node:
        for item in value:
            found += problems(schema, item, node["items"])
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("schema") / "demo"
    write_demo(root, customers=50, seed=7)
    return root


def read(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_EditorLoader)


@pytest.mark.parametrize("kind", KIND_FILES)
def test_the_demo_files_fit_the_schema_they_name(demo: Path, kind: str) -> None:
    written = json.loads((demo / ".segdsl" / "schema" / f"{kind}.json").read_text())
    assert written == segdsl.schema_json(kind, segdsl.load(demo))
    assert written["$schema"] == "http://json-schema.org/draft-07/schema#"
    for name in KIND_FILES[kind]:
        path = demo / name
        first = path.read_text().splitlines()[0]
        named = first.removeprefix("# yaml-language-server: $schema=")
        assert (path.parent / named).resolve() == demo / ".segdsl" / "schema" / f"{kind}.json"
        assert problems(written, read(path)) == [], name
        jsonschema = _jsonschema()
        if jsonschema is not None:
            jsonschema.Draft7Validator.check_schema(written)
            assert not list(jsonschema.Draft7Validator(written).iter_errors(read(path)))


def _jsonschema() -> Any:
    try:
        import jsonschema
    except ImportError:
        return None
    return jsonschema


@pytest.mark.parametrize(
    ("kind", "wrong"),
    [
        ("segdsl", {"name": "x", "segment": ["segments/"]}),  # a misspelled key
        ("segdsl", {"schema": "schema.yaml"}),  # no name
        ("schema", {"customers": {"table": "c", "key": "id", "fields": {"age": "int"}}}),
        ("segments", {"segments": {"a": {"where": "x", "min_size": -1}}}),
        ("segments", {"segments": {"a": {"owner": "me"}}}),  # no rule
        ("segments", {"segmentations": {"s": [{"a": "x", "b": "y"}]}}),  # two keys in one
        ("tests", {"tests": {"t": {"as_of": "yesterday", "expect": {}}}}),
    ],
)
def test_a_wrong_file_does_not_fit(kind: str, wrong: dict[str, Any]) -> None:
    schema = segdsl.schema_json(kind)
    assert problems(schema, wrong)
    jsonschema = _jsonschema()
    if jsonschema is not None:
        assert list(jsonschema.Draft7Validator(schema).iter_errors(wrong))


def test_every_key_says_what_it_is_for() -> None:
    for kind in KIND_FILES:
        schema = segdsl.schema_json(kind)
        for model in [schema, *schema.get("definitions", {}).values()]:
            for key, spec in model.get("properties", {}).items():
                if "$ref" in spec:  # draft-07 reads nothing beside a $ref: its target says
                    spec = schema["definitions"][spec["$ref"].split("/")[-1]]
                assert spec.get("description"), (kind, key)
                assert "title" not in spec and "format" not in json.dumps(spec), (kind, key)


def test_a_projects_names_are_suggested(demo: Path) -> None:
    project = segdsl.load(demo)
    env = project.environment
    assert env is not None
    where = segdsl.schema_json("segments", project)["definitions"]["SegmentModel"]["properties"][
        "where"
    ]
    hover = where["markdownDescription"]
    for name in [*env.entity.fields, *env.events(), *env.sets, *env.traits, *project.segments]:
        assert f"`{name}`" in hover, name
    assert "did purchase within 30 days" in where["examples"]
    assert "in segment gold" in where["examples"]
    assert "markdownDescription" not in json.dumps(segdsl.schema_json("segments"))


def test_the_command_prints_it(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--project", str(demo), "schema", "segments"]) == 0
    assert json.loads(capsys.readouterr().out) == segdsl.schema_json("segments", segdsl.load(demo))
    with pytest.raises(SystemExit) as usage:
        cli.main(["schema", "segment"])
    assert usage.value.code == 2
    with pytest.raises(segdsl.SegdslError) as unknown:
        segdsl.schema_json("segment")
    assert unknown.value.diagnostics[0].code == "E492"
