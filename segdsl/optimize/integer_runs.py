"""A run of whole numbers as a range: `weekday(t) in [6, 7]` is `weekday(t) between 6 and 7`.

The engine answers two comparisons faster than IN over a computed value
(docs/performance.md#passes).
"""

from __future__ import annotations

from segdsl.check import bound
from segdsl.types import Type


def as_range(node: bound.Expr) -> bound.Expr | None:
    if not (isinstance(node, bound.Apply) and node.op == "in_list" and node.args):
        return None
    value, *items = node.args
    if value.type != Type.INTEGER:
        return None
    if not all(isinstance(item, bound.Const) and type(item.value) is int for item in items):
        return None
    numbers = sorted(
        {
            item.value
            for item in items
            if isinstance(item, bound.Const) and isinstance(item.value, int)
        }
    )
    if len(numbers) < 2 or numbers[-1] - numbers[0] != len(numbers) - 1:
        return None
    low, high = (bound.Const(Type.INTEGER, n) for n in (numbers[0], numbers[-1]))
    return bound.And(
        Type.BOOLEAN,
        (
            bound.Apply(Type.BOOLEAN, "ge", (value, low)),
            bound.Apply(Type.BOOLEAN, "le", (value, high)),
        ),
    )
