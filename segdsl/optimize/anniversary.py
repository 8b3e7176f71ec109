"""`next_anniversary(x) op D`, with *as of* pinned and D a date known at compile time, as a
test of x's month and day (`birthday_today` becomes `month(x) = 12 and day(x) = 31`).

next_anniversary(x) computes an anniversary per row (three date additions); an expert
writes `month(x) = 12 AND day(x) = 31` instead (docs/performance.md#passes). Whether x's
next anniversary passes the test depends only on its month and day, so the 366 (month,
day) pairs are tried here, with the operator's own definition (this year's anniversary
if not before *as of*, else next year's; Feb 29 is Feb 28 in a common year), and those
that pass become tests of month and day, as an expert writes them (`(month(x) = 12 and
day(x) = 31) or (month(x) = 1 and day(x) <= 7)`). x missing fails both forms alike.
Unpinned, or with a bound that is not a constant, the test stays as written.
"""

from __future__ import annotations

import calendar
import datetime as dt

from segdsl.check import bound
from segdsl.operators import COMPARISONS, OPERATORS
from segdsl.types import Type

_DAYS_IN = {m: calendar.monthrange(2024, m)[1] for m in range(1, 13)}  # a leap year's months
# every (month, day) a date can have
_MONTH_DAYS = [(m, d) for m in range(1, 13) for d in range(1, _DAYS_IN[m] + 1)]


def anniversary_test(node: bound.Expr, as_of: dt.datetime) -> bound.Expr | None:
    """The month-and-day form of `node` (a comparison), or None where it does not apply."""
    if not isinstance(node, bound.Apply) or node.op not in COMPARISONS or len(node.args) != 2:
        return None
    left, right = node.args
    op = node.op
    if _is_anniversary(right) and not _is_anniversary(left):
        left, right, op = right, left, OPERATORS[op].converse or op
    if not _is_anniversary(left) or right.type != Type.DATE:
        return None
    limit = fold_date(right, as_of)
    if limit is None:
        return None
    today = as_of.date()
    passing = [
        (m, d) for m, d in _MONTH_DAYS if COMPARISONS[op](next_anniversary(m, d, today), limit)
    ]
    assert isinstance(left, bound.Apply)
    if not passing:
        return bound.FALSE
    if len(passing) == len(_MONTH_DAYS):
        return bound.Not(Type.BOOLEAN, bound.Apply(Type.BOOLEAN, "is_null", left.args))
    month = bound.Apply(Type.INTEGER, "month", left.args)
    day = bound.Apply(Type.INTEGER, "day_of_month", left.args)
    tests = [
        _and(
            _between(month, first, last),
            *([] if days is None else [_between(day, *days, last_day=_DAYS_IN[first])]),
        )
        for first, last, days in _spans(passing)
    ]
    return tests[0] if len(tests) == 1 else bound.Or(Type.BOOLEAN, tuple(tests))


def _spans(passing: list[tuple[int, int]]) -> list[tuple[int, int, tuple[int, int] | None]]:
    """(first month, last month, day range or None for whole months): whole months in a
    row are one span, the days of a partly passing month one span per run of days."""
    spans: list[tuple[int, int, tuple[int, int] | None]] = []
    for month in range(1, 13):
        days = [d for m, d in passing if m == month]
        if len(days) == _DAYS_IN[month]:
            if spans and spans[-1][2] is None and spans[-1][1] == month - 1:
                spans[-1] = (spans[-1][0], month, None)
            else:
                spans.append((month, month, None))
            continue
        for low, high in _runs(days):
            spans.append((month, month, (low, high)))
    return spans


def _runs(values: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for value in sorted(values):
        if runs and value == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], value)
        else:
            runs.append((value, value))
    return runs


def _between(value: bound.Expr, low: int, high: int, last_day: int | None = None) -> bound.Expr:
    """`low <= value <= high`; a day range leaves out the bound at the month's edge."""
    if low == high:
        return bound.Apply(Type.BOOLEAN, "eq", (value, bound.Const(Type.INTEGER, low)))
    tests = [
        bound.Apply(Type.BOOLEAN, op, (value, bound.Const(Type.INTEGER, n)))
        for op, n, edge in (("ge", low, 1), ("le", high, last_day))
        if n != edge
    ]
    return _and(*tests)


def _and(*tests: bound.Expr) -> bound.Expr:
    items = [i for t in tests for i in bound.conjuncts(t)]
    return items[0] if len(items) == 1 else bound.And(Type.BOOLEAN, tuple(items))


def next_anniversary(month: int, day: int, today: dt.date) -> dt.date:
    """The operator's definition (operators._next_anniversary), for one month and day."""
    this_year = _on(today.year, month, day)
    return this_year if this_year >= today else _on(today.year + 1, month, day)


def _on(year: int, month: int, day: int) -> dt.date:
    if month == 2 and day == 29 and not calendar.isleap(year):
        day = 28
    return dt.date(year, month, day)


def _is_anniversary(node: bound.Expr) -> bool:
    return isinstance(node, bound.Apply) and node.op == "next_anniversary"


def fold_date(node: bound.Expr, as_of: dt.datetime) -> dt.date | None:
    """The date `node` stands for under a pinned *as of*, if it is a constant."""
    value = _fold(node, as_of)
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _fold(node: bound.Expr, as_of: dt.datetime) -> dt.date | dt.datetime | None:
    if isinstance(node, bound.Const) and isinstance(node.value, dt.date):
        return node.value
    if isinstance(node, bound.AsOf):
        return as_of
    if not isinstance(node, bound.Apply):
        return None
    if node.op == "today":
        return as_of.date()
    if node.op in ("to_date", "date") and len(node.args) == 1:
        inner = _fold(node.args[0], as_of)
        return inner.date() if isinstance(inner, dt.datetime) else inner
    if node.op in ("add", "sub") and isinstance(node.args[1], bound.Interval):
        start = _fold(node.args[0], as_of)
        interval = node.args[1]
        if start is None:
            return None
        amount = interval.amount if node.op == "add" else -interval.amount
        return _shift(start, amount, interval.unit)
    return None


def _shift(start: dt.date | dt.datetime, amount: int, unit: str) -> dt.date | dt.datetime | None:
    """`start + amount unit`, months ending on the month's last day as in SQL."""
    try:
        if unit in ("month", "year"):
            months = start.month - 1 + amount * (12 if unit == "year" else 1)
            year, month = start.year + months // 12, months % 12 + 1
            day = min(start.day, calendar.monthrange(year, month)[1])
            return start.replace(year=year, month=month, day=day)
        if unit in ("minute", "hour") and not isinstance(start, dt.datetime):
            return None
        step = {
            "minute": dt.timedelta(minutes=1),
            "hour": dt.timedelta(hours=1),
            "day": dt.timedelta(days=1),
            "week": dt.timedelta(weeks=1),
        }[unit]
        return start + amount * step
    except (OverflowError, ValueError, KeyError):
        return None
