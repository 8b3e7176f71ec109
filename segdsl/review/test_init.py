"""`segdsl test --init SEGMENT`: a starter test, from a sample of the warehouse.

A handful of the segment's members and of the other customers (the first by key, so the
same warehouse gives the same file), each with the fields the rule reads and their
events of the streams it reads, as of the run's instant. The rule is run on those rows
before the file is kept: a member of the warehouse may not be one among six customers
(a percentile compares with everyone), so the file expects what the fixture gives, and
says so where that differs from the warehouse. An existing file is never overwritten.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlglot import exp

from segdsl.diagnostics import Diagnostic, SegdslError, did_you_mean
from segdsl.document.environment import Environment
from segdsl.document.formats import IDENTIFIER
from segdsl.emit import to_sql
from segdsl.execute import read_rows
from segdsl.execute.result import RESULT_TABLE
from segdsl.execute.session import column, sql
from segdsl.lower.groups import warehouse_table
from segdsl.review.protocol import Reviewed
from segdsl.review.testing import run_tests

SAMPLE = 3  # members, and as many others
MAX_EVENTS = 50  # latest events per customer and stream written


def write_starter(
    project: Reviewed,
    segment: str,
    as_of: dt.datetime | None = None,
    warehouse: Path | str | Any = None,
) -> Path:
    """Writes tests/SEGMENT.yaml and returns its path (E457 when it exists)."""
    if segment in project.segmentations:
        raise SegdslError(
            [
                Diagnostic(
                    "E457",
                    f"`{segment}` is a segmentation; --init writes a test of a segment",
                    hint="write the buckets' expectations by hand (`{key: bucket}`), "
                    "docs/files.md#test-files",
                )
            ]
        )
    if segment not in project.segments:
        known = [*project.segments]
        raise SegdslError(
            [
                Diagnostic(
                    "E203",
                    f"unknown segment `{segment}`",
                    hint=did_you_mean(segment, known, "segments"),
                )
            ]
        )
    relative = f"tests/{segment}.yaml"
    target = project.root / relative
    if os.path.lexists(target):
        raise SegdslError(
            [
                Diagnostic(
                    "E457",
                    f"`{relative}` exists; --init never overwrites a file",
                    hint="remove it, or add to it by hand",
                )
            ]
        )
    as_of = as_of or dt.datetime.now(dt.UTC).replace(tzinfo=None).replace(microsecond=0)
    source = project.segments[segment]
    copy = f"{segment}_init_copy"
    result = project.with_rules({copy: (source.where, source.path)}).run(
        [segment, copy], as_of, warehouse
    )
    members = result.members(segment)[:SAMPLE]
    others = _others(result, segment)
    env = project.environment
    assert env is not None
    fields, streams = _read_names(project, segment)
    rows = _rows(project, warehouse, [*members, *others], env)
    given = _given(env, rows, [*members, *others], fields, streams, as_of)
    name = f"{segment}_sample"
    expect = {"includes": members, "excludes": others}
    target.parent.mkdir(exist_ok=True)
    text = _text(name, segment, as_of, given, expect, "")
    _write(target, text)
    try:
        report = run_tests(project, [relative], [name])
        if report.failed:  # the fixture alone decides otherwise than the whole warehouse
            (outcome,) = report.results[0].outcomes
            note = (
                "# The warehouse's members among these customers are "
                f"{members}; on these rows alone the rule gives {list(outcome.actual)}\n"
                "# (a percentile or share compares with every customer).\n"
            )
            target.unlink()
            _write(target, _text(name, segment, as_of, given, list(outcome.actual), note))
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target


def _write(target: Path, text: str) -> None:
    with open(target, "x", encoding="utf-8") as handle:  # never through a link, never over
        handle.write(text)


def _others(result: Any, segment: str) -> list[Any]:
    key = column(result.key)
    query = (
        exp.select(key)
        .from_(RESULT_TABLE)
        .where(exp.Not(this=column(segment)))
        .order_by(key.copy())
        .limit(SAMPLE)
    )
    return [row[0] for row in result.connection.execute(sql(query)).fetchall()]


def _read_names(project: Reviewed, segment: str) -> tuple[set[str], set[str]]:
    """The fields and the streams the segment's rule reads, through its traits, segments
    and segmentations (by the names its text holds)."""
    env = project.environment
    assert env is not None
    events = env.events()
    fields: set[str] = set()
    streams: set[str] = set()
    seen: set[str] = set()
    todo = [project.segments[segment].where.value]
    while todo:
        for word in IDENTIFIER.findall(todo.pop()):
            if word in seen:
                continue
            seen.add(word)
            if word in env.entity.fields:
                fields.add(word)
            if word in events:
                streams.add(events[word].stream.name)
                fields.add(word)  # an event name read: its rows are written
            if word in env.streams:
                streams.add(word)
            if word in env.traits:
                todo.append(env.traits[word].value)
            if word in project.segments:
                todo.append(project.segments[word].where.value)
            if word in project.segmentations:
                todo += [b.rule.value for b in project.segmentations[word].buckets if b.rule]
    return fields, streams


def _rows(
    project: Reviewed, warehouse: Any, keys: list[Any], env: Environment
) -> dict[str, list[dict[str, Any]]]:
    tables = {env.entity.table: env.entity.key}
    tables |= {f.table: f.key for f in env.entity.fields.values() if f.table and f.key}
    tables |= {s.table: s.key for s in env.streams.values()}
    place = project.resolve_warehouse(warehouse)
    literals = [
        exp.Literal.number(k) if isinstance(k, int) else exp.Literal.string(str(k)) for k in keys
    ]
    statements = [
        to_sql(
            exp.select(exp.Star())
            .from_(warehouse_table(table, "t"))
            .where(exp.In(this=exp.column(key, table="t"), expressions=literals)),
            place.dialect,
            pretty=False,
        )
        for table, key in tables.items()
    ]
    return {
        table: [dict(zip(names, row, strict=True)) for row in found]
        for table, (names, found) in zip(tables, read_rows(place, statements), strict=True)
    }


def _given(
    env: Environment,
    rows: dict[str, list[dict[str, Any]]],
    keys: list[Any],
    fields: set[str],
    streams: set[str],
    as_of: dt.datetime,
) -> dict[str, list[dict[str, Any]]]:
    entity = env.entity
    by_key = {row[entity.key]: row for row in rows[entity.table]}
    customers = []
    for key in keys:
        row, written = by_key[key], {entity.key: key}
        for name in sorted(fields & set(entity.fields) - {entity.key}):
            f = entity.fields[name]
            if f.many:
                values = sorted(
                    {r[f.column] for r in rows[f.table or ""] if r[f.key or ""] == key} - {None},
                    key=str,
                )
                if values:
                    written[name] = values
            elif f.lat and f.lon:
                if row.get(f.lat) is not None and row.get(f.lon) is not None:
                    written[name] = [float(row[f.lat]), float(row[f.lon])]
            elif row.get(f.column) is not None:
                written[name] = _plain(row[f.column])
        customers.append(written)
    given: dict[str, list[dict[str, Any]]] = {"customers": customers}
    for stream in sorted(streams):
        s = env.streams[stream]
        events = []
        for key in keys:
            own = [r for r in rows[s.table] if r[s.key] == key and r[s.time] is not None]
            own = [
                r
                for r in own
                if r[s.time] <= as_of and (not s.name_column or r[s.name_column] in s.names)
            ]
            own.sort(key=lambda r: (r[s.time], str(r.get(s.name_column or "", ""))))
            for r in own[-MAX_EVENTS:]:
                event: dict[str, Any] = {entity.key: key}
                if s.name_column:
                    event["name"] = r[s.name_column]
                event["at"] = _plain(r[s.time])
                for p in s.properties.values():
                    if p.column != s.time and r.get(p.column) is not None:
                        event[p.name] = _plain(r[p.column])
                events.append(event)
        given[stream] = events
    return given


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime) and value.microsecond:
        return value.isoformat()  # YAML would write it as a tagged value
    if isinstance(value, Decimal):
        number = float(value)
        return number if Decimal(str(number)) == value else str(value)
    return value


def _flow(value: Any) -> str:
    text: str = yaml.safe_dump(
        value, default_flow_style=True, width=10**9, allow_unicode=True, sort_keys=False
    )
    return text.strip().removesuffix("...").strip()


def _text(
    name: str,
    segment: str,
    as_of: dt.datetime,
    given: dict[str, list[dict[str, Any]]],
    expect: Any,
    note: str,
) -> str:
    lines = [
        f"# A starter test of `{segment}`, written by `segdsl test --init {segment}` from the",
        "# warehouse's first members and other customers by key. Edit it to say what the",
        "# rule must do; `segdsl test` runs it.",
        "tests:",
        f"  {name}:",
        f"    as_of: {as_of.isoformat()}",
        "    given:",
    ]
    for table, rows in given.items():
        lines.append(f"      {table}:" + ("" if rows else " []"))
        lines += [f"        - {_flow(row)}" for row in rows]
    lines += [
        "    expect:",
        *(f"      {line}" for line in note.splitlines()),
        f"      {segment}: {_flow(expect)}",
    ]
    return "\n".join(lines) + "\n"
