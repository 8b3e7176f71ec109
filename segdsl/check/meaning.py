"""How the language's meaning (docs/semantics.md) becomes shapes of the bound tree.

Two-valued negation, the converse of a comparison, date-granular comparison of
timestamps, the bounds of time windows, membership tests and some value of a
many-valued field live here, apart from name resolution, so that the rules of meaning
can be read in one place. Nothing here exists for speed: rewrites that do are the
optimizer's passes (segdsl/optimize/).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from segdsl.check import bound
from segdsl.document.environment import Field
from segdsl.operators import OPERATORS, SPELLED
from segdsl.types import Type


def negate(expr: bound.Expr) -> bound.Expr:
    if isinstance(expr, bound.Not):
        return expr.operand
    if isinstance(expr, bound.Const) and expr.type == Type.BOOLEAN:
        return bound.FALSE if expr.value else bound.TRUE
    return bound.Not(Type.BOOLEAN, expr)


def compare(op: str, left: bound.Expr, right: bound.Expr) -> bound.Expr:
    """`left op right`; a timestamp against a date is compared by its date
    (docs/semantics.md#comparisons)."""
    if op == "!=":
        return negate(compare("=", left, right))
    if isinstance(right, bound.Aggregate | bound.CountValues) and isinstance(left, bound.Const):
        return compare(converse(op), right, left)
    if (
        op == ">="
        and isinstance(left, bound.Aggregate)
        and left.kind == "count"
        and left.property is None
        and right == _ONE
    ):
        return bound.Did(Type.BOOLEAN, left.events, left.span)  # `did E` is `count(E) >= 1`
    if left.type == Type.DATE and right.type == Type.TIMESTAMP:
        return compare(converse(op), right, left)
    if left.type == Type.TIMESTAMP and right.type == Type.DATE:
        start = bound.Apply(Type.TIMESTAMP, "day_start", (right,))
        end = bound.Apply(Type.TIMESTAMP, "next_day_start", (right,))
        if op == "=":
            return bound.And(
                Type.BOOLEAN,
                (
                    bound.Apply(Type.BOOLEAN, "ge", (left, start)),
                    bound.Apply(Type.BOOLEAN, "lt", (left, end)),
                ),
            )
        edge = {"<": ("lt", start), "<=": ("lt", end), ">": ("ge", end), ">=": ("ge", start)}[op]
        return bound.Apply(Type.BOOLEAN, edge[0], (left, edge[1]))
    return bound.Apply(Type.BOOLEAN, SPELLED[op].name, (left, right))


def converse(op: str) -> str:
    """The comparison (as the language spells it) that holds with the operands swapped."""
    swapped = OPERATORS[SPELLED[op].converse or ""]
    assert swapped.spelling is not None
    return swapped.spelling


_ONE = bound.Const(Type.INTEGER, 1)


def window_test(value: bound.Expr, window: bound.TimeRange) -> bound.Expr:
    parts: list[bound.Expr] = []
    if window.low is not None:
        parts.append(
            bound.Apply(Type.BOOLEAN, "gt" if window.low_strict else "ge", (value, window.low))
        )
    if window.high is not None:
        parts.append(
            bound.Apply(Type.BOOLEAN, "lt" if window.high_strict else "le", (value, window.high))
        )
    return parts[0] if len(parts) == 1 else bound.And(Type.BOOLEAN, tuple(parts))


def to_date(value: bound.Expr) -> bound.Expr:
    return value if value.type == Type.DATE else bound.Apply(Type.DATE, "to_date", (value,))


def start_bound(value: bound.Expr, of: Type) -> bound.Expr:
    """The first instant (timestamps) or day (dates) that a bound's own value covers."""
    if of == Type.DATE:
        return to_date(value)
    if value.type == Type.DATE:
        return bound.Apply(Type.TIMESTAMP, "day_start", (value,))
    return value


def end_bound(value: bound.Expr, of: Type) -> tuple[bound.Expr, bool]:
    """Upper bound of an inclusive range: a date bound for a timestamp takes its whole day."""
    if of == Type.DATE:
        return to_date(value), False
    if value.type == Type.DATE:
        return bound.Apply(Type.TIMESTAMP, "next_day_start", (value,)), True
    return value, False


def after_bound(value: bound.Expr, of: Type) -> tuple[bound.Expr, bool]:
    """`after X` is strict: after a date means from the next day's start."""
    if of == Type.DATE:
        return to_date(value), True
    if value.type == Type.DATE:
        return bound.Apply(Type.TIMESTAMP, "next_day_start", (value,)), False
    return value, True


def membership(value: bound.Expr, items: bound.ConstList) -> bound.Expr:
    """`value in items` is `value = item` for some item, each item with its own type: a
    date item against a timestamp takes its whole day, a timestamp item against a date
    stands for its date (docs/semantics.md#lists-and-sets)."""
    if not items.values:
        return bound.FALSE
    if value.type in _TIMES and items.type in _TIMES:
        return _time_membership(value, items.values)
    consts = tuple(bound.Const(items.type, v) for v in items.values)
    return bound.Apply(Type.BOOLEAN, "in_list", (value, *consts))


_TIMES = (Type.DATE, Type.TIMESTAMP)


def _time_membership(value: bound.Expr, values: tuple[object, ...]) -> bound.Expr:
    """A list of dates and timestamps (a datetime is a timestamp, a date a date): the
    items that meet `value` by equality stay one `in_list`, each date item against a
    timestamp value is the range of its day."""
    if value.type == Type.DATE:
        dates = dict.fromkeys(v.date() if isinstance(v, dt.datetime) else v for v in values)
        consts = tuple(bound.Const(Type.DATE, v) for v in dates)
        return bound.Apply(Type.BOOLEAN, "in_list", (value, *consts))
    instants = [bound.Const(Type.TIMESTAMP, v) for v in values if isinstance(v, dt.datetime)]
    days = [v for v in values if not isinstance(v, dt.datetime)]
    tests = [compare("=", value, bound.Const(Type.DATE, day)) for day in dict.fromkeys(days)]
    if instants:
        tests.insert(0, bound.Apply(Type.BOOLEAN, "in_list", (value, *instants)))
    return tests[0] if len(tests) == 1 else bound.Or(Type.BOOLEAN, tuple(tests))


def some_value(fld: Field, test: bound.Expr) -> bound.Expr:
    """Some value of a many-valued field passes `test`. A row of its side table whose value
    is NULL is no value (count(tag) skips it; `tag is null` holds when there are no others),
    so it must not pass either: where `coalesce` or `if` could turn it into a value
    (`coalesce(tag, "x") = "x"`), the test first asks for a value that is there."""
    if _replaces_missing(test):
        present = negate(bound.Apply(Type.BOOLEAN, "is_null", (bound.ManyValue(fld.type, fld),)))
        test = bound.And(Type.BOOLEAN, (present, test))
    return bound.Any(Type.BOOLEAN, fld, test)


def _replaces_missing(expr: bound.Expr) -> bool:
    return any(
        isinstance(node, bound.Apply) and node.op in ("coalesce", "if")
        for node in _operand_nodes(expr)
    )


def many_fields(expr: bound.Expr) -> Iterator[Field]:
    """Many-valued fields that a predicate's operands read directly (not through `Any`)."""
    for node in _operand_nodes(expr):
        if isinstance(node, bound.ManyValue):
            yield node.field


def _operand_nodes(expr: bound.Expr) -> Iterator[bound.Expr]:
    """`expr` and the nodes below it through operands (bound.operands), each distinct node
    once, without recursion: a trait used twice is one shared node (linear work)."""
    seen: set[int] = set()
    todo = [expr]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        todo.extend(reversed(bound.operands(node)))
