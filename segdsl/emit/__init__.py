"""sqlglot expression → SQL text for one dialect. Only lower, emit and execute import sqlglot.

What a dialect cannot express is a `SegdslError` (E5xx) naming the dialect and the
feature, never silently different SQL. What segdsl knows of each dialect, and writes
differently there, is in emit/dialects/ (one module per family).
"""

from __future__ import annotations

import sqlglot
from sqlglot import ErrorLevel, exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import UnsupportedError

from segdsl.diagnostics import Diagnostic, SegdslError
from segdsl.emit.dialects import DIALECTS, dialect_named


def dialects() -> tuple[str, ...]:
    """Every dialect segdsl writes: each SQL dialect sqlglot writes, and DataFusion."""
    return tuple(sorted(DIALECTS))


def to_sql(query: exp.Expr, dialect: str, pretty: bool = True) -> str:
    target = dialect_named(dialect)
    query = target.quoted(target.adapt(query))
    try:
        return Dialect.get_or_raise(dialect).generate(
            query, pretty=pretty, unsupported_level=ErrorLevel.RAISE
        )
    except UnsupportedError as error:
        raise SegdslError(
            [
                Diagnostic(
                    "E501",
                    f"the {dialect} dialect cannot express this rule: {error}",
                    hint="compile for another dialect, or rewrite the rule without this feature",
                )
            ]
        ) from None


__all__ = ["dialects", "to_sql", "sqlglot"]
