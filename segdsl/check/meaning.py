"""How SPEC's semantics become shapes of the checked tree.

Two-valued negation, date-granular comparison of timestamps, the bounds of time
windows and membership tests live here, apart from name resolution, so that the
rules of meaning can be read in one place.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from segdsl.check import bound
from segdsl.document.environment import Field
from segdsl.operators import EARTH_RADIUS_KM
from segdsl.types import Type

_OPS = {"=": "eq", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}


def negate(expr: bound.Expr) -> bound.Expr:
    if isinstance(expr, bound.Not):
        return expr.operand
    if isinstance(expr, bound.Const) and expr.type == Type.BOOLEAN:
        return bound.FALSE if expr.value else bound.TRUE
    return bound.Not(Type.BOOLEAN, expr)


def compare(op: str, left: bound.Expr, right: bound.Expr) -> bound.Expr:
    """`left op right`; a timestamp against a date is compared by its date, as SPEC says."""
    if op == "!=":
        return negate(compare("=", left, right))
    if isinstance(right, bound.Aggregate | bound.CountValues) and isinstance(left, bound.Const):
        return compare(_NEGATE_SIDES[op], right, left)
    existence = _as_existence(op, left, right)
    if existence is not None:
        return existence
    near = _near(op, left, right)
    if near is not None:
        return near
    ranged = _as_range(op, left, right)
    if ranged is not None:
        return ranged
    if (
        op == "="
        and _is_choice(left)
        and isinstance(right, bound.Const)
        and left.type == right.type
        and left.type in _CHOICE_TYPES
    ):
        return _choose(left, lambda value: value is not None and value == right.value)
    if left.type == Type.DATE and right.type == Type.TIMESTAMP:
        return compare(_NEGATE_SIDES[op], right, left)
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
    return bound.Apply(Type.BOOLEAN, _OPS[op], (left, right))


_NEGATE_SIDES = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_ONE = bound.Const(Type.INTEGER, 1)
_EXISTENCE = {("max", ">"), ("max", ">="), ("min", "<"), ("min", "<=")}  # some event passes


def _near(op: str, left: bound.Expr, right: bound.Expr) -> bound.Expr | None:
    """`distance_km(location, lat, lon) <= r` with constants: the same test behind a
    latitude/longitude box that holds every point within r km (a cheap comparison that lets
    the engine skip the haversine for most customers; 4x faster on the 1M demo). No box
    where it would reach a pole or cross the antimeridian."""
    if not (op in ("<", "<=") and isinstance(left, bound.Apply) and left.op == "distance_km"):
        return None
    numbers = [_number(a) for a in (*left.args[1:], right)]
    if None in numbers:
        return None
    lat, lon, radius = (float(n) for n in numbers)  # type: ignore[arg-type]
    reach = radius / EARTH_RADIUS_KM
    if reach <= 0 or abs(lat) > 90 or abs(lon) > 180:
        return None
    if abs(math.radians(lat)) + reach >= math.pi / 2 - 1e-6:
        return None
    dlat = math.degrees(reach) * 1.001 + 1e-9
    dlon = math.degrees(math.asin(min(1.0, math.sin(reach) / math.cos(math.radians(lat)))))
    dlon = dlon * 1.001 + 1e-9
    if lon - dlon < -180 or lon + dlon > 180:
        return None
    box = bound.Apply(
        Type.BOOLEAN,
        "in_box",
        (
            left.args[0],
            *(
                bound.Const(Type.FLOAT, round(v, 9))
                for v in (lat - dlat, lat + dlat, lon - dlon, lon + dlon)
            ),
        ),
    )
    return bound.And(Type.BOOLEAN, (box, bound.Apply(Type.BOOLEAN, _OPS[op], (left, right))))


def _as_range(op: str, left: bound.Expr, right: bound.Expr) -> bound.Expr | None:
    """A function of a time compared with a whole number, as a range of that time itself,
    which the engine compares without computing anything per row and can answer from
    its min/max statistics (measured on the 1M demo: `year(birth_date) between 1997 and
    2012` 1.45x slower than the date range, `days_since(last_seen_at) > 30` 1.6x):

    - `year(t) op y`: `year(t) >= y` is `t >= y-01-01`, `year(t) <= y` is `t < (y+1)-01-01`;
    - `days_since(t) op n` (whole days from date(t) to date(as of)): `days_since(t) > n` is
      `date(t) < date(as of - n days)`, and so on with the sides swapped.

    A missing t fails both forms alike."""
    if not (
        isinstance(left, bound.Apply)
        and left.op in ("year", "days_since")
        and isinstance(right, bound.Const)
        and type(right.value) is int
        and op in _OPS
    ):
        return None
    time = left.args[0]
    if left.op == "year":
        if not 1 <= right.value <= 9998:
            return None
        first = bound.Const(Type.DATE, dt.date(right.value, 1, 1))
        after = bound.Const(Type.DATE, dt.date(right.value + 1, 1, 1))
        if op == "=":
            return bound.And(Type.BOOLEAN, (compare(">=", time, first), compare("<", time, after)))
        return {
            "<": compare("<", time, first),
            "<=": compare("<", time, after),
            ">": compare(">=", time, after),
            ">=": compare(">=", time, first),
        }[op]
    if not 0 <= right.value <= 1_000_000:
        return None
    day = bound.Apply(
        Type.DATE,
        "to_date",
        (
            bound.Apply(
                Type.TIMESTAMP,
                "sub",
                (bound.AsOf(Type.TIMESTAMP), bound.Interval(Type.DURATION, right.value, "day")),
            ),
        ),
    )
    return compare(_NEGATE_SIDES[op], time, day)


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
    engine then compares the field instead of building and comparing a string per row
    (`age_band = "35-49"` measured 3x slower than `age between 35 and 49`)."""
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


