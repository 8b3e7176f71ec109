"""A test's values, as YAML reads them, checked against the types of schema.yaml: a value
of the wrong type is refused here (E453), not passed to a database to fail there."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from segdsl.types import Type


def convert(value: Any, of: Type) -> Any:
    """A YAML value as a value of the type, or None when it is none."""
    if of == Type.STRING:
        return value if isinstance(value, str) else None
    if of == Type.BOOLEAN:
        return value if isinstance(value, bool) else None
    if isinstance(value, bool):
        return None
    if of == Type.INTEGER:
        return value if isinstance(value, int) and -(2**63) <= value < 2**63 else None
    if of == Type.FLOAT:
        return float(value) if isinstance(value, int | float) else None
    if of == Type.DECIMAL:
        try:
            number = Decimal(str(value)) if isinstance(value, int | float | str) else None
        except InvalidOperation:
            return None
        return number if number is not None and number.is_finite() else None
    if of == Type.TIMESTAMP:
        return _timestamp(value)
    if of == Type.DATE:
        if isinstance(value, dt.datetime):
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None
    return None


def _timestamp(value: Any) -> dt.datetime | None:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return dt.datetime.combine(value.date(), value.time())
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    return None


def shown_value(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 40 else text[:37] + "..."


def a_type(of: Type) -> str:
    """`an integer`, `a string`: the type's name with its article."""
    return ("an " if of.value[0] in "aeiou" else "a ") + of.value
