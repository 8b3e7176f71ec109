"""Snowflake."""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from segdsl.emit.dialects.base import Dialect
from segdsl.emit.dialects.reserved import SNOWFLAKE
from segdsl.operators import SQL, Build, Builder, part


class Snowflake(Dialect):
    """Regular expressions take their flags as an argument, and REGEXP_LIKE is anchored;
    unquoted names are upper case, so only its own reserved words are quoted."""

    name = "snowflake"
    # WEEK follows the session's WEEK_START and WEEK_OF_YEAR_POLICY; WEEKISO is ISO 8601
    operators: Mapping[str, Builder] = {"week": lambda b, t: part(b, "WEEKISO", t)}
    refuses = {"matches": None}
    regex = "flags"
    reserved = SNOWFLAKE

    def matches(self, b: Build, x: SQL, p: SQL) -> SQL:
        """`REGEXP_INSTR(x, p, 1, 1, 0, 'c' + flags) > 0`: REGEXP_INSTR searches."""
        text, flags = self.translated(p)
        args = [
            x,
            exp.Literal.string(text),
            exp.Literal.number(1),
            exp.Literal.number(1),
            exp.Literal.number(0),
            exp.Literal.string("c" + flags),
        ]
        return exp.GT(
            this=exp.Anonymous(this="REGEXP_INSTR", expressions=args),
            expression=exp.Literal.number(0),
        )
