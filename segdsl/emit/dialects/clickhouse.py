"""ClickHouse."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlglot import exp

from segdsl.emit.dialects.base import BACKSLASH_ESCAPES, Dialect
from segdsl.operators import Builder
from segdsl.operators.precedence import parenthesized

# aggregates whose FILTER is written `-IfOrNull` (docs/engines.md#notes-per-engine)
_OR_NULL: dict[type, str] = {exp.Max: "maxIfOrNull", exp.Min: "minIfOrNull", exp.Avg: "avgIfOrNull"}


def _float(x: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this="toFloat64", expressions=[x])


class ClickHouse(Dialect):
    """RE2 regular expressions, backslash LIKE escapes, LOWER and UPPER only for ASCII,
    Date32 and DateTime64(6) (Date starts in 1970 and DateTime has whole seconds)."""

    name = "clickhouse"
    operators: Mapping[str, Builder] = {
        "lower": lambda b, s: exp.Anonymous(this="lowerUTF8", expressions=[s]),
        "upper": lambda b, s: exp.Anonymous(this="upperUTF8", expressions=[s]),
        "quarter": lambda b, t: exp.Anonymous(this="toQuarter", expressions=[t]),
        "week": lambda b, t: exp.Anonymous(this="toISOWeek", expressions=[t]),
        "day_of_year": lambda b, t: exp.Anonymous(this="toDayOfYear", expressions=[t]),
        # the quotient is a float (docs/semantics.md): ClickHouse divides decimals as
        # decimals, and fails where the divisor has the larger scale
        "div": parenthesized(
            "div",
            lambda b, x, y: exp.Div(this=_float(x), expression=_float(y), typed=False, safe=True),
        ),
    }
    refuses = {"matches": None, "pick": None}
    casts_mixed_numbers = True  # if(c, 1, 2.5) has no common type with Nullable columns
    regex = "re2"
    like_escapes = BACKSLASH_ESCAPES

    def clock(self, node: exp.Expr) -> exp.Expr:
        return exp.Anonymous(
            this="now64", expressions=[exp.Literal.number(6), exp.Literal.string("UTC")]
        )

    def pick(
        self, latest: bool, prop: exp.Expr, time: exp.Expr, filtered: Callable[[exp.Expr], exp.Expr]
    ) -> exp.Expr:
        """argMax over a one-element tuple: argMax itself skips NULL values. The tuple holds a
        Nullable value, so that where no event passes the filter the default tuple holds
        NULL, not the default of a column declared without Nullable (0, '')."""
        pick = exp.ArgMax if latest else exp.ArgMin
        value = exp.Anonymous(this="toNullable", expressions=[prop])
        return exp.Anonymous(
            this="tupleElement",
            expressions=[
                filtered(
                    pick(this=exp.Anonymous(this="tuple", expressions=[value]), expression=time)
                ),
                exp.Literal.number(1),
            ],
        )

    def rewrite(self, node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Filter) and type(node.this) in _OR_NULL:
            # `maxIf` over no passing row is the column's default (0, '', 1970-01-01) where
            # the column is not Nullable, the usual ClickHouse way: `maxIfOrNull` is NULL
            return exp.Anonymous(
                this=_OR_NULL[type(node.this)],
                expressions=[node.this.this, node.expression.this],
            )
        if (
            isinstance(node, exp.Subquery)
            and isinstance(node.this, exp.Select)
            and isinstance(node.this.expressions[0], exp.Count)
            and not isinstance(node.parent, exp.Coalesce)
        ):
            # a correlated COUNT over no rows is NULL in ClickHouse (it becomes a join)
            return exp.Coalesce(this=node.copy(), expressions=[exp.Literal.number(0)])
        if isinstance(node, exp.DataType) and node.this == exp.DType.DATE:
            return exp.DataType(this=exp.DType.DATE32, nullable=True)
        if isinstance(node, exp.DataType) and node.this == exp.DType.TIMESTAMP:
            return exp.DataType(
                this=exp.DType.DATETIME64,
                nullable=True,
                expressions=[exp.DataTypeParam(this=exp.Literal.number(6))],
            )
        return node

    def finish(self, query: exp.Expr) -> exp.Expr:
        """`SETTINGS join_use_nulls = 1`: else a LEFT JOIN gives 0 and '' instead of NULL
        where nothing matched."""
        if isinstance(query, exp.Select):
            query.set(
                "settings",
                [exp.EQ(this=exp.var("join_use_nulls"), expression=exp.Literal.number(1))],
            )
        return query
