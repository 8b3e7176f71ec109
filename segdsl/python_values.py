"""The operators' meaning on plain Python values, for the rows' `evaluate` (segdsl/operators/).

The reference evaluator (segdsl/reference/) computes with these, and the optimizer and
lowering fold constants with them; the SQL path never runs them on a customer's data, so a
mistake here shows as a disagreement between the two (tests/test_properties.py). Values
are those of the reference evaluator: str, int, Fraction, float, date, datetime, a
(lat, lon) pair. Missing values never reach these functions: the caller decides first.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from fractions import Fraction
from typing import Any

EARTH_RADIUS_KM = 6371.0088  # the IUGG mean Earth radius (docs/language.md, decision 7)


def day_of(t: dt.date) -> dt.date:
    return t.date() if isinstance(t, dt.datetime) else t


def days_since(as_of: dt.datetime, t: dt.date) -> int:
    """Whole calendar days from the day of t to the day of *as of*."""
    return (as_of.date() - day_of(t)).days


def next_anniversary(as_of: dt.datetime, d: dt.date) -> dt.date:
    """This year's anniversary of d if not before *as of*'s day, else next year's (29 Feb is
    28 Feb in a common year)."""
    today = as_of.date()
    born = day_of(d)
    for year in (today.year, today.year + 1):
        day = min(born.day, calendar.monthrange(year, born.month)[1])
        candidate = dt.date(year, born.month, day)
        if candidate >= today:
            return candidate
    raise AssertionError("unreachable")


def like(text: str, pattern: str) -> bool:
    """`%` any run of characters, `_` exactly one; no escape character (decision 9)."""
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.DOTALL) is not None


def round_half_away(x: Any, digits: int = 0) -> Any:
    """Half away from zero, on the value itself (a float's exact binary value)."""
    exact = Fraction(x)
    scale = Fraction(10) ** digits
    magnitude = math.floor(abs(exact) * scale + Fraction(1, 2)) / scale
    result = magnitude if exact >= 0 else -magnitude
    if isinstance(x, float):
        return float(result)
    if isinstance(x, int):
        return int(result) if result.denominator == 1 else result
    return result


def distance_km(location: tuple[float, float], lat: Any, lon: Any) -> float:
    """Haversine on a sphere of radius EARTH_RADIUS_KM."""
    lat1, lon1 = map(math.radians, location)
    lat2, lon2 = math.radians(float(lat)), math.radians(float(lon))
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))
