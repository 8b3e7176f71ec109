"""Choices between constants, answered by their conditions (docs/performance.md#passes).

A trait like `age_band: if(age >= 65, "65+", if(age >= 50, "50-64", ...))` compared with
a constant (`age_band = "50-64"`, `age_band in [...]`), and a segmentation compared with
bucket names (`lead_temperature in ["hot", "warm"]`), are written as the conditions that
lead to the wanted constants, so the engine tests the fields instead of building and
comparing a string per customer. `if` takes its else branch where its test is false or
missing, and a segmentation's first matching bucket wins, which the conditions keep.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from segdsl.check import bound
from segdsl.check.meaning import negate
from segdsl.operators import COMPARISONS, OPERATORS
from segdsl.types import Type


def choice_test(node: bound.Expr) -> bound.Expr | None:
    """`choice = k` and `choice in [k, ...]` with constants of a type that compares alike
    in SQL and Python."""
    if not (isinstance(node, bound.Apply) and node.op in ("eq", "in_list") and node.args):
        return None
    value, *items = node.args
    if not (_is_choice(value) and value.type in _CHOICE_TYPES and items):
        return None
    if not all(isinstance(item, bound.Const) and item.type == value.type for item in items):
        return None
    wanted = {item.value for item in items if isinstance(item, bound.Const)}
    return _choose(value, lambda v: v is not None and v in wanted)


_CHOICE_TYPES = (Type.STRING, Type.INTEGER, Type.BOOLEAN)  # equal in SQL as in Python


def _is_choice(node: bound.Expr) -> bool:
    """`if(c, x, y)` whose outcomes are constants or such choices (a trait like
    `age_band: if(age >= 65, "65+", if(age >= 50, "50-64", ...))`)."""
    if isinstance(node, bound.Const):
        return True
    return (
        isinstance(node, bound.Apply)
        and node.op == "if"
        and _is_choice(node.args[1])
        and _is_choice(node.args[2])
    )


def _choose(node: bound.Expr, wanted: Callable[[object], bool]) -> bound.Expr:
    """Whether a choice (see `_is_choice`) ends in a constant that is `wanted`, written
    with its conditions: `if(c, x, y) = k` is `(c and x = k) or (not c and y = k)`, where
    `not c` holds when c is false or missing, as `if` takes the else branch then. The
    engine then compares the field instead of building and comparing a string per row."""
    if isinstance(node, bound.Const):
        return bound.TRUE if wanted(node.value) else bound.FALSE
    assert isinstance(node, bound.Apply)
    condition, then, otherwise = node.args
    parts = [
        _and(condition, _choose(then, wanted)),
        _and(negate(condition), _choose(otherwise, wanted)),
    ]
    parts = [part for part in parts if part != bound.FALSE]
    if not parts:
        return bound.FALSE
    if bound.TRUE in parts:
        return bound.TRUE
    return parts[0] if len(parts) == 1 else bound.Or(Type.BOOLEAN, tuple(parts))


def bucket_test(
    node: bound.Expr, segmentations: Mapping[str, bound.Segmentation]
) -> bound.Expr | None:
    """`segmentation = "x"` or `segmentation in [...]` (constants) as the conditions of its
    buckets (`segmentations[name].buckets`, `.otherwise`), first match winning: bucket i is
    `rule_i and not rule_1 … and not rule_(i-1)`, the else bucket `not` all of them, a
    missing rule counting as not matching; None for any other node. The engine then tests
    the rules instead of building and comparing a string per customer."""
    if not (
        isinstance(node, bound.Apply)
        and node.op in ("eq", "in_list")
        and node.args
        and isinstance(node.args[0], bound.SegmentationRef)
    ):
        return None
    values = [arg.value for arg in node.args[1:] if isinstance(arg, bound.Const)]
    if len(values) != len(node.args) - 1:
        return None
    wanted = frozenset(values)
    seg = segmentations[node.args[0].name]
    chain: bound.Expr = bound.Const(Type.STRING, seg.otherwise)
    for name, rule in reversed(seg.buckets):
        chain = bound.Apply(Type.STRING, "if", (rule, bound.Const(Type.STRING, name), chain))
    return _choose(chain, lambda value: value is not None and value in wanted)


def _and(test: bound.Expr, then: bound.Expr) -> bound.Expr:
    """`test and then`, where `then` may be a constant."""
    if then == bound.FALSE:
        return bound.FALSE
    if then == bound.TRUE:
        return test
    items = (*bound.conjuncts(test), *bound.conjuncts(then))
    return bound.And(Type.BOOLEAN, tuple(_complemented(item, items) for item in items))


def _complemented(item: bound.Expr, items: tuple[bound.Expr, ...]) -> bound.Expr:
    """`not x >= k` is `x < k` where another item of the same `and` compares x with a
    constant: that one fails when x is missing, so the `not` need not hold then (the SQL
    loses a COALESCE per row)."""
    if not (isinstance(item, bound.Not) and _compares_with_const(item.operand)):
        return item
    inner = item.operand
    assert isinstance(inner, bound.Apply)
    complement = OPERATORS[inner.op].complement
    if complement is not None and any(
        other is not item
        and isinstance(other, bound.Apply)
        and _compares_with_const(other)
        and other.args[0] == inner.args[0]
        for other in items
    ):
        return bound.Apply(Type.BOOLEAN, complement, inner.args)
    return item


def _compares_with_const(node: bound.Expr) -> bool:
    return (
        isinstance(node, bound.Apply)
        and node.op in COMPARISONS
        and isinstance(node.args[1], bound.Const)
        and node.args[1].value is not None
    )
