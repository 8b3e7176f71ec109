"""sqlglot expression → SQL text for one dialect. Only lower and emit import sqlglot.

What a dialect cannot express is a `SegdslError` (E5xx) naming the dialect and the
feature, never silently different SQL.
"""

from __future__ import annotations

from functools import cache

import sqlglot
from sqlglot import ErrorLevel, exp
from sqlglot.dialects.dialect import Dialect, Dialects
from sqlglot.errors import UnsupportedError

from .diagnostics import Diagnostic, SegdslError, did_you_mean


@cache
def dialects() -> tuple[str, ...]:
    """Every dialect sqlglot can write."""
    return tuple(sorted(d.value for d in Dialects if d.value))


def check_dialect(name: str) -> None:
    if name not in dialects():
        raise SegdslError([Diagnostic("E502", f"unknown dialect `{name}`",
                                      hint=did_you_mean(name, dialects(), "dialects"))])


def to_sql(query: exp.Expression, dialect: str, pretty: bool = True) -> str:
    check_dialect(dialect)
    try:
        return Dialect.get_or_raise(dialect).generate(
            query, pretty=pretty, unsupported_level=ErrorLevel.RAISE)
    except UnsupportedError as error:
        raise SegdslError([Diagnostic(
            "E501", f"the {dialect} dialect cannot express this rule: {error}",
            hint="compile for another dialect, or rewrite the rule without this feature")]) \
            from None


__all__ = ["dialects", "to_sql", "sqlglot"]
