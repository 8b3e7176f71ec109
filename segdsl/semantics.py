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

from . import bound as b
from .operators import EARTH_RADIUS_KM
from .schema import Field
from .types import Type

_OPS = {"=": "eq", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}


def negate(expr: b.Expr) -> b.Expr:
    if isinstance(expr, b.Not):
        return expr.operand
    if isinstance(expr, b.Const) and expr.type == Type.BOOLEAN:
        return b.FALSE if expr.value else b.TRUE
    return b.Not(Type.BOOLEAN, expr)


def compare(op: str, left: b.Expr, right: b.Expr) -> b.Expr:
    """`left op right`; a timestamp against a date is compared by its date, as SPEC says."""
    if op == "!=":
        return negate(compare("=", left, right))
    if isinstance(right, b.Aggregate | b.CountValues) and isinstance(left, b.Const):
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
        and isinstance(right, b.Const)
        and left.type == right.type
        and left.type in _CHOICE_TYPES
    ):
        return _choose(left, lambda value: value is not None and value == right.value)
    if left.type == Type.DATE and right.type == Type.TIMESTAMP:
        return compare(_NEGATE_SIDES[op], right, left)
    if left.type == Type.TIMESTAMP and right.type == Type.DATE:
        start = b.Apply(Type.TIMESTAMP, "day_start", (right,))
        end = b.Apply(Type.TIMESTAMP, "next_day_start", (right,))
        if op == "=":
            return b.And(
                Type.BOOLEAN,
                (
                    b.Apply(Type.BOOLEAN, "ge", (left, start)),
                    b.Apply(Type.BOOLEAN, "lt", (left, end)),
                ),
            )
        edge = {"<": ("lt", start), "<=": ("lt", end), ">": ("ge", end), ">=": ("ge", start)}[op]
        return b.Apply(Type.BOOLEAN, edge[0], (left, edge[1]))
    return b.Apply(Type.BOOLEAN, _OPS[op], (left, right))