def bucket_test(node: bound.Expr, segmentations: Mapping[str, Any]) -> bound.Expr | None:
    """`segmentation = "x"` or `segmentation in [...]` (constants) as the conditions of its
    buckets (`segmentations[name].buckets`, `.otherwise`), first match winning: bucket i is
    `rule_i and not rule_1 … and not rule_(i-1)`, the else bucket `not` all of them, a
    missing rule counting as not matching; None for any other node. The engine then tests
    the rules instead of building and comparing a string per customer
    (warm_leads_without_order, `lead_temperature in ["hot", "warm"]`: the CASE over 1M
    customers cost 85 ms of 245)."""
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


_COMPLEMENT = {"lt": "ge", "le": "gt", "gt": "le", "ge": "lt"}


def _complemented(item: bound.Expr, items: tuple[bound.Expr, ...]) -> bound.Expr:
    """`not x >= k` is `x < k` where another item of the same `and` compares x with a
    constant: that one fails when x is missing, so the `not` need not hold then (the SQL
    loses a COALESCE per row: `age_band = "35-49"` 1.2x faster)."""
    if not (isinstance(item, bound.Not) and _compares_with_const(item.operand)):
        return item
    inner = item.operand
    assert isinstance(inner, bound.Apply)
    if inner.op in _COMPLEMENT and any(
        other is not item and _compares_with_const(other) and other.args[0] == inner.args[0]  # type: ignore
        for other in items
    ):
        return bound.Apply(Type.BOOLEAN, _COMPLEMENT[inner.op], inner.args)
    return item


def _compares_with_const(node: bound.Expr) -> bool:
    return (
        isinstance(node, bound.Apply)
        and node.op in (*_COMPLEMENT, "eq")
        and isinstance(node.args[1], bound.Const)
        and node.args[1].value is not None
    )


def _number(node: bound.Expr) -> float | None:
    """The value of a numeric literal, also written with a minus sign."""
    if isinstance(node, bound.Apply) and node.op == "neg" and len(node.args) == 1:
        inner = _number(node.args[0])
        return None if inner is None else -inner
    if (
        isinstance(node, bound.Const)
        and isinstance(node.value, int | float | Decimal)
        and not isinstance(node.value, bool)
    ):
        return float(node.value)
    return None


