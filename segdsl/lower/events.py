"""The event side of a statement: which aggregates it needs, each planned in the one
prefiltered GROUP BY of its event stream and time window (lower/groups.py builds them);
likewise the tests on a many-valued field's values, in one GROUP BY of its side table.
Aggregates shared by several segments are computed once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from sqlglot import exp

from segdsl.check import bound
from segdsl.lower.groups import (
    Group,
    SequenceGroup,
    Values,
    reads_values_only,
    shadowed,
)
from segdsl.operators import AGGREGATES, OPERATORS

MAX_GROUPS = 32
"""Event groups (CTEs, each joined) a statement may have before each stream's groups become
one scan with a FILTER per window: 400 windows as 400 joins ran 19 s on 200 customers and
then hit DuckDB's expression-depth limit (docs/performance.md#supported-sizes)."""


@dataclass
class Cuts:
    """`percentile(x) >= c` and `> c` for one x, as the least x that passes each: one CTE
    of a single row (see `cut_of`)."""

    name: str
    value: bound.Expr
    cuts: list[tuple[str, object]] = field(default_factory=list)  # ("ge" | "gt", c)


def cut_kind(op: str) -> str:
    """The test whose least passing x a cut keeps: `percentile(x) < c` is
    `not percentile(x) >= c` (its complement), and so on."""
    if op in ("ge", "gt"):
        return op
    complement = OPERATORS[op].complement
    assert complement is not None
    return complement


@dataclass
class EventPlan:
    groups: dict[tuple[str, bound.TimeRange], Group] = field(default_factory=dict)
    columns: dict[bound.Aggregate, tuple[str, str]] = field(default_factory=dict)
    populations: dict[bound.Population, str] = field(default_factory=dict)
    cuts: dict[bound.Expr, Cuts] = field(default_factory=dict)  # per x of `percentile(x) op c`
    absent: set[bound.Aggregate] = field(default_factory=set)  # `not did E`: a NOT EXISTS
    values: dict[tuple[str, str, str], Values] = field(default_factory=dict)
    value_columns: dict[bound.Any | bound.CountValues, tuple[str, str]] = field(
        default_factory=dict
    )
    sequences: dict[bound.Sequence, SequenceGroup] = field(default_factory=dict)
    population: str = "population"  # the CTE of the population values

    def _name(self, base: str, taken: set[str] | None = None) -> str:
        """A CTE name that no other CTE of the statement has (nor any name in `taken`)."""
        taken = (taken or set()) | self._names()
        n = len(self.groups) + len(self.values) + len(self.sequences) + 1
        while f"{base}_{n}" in taken:
            n += 1
        return f"{base}_{n}"

    def _names(self) -> set[str]:
        return (
            {g.name for g in self.groups.values()}
            | {v.name for v in self.values.values()}
            | {c.name for c in self.cuts.values()}
            | {s.name for s in self.sequences.values()}
        )

    def add_cut(self, population: bound.Population, op: str, bound_: object) -> None:
        cuts = self.cuts.get(population.value)
        if cuts is None:
            cuts = Cuts(self._name("percentile"), population.value)
            self.cuts[population.value] = cuts
        if (cut_kind(op), bound_) not in cuts.cuts:
            cuts.cuts.append((cut_kind(op), bound_))

    def cut_column(self, population: bound.Population, op: str, bound_: object) -> exp.Column:
        cuts = self.cuts[population.value]
        return exp.column(f"t{cuts.cuts.index((cut_kind(op), bound_)) + 1}", table=cuts.name)

    def unclash(self, tables: set[str]) -> None:
        """Rename any CTE that would hide a table the statement reads (`events_1`, say)."""
        tables = {shadowed(t) for t in tables}
        tables |= {shadowed(g.stream_table) for g in self.groups.values()}
        tables |= {shadowed(v.field.table) for v in self.values.values() if v.field.table}
        if self.population in tables:
            self.population = self._name(self.population, tables)
        tables.add(self.population)
        tables |= {
            shadowed(step.event.stream.table)
            for s in self.sequences.values()
            for step in (s.sequence.first, *(t.events for t in s.sequence.steps))
        }
        items: list[Group | Values | Cuts | SequenceGroup] = [
            *self.groups.values(),
            *self.values.values(),
            *self.cuts.values(),
            *self.sequences.values(),
        ]
        for item in items:
            if item.name in tables:
                old, item.name = item.name, self._name(item.name, tables)
                _rename(self.columns, old, item.name)
                _rename(self.value_columns, old, item.name)

    def add_sequence(self, sequence: bound.Sequence) -> None:
        """One CTE per sequence: its first events that the steps follow, counted per key."""
        if sequence not in self.sequences:
            self.sequences[sequence] = SequenceGroup(self._name("sequence"), sequence)

    def add_values(self, test: bound.Any | bound.CountValues) -> None:
        if test in self.value_columns:
            return
        fld = test.field
        side = (fld.table or "", fld.key or "", fld.column)
        values = self.values.get(side)
        if values is None:
            values = Values(self._name(f"{_safe(fld.name)}_values"), fld)
            self.values[side] = values
        values.tests.append(test)
        self.value_columns[test] = (values.name, f"t{len(values.tests)}")

    def add(self, aggregate: bound.Aggregate, window: bound.TimeRange | None = None) -> None:
        """Plan `aggregate` in the group of its stream over `window` (default: its own)."""
        if aggregate in self.columns:
            return
        stream = aggregate.events.event.stream
        window = aggregate.events.window if window is None else window
        group_key = (stream.name, window)
        group = self.groups.get(group_key)
        if group is None:
            group = Group(self._name(_safe(stream.name)), stream.table, window)
            self.groups[group_key] = group
        group.aggregates.append(aggregate)
        self.columns[aggregate] = (group.name, f"a{len(group.aggregates)}")


