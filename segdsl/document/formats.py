"""The shapes of segdsl.yaml, the schema and segment files, and their errors placed in the file.

The file formats are pydantic models (their JSON Schema is `segdsl schema`); a
validation error is mapped back to the YAML node it concerns, so it gets a line
and column like any rule error.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from segdsl.diagnostics import Diagnostic, did_you_mean
from segdsl.document.source import Document, Path_
from segdsl.types import FIELD_TYPES, TYPE_ALIASES, FieldTypeName

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# the rule grammar's NAME (segdsl/syntax/segdsl.lark): a letter of any script or `_`, then
# letters, digits and `_`; a name is also a Python identifier, which leaves out `²` and the like
UNICODE_IDENTIFIER = re.compile(r"[^\W\d]\w*")
# what segdsl itself names, never a column: these may be written in any script
UNICODE_KINDS = frozenset({"segment", "segmentation", "trait", "set"})
# words a rule reads as part of the language where a name would stand (docs/language.md#names):
# `true > 1` compares the literal, `not` and `in` cannot start a value
RESERVED = frozenset({"true", "false", "null", "now", "today", "not", "in", "did"})


def normal_name(name: str) -> str:
    """A name as segdsl keeps it: NFC, so that `é` written as one character or as `e` and
    a combining accent is one name, in the files and in rules alike (syntax/parser.py)."""
    return unicodedata.normalize("NFC", name)


def same_case(name: str) -> str:
    """The key under which names that differ only in case meet (E209): `casefold`, so
    `STRASSE` and `straße`, `ΣΊΣΥΦΟΣ` and `σίσυφος` are the same name to an engine."""
    return normal_name(name).casefold()


def name_problem(name: str, kind: str) -> tuple[str, str, str] | None:
    """Why a rule could not use `name` (code, message, hint), or None when it can.
    Segments, segmentations, traits and sets may be named in any script; fields, events
    and properties, which name columns and values of the warehouse, in ASCII."""
    name = normal_name(name)
    if kind in UNICODE_KINDS:
        if not (UNICODE_IDENTIFIER.fullmatch(name) and name.isidentifier()):
            return (
                "E410",
                f"`{name}` is not a valid {kind} name",
                "names are letters (of any script), digits and `_`, not starting with a digit",
            )
    elif not IDENTIFIER.fullmatch(name):
        return (
            "E410",
            f"`{name}` is not a valid {kind} name",
            "names are letters, digits and `_`, not starting with a digit",
        )
    if name.casefold() in RESERVED and kind != "segment":  # `in segment now` reads a name
        return (
            "E213",
            f"`{name}` is a word of the rule language: a rule cannot use it as a {kind}'s name",
            "rename it; " + ", ".join(f"`{w}`" for w in sorted(RESERVED)) + " are reserved",
        )
    return None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ProjectModel(_Model):
    """segdsl.yaml: the project file (docs/files.md#segdslyaml)."""

    name: str = Field(description="The project's name.")
    schema_file: str = Field(
        default="environment.yaml",
        alias="schema",
        description="The schema file, relative to segdsl.yaml: everything a rule can refer to.",
    )
    segments: list[str] = Field(
        default=["segments/"],
        description="Segment files and/or folders, relative to segdsl.yaml; a folder means "
        "every .yaml and .yml file below it.",
    )
    tests: list[str] | None = Field(
        default=None,
        description="Test files and/or folders of `segdsl test` (default: tests/, when that "
        "folder exists).",
    )
    warehouse: str | None = Field(
        default=None,
        description="The warehouse `segdsl run` reads: a DuckDB file relative to segdsl.yaml, "
        "a folder of Parquet and CSV files, or a URL.",
    )
    dialect: str = Field(
        default="duckdb",
        description="The default target of `segdsl compile`: any name sqlglot knows (duckdb, "
        "postgres, snowflake, bigquery, ...).",
    )
    state: str | None = Field(
        default=None,
        description="The state database of `segdsl snapshot` and `history`, relative to "
        "segdsl.yaml (default .segdsl/state.duckdb); never the warehouse.",
    )


class FieldModel(_Model):
    """A field or property as a mapping, when `name: type` does not say enough."""

    type: FieldTypeName = Field(description="The field's type.")
    column: str | None = Field(
        default=None,
        description="The column in the warehouse, when its name differs from the field's.",
    )
    many: bool = Field(
        default=False,
        description="The field has several values per customer, kept in a side table.",
    )
    table: str | None = Field(default=None, description="For `many`: the side table.")
    key: str | None = Field(
        default=None, description="For `many`: the side table's customer-key column."
    )
    lat: str | None = Field(default=None, description="For `geo`: the latitude column (degrees).")
    lon: str | None = Field(default=None, description="For `geo`: the longitude column (degrees).")


_FIELD = (
    "`name: type`, or a mapping with `type` and `column`, `many`, `table`, `key`, `lat`, `lon`."
)


class EntityModel(_Model):
    """The entity: every segment is a set of its rows."""

    table: str = Field(description="The customer table, [[catalog.]schema.]table.")
    key: str = Field(description="The unique key column; names the key in results.")
    fields: dict[str, FieldTypeName | FieldModel] = Field(
        default={}, description="The fields: " + _FIELD
    )


class StreamModel(_Model):
    """An event stream: a table of timestamped rows per customer."""

    table: str = Field(description="The stream's table, [[catalog.]schema.]table.")
    key: str = Field(description="Its customer-key column.")
    time: str = Field(description="Its timestamp column.")
    name: str | None = Field(
        default=None,
        description="A column holding the event's name, when one table holds several kinds "
        "of event.",
    )
    names: list[str] = Field(
        default=[],
        description="With `name`: every event name a rule may use (required with `name`).",
    )
    properties: dict[str, FieldTypeName | FieldModel] = Field(
        default={}, description="The columns rules may read: " + _FIELD
    )


class SchemaModel(_Model):
    """schema.yaml: everything a rule can refer to (docs/files.md#schemayaml)."""

    customers: EntityModel = Field(description="The entity: every segment is a set of its rows.")
    events: dict[str, StreamModel] = Field(
        default={}, description="Event streams, by name: `did NAME` in rules."
    )
    sets: dict[str, list[str | int | float | bool]] = Field(
        default={},
        description="Named lists for `x in NAME`: all strings, or all numbers. Quote `NO`, "
        "`yes`, `on`, codes with a leading zero.",
    )
    traits: dict[str, str] = Field(
        default={},
        description="Derived fields written in the rule language: a value or a condition.",
    )


class SegmentModel(_Model):
    """A segment: a rule and what people need to know about it."""

    where: str = Field(description="The rule (docs/language.md).")
    description: str | None = Field(default=None, description="What the segment is for, in words.")
    owner: str | None = Field(default=None, description="Who to ask about it.")
    labels: list[str] = Field(default=[], description="Free words for grouping.")
    min_size: int | None = Field(
        default=None,
        ge=0,
        description="`segdsl run` flags the segment when it has fewer members.",
    )


class SegmentFileModel(_Model):
    """A segment file: `segments:`, `segmentations:` or both (docs/files.md#segment-files)."""

    segments: dict[str, SegmentModel] = Field(default={}, description="Segments, by name.")
    segmentations: dict[str, list[dict[str, str]]] = Field(
        default={},
        description="Segmentations, by name: a list of `bucket: rule` entries tried in order; "
        "an optional last `else: NAME` names the bucket of everyone left over.",
    )

    @field_validator("segmentations")
    @classmethod
    def _one_key_each(
        cls, value: dict[str, list[dict[str, str]]]
    ) -> dict[str, list[dict[str, str]]]:
        for buckets in value.values():
            for bucket in buckets:
                if len(bucket) != 1:
                    raise ValueError("each entry of a segmentation is one `bucket: rule` pair")
        return value


def validate(model: type[_Model], document: Document, diagnostics: list[Diagnostic]) -> Any:
    """The document as `model`, or None with its problems added to `diagnostics`."""
    try:
        return model.model_validate(document.data)
    except ValidationError as error:
        diagnostics.extend(_validation_diagnostics(error, document, model))
        return None


def _validation_diagnostics(
    error: ValidationError, document: Document, model: type[_Model]
) -> list[Diagnostic]:
    """One diagnostic per place; a union's per-member complaints collapse into the telling one."""
    found: dict[Path_, Diagnostic] = {}
    for item in sorted(error.errors(), key=lambda e: e["type"] == "model_type"):
        path = _document_path(document, item["loc"])
        kind, value = item["type"], item.get("input")
        if kind == "extra_forbidden":
            allowed = _allowed_keys(model, path[:-1])
            diag = Diagnostic(
                "E404",
                f"unknown key `{path[-1]}`",
                document.location(path, key=True),
                did_you_mean(str(path[-1]), allowed, "keys") if allowed else None,
            )
        elif kind == "missing":
            diag = Diagnostic(
                "E405",
                f"missing key `{item['loc'][-1]}`",
                document.location(path),
                f"add `{item['loc'][-1]}:` here",
            )
        elif kind == "literal_error" and isinstance(value, str):
            alias = TYPE_ALIASES.get(value.lower())
            hint = (
                f"did you mean `{alias}`?" if alias else did_you_mean(value, FIELD_TYPES, "types")
            )
            diag = Diagnostic("E409", f"unknown type `{value}`", document.location(path), hint)
        elif kind == "literal_error" or (kind == "model_type" and path in found):
            continue
        else:
            diag = Diagnostic(
                "E405",
                _shape_message(path, kind, value, item["msg"]),
                document.location(path),
                _shape_hint(path, kind),
            )
        found.setdefault(path, diag)
    return list(found.values())


def _document_path(document: Document, loc: tuple[Any, ...]) -> Path_:
    """The part of a pydantic error location that names nodes of the file (union tags dropped)."""
    path: Path_ = ()
    for part in loc:
        if (*path, part) in document.nodes:
            path = (*path, part)
    return path


def _allowed_keys(model: type[BaseModel], path: Path_) -> list[str]:
    """The keys a mapping at `path` may hold, for "did you mean" on an unknown key."""
    current: Any = model
    for part in path:
        found = _model_of(current)
        if found is not None:
            info = found.model_fields.get(str(part))
            current = info.annotation if info else None
        else:  # an entry of a dict or a list: its value type
            args = getattr(current, "__args__", ())
            current = args[-1] if args else None
        if current is None:
            return []
    found = _model_of(current)
    return [f.alias or n for n, f in found.model_fields.items()] if found else []


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model an annotation is, or has among the members of its union."""
    candidates = [annotation, *getattr(annotation, "__args__", ())]
    if getattr(annotation, "__origin__", None) in (dict, list):
        candidates = [annotation]
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


# what a value of the wrong shape should have been, by pydantic's kind of error, in the
# words of docs/files.md rather than pydantic's (`input should be a valid list`)
_EXPECTED = {
    "string_type": "text",
    "list_type": "a list (`- ...` lines)",
    "dict_type": "a mapping (`key: value` lines)",
    "model_type": "a mapping (`key: value` lines)",
    "model_attributes_type": "a mapping (`key: value` lines)",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "decimal_type": "a number",
    "decimal_parsing": "a number",
    "bool_type": "`true` or `false`",
    "bool_parsing": "`true` or `false`",
}


def _shape_message(path: Path_, kind: str, value: object, pydantic_message: str) -> str:
    """`segments.probe.min_size` should be a whole number, not the text `lots`: what the
    place expects and what it holds; a check of the project's own (a `value_error`) says
    its own words, without pydantic's `Value error, ` before them."""
    where = ".".join(str(p) for p in path) or "the file"
    expected = _EXPECTED.get(kind)
    if expected is not None and value is None:
        return f"`{where}` is empty; it should be {expected}"
    if expected is not None:
        return f"`{where}` should be {expected}, not {_found(value)}"
    said = pydantic_message.removeprefix("Value error, ")
    return f"`{where}`: {said[:1].lower()}{said[1:]}"


def _found(value: object) -> str:
    """A YAML value as the file's author sees it: `a list`, the number `30`."""
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, int | float):
        return f"the number `{value}`"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"the text `{shown}`"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a value of another kind"


def _shape_hint(path: Path_, kind: str) -> str | None:
    """Where to look: how a rule is written, how a segmentation lists its buckets."""
    if path and path[-1] == "where":
        return "a rule is text; quote it or use a block scalar (`where: >`)"
    if len(path) == 2 and path[0] == "segmentations" and kind == "list_type":
        return (
            'a segmentation is its buckets, one a line: `- vip: tag = "vip"`, then `- else: other`'
        )
    return "see docs/files.md for the shape of this file"
