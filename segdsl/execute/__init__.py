"""Run compiled SQL where the data lives. The only stage that imports duckdb and the
database drivers; the few statements it adds around the compiled query (a TEMP table,
sizes, members) are sqlglot trees too.

The compiled query runs as the text `compile(..., dialect=D, pretty=False)` gives for it,
word for word (`Result.sql`), D being the warehouse's dialect, and it is the only statement
that reads the warehouse. Its rows land in a table of a private DuckDB session (computed
there for a DuckDB file or a folder of files, fetched there from another engine), from
which sizes, members and output files are read, alike on every engine.

    warehouses.py  what `warehouse:` names: path, URL or connection; its dialect
    session.py     the locked-down DuckDB session (read-only, no other file, no extension)
    servers.py     PostgreSQL, MySQL/MariaDB, SQLite: read-only transactions, fetching
    result.py      Result and Size: sizes, members, to_arrow, write
    listing.py     members as rows, measures per segment and bucket, a stable sample
    output.py      --out files: checked against the warehouse, written whole or not at all

The warehouse is never modified (docs/security.md, docs/warehouses.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
from sqlglot import exp

from segdsl.diagnostics import Diagnostic, SegdslError
from segdsl.emit import to_sql
from segdsl.execute.listing import Listing, Measure, Value
from segdsl.execute.output import OUT_SUFFIXES, OUT_TABLE, check_output, same_file
from segdsl.execute.result import RESULT_TABLE, KeyCheck, Result, Size, Statement
from segdsl.execute.servers import EngineError, Rows, fetch
from segdsl.execute.session import connect, connect_files, connect_memory, sql
from segdsl.execute.warehouses import Warehouse, folder_tables, resolve
from segdsl.types import Type

__all__ = [
    "OUT_SUFFIXES",
    "OUT_TABLE",
    "KeyCheck",
    "Listing",
    "Measure",
    "Result",
    "Size",
    "Statement",
    "Value",
    "Warehouse",
    "check_output",
    "connect",
    "execute",
    "read_rows",
    "resolve",
    "same_file",
]


# what an engine's message says, → the code, the message's start and the hint
# (docs/errors.md#e435-the-warehouse-is-locked and the codes after it)
_REFUSALS = (
    (
        ("could not set lock", "conflicting lock", "database is locked"),
        "E435",
        "the warehouse is locked by another program",
        "close the program that holds it open for writing, or run on a copy",
    ),
    (
        ("corrupt database", "checksum", "could not read enough bytes", "malformed"),
        "E436",
        "the warehouse file is damaged",
        "restore the warehouse from a backup, or export it again",
    ),
    (
        (
            "expression depth",
            "stack depth",
            "too_deep",
            "expression tree is too large",
            "thread stack overrun",
            "maximum parse depth",
        ),
        "E437",
        "the compiled query is nested deeper than the warehouse allows",
        "split the rule, or the segments it refers to, into smaller ones",
    ),
    (
        (
            "not in timestamp range",
            "date out of range",
            "timestamp out of range",
            "out of range for type timestamp",
            "out of range for type date",
            "datetime overflow",
        ),
        "E438",
        "a date or time of the rule is beyond the warehouse's calendar",
        "a rule moves a time by too much (`+ 300000 years`), or *as of* is too far off",
    ),
)


def _rejected(message: str) -> SegdslError:
    lowered = message.lower()
    for words, code, what, hint in _REFUSALS:
        if any(word in lowered for word in words):
            return SegdslError([Diagnostic(code, f"{what}: {message}", hint=hint)])
    return SegdslError(
        [
            Diagnostic(
                "E415",
                f"the warehouse rejected the query: {message}",
                hint="does schema.yaml match the warehouse's tables and columns?",
            )
        ]
    )


def _missing(warehouse: Warehouse) -> SegdslError:
    return SegdslError(
        [
            Diagnostic(
                "E413",
                f"the warehouse `{warehouse.shown}` does not exist",
                hint="check `warehouse:` in segdsl.yaml, or run `segdsl demo`",
            )
        ]
    )


def execute(warehouse: Warehouse, statement: Statement) -> Result:
    """The statement's result; read-only on every engine."""
    path = warehouse.path
    if path is not None and not (path.is_dir() if warehouse.kind == "files" else path.is_file()):
        raise _missing(warehouse)
    try:
        if warehouse.kind == "files" and path is not None:
            session = connect_files(folder_tables(path))
        elif warehouse.kind == "duckdb" and path is not None:
            session = connect(path)
        else:  # sizes and measures are aggregated there; rows fetched when needed
            result = Result(None, statement, warehouse.files(), _Remote(warehouse, statement))
            result.key_check()  # runs now, as on DuckDB: the engine's refusals are the run's
            return result
        # computed once, in full, into a TEMP table: the warehouse itself is never written
        create = exp.Create(
            this=exp.to_table(RESULT_TABLE),
            kind="TABLE",
            replace=True,
            expression=exp.var(statement.sql),  # the compiled text itself, not a regeneration
            properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
        )
        session.execute(sql(create))
        return Result(session, statement, warehouse.files())
    except duckdb.Error as error:
        raise _rejected(str(error)) from None
    except EngineError as error:
        raise _rejected(warehouse.redact(str(error))) from None