def _as_existence(op: str, left: bound.Expr, right: bound.Expr) -> bound.Expr | None:
    """Comparisons that only ask whether some event or value exists, written as that test,
    which the SQL can answer from the matching rows alone (measured on the 1M demo:
    `max(purchase.amount within 12 months) >= 500` 7x faster than grouping every order):

    - `max(E.p) >= c` (or `>`) holds exactly when some event of E has `p >= c`;
      `min(E.p) <= c` (or `<`) when some has `p <= c`; over no events both are false;
    - `count(f) >= 1` (or `> 0`) for a many-valued field holds when some value is present,
      `count(f) = 0` (or `< 1`, `<= 0`) when none is."""
    if not isinstance(right, bound.Const) or right.value is None or isinstance(right.value, bool):
        return None
    if (
        isinstance(left, bound.Aggregate)
        and left.property is not None
        and (left.kind, op) in _EXISTENCE
    ):
        test = compare(op, bound.PropertyValue(left.property.type, left.property), right)
        events = left.events
        matching = test if events.filter is None else bound.And(Type.BOOLEAN, (events.filter, test))
        count = bound.Aggregate(
            Type.INTEGER, "count", bound.EventSet(events.event, matching, events.window), None
        )
        return bound.Apply(Type.BOOLEAN, "ge", (count, _ONE))
    if isinstance(left, bound.CountValues) and isinstance(right.value, int):
        some = (op == ">=" and right.value == 1) or (op == ">" and right.value == 0)
        none = (
            (op == "=" and right.value == 0)
            or (op == "<" and right.value == 1)
            or (op == "<=" and right.value == 0)
        )
        if some or none:
            value = bound.ManyValue(left.field.type, left.field)
            present = bound.Any(
                Type.BOOLEAN, left.field, negate(bound.Apply(Type.BOOLEAN, "is_null", (value,)))
            )
            return present if some else negate(present)
    return None


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
    if not items.values:
        return bound.FALSE
    if value.type == Type.TIMESTAMP and items.type == Type.DATE:
        return bound.Or(
            Type.BOOLEAN,
            tuple(compare("=", value, bound.Const(Type.DATE, v)) for v in items.values),
        )
    if _is_choice(value) and value.type == items.type and value.type in _CHOICE_TYPES:
        wanted = set(items.values)
        return _choose(value, lambda v: v is not None and v in wanted)
    numbers = sorted(set(items.values)) if all(type(v) is int for v in items.values) else []
    if (
        value.type == items.type == Type.INTEGER
        and len(numbers) > 1
        and numbers[-1] - numbers[0] == len(numbers) - 1
    ):
        # a run of whole numbers (`weekday(t) in [6, 7]`) is a range: DuckDB answers the
        # two comparisons 2x faster than IN over a computed value
        return bound.And(
            Type.BOOLEAN,
            (
                bound.Apply(Type.BOOLEAN, "ge", (value, bound.Const(Type.INTEGER, numbers[0]))),
                bound.Apply(Type.BOOLEAN, "le", (value, bound.Const(Type.INTEGER, numbers[-1]))),
            ),
        )
    consts = tuple(bound.Const(items.type, v) for v in items.values)
    return bound.Apply(Type.BOOLEAN, "in_list", (value, *consts))


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
    if isinstance(expr, bound.Apply):
        return expr.op in ("coalesce", "if") or any(_replaces_missing(a) for a in expr.args)
    if isinstance(expr, bound.And | bound.Or):
        return any(_replaces_missing(item) for item in expr.items)
    if isinstance(expr, bound.Not):
        return _replaces_missing(expr.operand)
    return False


def many_fields(expr: bound.Expr) -> Iterator[Field]:
    """Many-valued fields that a predicate's operands read directly (not through `Any`)."""
    if isinstance(expr, bound.ManyValue):
        yield expr.field
    elif isinstance(expr, bound.Apply):
        for arg in expr.args:
            yield from many_fields(arg)
    elif isinstance(expr, bound.And | bound.Or):
        for item in expr.items:
            yield from many_fields(item)
    elif isinstance(expr, bound.Not):
        yield from many_fields(expr.operand)
