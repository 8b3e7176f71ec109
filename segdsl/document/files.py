"""Project, schema and segment files → validated models, each rule kept with its place in its file.

The file formats are pydantic models (their JSON Schema is `segdsl schema-json`); a
validation error is mapped back to the YAML node it concerns, so it gets a line
and column like any rule error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from segdsl.diagnostics import Diagnostic, did_you_mean
from segdsl.document import environment
from segdsl.document.source import Document, Path_, Text, load_document
from segdsl.types import FIELD_TYPES, TYPE_ALIASES, Type

PROJECT_FILE = "segdsl.yaml"
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TypeName = Literal["string", "integer", "decimal", "float", "boolean", "date", "timestamp", "geo"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ProjectModel(_Model):
    name: str
    schema_file: str = Field("environment.yaml", alias="schema")
    segments: list[str] = ["segments/"]
    warehouse: str | None = None
    dialect: str = "duckdb"


class FieldModel(_Model):
    type: TypeName
    column: str | None = None
    many: bool = False
    table: str | None = None
    key: str | None = None
    lat: str | None = None
    lon: str | None = None


class EntityModel(_Model):
    table: str
    key: str
    fields: dict[str, TypeName | FieldModel] = {}


class StreamModel(_Model):
    table: str
    key: str
    time: str
    name: str | None = None
    names: list[str] = []
    properties: dict[str, TypeName | FieldModel] = {}


class SchemaModel(_Model):
    customers: EntityModel
    events: dict[str, StreamModel] = {}
    sets: dict[str, list[str | int | float | bool]] = {}
    traits: dict[str, str] = {}


class SegmentModel(_Model):
    where: str
    description: str | None = None
    owner: str | None = None
    labels: list[str] = []
    min_size: int | None = Field(None, ge=0)


class SegmentFileModel(_Model):
    segments: dict[str, SegmentModel] = {}
    segmentations: dict[str, list[dict[str, str]]] = {}

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


@dataclass(frozen=True)
class SegmentSource:
    name: str
    where: Text
    path: str
    description: str | None = None
    owner: str | None = None
    labels: tuple[str, ...] = ()
    min_size: int | None = None


@dataclass(frozen=True)
class Bucket:
    name: str
    rule: Text | None  # None for the `else` bucket


@dataclass(frozen=True)
class SegmentationSource:
    name: str
    buckets: tuple[Bucket, ...]
    path: str


@dataclass
class Loaded:
    """Everything read from a project's files, plus what was wrong with them."""

    root: Path
    project: ProjectModel | None = None
    environment: environment.Environment | None = None
    segments: dict[str, SegmentSource] = field(default_factory=dict)
    segmentations: dict[str, SegmentationSource] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def find_project(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None


def _read(path: Path, display: str, loaded: Loaded) -> Document | None:
    try:
        raw = path.read_bytes()
    except OSError as error:
        loaded.diagnostics.append(
            Diagnostic(
                "E401",
                f"cannot read `{display}`: {error.strerror}",
                hint="check the path in segdsl.yaml",
            )
        )
        return None
    document, problems = load_document(display, raw)
    loaded.diagnostics.extend(problems)
    return document


def _validate(model: type[_Model], document: Document, loaded: Loaded) -> Any:
    try:
        return model.model_validate(document.data)
    except ValidationError as error:
        loaded.diagnostics.extend(_validation_diagnostics(error, document, model))
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
            where = ".".join(str(p) for p in path) or "the file"
            diag = Diagnostic(
                "E405",
                f"`{where}`: {item['msg'][:1].lower()}{item['msg'][1:]}",
                document.location(path),
                _shape_hint(path),
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


def _shape_hint(path: Path_) -> str | None:
    if path and path[-1] == "where":
        return "a rule is text; quote it or use a block scalar (`where: >`)"
    return "see docs/files.md for the shape of this file"


def load_project(root: Path, only: list[Path] | None = None) -> Loaded:
    """Read segdsl.yaml, the schema and the segment files (or just `only` of them)."""
    loaded = Loaded(root=root)
    document = _read(root / PROJECT_FILE, PROJECT_FILE, loaded)
    if document is None:
        return loaded
    loaded.project = _validate(ProjectModel, document, loaded)
    if loaded.project is None:
        return loaded
    schema_path = root / loaded.project.schema_file
    schema_doc = _read(schema_path, _display(schema_path, root), loaded)
    if schema_doc is not None:
        model = _validate(SchemaModel, schema_doc, loaded)
        if model is not None:
            loaded.environment = _environment(model, schema_doc, loaded)
    files = only if only is not None else segment_files(root, loaded.project.segments, loaded)
    for path in files:
        segment_doc = _read(path, _display(path, root), loaded)
        if segment_doc is not None:
            _add_segments(segment_doc, loaded)
    return loaded


def segment_files(root: Path, entries: list[str], loaded: Loaded) -> list[Path]:
    files: list[Path] = []
    for entry in entries:
        path = root / entry
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        elif path.is_file():
            files.append(path)
        else:
            loaded.diagnostics.append(
                Diagnostic(
                    "E401",
                    f"segment path `{entry}` does not exist",
                    hint="fix `segments:` in segdsl.yaml",
                )
            )
    return files


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _environment(model: SchemaModel, document: Document, loaded: Loaded) -> environment.Environment:
    def problem(code: str, message: str, path: Path_, hint: str | None = None) -> None:
        loaded.diagnostics.append(Diagnostic(code, message, document.location(path), hint))

    fields: dict[str, environment.Field] = {}
    for name, spec in model.customers.fields.items():
        path = ("customers", "fields", name)
        spec = FieldModel(type=spec) if isinstance(spec, str) else spec
        if not IDENTIFIER.fullmatch(name):
            problem(
                "E410",
                f"`{name}` is not a valid field name",
                path,
                "names are letters, digits and `_`, not starting with a digit",
            )
        if spec.type == "geo" and not (spec.lat and spec.lon):
            problem("E410", f"geo field `{name}` needs `lat` and `lon` columns", path)
        if spec.many and not (spec.table and spec.key):
            problem(
                "E410",
                f"many-valued field `{name}` needs `table` and `key`",
                path,
                "the side table holding the values and its customer-key column",
            )
        fields[name] = environment.Field(
            name,
            Type(spec.type),
            spec.column or name,
            spec.many,
            spec.table,
            spec.key,
            spec.lat,
            spec.lon,
        )
    tables: list[tuple[str, Path_]] = [(model.customers.table, ("customers", "table"))]
    tables += [
        (f.table, ("customers", "fields", f.name, "table")) for f in fields.values() if f.table
    ]
    tables += [(s.table, ("events", n, "table")) for n, s in model.events.items()]
    for table, place in tables:  # [[catalog.]schema.]table (docs/files.md#table-and-column-names)
        try:
            environment.table_path(table)
        except ValueError as why:
            problem("E410", str(why), place, 'write [[catalog.]schema.]table; "…" quotes a part')
    entity = environment.Entity(model.customers.table, model.customers.key, fields)
    streams: dict[str, environment.Stream] = {}
    for name, stream in model.events.items():
        props = {}
        for prop, spec in stream.properties.items():
            spec = FieldModel(type=spec) if isinstance(spec, str) else spec
            props[prop] = environment.Property(prop, Type(spec.type), spec.column or prop)
        if stream.name and not stream.names:
            problem(
                "E410",
                f"stream `{name}` has a name column but no `names`",
                ("events", name),
                "list its event names so that `check` knows them",
            )
        streams[name] = environment.Stream(
            name, stream.table, stream.key, stream.time, stream.name, tuple(stream.names), props
        )
    sets: dict[str, environment.NamedSet] = {}
    for name, values in model.sets.items():
        kinds = {_literal_type(v) for v in values}
        numeric = kinds <= {Type.INTEGER, Type.FLOAT}
        if len(kinds) > 1 and not numeric:
            problem(
                "E410",
                f"set `{name}` mixes types",
                ("sets", name),
                "all values of a set are strings, or all numbers",
            )
        set_type = Type.FLOAT if Type.FLOAT in kinds else min(kinds, key=str, default=Type.STRING)
        sets[name] = environment.NamedSet(name, tuple(values), set_type)
    traits: dict[str, Text] = {}
    for name in model.traits:
        text = document.text(("traits", name))
        if name in fields:
            problem(
                "E411",
                f"trait `{name}` has the name of a field",
                ("traits", name),
                "rename the trait",
            )
        elif text is not None:
            traits[name] = text
    return environment.Environment(entity, streams, sets, traits)


def _literal_type(value: object) -> Type:
    if isinstance(value, bool):
        return Type.BOOLEAN
    if isinstance(value, int):
        return Type.INTEGER
    if isinstance(value, float):
        return Type.FLOAT
    return Type.STRING


def _add_segments(document: Document, loaded: Loaded) -> None:
    if not isinstance(document.data, dict):
        loaded.diagnostics.append(
            Diagnostic(
                "E405",
                "a segment file is a mapping with `segments:` and/or `segmentations:`",
                document.location(()),
            )
        )
        return
    model = _validate(SegmentFileModel, document, loaded)
    if model is None:
        return
    path = document.source.path
    for name, segment in model.segments.items():
        where = document.text(("segments", name, "where"))
        if not _new_name(name, ("segments", name), document, loaded) or where is None:
            continue
        loaded.segments[name] = SegmentSource(
            name,
            where,
            path,
            segment.description,
            segment.owner,
            tuple(segment.labels),
            segment.min_size,
        )
    for name, entries in model.segmentations.items():
        if not _new_name(name, ("segmentations", name), document, loaded):
            continue
        buckets: list[Bucket] = []
        for i, entry in enumerate(entries):
            ((bucket, rule),) = entry.items()
            place = ("segmentations", name, i, bucket)
            if bucket == "else":
                buckets.append(Bucket(rule, None))
                if i != len(entries) - 1:
                    loaded.diagnostics.append(
                        Diagnostic(
                            "E412",
                            "`else` must be the last bucket",
                            document.location(place, True),
                            "buckets after `else` could never match",
                        )
                    )
            elif any(b.name == bucket for b in buckets):
                loaded.diagnostics.append(
                    Diagnostic(
                        "E403", f"duplicate bucket `{bucket}`", document.location(place, True)
                    )
                )
            else:
                buckets.append(Bucket(bucket, document.text(place)))
        loaded.segmentations[name] = SegmentationSource(name, tuple(buckets), path)


def _new_name(name: str, path: Path_, document: Document, loaded: Loaded) -> bool:
    if not IDENTIFIER.fullmatch(name):
        loaded.diagnostics.append(
            Diagnostic(
                "E410",
                f"`{name}` is not a valid segment name",
                document.location(path, key=True),
                "names are letters, digits and `_`, not starting with a digit",
            )
        )
        return False
    previous = loaded.segments.get(name) or loaded.segmentations.get(name)
    if previous is not None:
        loaded.diagnostics.append(
            Diagnostic(
                "E209",
                f"`{name}` is defined twice",
                document.location(path, key=True),
                f"it is already defined in {previous.path}; segment names are global",
            )
        )
        return False
    return True
