"""`not did E` as an item of a single segment's rule, as `Never`: an anti-join.

`NOT EXISTS` over the stream's matching rows, instead of a GROUP BY of the stream joined
to every customer (docs/performance.md#passes). Lowering still groups the stream where
another part of the statement scans the same rows anyway (lower/events.py). In
RULES_SINGLE only, for the segment's own rule: a set computes a column per segment for
every customer, where the grouped form is shared.
"""

from __future__ import annotations

from segdsl.check import bound


def never(tree: bound.Expr) -> bound.Expr:
    items = tuple(_never(item) for item in bound.conjuncts(tree))
    if isinstance(tree, bound.And):
        return bound.And(tree.type, items)
    return items[0]


def _never(item: bound.Expr) -> bound.Expr:
    if isinstance(item, bound.Not) and isinstance(item.operand, bound.Did):
        return bound.Never(item.type, item.operand.events)
    return item
