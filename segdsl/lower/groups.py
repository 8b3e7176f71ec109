"""The CTEs over events and side tables that a statement joins, and the SELECT of each:
one prefiltered GROUP BY per event stream and time window, one GROUP BY per many-valued
field's side table, and the EXISTS that stands for a `never` no group reads.

A GROUP BY over all events with FILTER clauses alone lets DuckDB skip nothing, and is
far slower than the same GROUP BY behind a WHERE that keeps only the rows some
aggregate needs (the window, and the event names; issue 3, benchmarks/RESULTS.md). So
every group gets that WHERE.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import overload

from sqlglot import exp

from segdsl.check import bound
from segdsl.document.environment import Field, Property, Stream, table_path
from segdsl.types import Type

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
class SequenceGroup:
    """A sequence's first events that its steps follow, counted per customer: one CTE."""

    name: str
    sequence: bound.Sequence


@dataclass
class Values:
    """Tests on one many-valued field's values, per customer: one CTE over its side table.

    A customer-by-customer EXISTS or count subquery costs DuckDB a delim join over all
    customers per test (benchmarks/RESULTS.md); one grouped side table with a column per
    test costs one scan of it."""

    name: str
    field: Field
    tests: list[bound.Any | bound.CountValues] = dataclasses.field(default_factory=list)

    @property
    def reads_customer(self) -> bool:
        """Whether a test compares a value with a customer field (`tag = city`)."""
        return any(
            isinstance(t, bound.Any) and not reads_values_only(t.condition) for t in self.tests
        )


def reads_values_only(node: bound.Expr, or_customer: bool = False) -> bool:
    """Whether a test on a many-valued field's value needs nothing but that value (and,
    `or_customer`, the customer's own fields: `tag = city`)."""
    if isinstance(
        node, bound.ManyValue | bound.Const | bound.ConstList | bound.AsOf | bound.Interval
    ):
        return True
    if isinstance(node, bound.Column):
        return or_customer
    if isinstance(node, bound.Apply):
        return all(reads_values_only(arg, or_customer) for arg in node.args)
    if isinstance(node, bound.And | bound.Or):
        return all(reads_values_only(item, or_customer) for item in node.items)
    if isinstance(node, bound.Not):
        return reads_values_only(node.operand, or_customer)
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


def sequence_select(
    group: SequenceGroup, value_of: ValueOf, condition_of: ValueOf, as_of: exp.Expr
) -> exp.Select:
    """`SELECT key, COUNT(*) FROM first stream AS e1 WHERE <its rows> AND EXISTS (the next
    step's event, strictly later, within its time ...) GROUP BY key`: each step is a
    correlated EXISTS (NOT EXISTS for `then not`) inside the one before, correlated with it
    alone, so that each event's alias is its step's, `e1`, `e2`, ...
    (docs/semantics.md#sequences)."""
    sequence = group.sequence
    stream = sequence.first.event.stream
    alias = f"{EVENT}1"
    conditions = _event_rows(sequence.first, alias, value_of, condition_of, as_of)
    conditions.append(_follows(sequence.steps, 2, stream, alias, value_of, condition_of, as_of))
    key = exp.column(stream.key, table=alias)
    return (
        exp.select(key.as_(KEY), exp.Count(this=exp.Star()).as_("a1"))
        .from_(warehouse_table(stream.table, alias), copy=False)
        .where(exp.and_(*conditions, wrap=True, copy=False), copy=False)
        .group_by(key.copy(), copy=False)
    )


def _follows(
    steps: tuple[bound.Step, ...],
    number: int,
    before: Stream,
    before_alias: str,
    value_of: ValueOf,
    condition_of: ValueOf,
    as_of: exp.Expr,
) -> exp.Expr:
    """Whether the first of `steps` follows the event `before_alias` (and the rest it)."""
    step, alias = steps[0], f"{EVENT}{number}"
    stream = step.events.event.stream
    time = exp.column(stream.time, table=alias)
    earlier = exp.column(before.time, table=before_alias)
    for column in (time, earlier):  # times, as the lowering marks them (expressions.value)
        column.meta["time"] = True
    conditions: list[exp.Expr] = [
        exp.EQ(
            this=exp.column(stream.key, table=alias),
            expression=exp.column(before.key, table=before_alias),
        ),
        exp.GT(this=time, expression=earlier),
    ]
    if step.within is not None:
        then = bound.PropertyValue(Type.TIMESTAMP, Property("", Type.TIMESTAMP, before.time))
        latest = value_of(bound.Apply(Type.TIMESTAMP, "add", (then, step.within)))
        conditions.append(exp.LTE(this=time.copy(), expression=_aliased(latest, before_alias)))
    conditions += _event_rows(step.events, alias, value_of, condition_of, as_of)
    if len(steps) > 1:
        conditions.append(
            _follows(steps[1:], number + 1, stream, alias, value_of, condition_of, as_of)
        )
    found = exp.Exists(
        this=exp.select(exp.Literal.number(1))
        .from_(warehouse_table(stream.table, alias), copy=False)
        .where(exp.and_(*conditions, wrap=True, copy=False), copy=False)
    )
    return exp.Not(this=found) if step.absent else found


def _event_rows(
    events: bound.EventSet, alias: str, value_of: ValueOf, condition_of: ValueOf, as_of: exp.Expr
) -> list[exp.Expr]:
    """The rows of one step's event set, read as `alias`: up to *as of*, in its window, of
    its name, passing its filter."""
    stream = events.event.stream
    time = exp.column(stream.time, table=EVENT)
    conditions: list[exp.Expr] = []
    if not isinstance(events.window.high, bound.AsOf):
        conditions.append(exp.LTE(this=time.copy(), expression=as_of.copy()))
    conditions += _window_conditions(events.window, time, value_of)
    name = _name_test(stream.name_column, events.event.value)
    if name is not None:
        conditions.append(name)
    if events.filter is not None:
        conditions.append(condition_of(events.filter))
    return [_aliased(condition, alias) for condition in conditions]


def _aliased(node: exp.Expr, alias: str) -> exp.Expr:
    """`node` with the event alias of filters and windows (`e`) renamed to `alias`."""
    node = node.copy()
    for column in node.find_all(exp.Column):
        if column.table == EVENT:
            column.set("table", exp.to_identifier(alias))
    return node


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
    # signups and desktop checkouts costs more CPU with the OR than without it)
    some_by_name = not single_name and any(
        len(c) == 1 and c[0] == _name_test(stream.name_column, a.events.event.value)
        for a, c in zip(group.aggregates, wanted, strict=True)
    )
    if all(wanted) and not some_by_name:
        # every aggregate reads only some rows: no other row needs grouping (on the 1M
        # demo, `did purchase(category = "shoes")` runs far faster than with FILTER alone)
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
