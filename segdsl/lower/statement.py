"""Checked tree → one sqlglot SELECT. Only lower, emit and execute import sqlglot.

Two-valued logic: a lowered condition may be SQL NULL only where NULL and FALSE
mean the same thing. `and`/`or` are monotone, so NULL there behaves as FALSE; a
negation is lowered as `NOT COALESCE(x, FALSE)`; a condition used as a value (a
segment column, `if`) is wrapped in `COALESCE(x, FALSE)` or a `CASE WHEN`. So a
rule and its negation always partition the customers, on every engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from sqlglot import exp

from segdsl.check import bound
from segdsl.check.meaning import negate
from segdsl.document.environment import Entity, Field
from segdsl.lower.drivers import AbsentGroups
from segdsl.lower.events import Cuts, EventPlan, plan, zero_when_empty
from segdsl.lower.groups import (
    EVENT,
    KEY,
    VALUE,
    exists_select,
    group_select,
    values_select,
    warehouse_table,
)
from segdsl.operators import AGGREGATES, COMPARISONS, SQL, DialectFacts, interval
from segdsl.types import Type

CUSTOMER = "c"
Q = TypeVar("Q", bound=exp.Query)


@dataclass
class Lowering:
    """The `Build` context handed to operator builders, and the tree walker itself."""

    entity: Entity
    segments: Mapping[str, bound.Expr]
    segmentations: Mapping[str, bound.Segmentation]
    dialect: DialectFacts
    pinned_as_of: dt.datetime | None
    shapes: frozenset[str] = frozenset()  # the statement shapes it may use (optimize.SHAPES)
    exp = exp
    events: EventPlan = field(default_factory=EventPlan)

    def as_of(self) -> SQL:
        if self.pinned_as_of is not None:
            return timestamp_literal(self.pinned_as_of)
        return exp.cast(
            exp.AtTimeZone(this=exp.CurrentTimestamp(), zone=exp.Literal.string("UTC")), "timestamp"
        )

    # ---- statements -----------------------------------------------------------------

    def key(self) -> SQL:
        return exp.column(self.entity.key, table=CUSTOMER)

    def select_members(self, name: str) -> exp.Query:
        """`SELECT key FROM customers WHERE rule` for one segment, in one of two shapes
        a set's statement does not need, where the shapes allow them
        (docs/performance.md#passes):

        - an `or` of tests of which one asks about a many-valued field (`life_stage =
          "student" or tag = "student"`) is a UNION ALL of its branches, each without the
          customers of the branches before it: under an OR, DuckDB answers the EXISTS for
          every customer, alone in a WHERE it is a semi-join (shape `union_branches`);
        - where only customers with rows in some event groups can be members (`_drivers`),
          the statement starts from those rows: one such group is inner-joined, several
          are a `key IN (… UNION ALL …)` (shape `driving_groups`)."""
        tree = self.segments[name]
        self._plan([tree])
        if (
            "union_branches" in self.shapes
            and isinstance(tree, bound.Or)
            and self._asks_values(tree)
            and not self._ctes()
        ):
            branches = [
                bound.And(Type.BOOLEAN, (item, *(negate(before) for before in tree.items[:i])))
                for i, item in enumerate(tree.items)
            ]
            return self._with_events(
                _union_all(
                    [
                        self._from(
                            exp.select(self.key().as_(self.entity.key)).where(
                                self.condition(branch), copy=False
                            )
                        )
                        for branch in branches
                    ]
                )
            )
        condition: exp.Expr = self.condition(tree)
        drivers = self._drivers(tree) if "driving_groups" in self.shapes else []
        if len(drivers) > 1:  # a member has a row in one of them, at least
            keys = _union_all([exp.select(exp.column(KEY)).from_(name) for name in drivers])
            condition = exp.and_(
                exp.In(this=self.key(), query=keys.subquery()), condition, copy=False
            )
        query = exp.select(self.key().as_(self.entity.key)).where(condition, copy=False)
        return self._with_events(self._from(query, inner=drivers if len(drivers) == 1 else ()))

    def _drivers(self, tree: bound.Expr) -> list[str]:
        """The event groups that a member must have a row in, one of them at least: one
        group whose absence alone makes the rule false, else all the groups if their
        absence together does (lower/drivers.py); none when neither holds."""
        names = [group.name for group in self.events.groups.values()]
        alone = [[name] for name in names] if len(names) > 1 else []
        for candidates in [*alone, names]:

            def absent(
                aggregate: bound.Aggregate, among: frozenset[str] = frozenset(candidates)
            ) -> bool:
                return (
                    aggregate in self.events.columns and self.events.columns[aggregate][0] in among
                )

            if candidates and AbsentGroups(absent, self.segments).holds(tree) is False:
                return candidates
        return []

    def _asks_values(self, node: bound.Expr) -> bool:
        """Whether a test on a many-valued field's values is part of `node`."""
        if isinstance(node, bound.Any | bound.CountValues):
            return True
        if isinstance(node, bound.SegmentRef):
            return self._asks_values(self.segments[node.name])
        return any(self._asks_values(child) for child in bound.operands(node))

    def select_columns(self, segments: Sequence[str], segmentations: Sequence[str]) -> exp.Select:
        """The key plus one boolean column per segment and one string column per segmentation."""
        self._plan(
            [
                *(self.segments[n] for n in segments),
                *(rule for n in segmentations for _, rule in self.segmentations[n].buckets),
            ]
        )
        columns: list[exp.Expr] = [self.key().as_(self.entity.key)]
        for name in segments:
            columns.append(definite(self.condition(self.segments[name])).as_(name))
        for name in segmentations:
            columns.append(self._segmentation(name).as_(name))
        return self._with_events(self._from(exp.select(*columns)))

    def _plan(self, trees: Sequence[bound.Expr]) -> None:
        buckets = {n: [rule for _, rule in s.buckets] for n, s in self.segmentations.items()}
        tables = {self.entity.table} | {f.table for f in self.entity.fields.values() if f.table}
        self.events = plan(trees, self.segments, buckets, self.shapes, frozenset(tables))

    def _from(self, query: exp.Select, inner: Sequence[str] = ()) -> exp.Select:
        """Customers, left-joined to each event group, side table and population CTE that
        `query` reads. Only those: a CTE read twice (by the population values and here) is
        materialised by DuckDB, which costs more than computing it once."""
        read = {column.table for column in query.find_all(exp.Column)}
        query = query.from_(warehouse_table(self.entity.table, CUSTOMER), copy=False)
        for name in [*self._sides(), self.events.population]:
            if name in read:
                query = query.join(
                    exp.table_(name, alias=name),
                    on=exp.EQ(this=exp.column(KEY, table=name), expression=self.key()),
                    copy=False,
                    join_type="inner" if name in inner else "left",
                )
        for cuts in self.events.cuts.values():  # one row each
            if cuts.name in read:
                query = query.join(
                    exp.table_(cuts.name, alias=cuts.name), join_type="cross", copy=False
                )
        return query

    def _ctes(self) -> bool:
        return bool(
            self.events.groups or self.events.values or self.events.populations or self.events.cuts
        )

    def _with_events(self, query: Q) -> Q:
        for group in self.events.groups.values():
            query = query.with_(
                group.name,
                as_=group_select(group, self.value, self.condition, self.as_of()),
                copy=False,
            )
        for values in self.events.values.values():
            customers = (warehouse_table(self.entity.table, CUSTOMER), self.key())
            query = query.with_(
                values.name, as_=values_select(values, self.condition, customers), copy=False
            )
        for cuts in self.events.cuts.values():
            query = query.with_(cuts.name, as_=self._cuts_select(cuts), copy=False)
        if self.events.populations:
            population_values = [
                self._population_value(node).as_(column)
                for node, column in self.events.populations.items()
            ]
            query = query.with_(
                self.events.population,
                as_=self._from(exp.select(self.key().as_(KEY), *population_values)),
                copy=False,
            )
        return query

    def _sides(self) -> list[str]:
        return [group.name for group in self.events.groups.values()] + [
            values.name for values in self.events.values.values()
        ]

    # ---- conditions and values ---------------------------------------------------------

    def condition(self, node: bound.Expr) -> exp.Expr:
        """SQL that is TRUE exactly where the rule holds (it may be NULL where it does not)."""
        return self.value(node)

    def value(self, node: bound.Expr) -> exp.Expr:
        method = getattr(self, "_" + type(node).__name__.lower())
        result: exp.Expr = method(node)
        return result

    def _const(self, node: bound.Const) -> exp.Expr:
        return literal(node.value)

    def _constlist(self, node: bound.ConstList) -> exp.Expr:
        raise AssertionError("lists are lowered by `in_list`")

    def _asof(self, node: bound.AsOf) -> exp.Expr:
        return self.as_of()

    def _interval(self, node: bound.Interval) -> exp.Expr:
        return interval(self, node.amount, node.unit)

    def _column(self, node: bound.Column) -> exp.Expr:
        return exp.column(node.field.column, table=CUSTOMER)

    def _manyvalue(self, node: bound.ManyValue) -> exp.Expr:
        return exp.column(node.field.column, table=VALUE)

    def _apply(self, node: bound.Apply) -> exp.Expr:
        if node.op == "is_null" and node.args[0].type == Type.GEO:
            geo = node.args[0]
            assert isinstance(geo, bound.Column)
            return exp.or_(
                *(
                    exp.Is(this=exp.column(c or "", table=CUSTOMER), expression=exp.null())
                    for c in (geo.field.lat, geo.field.lon)
                ),
                wrap=True,
                copy=False,
            )
        args: list[exp.Expr] = []
        for arg in node.args:
            if arg.type == Type.GEO and isinstance(arg, bound.Column):
                args += [
                    exp.column(arg.field.lat or "", table=CUSTOMER),
                    exp.column(arg.field.lon or "", table=CUSTOMER),
                ]
            elif bound.is_condition(arg) and not (node.op == "if" and arg is node.args[0]):
                args.append(definite(self.condition(arg)))  # a yes/no used as a value
            elif (
                isinstance(arg, bound.Aggregate)
                and "false_over_no_events" in self.shapes
                and _false_over_nothing(node)
            ):
                args.append(self._aggregate(arg, zero=False))
            else:
                args.append(self.value(arg))
        return self.dialect.builder(node.op)(self, *args)

    def _and(self, node: bound.And) -> exp.Expr:
        return exp.and_(*(self.condition(i) for i in node.items), wrap=True, copy=False)

    def _or(self, node: bound.Or) -> exp.Expr:
        return exp.Paren(
            this=exp.or_(*(self.condition(i) for i in node.items), wrap=True, copy=False)
        )

    def _not(self, node: bound.Not) -> exp.Expr:
        return exp.Not(this=definite(self.condition(node.operand)))

    def _did(self, node: bound.Did) -> exp.Expr:
        return self._apply(bound.Apply(Type.BOOLEAN, "ge", (node.count, _ONE)))

    def _never(self, node: bound.Never) -> exp.Expr:
        """NOT EXISTS where the plan keeps the stream out of its groups, else `not did E`."""
        if node.count in self.events.absent:
            return exp.Not(
                this=exists_select(node.count, self.value, self.condition, self.as_of(), self.key())
            )
        return self._not(bound.Not(Type.BOOLEAN, bound.Did(Type.BOOLEAN, node.events)))

    def _percentilecut(self, node: bound.PercentileCut) -> exp.Expr:
        return self._cut(node.population, node.op, node.bound)

    def _any(self, node: bound.Any) -> exp.Expr:
        if node in self.events.value_columns:
            side, column = self.events.value_columns[node]
            return exp.EQ(this=exp.column(column, table=side), expression=exp.Literal.number(1))
        return exp.Exists(
            this=self._values_of(node.field)
            .select(exp.Literal.number(1), copy=False)
            .where(self.condition(node.condition), copy=False)
        )

    def _countvalues(self, node: bound.CountValues) -> exp.Expr:
        side, column = self.events.value_columns[node]
        return exp.Coalesce(
            this=exp.column(column, table=side), expressions=[exp.Literal.number(0)]
        )

    def _values_of(self, fld: Field) -> exp.Select:
        """Rows of a many-valued field's side table that belong to the current customer."""
        return (
            exp.select()
            .from_(warehouse_table(fld.table or "", VALUE), copy=False)
            .where(
                exp.EQ(this=exp.column(fld.key or "", table=VALUE), expression=self.key()),
                copy=False,
            )
        )

    def _propertyvalue(self, node: bound.PropertyValue) -> exp.Expr:
        return exp.column(node.property.column, table=EVENT)

    def _aggregate(self, node: bound.Aggregate, zero: bool = True) -> exp.Expr:
        """The aggregate's column; with `zero`, count and sum are 0 for customers without
        events (the caller may leave that out where a missing value means the same)."""
        group, column = self.events.columns[node]
        value = exp.column(column, table=group)
        return zero_when_empty(node, value) if zero else value

    def _cuts_select(self, cuts: Cuts) -> exp.Select:
        """One row: per cut `percentile(x) >= c` (or `> c`), the least x whose percentile
        passes, from the distinct values of x with their number of customers (the
        percentile of a value: 100 × customers below it / customers with any x)."""
        values = self._from(exp.select(self.value(cuts.value).as_("v")))
        distinct = (
            exp.select("v", exp.Count(this=exp.Star()).as_("n"))
            .from_(values.subquery("x"), copy=False)
            .where(exp.Not(this=exp.Is(this=exp.column("v"), expression=exp.null())), copy=False)
            .group_by("v")
        )
        # v is never NULL here: NULLS FIRST is what BigQuery, MySQL and T-SQL do anyway, and
        # NULLS LAST would have to be spelt out there (which sqlglot refuses in a SUM window)
        below = exp.Sub(
            this=exp.Window(
                this=exp.Sum(this=exp.column("n")),
                order=exp.Order(
                    expressions=[exp.Ordered(this=exp.column("v"), desc=False, nulls_first=True)]
                ),
                spec=exp.WindowSpec(
                    kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW"
                ),
            ),
            expression=exp.column("n"),
        )
        everyone = exp.Window(this=exp.Sum(this=exp.column("n")))
        share = exp.Div(
            this=exp.Mul(
                this=exp.Literal.number("100.0"),
                expression=exp.Paren(this=exp.cast(below, "bigint")),
            ),
            expression=exp.cast(everyone, "bigint"),
        )
        ranked = exp.select("v", share.as_("pct")).from_(distinct.subquery("d"), copy=False)
        least = [
            exp.Min(
                this=exp.Case(
                    ifs=[
                        exp.If(
                            this=exp.GTE(this=exp.column("pct"), expression=literal(c))
                            if op == "ge"
                            else exp.GT(this=exp.column("pct"), expression=literal(c)),
                            true=exp.column("v"),
                        )
                    ]
                )
            ).as_(f"t{i}")
            for i, (op, c) in enumerate(cuts.cuts, 1)
        ]
        return exp.select(*least).from_(ranked.subquery("r"), copy=False)

    def _cut(self, population: bound.Population, op: str, bound_: object) -> exp.Expr:
        """`percentile(x) op c` as x against the least x that passes
        (optimize/percentile_cuts.py)."""
        x, least = self.value(population.value), self.events.cut_column(population, op, bound_)
        if op in ("ge", "gt"):
            return exp.GTE(this=x, expression=least)
        return exp.and_(
            exp.Not(this=exp.Is(this=x.copy(), expression=exp.null())),
            exp.or_(
                exp.Is(this=least.copy(), expression=exp.null()),
                exp.LT(this=x, expression=least),
                wrap=True,
                copy=False,
            ),
            wrap=True,
            copy=False,
        )

    def _population(self, node: bound.Population) -> exp.Expr:
        return exp.column(self.events.populations[node], table=self.events.population)

    def _population_value(self, node: bound.Population) -> exp.Expr:
        """percentile: 100 × customers with a smaller x / customers with any x;
        cume_share: 100 × running total of x (x descending, key ascending) / total of x."""
        x = self.value(node.value)
        if node.kind == "percentile":
            rank = exp.Window(
                this=exp.Anonymous(this="RANK", expressions=[]),
                order=exp.Order(
                    expressions=[exp.Ordered(this=x.copy(), desc=False, nulls_first=False)]
                ),
            )
            share = exp.Div(
                this=exp.Mul(
                    this=exp.Literal.number("100.0"),
                    expression=exp.Paren(this=exp.Sub(this=rank, expression=exp.Literal.number(1))),
                ),
                expression=exp.Window(this=exp.Count(this=x.copy())),
            )
        else:
            # where NULLs sort does not matter: a missing x adds nothing to the running sum
            # and gets no share, and keys are never missing; each dialect's default order
            # then needs no NULLS clause (BigQuery, MySQL and T-SQL cannot spell NULLS LAST
            # in a SUM window)
            running = exp.Window(
                this=exp.Sum(this=x.copy()),
                order=exp.Order(
                    expressions=[
                        exp.Ordered(this=x.copy(), desc=True, nulls_first=None),
                        exp.Ordered(this=self.key(), desc=False, nulls_first=True),
                    ]
                ),
                spec=exp.WindowSpec(
                    kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW"
                ),
            )
            share = exp.Div(
                this=exp.Mul(this=exp.Literal.number("100.0"), expression=running),
                expression=exp.Window(this=exp.Sum(this=x.copy())),
                typed=False,
                safe=True,
            )
        return exp.Case(
            ifs=[exp.If(this=exp.Is(this=x, expression=exp.null()), true=exp.null())], default=share
        )

    def _segmentref(self, node: bound.SegmentRef) -> exp.Expr:
        return exp.Paren(this=self.condition(self.segments[node.name]))

    def _segmentationref(self, node: bound.SegmentationRef) -> exp.Expr:
        return self._segmentation(node.name)

    def _segmentation(self, name: str) -> exp.Expr:
        seg = self.segmentations[name]
        otherwise = literal(seg.otherwise)
        if not seg.buckets:
            return otherwise
        return exp.Case(
            ifs=[
                exp.If(this=self.condition(rule), true=literal(bucket))
                for bucket, rule in seg.buckets
            ],
            default=otherwise,
        )


_ONE = bound.Const(Type.INTEGER, 1)


def _false_over_nothing(node: bound.Apply) -> bool:
    """`count(E) >= 1` is false at 0, so a customer without events needs no COALESCE to 0:
    NULL there behaves as false, and the engine may then join the events like an inner join
    (shape `false_over_no_events`)."""
    compare = COMPARISONS.get(node.op)
    if compare is None or len(node.args) != 2:
        return False
    left, right = node.args
    if isinstance(left, bound.Aggregate) and isinstance(right, bound.Const):
        empty = AGGREGATES[left.kind].over_no_events
        return empty is not None and not compare(empty, right.value)
    if isinstance(right, bound.Aggregate) and isinstance(left, bound.Const):
        empty = AGGREGATES[right.kind].over_no_events
        return empty is not None and not compare(left.value, empty)
    return False


def definite(condition: exp.Expr) -> exp.Expr:
    """TRUE or FALSE, never NULL."""
    if isinstance(condition, exp.Boolean | exp.Not | exp.Exists | exp.Is):
        return condition
    return exp.Coalesce(this=condition, expressions=[exp.false()])


def literal(value: object) -> exp.Expr:
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float | Decimal):
        return exp.Literal.number(str(value))
    if isinstance(value, dt.datetime):
        return timestamp_literal(value)
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), "date")
    return exp.Literal.string(str(value))


def timestamp_literal(value: dt.datetime) -> SQL:
    return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), "timestamp")


def _union_all(queries: Sequence[exp.Query]) -> exp.Query:
    union = queries[0]
    for query in queries[1:]:
        union = exp.union(union, query, distinct=False, copy=False)
    return union
