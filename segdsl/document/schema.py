"""The schema file's model → the environment that checking reads, with its problems placed.

A field, stream, set or trait that is wrong is reported here (E410, E411), so that the
checker can take the environment as given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from segdsl.diagnostics import Diagnostic
from segdsl.document import environment
from segdsl.document.formats import (
    EntityModel,
    FieldModel,
    SchemaModel,
    StreamModel,
    name_problem,
    normal_name,
)
from segdsl.document.source import Document, Path_, Text
from segdsl.types import Type


@dataclass
class _Problems:
    """Where the schema's problems go, placed in its document."""

    document: Document
    diagnostics: list[Diagnostic]

    def add(self, code: str, message: str, path: Path_, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(code, message, self.document.location(path), hint))

    def name(self, name: str, kind: str, path: Path_) -> bool:
        """Whether a rule can use `name`; else its problem is added at the key."""
        problem = name_problem(name, kind)
        if problem is not None:
            code, message, hint = problem
            self.diagnostics.append(
                Diagnostic(code, message, self.document.location(path, key=True), hint)
            )
        return problem is None


def environment_of(
    model: SchemaModel, document: Document, diagnostics: list[Diagnostic]
) -> environment.Environment:
    """The environment the schema describes; its problems are added to `diagnostics`."""
    problems = _Problems(document, diagnostics)
    fields = _fields(model.customers, problems)
    _table_names(model, fields, problems)
    entity = environment.Entity(model.customers.table, model.customers.key, fields)
    streams = _streams(model.events, problems)
    sets = _sets(model.sets, problems)
    traits = _traits(model.traits, fields, problems)
    return environment.Environment(entity, streams, sets, traits)


def _table_names(
    model: SchemaModel, fields: dict[str, environment.Field], problems: _Problems
) -> None:
    """Each table is `[[catalog.]schema.]table` (docs/files.md#table-and-column-names)."""
    tables: list[tuple[str, Path_]] = [(model.customers.table, ("customers", "table"))]
    tables += [
        (f.table, ("customers", "fields", f.name, "table")) for f in fields.values() if f.table
    ]
    tables += [(s.table, ("events", n, "table")) for n, s in model.events.items()]
    for table, place in tables:
        try:
            environment.table_path(table)
        except ValueError as why:
            problems.add(
                "E410", str(why), place, 'write [[catalog.]schema.]table; "…" quotes a part'
            )


def _fields(customers: EntityModel, problems: _Problems) -> dict[str, environment.Field]:
    fields: dict[str, environment.Field] = {}
    for name, spec in customers.fields.items():
        path = ("customers", "fields", name)
        spec = FieldModel(type=spec) if isinstance(spec, str) else spec
        problems.name(name, "field", path)
        if spec.type == "geo" and not (spec.lat and spec.lon):
            problems.add("E410", f"geo field `{name}` needs `lat` and `lon` columns", path)
        if spec.many and not (spec.table and spec.key):
            problems.add(
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
    return fields


def _streams(events: dict[str, StreamModel], problems: _Problems) -> dict[str, environment.Stream]:
    streams: dict[str, environment.Stream] = {}
    offered: dict[str, str] = {}  # event name → the stream that offers it
    for name, stream in events.items():
        props = {}
        for index, event in enumerate([name] if stream.name is None else stream.names):
            place = ("events", name) if stream.name is None else ("events", name, "names", index)
            if stream.name is not None and not problems.name(event, "event", place):
                continue
            if event in offered and offered[event] != name:
                problems.add(
                    "E214",
                    f"the event `{event}` is offered by the streams `{offered[event]}` and "
                    f"`{name}`",
                    place,
                    "an event name belongs to one stream; rename one of them",
                )
            offered.setdefault(event, name)
        if stream.name is None:
            problems.name(name, "event", ("events", name))
        for prop, spec in stream.properties.items():
            problems.name(prop, "property", ("events", name, "properties", prop))
            spec = FieldModel(type=spec) if isinstance(spec, str) else spec
            if spec.type == "geo":  # a property is one column; a place is two
                problems.add(
                    "E410",
                    f"event property `{prop}` of `{name}` cannot be geo",
                    ("events", name, "properties", prop),
                    "distance_km reads a customer field; give the event its lat and lon "
                    "as two decimal properties",
                )
                continue
            props[prop] = environment.Property(prop, Type(spec.type), spec.column or prop)
        if stream.name and not stream.names:
            problems.add(
                "E410",
                f"stream `{name}` has a name column but no `names`",
                ("events", name),
                "list its event names so that `check` knows them",
            )
        streams[name] = environment.Stream(
            name, stream.table, stream.key, stream.time, stream.name, tuple(stream.names), props
        )
    return streams


def _sets(
    model: dict[str, list[str | int | float | bool]], problems: _Problems
) -> dict[str, environment.NamedSet]:
    sets: dict[str, environment.NamedSet] = {}
    for name, values in model.items():
        problems.name(name, "set", ("sets", name))
        for index, value in enumerate(values):
            if isinstance(value, float) and not math.isfinite(value):
                problems.add(
                    "E215",
                    f"set `{name}` holds `{value}`, which no field can equal",
                    ("sets", name, index),
                    'quote it for the text (".inf"), or leave it out',
                )
            elif isinstance(value, int) and not isinstance(value, bool) and not _fits(value):
                problems.add(
                    "E215",
                    f"set `{name}` holds {value}, beyond 64-bit integers",
                    ("sets", name, index),
                    "no engine holds it as an integer; leave it out, or quote it for the text",
                )
        kinds = {_literal_type(v) for v in values}
        numeric = kinds <= {Type.INTEGER, Type.FLOAT}
        if len(kinds) > 1 and not numeric:
            problems.add(
                "E410",
                f"set `{name}` mixes types",
                ("sets", name),
                "all values of a set are strings, or all numbers",
            )
        set_type = Type.FLOAT if Type.FLOAT in kinds else min(kinds, key=str, default=Type.STRING)
        sets[normal_name(name)] = environment.NamedSet(normal_name(name), tuple(values), set_type)
    return sets


def _fits(value: int) -> bool:
    return -(2**63) <= value < 2**63


def _literal_type(value: object) -> Type:
    if isinstance(value, bool):
        return Type.BOOLEAN
    if isinstance(value, int):
        return Type.INTEGER
    if isinstance(value, float):
        return Type.FLOAT
    return Type.STRING


def _traits(
    model: dict[str, str], fields: dict[str, environment.Field], problems: _Problems
) -> dict[str, Text]:
    traits: dict[str, Text] = {}
    for name in model:
        text = problems.document.text(("traits", name))
        problems.name(name, "trait", ("traits", name))
        if name in fields:
            problems.add(
                "E411",
                f"trait `{name}` has the name of a field",
                ("traits", name),
                "rename the trait",
            )
        elif text is not None:
            traits[normal_name(name)] = text
    return traits
