"""The event side of a statement: which aggregates it needs, and one prefiltered GROUP BY
per event stream and time window that computes them; likewise one GROUP BY per
many-valued field's side table for the tests on its values.

Measured (issue 3): a GROUP BY over all events with FILTER clauses alone lets DuckDB
skip nothing and is ~40× slower than the same GROUP BY behind a WHERE that keeps
only the rows some aggregate needs (the window, and the event names). So every
group gets that WHERE, and aggregates shared by several segments are computed once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar, overload

from sqlglot import exp

from segdsl.check import bound
from segdsl.document.environment import Field, table_path

EVENT = "e"
KEY = "k"
VALUE = "v"


def warehouse_table(name: str, alias: str) -> exp.Table:
    """A table of schema.yaml, `[[catalog.]schema.]table` (document.environment.table_path):
    one identifier per part, a part written in double quotes quoted as it is; emit quotes
    the others where they need it (docs/files.md#table-and-column-names)."""
    parts = [exp.to_identifier(part, quoted=quoted) for part, quoted in table_path(name)]
    catalog, db, table = [None] * (3 - len(parts)) + parts
    return exp.Table(
        this=table, db=db, catalog=catalog, alias=exp.TableAlias(this=exp.to_identifier(alias))
    )


def shadowed(name: str) -> str:
    """The name a CTE must not have so as not to hide table `name`: its last part, in
    lower case (engines that ignore case would match a CTE `events_1` to `Events_1`)."""
    return table_path(name)[-1][0].lower()


@dataclass
class Group:
    """Aggregates over one stream in one time window: one CTE."""

    name: str
    stream_table: str
    window: bound.TimeRange
    aggregates: list[bound.Aggregate] = field(default_factory=list)


@dataclass
class Values:
    """Tests on one many-valued field's values, per customer: one CTE over its side table.

    A customer-by-customer EXISTS or count subquery costs DuckDB a delim join over all
    customers per test (measured ~0.2-0.4 s each at 1M customers); one grouped side
    table with a column per test costs one scan of it."""

    name: str
    field: Field
    tests: list[bound.Any | bound.CountValues] = dataclasses.field(default_factory=list)

    @property
    def reads_customer(self) -> bool:
        """Whether a test compares a value with a customer field (`tag = city`)."""
        return any(
            isinstance(t, bound.Any) and not _reads_values_only(t.condition) for t in self.tests
        )


@dataclass
class Cuts:
    """`percentile(x) >= c` and `> c` for one x, as the least x that passes each: one CTE
    of a single row (see `cut_of`)."""

    name: str
    value: bound.Expr
    cuts: list[tuple[str, object]] = field(default_factory=list)  # ("ge" | "gt", c)


CUT_OPS = {"ge": "ge", "gt": "gt", "lt": "ge", "le": "gt"}  # `< c` is `not >= c`, and so on


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
    population: str = "population"  # the CTE of the population values

    def _name(self, base: str, taken: set[str] | None = None) -> str:
        """A CTE name that no other CTE of the statement has (nor any name in `taken`)."""
        taken = (taken or set()) | self._names()
        n = len(self.groups) + len(self.values) + 1
        while f"{base}_{n}" in taken:
            n += 1
        return f"{base}_{n}"

    def _names(self) -> set[str]:
        return (
            {g.name for g in self.groups.values()}
            | {v.name for v in self.values.values()}
            | {c.name for c in self.cuts.values()}
        )

    def add_cut(self, population: bound.Population, op: str, bound_: object) -> None:
        cuts = self.cuts.get(population.value)
        if cuts is None:
            cuts = Cuts(self._name("percentile"), population.value)
            self.cuts[population.value] = cuts
        if (CUT_OPS[op], bound_) not in cuts.cuts:
            cuts.cuts.append((CUT_OPS[op], bound_))

    def cut_column(self, population: bound.Population, op: str, bound_: object) -> exp.Column:
        cuts = self.cuts[population.value]
        return exp.column(f"t{cuts.cuts.index((CUT_OPS[op], bound_)) + 1}", table=cuts.name)

    def unclash(self, tables: set[str]) -> None:
        """Rename any CTE that would hide a table the statement reads (`events_1`, say)."""
        tables = {shadowed(t) for t in tables}
        tables |= {shadowed(g.stream_table) for g in self.groups.values()}
        tables |= {shadowed(v.field.table) for v in self.values.values() if v.field.table}
        if self.population in tables:
            self.population = self._name(self.population, tables)
        tables.add(self.population)
        items: list[Group | Values | Cuts] = [
            *self.groups.values(),
            *self.values.values(),
            *self.cuts.values(),
        ]
        for item in items:
            if item.name in tables:
                old, item.name = item.name, self._name(item.name, tables)
                _rename(self.columns, old, item.name)
                _rename(self.value_columns, old, item.name)

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
        elif isinstance(node, bound.CountValues) or (
            isinstance(node, bound.Any)
            and "correlated_values" not in shapes
            and _reads_values_only(node.condition, True)
        ):
            found.add_values(node)
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
    for aggregate in never:  # a group that scans its rows anyway takes it in
        stream = aggregate.events.event.stream.name
        if {(stream, aggregate.events.window), (stream, bound.EVERYTHING)} & found.groups.keys():
            found.add(aggregate)
        else:
            found.absent.add(aggregate)
    found = _fold(found) if "one_scan_per_stream" in shapes else found
    found.unclash(set(tables))
    return found


def _fold(found: EventPlan) -> EventPlan:
    """Each stream that has a group over all its history takes in the stream's other groups."""
    whole = {stream for stream, window in found.groups if window == bound.EVERYTHING}
    if not whole:
        return found
    folded = EventPlan(
        populations=found.populations,
        cuts=found.cuts,
        absent=found.absent,
        values=found.values,
        value_columns=found.value_columns,
    )
    for (stream, window), group in found.groups.items():
        for aggregate in group.aggregates:
            folded.add(aggregate, bound.EVERYTHING if stream in whole else window)
    return folded


def _reads_values_only(node: bound.Expr, or_customer: bool = False) -> bool:
    """Whether a test on a many-valued field's value needs nothing but that value (and,
    `or_customer`, the customer's own fields: `tag = city`)."""
    if isinstance(
        node, bound.ManyValue | bound.Const | bound.ConstList | bound.AsOf | bound.Interval
    ):
        return True
    if isinstance(node, bound.Column):
        return or_customer
    if isinstance(node, bound.Apply):
        return all(_reads_values_only(arg, or_customer) for arg in node.args)
    if isinstance(node, bound.And | bound.Or):
        return all(_reads_values_only(item, or_customer) for item in node.items)
    if isinstance(node, bound.Not):
        return _reads_values_only(node.operand, or_customer)
    return False


ValueOf = Callable[[bound.Expr], exp.Expr]


def values_select(
    values: Values, condition_of: ValueOf, customers: tuple[exp.Expr, exp.Expr]
) -> exp.Select:
    """`SELECT key, one column per test FROM side table [WHERE some test holds] GROUP BY key`.

    A value test's column is 1 where some value passes (NULL where none does); a count's is
    the number of distinct non-missing values. Without a count, rows passing no test cannot
    change any column, so they are filtered out before grouping. Where a test reads the
    customer's own fields (`tag = city`), the side table is joined to `customers` (the
    customer table and its key column): a correlated EXISTS in a SELECT list costs a join
    per test in DuckDB and cannot be planned at all by DataFusion."""
    fld = values.field
    columns: list[exp.Expr] = [exp.column(fld.key or "", table=VALUE).as_(KEY)]
    tests: list[exp.Expr] = []
    for i, test in enumerate(values.tests, start=1):
        if isinstance(test, bound.CountValues):
            computed: exp.Expr = exp.Count(
                this=exp.Distinct(expressions=[exp.column(fld.column, table=VALUE)])
            )
        else:
            passes = condition_of(test.condition)
            tests.append(passes.copy())
            computed = exp.Max(this=exp.Case(ifs=[exp.If(this=passes, true=exp.Literal.number(1))]))
        columns.append(computed.as_(f"t{i}"))
    query = exp.select(*columns).from_(warehouse_table(fld.table or "", VALUE), copy=False)
    if values.reads_customer:
        table, key = customers
        query = query.join(
            table,
            on=exp.EQ(this=key, expression=exp.column(fld.key or "", table=VALUE)),
            copy=False,
        )
    if len(tests) == len(values.tests):
        query = query.where(exp.or_(*tests, wrap=True, copy=False), copy=False)
    return query.group_by(exp.column(fld.key or "", table=VALUE), copy=False)


def group_select(
    group: Group, value_of: ValueOf, condition_of: ValueOf, as_of: exp.Expr
) -> exp.Select:
    """`SELECT key, aggregates FROM stream WHERE <prefilter> GROUP BY key` for one group."""
    stream = group.aggregates[0].events.event.stream
    time = exp.column(stream.time, table=EVENT)
    prefilter, wanted = _rows(group, value_of, condition_of, as_of)
    columns: list[exp.Expr] = [exp.column(stream.key, table=EVENT).as_(KEY)]
    for i, (aggregate, conditions) in enumerate(
        zip(group.aggregates, wanted, strict=True), start=1
    ):
        computed = _aggregate_sql(aggregate, time)
        if conditions:
            computed = exp.Filter(
                this=computed,
                expression=exp.Where(this=exp.and_(*conditions, wrap=True, copy=False)),
            )
        columns.append(computed.as_(f"a{i}"))
    query = exp.select(*columns).from_(warehouse_table(stream.table, EVENT), copy=False)
    if prefilter:
        query = query.where(exp.and_(*prefilter, wrap=True, copy=False), copy=False)
    return query.group_by(exp.column(stream.key, table=EVENT), copy=False)


def exists_select(
    aggregate: bound.Aggregate,
    value_of: ValueOf,
    condition_of: ValueOf,
    as_of: exp.Expr,
    key: exp.Expr,
) -> exp.Exists:
    """`EXISTS (SELECT 1 FROM stream WHERE key = <key> AND <prefilter>)`: some event that
    `aggregate` (a count) would count belongs to the customer."""
    stream = aggregate.events.event.stream
    group = Group("", stream.table, aggregate.events.window, [aggregate])
    prefilter, _ = _rows(group, value_of, condition_of, as_of)
    same = exp.EQ(this=exp.column(stream.key, table=EVENT), expression=key)
    return exp.Exists(
        this=exp.select(exp.Literal.number(1))
        .from_(warehouse_table(stream.table, EVENT), copy=False)
        .where(exp.and_(same, *prefilter, wrap=True, copy=False), copy=False)
    )


def _rows(
    group: Group, value_of: ValueOf, condition_of: ValueOf, as_of: exp.Expr
) -> tuple[list[exp.Expr], list[list[exp.Expr]]]:
    """The group's prefilter (the rows some aggregate reads) and, per aggregate, the
    conditions on top of it that pick the aggregate's own rows."""
    stream = group.aggregates[0].events.event.stream
    time = exp.column(stream.time, table=EVENT)
    names = {a.events.event.value for a in group.aggregates}
    single_name = len(names) == 1
    prefilter: list[exp.Expr] = []
    if not isinstance(group.window.high, bound.AsOf):  # events after *as of* are ignored everywhere
        prefilter.append(exp.LTE(this=time, expression=as_of))
    prefilter += _window_conditions(group.window, time, value_of)
    if stream.name_column and None not in names:
        name_column = exp.column(stream.name_column, table=EVENT)
        prefilter.append(
            exp.In(
                this=name_column,
                expressions=[
                    exp.Literal.string(n) for n in sorted(n for n in names if n is not None)
                ],
            )
        )
    wanted: list[list[exp.Expr]] = []  # per aggregate: the rows it reads
    for aggregate in group.aggregates:
        conditions = []
        event = aggregate.events.event
        if stream.name_column and event.value is not None and not single_name:
            conditions.append(_name_test(stream.name_column, event.value))
        if aggregate.events.window != group.window:  # folded into a longer scan
            conditions += _window_conditions(aggregate.events.window, time, value_of)
        if aggregate.events.filter is not None:
            conditions.append(condition_of(aggregate.events.filter))
        wanted.append(conditions)
    # some aggregate reads all rows of its event name: the OR below would keep all of
    # them too, and drop only rows of names whose every aggregate is narrower, at the cost
    # of evaluating it on every row (the demo set's scan of all page views, email opens,
    # signups and desktop checkouts: 4.1 s of CPU with the OR, 3.4 s without)
    some_by_name = not single_name and any(
        len(c) == 1 and c[0] == _name_test(stream.name_column, a.events.event.value)
        for a, c in zip(group.aggregates, wanted, strict=True)
    )
    if all(wanted) and not some_by_name:
        # every aggregate reads only some rows: no other row needs grouping (measured on
        # the 1M demo: `did purchase(category = "shoes")` 4x faster than with FILTER alone)
        prefilter.append(
            exp.or_(
                *(
                    exp.and_(*(c.copy() for c in conditions), wrap=True, copy=False)
                    for conditions in wanted
                ),
                wrap=True,
                copy=False,
            )
        )
        if len(wanted) == 1:
            wanted = [[]]  # the WHERE says it all
    return prefilter, wanted


@overload
def _name_test(column: str, name: str) -> exp.Expr: ...
@overload
def _name_test(column: str | None, name: str | None) -> exp.Expr | None: ...
def _name_test(column: str | None, name: str | None) -> exp.Expr | None:
    if column is None or name is None:
        return None
    return exp.EQ(this=exp.column(column, table=EVENT), expression=exp.Literal.string(name))


def _window_conditions(
    window: bound.TimeRange, time: exp.Column, value_of: ValueOf
) -> list[exp.Expr]:
    conditions: list[exp.Expr] = []
    if window.low is not None:
        low = exp.GT if window.low_strict else exp.GTE
        conditions.append(low(this=time.copy(), expression=value_of(window.low)))
    if window.high is not None:
        high = exp.LT if window.high_strict else exp.LTE
        conditions.append(high(this=time.copy(), expression=value_of(window.high)))
    return conditions


def _aggregate_sql(aggregate: bound.Aggregate, time: exp.Column) -> exp.Expr:
    prop = (
        exp.column(aggregate.property.column, table=EVENT)
        if aggregate.property is not None
        else None
    )
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


def zero_when_empty(aggregate: bound.Aggregate, column: exp.Expr) -> exp.Expr:
    """Over no events, count and sum are 0; the other aggregates are missing."""
    if aggregate.kind in ("count", "count_distinct", "sum"):
        return exp.Coalesce(this=column, expressions=[exp.Literal.number(0)])
    return column


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name).lower() or "events"
