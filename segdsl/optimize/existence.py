"""Comparisons that only ask whether some event or value exists, written as that test.

The SQL can then answer from the matching rows alone instead of grouping every event
(docs/performance.md#passes):

- `max(E.p) >= c` (or `>`) holds exactly when some event of E has `p >= c` (`p > c`);
  `min(E.p) <= c` (or `<`) when some has `p <= c`; over no events both are false. So
  each is `did E(p op c)`, with E's own filter and window;
- `count(f) >= 1` (or `> 0`) for a many-valued field holds when some value is present,
  `count(f) = 0` (or `< 1`, `<= 0`) when none is.

The checker has already compared a timestamp with a date by its day
(docs/semantics.md#comparisons), so c is a constant or the start of a constant day.
"""

from __future__ import annotations

from segdsl.check import bound
from segdsl.check.meaning import negate
from segdsl.document.environment import Field
from segdsl.types import Type

_SOME_EVENT = {("max", "gt"), ("max", "ge"), ("min", "lt"), ("min", "le")}


def as_existence(node: bound.Expr) -> bound.Expr | None:
    if not (isinstance(node, bound.Apply) and len(node.args) == 2):
        return None
    left, right = node.args
    if (
        isinstance(left, bound.Aggregate)
        and left.property is not None
        and (left.kind, node.op) in _SOME_EVENT
        and _constant(right)
    ):
        test = bound.Apply(
            Type.BOOLEAN, node.op, (bound.PropertyValue(left.property.type, left.property), right)
        )
        events = left.events
        matching = test if events.filter is None else bound.And(Type.BOOLEAN, (events.filter, test))
        return bound.Did(Type.BOOLEAN, bound.EventSet(events.event, matching, events.window))
    if (
        isinstance(left, bound.CountValues)
        and isinstance(right, bound.Const)
        and type(right.value) is int
    ):
        return _values(node.op, right.value, left.field)
    return None


def _values(op: str, number: int, fld: Field) -> bound.Expr | None:
    some = (op == "ge" and number == 1) or (op == "gt" and number == 0)
    none = (op, number) in (("eq", 0), ("lt", 1), ("le", 0))
    if not (some or none):
        return None
    value = bound.ManyValue(fld.type, fld)
    present = bound.Any(Type.BOOLEAN, fld, negate(bound.Apply(Type.BOOLEAN, "is_null", (value,))))
    return present if some else negate(present)


def _constant(node: bound.Expr) -> bool:
    """A constant that is not missing nor a yes/no, or the start of a constant day."""
    if isinstance(node, bound.Apply) and node.op in ("day_start", "next_day_start"):
        return _constant(node.args[0])
    return (
        isinstance(node, bound.Const)
        and node.value is not None
        and not isinstance(node.value, bool)
    )