K = TypeVar("K")


def _rename(columns: dict[K, tuple[str, str]], old: str, new: str) -> None:
    """Point the columns of CTE `old` at its new name `new`."""
    for key, (name, column) in list(columns.items()):
        if name == old:
            columns[key] = (new, column)


def plan(
    trees: Iterable[bound.Expr],
    segments: Mapping[str, bound.Expr],
    segmentations: Mapping[str, Iterable[bound.Expr]],
    shapes: frozenset[str] = frozenset(),
    tables: frozenset[str] = frozenset(),
) -> EventPlan:
    """Every aggregate and population value reachable from `trees`, through references.

    Two statement shapes change the plan (docs/performance.md#passes): with
    `correlated_values`, tests on many-valued fields stay correlated EXISTS (a semi-join
    in a single segment's WHERE) instead of a grouped side table, and with
    `one_scan_per_stream`, a stream read over all its history computes its windowed
    aggregates in the same scan. A `Never` is a NOT EXISTS, unless a group reads the
    same rows anyway."""
    found = EventPlan()
    seen: set[str] = set()
    never: dict[bound.Aggregate, None] = {}  # the counts of `Never`s, in order

    def walk(node: bound.Expr) -> None:
        if isinstance(node, bound.Never):
            never[node.count] = None
        elif isinstance(node, bound.Did):
            found.add(node.count)
        elif isinstance(node, bound.Aggregate):
            found.add(node)
        elif isinstance(node, bound.Sequence):
            found.add_sequence(node)
        elif isinstance(node, bound.CountValues) or (
            isinstance(node, bound.Any)
            and "correlated_values" not in shapes
            and reads_values_only(node.condition, True)
        ):
            found.add_values(node)
        elif isinstance(node, bound.Any):  # a correlated EXISTS: `last(E.p) = tag`
            walk(node.condition)
        elif isinstance(node, bound.PercentileCut):
            walk(node.population.value)
            found.add_cut(node.population, node.op, node.bound)
        elif isinstance(node, bound.Population):
            walk(node.value)
            found.populations.setdefault(node, f"p{len(found.populations) + 1}")
        elif isinstance(node, bound.SegmentRef | bound.SegmentationRef):
            if node.name not in seen:
                seen.add(node.name)
                targets = (
                    [segments[node.name]]
                    if isinstance(node, bound.SegmentRef)
                    else segmentations[node.name]
                )
                for target in targets:
                    walk(target)
        else:
            for child in bound.operands(node):
                walk(child)

    for tree in trees:
        walk(tree)
    _place_never(found, never)
    found = _fold(found) if "one_scan_per_stream" in shapes else found
    if len(found.groups) > MAX_GROUPS:  # each group is a join: DuckDB's depth limit
        found = _fold(found, everything=True)
    found.unclash(set(tables))
    return found


def _place_never(found: EventPlan, never: Iterable[bound.Aggregate]) -> None:
    """The count of each `Never` in a group that scans its rows anyway, else a NOT EXISTS."""
    for aggregate in never:
        stream = aggregate.events.event.stream.name
        if {(stream, aggregate.events.window), (stream, bound.EVERYTHING)} & found.groups.keys():
            found.add(aggregate)
        else:
            found.absent.add(aggregate)


def _fold(found: EventPlan, everything: bool = False) -> EventPlan:
    """Each stream that has a group over all its history takes in the stream's other groups
    (with `everything`, each stream is then one group)."""
    whole = {stream for stream, window in found.groups if everything or window == bound.EVERYTHING}
    if not whole:
        return found
    folded = EventPlan(
        populations=found.populations,
        cuts=found.cuts,
        absent=found.absent,
        values=found.values,
        value_columns=found.value_columns,
        sequences=found.sequences,
    )
    for (stream, window), group in found.groups.items():
        for aggregate in group.aggregates:
            folded.add(aggregate, bound.EVERYTHING if stream in whole else window)
    return folded


def zero_when_empty(aggregate: bound.Aggregate, column: exp.Expr) -> exp.Expr:
    """The aggregate's value over no events where SQL's is NULL: count and sum are 0."""
    empty = AGGREGATES[aggregate.kind].over_no_events
    if empty is not None:
        return exp.Coalesce(this=column, expressions=[exp.Literal.number(empty)])
    return column


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name).lower() or "events"