_NEGATE_SIDES = {"=": "=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_ONE = b.Const(Type.INTEGER, 1)
_EXISTENCE = {("max", ">"), ("max", ">="), ("min", "<"), ("min", "<=")}  # some event passes


def _near(op: str, left: b.Expr, right: b.Expr) -> b.Expr | None:
    """`distance_km(location, lat, lon) <= r` with constants: the same test behind a
    latitude/longitude box that holds every point within r km (a cheap comparison that lets
    the engine skip the haversine for most customers; 4x faster on the 1M demo). No box
    where it would reach a pole or cross the antimeridian."""
    if not (op in ("<", "<=") and isinstance(left, b.Apply) and left.op == "distance_km"):
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
    box = b.Apply(
        Type.BOOLEAN,
        "in_box",
        (
            left.args[0],
            *(
                b.Const(Type.FLOAT, round(v, 9))
                for v in (lat - dlat, lat + dlat, lon - dlon, lon + dlon)
            ),
        ),
    )
    return b.And(Type.BOOLEAN, (box, b.Apply(Type.BOOLEAN, _OPS[op], (left, right))))


def _as_range(op: str, left: b.Expr, right: b.Expr) -> b.Expr | None:
    """A function of a time compared with a whole number, as a range of that time itself,
    which the engine compares without computing anything per row and can answer from
    its min/max statistics (measured on the 1M demo: `year(birth_date) between 1997 and
    2012` 1.45x slower than the date range, `days_since(last_seen_at) > 30` 1.6x):

    - `year(t) op y`: `year(t) >= y` is `t >= y-01-01`, `year(t) <= y` is `t < (y+1)-01-01`;
    - `days_since(t) op n` (whole days from date(t) to date(as of)): `days_since(t) > n` is
      `date(t) < date(as of - n days)`, and so on with the sides swapped.

    A missing t fails both forms alike."""
    if not (
        isinstance(left, b.Apply)
        and left.op in ("year", "days_since")
        and isinstance(right, b.Const)
        and type(right.value) is int
        and op in _OPS
    ):
        return None
    time = left.args[0]
    if left.op == "year":
        if not 1 <= right.value <= 9998:
            return None
        first = b.Const(Type.DATE, dt.date(right.value, 1, 1))
        after = b.Const(Type.DATE, dt.date(right.value + 1, 1, 1))
        if op == "=":
            return b.And(Type.BOOLEAN, (compare(">=", time, first), compare("<", time, after)))
        return {
            "<": compare("<", time, first),
            "<=": compare("<", time, after),
            ">": compare(">=", time, after),
            ">=": compare(">=", time, first),
        }[op]
    if not 0 <= right.value <= 1_000_000:
        return None
    day = b.Apply(
        Type.DATE,
        "to_date",
        (
            b.Apply(
                Type.TIMESTAMP,
                "sub",
                (b.AsOf(Type.TIMESTAMP), b.Interval(Type.DURATION, right.value, "day")),
            ),
        ),
    )
    return compare(_NEGATE_SIDES[op], time, day)


_CHOICE_TYPES = (Type.STRING, Type.INTEGER, Type.BOOLEAN)  # equal in SQL as in Python


def _is_choice(node: b.Expr) -> bool:
    """`if(c, x, y)` whose outcomes are constants or such choices (a trait like
    `age_band: if(age >= 65, "65+", if(age >= 50, "50-64", ...))`)."""
    if isinstance(node, b.Const):
        return True
    return (
        isinstance(node, b.Apply)
        and node.op == "if"
        and _is_choice(node.args[1])
        and _is_choice(node.args[2])
    )


def _choose(node: b.Expr, wanted: Callable[[object], bool]) -> b.Expr:
    """Whether a choice (see `_is_choice`) ends in a constant that is `wanted`, written
    with its conditions: `if(c, x, y) = k` is `(c and x = k) or (not c and y = k)`, where
    `not c` holds when c is false or missing, as `if` takes the else branch then. The
    engine then compares the field instead of building and comparing a string per row
    (`age_band = "35-49"` measured 3x slower than `age between 35 and 49`)."""
    if isinstance(node, b.Const):
        return b.TRUE if wanted(node.value) else b.FALSE
    assert isinstance(node, b.Apply)
    condition, then, otherwise = node.args
    parts = [
        _and(condition, _choose(then, wanted)),
        _and(negate(condition), _choose(otherwise, wanted)),
    ]
    parts = [part for part in parts if part != b.FALSE]
    if not parts:
        return b.FALSE
    if b.TRUE in parts:
        return b.TRUE
    return parts[0] if len(parts) == 1 else b.Or(Type.BOOLEAN, tuple(parts))


def bucket_test(node: b.Expr, segmentations: Mapping[str, Any]) -> b.Expr | None:
    """`segmentation = "x"` or `segmentation in [...]` (constants) as the conditions of its
    buckets (`segmentations[name].buckets`, `.otherwise`), first match winning: bucket i is
    `rule_i and not rule_1 … and not rule_(i-1)`, the else bucket `not` all of them, a
    missing rule counting as not matching; None for any other node. The engine then tests
    the rules instead of building and comparing a string per customer
    (warm_leads_without_order, `lead_temperature in ["hot", "warm"]`: the CASE over 1M
    customers cost 85 ms of 245)."""
    if not (
        isinstance(node, b.Apply)
        and node.op in ("eq", "in_list")
        and node.args
        and isinstance(node.args[0], b.SegmentationRef)
    ):
        return None
    values = [arg.value for arg in node.args[1:] if isinstance(arg, b.Const)]
    if len(values) != len(node.args) - 1:
        return None
    wanted = frozenset(values)
    seg = segmentations[node.args[0].name]
    chain: b.Expr = b.Const(Type.STRING, seg.otherwise)
    for name, rule in reversed(seg.buckets):
        chain = b.Apply(Type.STRING, "if", (rule, b.Const(Type.STRING, name), chain))
    return _choose(chain, lambda value: value is not None and value in wanted)


def _and(test: b.Expr, then: b.Expr) -> b.Expr:
    """`test and then`, where `then` may be a constant."""
    if then == b.FALSE:
        return b.FALSE
    if then == b.TRUE:
        return test
    items = (*b.conjuncts(test), *b.conjuncts(then))
    return b.And(Type.BOOLEAN, tuple(_complemented(item, items) for item in items))


_COMPLEMENT = {"lt": "ge", "le": "gt", "gt": "le", "ge": "lt"}


def _complemented(item: b.Expr, items: tuple[b.Expr, ...]) -> b.Expr:
    """`not x >= k` is `x < k` where another item of the same `and` compares x with a
    constant: that one fails when x is missing, so the `not` need not hold then (the SQL
    loses a COALESCE per row: `age_band = "35-49"` 1.2x faster)."""
    if not (isinstance(item, b.Not) and _compares_with_const(item.operand)):
        return item
    inner = item.operand
    assert isinstance(inner, b.Apply)
    if inner.op in _COMPLEMENT and any(
        other is not item and _compares_with_const(other) and other.args[0] == inner.args[0]  # type: ignore
        for other in items
    ):
        return b.Apply(Type.BOOLEAN, _COMPLEMENT[inner.op], inner.args)
    return item


def _compares_with_const(node: b.Expr) -> bool:
    return (
        isinstance(node, b.Apply)
        and node.op in (*_COMPLEMENT, "eq")
        and isinstance(node.args[1], b.Const)
        and node.args[1].value is not None
    )


def _number(node: b.Expr) -> float | None:
    """The value of a numeric literal, also written with a minus sign."""
    if isinstance(node, b.Apply) and node.op == "neg" and len(node.args) == 1:
        inner = _number(node.args[0])
        return None if inner is None else -inner
    if (
        isinstance(node, b.Const)
        and isinstance(node.value, int | float | Decimal)
        and not isinstance(node.value, bool)
    ):
        return float(node.value)
    return None


def _as_existence(op: str, left: b.Expr, right: b.Expr) -> b.Expr | None:
    """Comparisons that only ask whether some event or value exists, written as that test,
    which the SQL can answer from the matching rows alone (measured on the 1M demo:
    `max(purchase.amount within 12 months) >= 500` 7x faster than grouping every order):

    - `max(E.p) >= c` (or `>`) holds exactly when some event of E has `p >= c`;
      `min(E.p) <= c` (or `<`) when some has `p <= c`; over no events both are false;
    - `count(f) >= 1` (or `> 0`) for a many-valued field holds when some value is present,
      `count(f) = 0` (or `< 1`, `<= 0`) when none is."""
    if not isinstance(right, b.Const) or right.value is None or isinstance(right.value, bool):
        return None
    if (
        isinstance(left, b.Aggregate)
        and left.property is not None
        and (left.kind, op) in _EXISTENCE
    ):
        test = compare(op, b.PropertyValue(left.property.type, left.property), right)
        events = left.events
        matching = test if events.filter is None else b.And(Type.BOOLEAN, (events.filter, test))
        count = b.Aggregate(
            Type.INTEGER, "count", b.EventSet(events.event, matching, events.window), None
        )
        return b.Apply(Type.BOOLEAN, "ge", (count, _ONE))
    if isinstance(left, b.CountValues) and isinstance(right.value, int):
        some = (op == ">=" and right.value == 1) or (op == ">" and right.value == 0)
        none = (
            (op == "=" and right.value == 0)
            or (op == "<" and right.value == 1)
            or (op == "<=" and right.value == 0)
        )
        if some or none:
            value = b.ManyValue(left.field.type, left.field)
            present = b.Any(
                Type.BOOLEAN, left.field, negate(b.Apply(Type.BOOLEAN, "is_null", (value,)))
            )
            return present if some else negate(present)
    return None


def window_test(value: b.Expr, window: b.TimeRange) -> b.Expr:
    parts: list[b.Expr] = []
    if window.low is not None:
        parts.append(
            b.Apply(Type.BOOLEAN, "gt" if window.low_strict else "ge", (value, window.low))
        )
    if window.high is not None:
        parts.append(
            b.Apply(Type.BOOLEAN, "lt" if window.high_strict else "le", (value, window.high))
        )
    return parts[0] if len(parts) == 1 else b.And(Type.BOOLEAN, tuple(parts))


def to_date(value: b.Expr) -> b.Expr:
    return value if value.type == Type.DATE else b.Apply(Type.DATE, "to_date", (value,))


def start_bound(value: b.Expr, of: Type) -> b.Expr:
    """The first instant (timestamps) or day (dates) that a bound's own value covers."""
    if of == Type.DATE:
        return to_date(value)
    if value.type == Type.DATE:
        return b.Apply(Type.TIMESTAMP, "day_start", (value,))
    return value


def end_bound(value: b.Expr, of: Type) -> tuple[b.Expr, bool]:
    """Upper bound of an inclusive range: a date bound for a timestamp takes its whole day."""
    if of == Type.DATE:
        return to_date(value), False
    if value.type == Type.DATE:
        return b.Apply(Type.TIMESTAMP, "next_day_start", (value,)), True
    return value, False


def after_bound(value: b.Expr, of: Type) -> tuple[b.Expr, bool]:
    """`after X` is strict: after a date means from the next day's start."""
    if of == Type.DATE:
        return to_date(value), True
    if value.type == Type.DATE:
        return b.Apply(Type.TIMESTAMP, "next_day_start", (value,)), False
    return value, True


def membership(value: b.Expr, items: b.ConstList) -> b.Expr:
    if not items.values:
        return b.FALSE
    if value.type == Type.TIMESTAMP and items.type == Type.DATE:
        return b.Or(
            Type.BOOLEAN, tuple(compare("=", value, b.Const(Type.DATE, v)) for v in items.values)
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
        return b.And(
            Type.BOOLEAN,
            (
                b.Apply(Type.BOOLEAN, "ge", (value, b.Const(Type.INTEGER, numbers[0]))),
                b.Apply(Type.BOOLEAN, "le", (value, b.Const(Type.INTEGER, numbers[-1]))),
            ),
        )
    consts = tuple(b.Const(items.type, v) for v in items.values)
    return b.Apply(Type.BOOLEAN, "in_list", (value, *consts))


def some_value(fld: Field, test: b.Expr) -> b.Expr:
    """Some value of a many-valued field passes `test`. A row of its side table whose value
    is NULL is no value (count(tag) skips it; `tag is null` holds when there are no others),
    so it must not pass either: where `coalesce` or `if` could turn it into a value
    (`coalesce(tag, "x") = "x"`), the test first asks for a value that is there."""
    if _replaces_missing(test):
        present = negate(b.Apply(Type.BOOLEAN, "is_null", (b.ManyValue(fld.type, fld),)))
        test = b.And(Type.BOOLEAN, (present, test))
    return b.Any(Type.BOOLEAN, fld, test)


def _replaces_missing(expr: b.Expr) -> bool:
    if isinstance(expr, b.Apply):
        return expr.op in ("coalesce", "if") or any(_replaces_missing(a) for a in expr.args)
    if isinstance(expr, b.And | b.Or):
        return any(_replaces_missing(item) for item in expr.items)
    if isinstance(expr, b.Not):
        return _replaces_missing(expr.operand)
    return False


def many_fields(expr: b.Expr) -> Iterator[Field]:
    """Many-valued fields that a predicate's operands read directly (not through `Any`)."""
    if isinstance(expr, b.ManyValue):
        yield expr.field
    elif isinstance(expr, b.Apply):
        for arg in expr.args:
            yield from many_fields(arg)
    elif isinstance(expr, b.And | b.Or):
        for item in expr.items:
            yield from many_fields(item)
    elif isinstance(expr, b.Not):
        yield from many_fields(expr.operand)
