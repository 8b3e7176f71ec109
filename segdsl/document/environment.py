"""The schema environment: what names a rule may use, and where they live in the warehouse.

This is the checker's only input besides the rules themselves (as in CEL: parse →
check against declarations). Built by segdsl.document from schema.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from segdsl.document.source import Text
from segdsl.types import Type

# one part of a table's name: "…" (`""` inside stands for `"`), or text without `.` or `"`
_PART = re.compile(r'"((?:[^"]|"")+)"|([^."]+)')


def table_path(name: str) -> tuple[tuple[str, bool], ...]:
    """The parts of a table's name in schema.yaml, [[catalog.]schema.]table, each with
    whether it was written in double quotes (and is then exactly that name, dots and all):
    `analytics.crm.customers`, `crm."my.customers"`. ValueError when it is none."""
    parts: list[tuple[str, bool]] = []
    at = 0
    while True:
        found = _PART.match(name, at)
        if found is None:
            raise ValueError(f"`{name}` is not a table name")
        quoted, plain = found.groups()
        parts.append((quoted.replace('""', '"'), True) if quoted else (plain, False))
        at = found.end()
        if at == len(name):
            break
        if name[at] != "." or at + 1 == len(name):
            raise ValueError(f"`{name}` is not a table name")
        at += 1
    if len(parts) > 3:
        raise ValueError(f"`{name}` has more parts than catalog.schema.table")
    return tuple(parts)


@dataclass(frozen=True)
class Field:
    """A customer field: a column of the entity table, a side table (`many`), or a geo pair."""

    name: str
    type: Type
    column: str
    many: bool = False
    table: str | None = None  # side table of a `many` field
    key: str | None = None  # its customer-key column
    lat: str | None = None  # geo columns
    lon: str | None = None


@dataclass(frozen=True)
class Property:
    name: str
    type: Type
    column: str


@dataclass(frozen=True)
class Stream:
    """An event stream: a whole table, or the rows of a table with one value of a name column."""

    name: str
    table: str
    key: str
    time: str
    name_column: str | None
    names: tuple[str, ...]
    properties: dict[str, Property] = field(compare=False, hash=False)


@dataclass(frozen=True)
class Event:
    """What `did NAME` refers to: a stream, and for a named stream one of its names."""

    name: str
    stream: Stream
    value: str | None  # the name-column value, or None for a whole-table stream


@dataclass(frozen=True)
class NamedSet:
    name: str
    values: tuple[str | int | float | bool, ...]
    type: Type


@dataclass(frozen=True)
class Entity:
    table: str
    key: str
    fields: dict[str, Field] = field(compare=False, hash=False)


@dataclass
class Environment:
    entity: Entity
    streams: dict[str, Stream] = field(default_factory=dict)
    sets: dict[str, NamedSet] = field(default_factory=dict)
    traits: dict[str, Text] = field(default_factory=dict)
    _events: dict[str, Event] | None = field(default=None, init=False, repr=False, compare=False)

    def events(self) -> dict[str, Event]:
        """Every event name a rule may use with `did`; built at the first lookup and kept
        (the checker asks once per `did`), so the streams are not changed after it."""
        if self._events is None:
            found: dict[str, Event] = {}
            for stream in self.streams.values():
                if stream.name_column is None:
                    found[stream.name] = Event(stream.name, stream, None)
                else:
                    for value in stream.names:
                        found[value] = Event(value, stream, value)
            self._events = found
        return self._events
