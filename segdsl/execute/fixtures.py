"""The warehouse of a `segdsl test`: an in-memory DuckDB database shaped as schema.yaml maps
the real one (the customers table, side tables, stream tables; schemas of qualified names),
filled with a test's rows, on which the compiled statement runs word for word.

One session serves every test of a run: the tables are created once and emptied and
filled again for each test, since creating a session and its tables costs more than the
statement of a small fixture. The session is private and in memory, locked down like any
other (segdsl/execute/session.py): a test never touches a file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import duckdb
from sqlglot import exp

from segdsl.diagnostics import Diagnostic, SegdslError
from segdsl.document.environment import table_path
from segdsl.execute.session import connect_memory, sql
from segdsl.types import Type

SQL_TYPES = {
    Type.STRING: "VARCHAR",
    Type.INTEGER: "BIGINT",
    Type.DECIMAL: "DECIMAL(38, 10)",
    Type.FLOAT: "DOUBLE",
    Type.BOOLEAN: "BOOLEAN",
    Type.DATE: "DATE",
    Type.TIMESTAMP: "TIMESTAMP",
}


class TableRows(Protocol):
    """A table of a fixture (segdsl.document.givens.Table)."""

    @property
    def columns(self) -> Mapping[str, Type]: ...
    @property
    def rows(self) -> Sequence[Mapping[str, Any]]: ...


def _table(name: str) -> exp.Table:
    parts = [exp.to_identifier(part, quoted=True) for part, _ in table_path(name)]
    catalog, db, table = [None] * (3 - len(parts)) + parts
    return exp.Table(this=table, db=db, catalog=catalog)


class Fixtures:
    """One private in-memory session, with every table of the schema in it."""

    def __init__(self, shapes: Mapping[str, TableRows]):
        self.connection = connect_memory()
        self.shapes: dict[str, dict[str, Type]] = {}
        self._attached: set[str] = set()
        self._create(shapes)

    def _create(self, shapes: Mapping[str, TableRows]) -> None:
        """The tables, (re)created: a test whose key differs in type from the last's (a key
        that is no field of the schema takes the type of the keys given) gets its own."""
        for name in self.shapes:
            self.connection.execute(sql(exp.Drop(this=_table(name), kind="TABLE")))
        self.shapes = {name: dict(t.columns) for name, t in shapes.items()}
        attached = self._attached
        try:
            for name, columns in self.shapes.items():
                table = _table(name)
                if table.catalog and table.catalog not in attached:
                    memory = exp.Literal.string(":memory:")
                    alias = exp.to_identifier(table.catalog, quoted=True)
                    attach = exp.Attach(this=exp.Alias(this=memory, alias=alias))
                    self.connection.execute(sql(attach))
                    attached.add(table.catalog)
                if table.db:
                    schema = exp.Create(
                        this=exp.Table(
                            this=exp.to_identifier(table.db, quoted=True),
                            db=table.args.get("catalog"),
                        ),
                        kind="SCHEMA",
                        exists=True,
                    )
                    self.connection.execute(sql(schema))
                definition = exp.Schema(
                    this=table,
                    expressions=[
                        exp.ColumnDef(
                            this=exp.to_identifier(c, quoted=True),
                            kind=exp.DataType.build(SQL_TYPES[t], dialect="duckdb"),
                        )
                        for c, t in columns.items()
                    ],
                )
                self.connection.execute(sql(exp.Create(this=definition, kind="TABLE")))
        except duckdb.Error as error:
            self.connection.close()
            raise SegdslError(
                [
                    Diagnostic(
                        "E415",
                        f"cannot build the test warehouse: {error}",
                        hint="does schema.yaml name each table and column once?",
                    )
                ]
            ) from None

    def fill(self, tables: Mapping[str, TableRows]) -> None:
        """Empties every table and puts the test's rows in."""
        if {name: dict(t.columns) for name, t in tables.items()} != self.shapes:
            self._create(tables)
        for name, columns in self.shapes.items():
            self.connection.execute(sql(exp.Delete(this=_table(name))))
            rows = tables[name].rows if name in tables else ()
            if not rows:
                continue
            names = list(columns)
            values = exp.Values(
                expressions=[
                    exp.Tuple(expressions=[exp.Placeholder() for _ in names]) for _ in rows
                ]
            )
            insert = exp.Insert(
                this=exp.Schema(
                    this=_table(name),
                    expressions=[exp.to_identifier(c, quoted=True) for c in names],
                ),
                expression=values,
            )
            params = [row.get(c) for row in rows for c in names]
            self.connection.execute(sql(insert), params)

    def rows(self, statement: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The compiled statement's column names and rows."""
        try:
            cursor = self.connection.execute(statement)
        except duckdb.Error as error:
            raise SegdslError(
                [Diagnostic("E415", f"the test warehouse rejected the query: {error}")]
            ) from None
        return [d[0] for d in cursor.description or ()], cursor.fetchall()

    def close(self) -> None:
        self.connection.close()
