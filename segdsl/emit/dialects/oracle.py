"""Oracle and Exasol: unquoted names are upper case there, so a quoted lower-case name is
another table; only the words that must be quoted are (emit/dialects/reserved.py)."""

from __future__ import annotations

from segdsl.emit.dialects.base import Dialect
from segdsl.emit.dialects.reserved import ORACLE


class Oracle(Dialect):
    """Oracle's own reserved words."""

    name = "oracle"
    reserved = ORACLE


class Exasol(Dialect):
    """sqlglot quotes Exasol's reserved words itself."""

    name = "exasol"
    reserved = frozenset()
