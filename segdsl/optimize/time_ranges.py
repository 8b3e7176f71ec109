"""A function of a time compared with a whole number, as a range of that time itself.

The engine then compares the stored value without computing anything per row, and can
answer from its min/max statistics (docs/performance.md#passes):

- `year(t) op y`: `year(t) >= y` is `t >= y-01-01`, `year(t) <= y` is `t < (y+1)-01-01`;
- `days_since(t) op n` (whole days from date(t) to date(as of)): `days_since(t) > n` is
  `date(t) < date(as of - n days)`, and so on with the sides swapped.

A missing t fails both forms alike.
"""

from __future__ import annotations

import datetime as dt

from segdsl.check import bound
from segdsl.check.meaning import compare, converse
from segdsl.operators import COMPARISONS, OPERATORS
from segdsl.types import Type


def as_range(node: bound.Expr) -> bound.Expr | None:
    if not (isinstance(node, bound.Apply) and node.op in COMPARISONS and len(node.args) == 2):
        return None
    left, right = node.args
    if not (
        isinstance(left, bound.Apply)
        and left.op in ("year", "days_since")
        and isinstance(right, bound.Const)
        and type(right.value) is int
    ):
        return None
    op, time, number = OPERATORS[node.op].spelling or "", left.args[0], right.value
    if left.op == "year":
        return _year(op, time, number)
    if not 0 <= number <= 1_000_000:
        return None
    day = bound.Apply(
        Type.DATE,
        "to_date",
        (
            bound.Apply(
                Type.TIMESTAMP,
                "sub",
                (bound.AsOf(Type.TIMESTAMP), bound.Interval(Type.DURATION, number, "day")),
            ),
        ),
    )
    return compare(converse(op), time, day)


def _year(op: str, time: bound.Expr, year: int) -> bound.Expr | None:
    if not 1 <= year <= 9998:
        return None
    first = bound.Const(Type.DATE, dt.date(year, 1, 1))
    after = bound.Const(Type.DATE, dt.date(year + 1, 1, 1))
    if op == "=":
        return bound.And(Type.BOOLEAN, (compare(">=", time, first), compare("<", time, after)))
    return {
        "<": compare("<", time, first),
        "<=": compare("<", time, after),
        ">": compare(">=", time, after),
        ">=": compare(">=", time, first),
    }[op]
