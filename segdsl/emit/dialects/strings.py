"""Builders for string operators that several families share, where the engine lacks
STARTS_WITH or ENDS_WITH (sqlglot writes both as the functions of those names)."""

from __future__ import annotations

from sqlglot import exp

from segdsl.operators import SQL, Build


def ends_with_right(b: Build, x: SQL, p: SQL) -> SQL:
    """`RIGHT(x, LENGTH(p)) = p`."""
    return exp.EQ(this=exp.Right(this=x, expression=exp.Length(this=p)), expression=p.copy())


def starts_with_left(b: Build, x: SQL, p: SQL) -> SQL:
    """`LEFT(x, LENGTH(p)) = p`."""
    return exp.EQ(this=exp.Left(this=x, expression=exp.Length(this=p)), expression=p.copy())
