"""The files' pydantic models → JSON Schema for editors (`segdsl schema`, docs/editors.md).

The schema is generated, never written by hand, so that it cannot drift from what segdsl
reads. It is shaped for the YAML language server of VS Code (redhat's
yaml-language-server) and other JSON Schema draft-07 readers: `definitions` rather than
`$defs`, no `format` on times (its `date-time` wants an offset; segdsl takes
`2025-12-31T12:00:00`), no generated titles. For a segment file of a project, each rule's
`markdownDescription` (what hover shows) lists the project's own names with their types,
and its `examples` (what completion offers) start a rule with each of them: the rule
language is not JSON Schema, so the names are suggestions, never an `enum`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from segdsl.document.formats import ProjectModel, SchemaModel, SegmentFileModel, _Model
from segdsl.document.testfiles import TestFileModel

KINDS: dict[str, type[_Model]] = {
    "segdsl": ProjectModel,
    "schema": SchemaModel,
    "segments": SegmentFileModel,
    "tests": TestFileModel,
}
"""The files a schema is made for, by the name `segdsl schema KIND` takes."""

_TITLES = {
    "segdsl": "segdsl project file (segdsl.yaml)",
    "schema": "segdsl schema file (schema.yaml)",
    "segments": "segdsl segment file",
    "tests": "segdsl test file",
}
_DATE = r"^\d{4}-\d{2}-\d{2}$"
_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$"
_PATTERNS = {"date": _DATE, "date-time": _TIMESTAMP}


@dataclass(frozen=True)
class Names:
    """What a project's rules may name, for the hints of its segment files' schema."""

    fields: dict[str, str] = field(default_factory=dict)  # name → type
    events: tuple[str, ...] = ()
    sets: dict[str, str] = field(default_factory=dict)  # name → type of its values
    traits: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    segmentations: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


def json_schema(kind: str, names: Names | None = None) -> dict[str, Any]:
    """The JSON Schema of the file `kind` (a key of KINDS); for `segments`, with the
    project's `names` as hints when given."""
    model = KINDS[kind]
    schema = model.model_json_schema(by_alias=True, ref_template="#/definitions/{model}")
    schema = _draft_07(schema)
    if "$defs" in schema:
        schema["definitions"] = schema.pop("$defs")
    schema = {"$schema": "http://json-schema.org/draft-07/schema#", **schema}
    schema["title"] = _TITLES[kind]
    if kind == "segments":
        _one_bucket_each(schema)
        if names is not None:
            _hint_names(schema, names)
    return schema


def _draft_07(node: Any) -> Any:
    """`node` without generated titles and with times as patterns (see the module's doc)."""
    if isinstance(node, list):
        return [_draft_07(item) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            result[key] = {name: _draft_07(spec) for name, spec in value.items()}
        elif key == "title":  # pydantic's, from the Python names ("Min Size", "SegmentModel")
            continue
        elif key == "format" and value in _PATTERNS:
            result["pattern"] = _PATTERNS[value]
        else:
            result[key] = _draft_07(value)
    return result


def _one_bucket_each(schema: dict[str, Any]) -> None:
    """Each entry of a segmentation is one `bucket: rule` pair (the model's validator)."""
    entry = schema["properties"]["segmentations"]["additionalProperties"]["items"]
    entry.update(minProperties=1, maxProperties=1)
    entry["additionalProperties"]["description"] = (
        "The bucket's rule (docs/language.md); `else: NAME` names the bucket of everyone left over."
    )


def _hint_names(schema: dict[str, Any], names: Names) -> None:
    """The project's names on every rule of a segment file: in `where` and in each bucket."""
    listing = _listing(names)
    examples = _examples(names)
    rules = [
        schema["definitions"]["SegmentModel"]["properties"]["where"],
        schema["properties"]["segmentations"]["additionalProperties"]["items"][
            "additionalProperties"
        ],
    ]
    for rule in rules:
        rule["markdownDescription"] = rule["description"] + listing
        if examples:
            rule["examples"] = copy.copy(examples)
    segment = schema["definitions"]["SegmentModel"]["properties"]
    if names.owners:
        segment["owner"]["examples"] = list(names.owners)
    if names.labels:
        segment["labels"]["items"]["examples"] = list(names.labels)


def _listing(names: Names) -> str:
    """The names as markdown, one paragraph per kind."""
    parts = [
        ("Fields", [f"`{n}` ({t})" for n, t in names.fields.items()]),
        ("Traits", [f"`{n}`" for n in names.traits]),
        ("Events (`did NAME`)", [f"`{n}`" for n in names.events]),
        ("Sets (`x in NAME`)", [f"`{n}` ({t})" for n, t in names.sets.items()]),
        ("Segments (`in segment NAME`)", [f"`{n}`" for n in names.segments]),
        ("Segmentations", [f"`{n}`" for n in names.segmentations]),
    ]
    return "".join(f"\n\n**{title}:** {', '.join(items)}" for title, items in parts if items)


def _examples(names: Names) -> list[str]:
    """A rule begun with each name: completion offers them as the value."""
    found = [f"{n} is set" for n in names.fields]
    found += list(names.traits)
    found += [f"did {n} within 30 days" for n in names.events]
    for name, kind in names.sets.items():
        found += [f"{f} in {name}" for f, t in names.fields.items() if t == kind][:1]
    found += [f"in segment {n}" for n in names.segments]
    found += [f"{n} is set" for n in names.segmentations]
    return found