def read_rows(warehouse: Warehouse, statements: Sequence[str]) -> list[Rows]:
    """The rows of a few small statements, in the warehouse's dialect, read-only like a run:
    `segdsl explain --customer` reads that customer's rows with them."""
    path = warehouse.path
    if path is not None and not (path.is_dir() if warehouse.kind == "files" else path.is_file()):
        raise _missing(warehouse)
    try:
        if path is not None and warehouse.kind in ("files", "duckdb"):
            session = (
                connect_files(folder_tables(path)) if warehouse.kind == "files" else connect(path)
            )
            try:
                found: list[Rows] = []
                for text in statements:
                    cursor = session.execute(text)
                    names = [d[0] for d in cursor.description or ()]
                    found.append((names, cursor.fetchall()))
                return found
            finally:
                session.close()
        return [fetch(warehouse, text) for text in statements]
    except duckdb.Error as error:
        raise _rejected(str(error)) from None
    except EngineError as error:
        raise _rejected(warehouse.redact(str(error))) from None


class _Remote:
    """A result on another engine (docs/warehouses.md#where-the-work-is-done): an
    aggregate runs there as `SELECT ... FROM (<the compiled text, word for word>)`, in the
    warehouse's dialect, and only its one row (or one per bucket) comes back; the rows
    themselves are fetched once, when members, a listing or a file need them."""

    def __init__(self, warehouse: Warehouse, statement: Statement):
        self.warehouse = warehouse
        self.statement = statement

    def aggregate(self, query: exp.Select) -> list[tuple[Any, ...]]:
        inner = exp.Subquery(
            this=exp.var(self.statement.sql),
            alias=exp.TableAlias(this=exp.to_identifier(RESULT_TABLE)),
        )
        text = to_sql(query.from_(inner), self.statement.dialect, pretty=False)
        try:
            _, rows = fetch(self.warehouse, text)
        except EngineError as error:
            raise _rejected(self.warehouse.redact(str(error))) from None
        return [tuple(row) for row in rows]

    def rows(self) -> duckdb.DuckDBPyConnection:
        try:
            return _fetched(self.warehouse, self.statement)
        except EngineError as error:
            raise _rejected(self.warehouse.redact(str(error))) from None


def _fetched(warehouse: Warehouse, statement: Statement) -> duckdb.DuckDBPyConnection:
    """The other engine's rows in a TEMP table of a private session, one list per column:
    segments as BOOLEAN (MySQL and SQLite give 0 and 1), segmentations as VARCHAR, an
    integer key as BIGINT."""
    names, rows = fetch(warehouse, statement.sql)
    columns = [list(values) for values in zip(*rows, strict=True)] or [[] for _ in names]
    selected: list[exp.Expression] = []
    for index, name in enumerate(names):
        kind = _column_type(name, index, columns[index], statement)
        values: exp.Expression = exp.Placeholder()
        if kind:
            values = exp.cast(values, exp.DataType.build(f"{kind}[]", dialect="duckdb"))
        unnest = exp.Unnest(expressions=[values])
        selected.append(exp.Alias(this=unnest, alias=exp.to_identifier(name, quoted=True)))
    session = connect_memory()
    create = exp.Create(
        this=exp.to_table(RESULT_TABLE),
        kind="TABLE",
        expression=exp.select(*selected),
        properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
    )
    session.execute(sql(create), columns)
    return session


# the type a field's or trait's column (`run --with`, `--measure`) is fetched into: a
# server's NUMERIC comes as Python's Decimal of any scale, held here as DOUBLE
_VALUE_TYPES = {
    Type.STRING: "VARCHAR",
    Type.INTEGER: "BIGINT",
    Type.DECIMAL: "DOUBLE",
    Type.FLOAT: "DOUBLE",
    Type.BOOLEAN: "BOOLEAN",
    Type.DATE: "DATE",
    Type.TIMESTAMP: "TIMESTAMP",
}


def _column_type(name: str, index: int, values: list[Any], statement: Statement) -> str | None:
    typed = {value.column: value.type for value in statement.values}
    if name in typed:
        return _VALUE_TYPES.get(typed[name])
    if index > 0 and name in statement.segmentations:
        return "VARCHAR"
    if index > 0:
        return "BOOLEAN"
    first = next((v for v in values if v is not None), None)
    if first is None or (isinstance(first, int) and not isinstance(first, bool)):
        return "BIGINT"
    return "VARCHAR" if isinstance(first, str) else None
