"""Values for the reference evaluator (segdsl/reference/): the customer and scope a value
is read in, and comparison, arithmetic and time on plain Python values, written from
docs/semantics.md and docs/language.md like the rest of the evaluator.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from segdsl.document.environment import Stream
from segdsl.operators import SPELLED
from segdsl.python_values import day_of
from segdsl.types import Type


class Undefined(Exception):
    """The language does not define this value (ties in `first(E.p)` / `last(E.p)`)."""


@dataclass
class Customer:
    key: Any
    row: Mapping[str, Any]
    values: dict[str, list[Any]]  # many-valued field → its values (missing ones left out)
    events: dict[str, list[Mapping[str, Any]]]  # stream → its rows up to as of, by time
    cache: dict[Any, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Scope:
    """What names mean where a node is evaluated: an event's properties inside a filter,
    and the value a many-valued field takes inside the predicate that ranges over it."""

    customer: Customer
    stream: Stream | None = None
    event: Mapping[str, Any] | None = None
    bound: tuple[tuple[str, Any], ...] = ()

    def binding(self, name: str) -> tuple[bool, Any]:
        for bound_name, value in self.bound:
            if bound_name == name:
                return True, value
        return False, None


def convert(value: Any, of: Type) -> Any:
    """A warehouse value as the language sees it (decimal exact, float binary, ...)."""
    if value is None:
        return None
    if of == Type.DECIMAL:
        return Fraction(Decimal(str(value))) if isinstance(value, float) else Fraction(value)
    if of == Type.FLOAT:
        return float(value)
    if of == Type.INTEGER:
        return int(value)
    if of == Type.DATE and isinstance(value, dt.datetime):
        return value.date()
    return value


# ---- values: comparison, arithmetic, time ------------------------------------------------------


def compare(op: str, left: Any, right: Any) -> bool:
    """A comparison with a missing value is no; a date against a timestamp is compared by
    dates (the date stands for its whole day); a float against an exact number as floats."""
    if left is None or right is None:
        return False
    if isinstance(left, dt.date) and isinstance(right, dt.date):
        if not isinstance(left, dt.datetime) or not isinstance(right, dt.datetime):
            left, right = day_of(left), day_of(right)
    elif _is_number(left) and _is_number(right):
        left, right = common_numbers(left, right)
    evaluate = SPELLED[op].evaluate
    assert evaluate is not None
    return bool(evaluate(left, right))


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float | Fraction) and not isinstance(x, bool)


def common_numbers(left: Any, right: Any) -> tuple[Any, Any]:
    if isinstance(left, float) or isinstance(right, float):
        return float(left), float(right)
    return left, right


def shift(t: dt.date, amount: int, unit: str) -> dt.date:
    """t ± a duration: minutes to weeks fixed, months and years calendar (clamped to the
    month's last day); a date plus days stays a date, plus hours or minutes is a timestamp."""
    if unit in ("month", "year"):
        months = amount * (12 if unit == "year" else 1)
        index = t.year * 12 + t.month - 1 + months
        year, month = divmod(index, 12)
        day = min(t.day, calendar.monthrange(year, month + 1)[1])
        return t.replace(year=year, month=month + 1, day=day)
    if unit in ("hour", "minute") and not isinstance(t, dt.datetime):
        t = dt.datetime.combine(t, dt.time())
    delta = {
        "minute": dt.timedelta(minutes=1),
        "hour": dt.timedelta(hours=1),
        "day": dt.timedelta(days=1),
        "week": dt.timedelta(weeks=1),
    }[unit]
    return t + amount * delta


def sum_values(values: list[Any], of: Type) -> Any:
    if of == Type.FLOAT:
        return math.fsum(values)
    return sum(values, Fraction(0) if of == Type.DECIMAL else 0)


def sum_numbers(values: Iterable[Any]) -> Any:
    items = list(values)
    if any(isinstance(v, float) for v in items):
        return math.fsum(float(v) for v in items)
    return sum(items, 0)


class Descending:
    """Sort key: larger numbers first."""

    def __init__(self, value: Any):
        self.value = value

    def __lt__(self, other: Descending) -> bool:
        return compare(">", self.value, other.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Descending) and compare("=", self.value, other.value)
