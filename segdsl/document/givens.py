"""A test's rows and expectations, checked against the schema and the rules (E450 to E456).

`given` is written in the names a rule uses (fields, streams, properties); this module turns
it into the warehouse's shape that schema.yaml maps: for every table (the customers table,
the side table of each many-valued field, each stream's table) its columns with their types
and the rows given, so that an in-memory warehouse built from it is read by the compiled SQL
exactly as the real one. Every value is checked against its field's type here, with its
place in the file, so that nothing reaches a database that would fail there instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from segdsl.diagnostics import Diagnostic, Location, did_you_mean
from segdsl.document.environment import Environment, Stream
from segdsl.document.expects import Expectation, Reading
from segdsl.document.files import SegmentationSource
from segdsl.document.source import Path_
from segdsl.document.testfiles import TestFile, TestModel
from segdsl.types import Type

TIME, NAME = "at", "name"  # the event time and the event name of a row of a stream


@dataclass
class Table:
    """One table of the fixture: its columns (name → type) and rows (column → value)."""

    columns: dict[str, Type]
    rows: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class TestCase:
    """One test, ready to run: its warehouse in memory and what it expects."""

    __test__ = False

    name: str
    file: str
    location: Location
    as_of: dt.datetime
    key: str
    customers: tuple[Any, ...]  # the keys given, in order
    tables: dict[str, Table]
    expectations: tuple[Expectation, ...]
    snapshots: Snapshots = field(default_factory=dict)


Snapshots = Mapping[str, Mapping[dt.datetime, frozenset[str]]]
"""By segment, by *as of*: the members' keys as the state database keeps them (text)."""


def test_cases(
    files: list[TestFile],
    env: Environment,
    segments: Mapping[str, object],
    segmentations: Mapping[str, SegmentationSource],
) -> tuple[list[TestCase], list[Diagnostic]]:
    """Every test of the files, and the problems of those that cannot run."""
    cases: list[TestCase] = []
    problems: list[Diagnostic] = []
    seen: dict[str, str] = {}
    for test_file in files:
        for name, model in test_file.model.tests.items():
            place = ("tests", name)
            reader = _Reader(test_file.document, env, problems)
            if name in seen:
                reader.add(
                    "E454",
                    f"test `{name}` is defined twice",
                    place,
                    key=True,
                    hint=f"it is already defined in {seen[name]}; test names are global",
                )
                continue
            seen[name] = test_file.path
            case = reader.case(name, model, segments, segmentations)
            if case is not None:
                cases.append(case)
    return cases, problems


