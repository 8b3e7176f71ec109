"""DuckDB, the reference: lowering builds DuckDB's SQL, so nothing is rewritten."""

from __future__ import annotations

from sqlglot import exp

from segdsl.emit.dialects.base import Dialect
from segdsl.operators import SQL, Build


class DuckDB(Dialect):
    """RE2 regular expressions, hex read as '0x…', `ARG_MAX_NULL` its own function."""

    name = "duckdb"
    refuses = {"matches": None, "pick": None}
    regex = "re2"

    def hex_to_int(self, b: Build, digits: SQL, count: int) -> SQL:
        return exp.cast(exp.Concat(expressions=[exp.Literal.string("0x"), digits]), "bigint")

    def adapt(self, query: exp.Expr) -> exp.Expr:
        return query
