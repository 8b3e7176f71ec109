"""The event side of a statement: which aggregates it needs, and one prefiltered GROUP BY
per event stream and time window that computes them.

Measured (issue 3): a GROUP BY over all events with FILTER clauses alone lets DuckDB
skip nothing and is ~40× slower than the same GROUP BY behind a WHERE that keeps
only the rows some aggregate needs (the window, and the event names). So every
group gets that WHERE, and aggregates shared by several segments are computed once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from sqlglot import exp

from .. import bound as b

EVENT = "e"
KEY = "k"


@dataclass
class Group:
    """Aggregates over one stream in one time window: one CTE."""

    name: str
    stream_table: str
    window: b.TimeRange
    aggregates: list[b.Aggregate] = field(default_factory=list)


@dataclass
class EventPlan:
    groups: dict[tuple[str, b.TimeRange], Group] = field(default_factory=dict)
    columns: dict[b.Aggregate, tuple[str, str]] = field(default_factory=dict)
    populations: dict[b.Population, str] = field(default_factory=dict)

    def add(self, aggregate: b.Aggregate) -> None:
        if aggregate in self.columns:
            return
        stream = aggregate.events.event.stream
        group_key = (stream.name, aggregate.events.window)
        group = self.groups.get(group_key)
        if group is None:
            group = Group(f"{_safe(stream.name)}_{len(self.groups) + 1}", stream.table,
                          aggregate.events.window)
            self.groups[group_key] = group
        group.aggregates.append(aggregate)
        self.columns[aggregate] = (group.name, f"a{len(group.aggregates)}")


def plan(trees: Iterable[b.Expr], segments: Mapping[str, b.Expr],
         segmentations: Mapping[str, Iterable[b.Expr]]) -> EventPlan:
    """Every aggregate and population value reachable from `trees`, through references."""
    found = EventPlan()
    seen: set[str] = set()

    def walk(node: b.Expr) -> None:
        if isinstance(node, b.Aggregate):
            found.add(node)
        elif isinstance(node, b.Population):
            walk(node.value)
            found.populations.setdefault(node, f"p{len(found.populations) + 1}")
        elif isinstance(node, b.Apply):
            for arg in node.args:
                walk(arg)
        elif isinstance(node, b.And | b.Or):
            for item in node.items:
                walk(item)
        elif isinstance(node, b.Not):
            walk(node.operand)
        elif isinstance(node, b.SegmentRef | b.SegmentationRef) and node.name not in seen:
            seen.add(node.name)
            targets = ([segments[node.name]] if isinstance(node, b.SegmentRef)
                       else segmentations[node.name])
            for target in targets:
                walk(target)

    for tree in trees:
        walk(tree)
    return found


ValueOf = Callable[[b.Expr], exp.Expression]


def group_select(group: Group, value_of: ValueOf, condition_of: ValueOf,
                 as_of: exp.Expression) -> exp.Select:
    """`SELECT key, aggregates FROM stream WHERE <prefilter> GROUP BY key` for one group."""
    stream = group.aggregates[0].events.event.stream
    time = exp.column(stream.time, table=EVENT)
    names = {a.events.event.value for a in group.aggregates}
    single_name = len(names) == 1
    window = group.window
    prefilter: list[exp.Expression] = []
    if not isinstance(window.high, b.AsOf):  # events after *as of* are ignored everywhere
        prefilter.append(exp.LTE(this=time, expression=as_of))
    if window.low is not None:
        cls = exp.GT if window.low_strict else exp.GTE
        prefilter.append(cls(this=time.copy(), expression=value_of(window.low)))
    if window.high is not None:
        cls = exp.LT if window.high_strict else exp.LTE
        prefilter.append(cls(this=time.copy(), expression=value_of(window.high)))
    if stream.name_column and None not in names:
        name_column = exp.column(stream.name_column, table=EVENT)
        prefilter.append(exp.In(this=name_column, expressions=[
            exp.Literal.string(n) for n in sorted(n for n in names if n is not None)]))
    columns: list[exp.Expression] = [exp.column(stream.key, table=EVENT).as_(KEY)]
    for i, aggregate in enumerate(group.aggregates, start=1):
        conditions = []
        event = aggregate.events.event
        if stream.name_column and event.value is not None and not single_name:
            conditions.append(exp.EQ(this=exp.column(stream.name_column, table=EVENT),
                                     expression=exp.Literal.string(event.value)))
        if aggregate.events.filter is not None:
            conditions.append(condition_of(aggregate.events.filter))
        computed = _aggregate_sql(aggregate, time)
        if conditions:
            computed = exp.Filter(this=computed,
                                  expression=exp.Where(this=exp.and_(*conditions, wrap=True, copy=False)))
        columns.append(computed.as_(f"a{i}"))
    return (exp.select(*columns).from_(exp.table_(stream.table, alias=EVENT), copy=False)
            .where(exp.and_(*prefilter, wrap=True, copy=False), copy=False)
            .group_by(exp.column(stream.key, table=EVENT), copy=False))


def _aggregate_sql(aggregate: b.Aggregate, time: exp.Column) -> exp.Expression:
    prop = (exp.column(aggregate.property.column, table=EVENT)
            if aggregate.property is not None else None)
    kind = aggregate.kind
    if kind == "count":
        return exp.Count(this=prop if prop is not None else exp.Star())
    if kind == "first":
        return exp.Min(this=time.copy())
    if kind == "last":
        return exp.Max(this=time.copy())
    assert prop is not None
    if kind == "count_distinct":
        return exp.Count(this=exp.Distinct(expressions=[prop]))
    if kind in ("last_value", "first_value"):
        # the property of the latest (earliest) event even when it is missing there:
        # DuckDB's ARG_MAX skips rows whose value is NULL, ARG_MAX_NULL does not
        name = "ARG_MAX_NULL" if kind == "last_value" else "ARG_MIN_NULL"
        return exp.Anonymous(this=name, expressions=[prop, time.copy()])
    return {"sum": exp.Sum, "avg": exp.Avg, "min": exp.Min, "max": exp.Max}[kind](this=prop)


def zero_when_empty(aggregate: b.Aggregate, column: exp.Expression) -> exp.Expression:
    """Over no events, count and sum are 0; the other aggregates are missing."""
    if aggregate.kind in ("count", "count_distinct", "sum"):
        return exp.Coalesce(this=column, expressions=[exp.Literal.number(0)])
    return column


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name).lower() or "events"