class _Reader(Reading):
    """Reads one test, adding its problems, each placed in the document."""

    def case(
        self,
        name: str,
        model: TestModel,
        segments: Mapping[str, object],
        segmentations: Mapping[str, SegmentationSource],
    ) -> TestCase | None:
        place: Path_ = ("tests", name)
        as_of = _instant(model.as_of)
        if self.key_type is None:  # the key is no field: its type is that of the keys given
            given = [r.get(self.env.entity.key) for r in model.given.get("customers", [])]
            texts = any(isinstance(k, str) for k in given)
            self.table_key_type = Type.STRING if texts else Type.INTEGER
        tables = self._tables()
        customers = self._customers(model, place, tables)
        self._streams(model, place, tables, set(customers))
        expectations = [
            e
            for target, value in model.expect.items()
            if (
                e := self._expectation(
                    target,
                    value,
                    (*place, "expect", target),
                    segments,
                    segmentations,
                    set(customers),
                )
            )
            is not None
        ]
        snapshots = self._snapshots(model, place, segments)
        if self.count:
            return None
        return TestCase(
            name,
            self.document.source.path,
            self.document.location(place, key=True),
            as_of,
            self.env.entity.key,
            tuple(customers),
            tables,
            tuple(expectations),
            snapshots,
        )

    def _snapshots(
        self, model: TestModel, place: Path_, segments: Mapping[str, object]
    ) -> dict[str, dict[dt.datetime, frozenset[str]]]:
        """`snapshots:` of the test: E450 for a name that is no segment, E454 for an
        instant given twice, E453 for a key of the wrong type."""
        found: dict[str, dict[dt.datetime, frozenset[str]]] = {}
        for segment, stored in model.snapshots.items():
            at: Path_ = (*place, "snapshots", segment)
            if segment not in segments:
                self.add(
                    "E450",
                    f"unknown segment `{segment}`",
                    at,
                    key=True,
                    hint=did_you_mean(segment, list(segments), "segments"),
                )
                continue
            found[segment] = {}
            for index, snapshot in enumerate(stored):
                instant = _instant(snapshot.as_of)
                if instant in found[segment]:
                    self.add(
                        "E454",
                        f"two snapshots of `{segment}` as of {instant.isoformat(sep=' ')}",
                        (*at, index, "as_of"),
                        hint="one snapshot per instant, as the state database keeps them",
                    )
                keys = [
                    self._key(k, (*at, index, "members", i)) for i, k in enumerate(snapshot.members)
                ]
                found[segment][instant] = frozenset(str(k) for k in keys if k is not None)
        return found

    # ---- the tables ---------------------------------------------------------------------

    def _tables(self) -> dict[str, Table]:
        """Every table schema.yaml maps, with its columns and no rows yet."""
        entity = self.env.entity
        key_type = self.table_key_type or Type.INTEGER
        tables: dict[str, Table] = {entity.table: Table({entity.key: key_type})}
        for f in entity.fields.values():
            if f.many:
                side = tables.setdefault(f.table or "", Table({f.key or "": key_type}))
                side.columns.setdefault(f.column, f.type)
            elif f.type == Type.GEO:
                tables[entity.table].columns.setdefault(f.lat or "", Type.FLOAT)
                tables[entity.table].columns.setdefault(f.lon or "", Type.FLOAT)
            else:
                tables[entity.table].columns.setdefault(f.column, f.type)
        for s in self.env.streams.values():
            table = tables.setdefault(s.table, Table({s.key: key_type}))
            table.columns.setdefault(s.time, Type.TIMESTAMP)
            if s.name_column:
                table.columns.setdefault(s.name_column, Type.STRING)
            for p in s.properties.values():
                table.columns.setdefault(p.column, p.type)
        return tables

    def _customers(self, model: TestModel, place: Path_, tables: dict[str, Table]) -> list[Any]:
        entity = self.env.entity
        keys: list[Any] = []
        for i, row in enumerate(model.given.get("customers", [])):
            at: Path_ = (*place, "given", "customers", i)
            if entity.key not in row or row[entity.key] is None:
                self.add(
                    "E455",
                    f"a customer without `{entity.key}`",
                    at,
                    f"give each customer its key: {{{entity.key}: ...}}",
                )
                continue
            key = self._key(row[entity.key], (*at, entity.key))
            if key is None:
                continue
            if key in keys:
                self.add(
                    "E454",
                    f"the customer `{key}` is given twice",
                    (*at, entity.key),
                    "each customer is one row; merge the two",
                )
                continue
            keys.append(key)
            values: dict[str, Any] = {entity.key: key}
            for name, value in row.items():
                if name == entity.key:
                    continue
                f = entity.fields.get(name)
                if f is None:
                    self.add(
                        "E451",
                        f"unknown field `{name}`",
                        (*at, name),
                        did_you_mean(name, entity.fields, "fields"),
                        key=True,
                    )
                elif f.many:
                    items = value if isinstance(value, list) else [value]
                    for j, item in enumerate(items):
                        got = self._value(
                            item,
                            f.type,
                            (*at, name, j) if isinstance(value, list) else (*at, name),
                            name,
                        )
                        if got is not None:
                            tables[f.table or ""].rows.append({f.key or "": key, f.column: got})
                elif f.type == Type.GEO:
                    pair = self._geo(value, (*at, name), name)
                    if pair is not None:
                        values[f.lat or ""], values[f.lon or ""] = pair
                else:
                    values[f.column] = self._value(value, f.type, (*at, name), name)
            tables[entity.table].rows.append(values)
        return keys

    def _streams(
        self, model: TestModel, place: Path_, tables: dict[str, Table], customers: set[Any]
    ) -> None:
        for stream_name, rows in model.given.items():
            if stream_name == "customers":
                continue
            at: Path_ = (*place, "given", stream_name)
            stream = self.env.streams.get(stream_name)
            if stream is None:
                self.add(
                    "E452",
                    f"unknown stream `{stream_name}`",
                    at,
                    did_you_mean(stream_name, ["customers", *self.env.streams], "names"),
                    key=True,
                )
                continue
            for i, row in enumerate(rows):
                event = self._event(stream, row, (*at, i), customers)
                if event is not None:
                    tables[stream.table].rows.append(event)

    def _event(
        self, stream: Stream, row: dict[str, Any], here: Path_, customers: set[Any]
    ) -> dict[str, Any] | None:
        """One event row as its table's columns; None (with its problem) without a key."""
        key, stream_name = self.env.entity.key, stream.name
        missing = [c for c in (key, TIME) if row.get(c) is None]
        if stream.name_column and row.get(NAME) is None:
            missing.append(NAME)
        if missing:
            self.add(
                "E455",
                f"an event of `{stream_name}` without " + ", ".join(f"`{m}`" for m in missing),
                here,
                f"give `{key}`, `{TIME}` (the event time)"
                + (
                    f" and `{NAME}` (one of {', '.join(stream.names)})"
                    if stream.name_column
                    else ""
                ),
            )
            return None
        owner = self._key(row[key], (*here, key))
        if owner is not None and owner not in customers:
            self.add(
                "E456",
                f"an event of the customer `{owner}`, who is not given",
                (*here, key),
                "add the customer to `given: customers:`",
            )
        values: dict[str, Any] = {stream.key: owner}
        values[stream.time] = self._value(row[TIME], Type.TIMESTAMP, (*here, TIME), TIME)
        for name, value in row.items():
            if name in (key, TIME):
                continue
            if name == NAME and stream.name_column:
                if value not in stream.names:
                    self.add(
                        "E453",
                        f"`{value}` is not an event of `{stream_name}`",
                        (*here, NAME),
                        did_you_mean(str(value), stream.names, "events"),
                    )
                values[stream.name_column] = value
                continue
            prop = stream.properties.get(name)
            if prop is None:
                self.add(
                    "E451",
                    f"unknown property `{name}` of `{stream_name}`",
                    (*here, name),
                    did_you_mean(name, stream.properties, "properties"),
                    key=True,
                )
            elif prop.column == stream.time:
                self.add(
                    "E453",
                    f"`{name}` is the event time of `{stream_name}`",
                    (*here, name),
                    f"give it as `{TIME}`",
                    key=True,
                )
            else:
                values[prop.column] = self._value(value, prop.type, (*here, name), name)
        return values

    # ---- values ---------------------------------------------------------------------------


def _instant(value: dt.datetime | dt.date) -> dt.datetime:
    """A date as its midnight, an aware time as the naive UTC instant it stands for."""
    if not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())
    if value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value
