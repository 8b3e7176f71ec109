"""A bound expression → a sqlglot expression, for the statement (lower/statement.py).

Two-valued logic: a lowered condition may be SQL NULL only where NULL and FALSE
mean the same thing. `and`/`or` are monotone, so NULL there behaves as FALSE; a
negation is lowered as `NOT COALESCE(x, FALSE)`; a condition used as a value (a
segment column, `if`) is wrapped in `COALESCE(x, FALSE)` or a `CASE WHEN`. So a
rule and its negation always partition the customers, on every engine.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlglot import exp

from segdsl.check import bound
from segdsl.document.environment import Entity, Field
from segdsl.lower.events import EventPlan, zero_when_empty
from segdsl.lower.groups import EVENT, VALUE, exists_select, warehouse_table
from segdsl.operators import AGGREGATES, COMPARISONS, SQL, DialectFacts, interval
from segdsl.types import Type

CUSTOMER = "c"


@dataclass
class ExpressionLowering:
    """The `Build` context handed to operator builders, and the walker of bound expressions."""

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

    def key(self) -> SQL:
        return exp.column(self.entity.key, table=CUSTOMER)

    def condition(self, node: bound.Expr) -> exp.Expr:
        """SQL that is TRUE exactly where the rule holds (it may be NULL where it does not)."""
        return self.value(node)

    def value(self, node: bound.Expr) -> exp.Expr:
        lowered = _LOWERINGS[type(node)](self, node)
        if node.type.temporal:
            # a dialect that keeps times as text compares them in one normal form, also
            # two columns with each other (docs/engines.md#notes-per-engine: SQLite)
            lowered.meta["time"] = "date" if node.type is Type.DATE else True
        return lowered

    # ---- constants and columns ----------------------------------------------------------

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

    def _propertyvalue(self, node: bound.PropertyValue) -> exp.Expr:
        return exp.column(node.property.column, table=EVENT)

    # ---- operators and logic -------------------------------------------------------------

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
        mixed = node.op in ("if", "coalesce") and node.type is Type.FLOAT
        if mixed and self.dialect.casts_mixed_numbers:
            args = [
                exp.cast(sql, "double") if arg.type in (Type.INTEGER, Type.DECIMAL) else sql
                for arg, sql in zip(node.args, args, strict=True)
            ]
        return self.dialect.builder(node.op)(self, *args)

    def _and(self, node: bound.And) -> exp.Expr:
        return exp.and_(*(self.condition(i) for i in node.items), wrap=True, copy=False)

    def _or(self, node: bound.Or) -> exp.Expr:
        return exp.Paren(
            this=exp.or_(*(self.condition(i) for i in node.items), wrap=True, copy=False)
        )

    def _not(self, node: bound.Not) -> exp.Expr:
        return exp.Not(this=definite(self.condition(node.operand)))

    # ---- events and many-valued fields ---------------------------------------------------

    def _did(self, node: bound.Did) -> exp.Expr:
        return self._apply(bound.Apply(Type.BOOLEAN, "ge", (node.count, _ONE)))

    def _never(self, node: bound.Never) -> exp.Expr:
        """NOT EXISTS where the plan keeps the stream out of its groups, else `not did E`."""
        if node.count in self.events.absent:
            return exp.Not(
                this=exists_select(node.count, self.value, self.condition, self.as_of(), self.key())
            )
        return self._not(bound.Not(Type.BOOLEAN, bound.Did(Type.BOOLEAN, node.events)))

    def _aggregate(self, node: bound.Aggregate, zero: bool = True) -> exp.Expr:
        """The aggregate's column; with `zero`, count and sum are 0 for customers without
        events (the caller may leave that out where a missing value means the same)."""
        group, column = self.events.columns[node]
        value = exp.column(column, table=group)
        return zero_when_empty(node, value) if zero else value

    def _sequence(self, node: bound.Sequence) -> exp.Expr:
        """The count of the sequence's CTE; 0 for customers without a row there."""
        name = self.events.sequences[node].name
        return exp.Coalesce(this=exp.column("a1", table=name), expressions=[exp.Literal.number(0)])

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

    # ---- populations ---------------------------------------------------------------------

    def _population(self, node: bound.Population) -> exp.Expr:
        return exp.column(self.events.populations[node], table=self.events.population)

    def _percentilecut(self, node: bound.PercentileCut) -> exp.Expr:
        """`percentile(x) op c` as x against the least x that passes
        (optimize/percentile_cuts.py)."""
        population, op = node.population, node.op
        x, least = self.value(population.value), self.events.cut_column(population, op, node.bound)
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

    # ---- segments and segmentations ------------------------------------------------------

    def _segmentref(self, node: bound.SegmentRef) -> exp.Expr:
        return exp.Paren(this=self.condition(self.segments[node.name]))

    def _segmentationref(self, node: bound.SegmentationRef) -> exp.Expr:
        return self.segmentation(node.name)

    def segmentation(self, name: str) -> exp.Expr:
        """The bucket of the first rule that holds, else the segmentation's `otherwise`."""
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


_LOWERINGS: dict[type[bound.Expr], Callable[[ExpressionLowering, Any], exp.Expr]] = {
    bound.Const: ExpressionLowering._const,
    bound.ConstList: ExpressionLowering._constlist,
    bound.AsOf: ExpressionLowering._asof,
    bound.Interval: ExpressionLowering._interval,
    bound.Column: ExpressionLowering._column,
    bound.ManyValue: ExpressionLowering._manyvalue,
    bound.PropertyValue: ExpressionLowering._propertyvalue,
    bound.Apply: ExpressionLowering._apply,
    bound.And: ExpressionLowering._and,
    bound.Or: ExpressionLowering._or,
    bound.Not: ExpressionLowering._not,
    bound.Did: ExpressionLowering._did,
    bound.Never: ExpressionLowering._never,
    bound.Aggregate: ExpressionLowering._aggregate,
    bound.Sequence: ExpressionLowering._sequence,
    bound.Any: ExpressionLowering._any,
    bound.CountValues: ExpressionLowering._countvalues,
    bound.Population: ExpressionLowering._population,
    bound.PercentileCut: ExpressionLowering._percentilecut,
    bound.SegmentRef: ExpressionLowering._segmentref,
    bound.SegmentationRef: ExpressionLowering._segmentationref,
}
"""How each kind of bound node is lowered (a Poison never reaches lowering)."""

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
