"""`percentile(x) op c` with a constant number c, as a comparison of x with one value.

percentile(x) = 100 × (customers with a smaller x) / (customers with any x) grows with
x, so `percentile(x) >= c` holds exactly for the x at or above the least x whose
percentile is at least c, and `< c` below it. That least x takes one pass over the
distinct values of x; the per-customer form ranks every customer
(docs/performance.md#passes). In RULES_SINGLE only: a set computes the per-customer
ranks in its population CTE, which other columns (cume_share) need anyway.
"""

from __future__ import annotations

from decimal import Decimal

from segdsl.check import bound
from segdsl.operators import OPERATORS
from segdsl.types import Type


def cut(node: bound.Expr) -> bound.Expr | None:
    # the orderings, whose `not` is an ordering too (`=` has no complement)
    if not (
        isinstance(node, bound.Apply)
        and OPERATORS[node.op].complement is not None
        and len(node.args) == 2
    ):
        return None
    population, limit = node.args
    if not (
        isinstance(population, bound.Population)
        and population.kind == "percentile"
        and isinstance(limit, bound.Const)
        and type(limit.value) in (int, float, Decimal)
    ):
        return None
    return bound.PercentileCut(Type.BOOLEAN, population, node.op, limit.value)
