"""The warehouse of a `segdsl test`: an in-memory DuckDB database shaped as schema.yaml maps
the real one (the customers table, side tables, stream tables; schemas and catalogs of
qualified names), holding a test's rows, on which the compiled statement runs word for word.

One session serves every test of a run. The rows of all the tests are inserted at once,
each with its test's number, into private tables of the schema `segdsl_fixture`; each
table the schema maps is a view of its private table that shows the rows of the current
test only (the number in `segdsl_fixture.current`). Moving to the next test is one UPDATE:
a statement costs DuckDB a millisecond or two whatever its size, so emptying and filling
each table for every test cost more than the test's own query. A table's rows go in as
one INSERT of unnested lists, one list per column. The session is private
and in memory, locked down like any other (segdsl/execute/session.py).
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
PRIVATE = "segdsl_fixture"  # the schema of the rows of every test
TEST = "segdsl_test"  # the column of a row's test number


class TableRows(Protocol):
    """A table of a fixture (segdsl.document.givens.Table)."""

    @property
    def columns(self) -> Mapping[str, Type]: ...
    @property
    def rows(self) -> Sequence[Mapping[str, Any]]: ...


Shapes = Mapping[str, Mapping[str, Type]]


def _table(name: str) -> exp.Table:
    parts = [exp.to_identifier(part, quoted=True) for part, _ in table_path(name)]
    catalog, db, table = [None] * (3 - len(parts)) + parts
    return exp.Table(this=table, db=db, catalog=catalog)


HOME = "memory"  # the in-memory database's name: a view in an attached catalog (a table
# named catalog.schema.table) finds the private tables by their full name


def _private(index: int) -> exp.Table:
    return exp.Table(
        this=exp.to_identifier(f"t{index}", quoted=True),
        db=exp.to_identifier(PRIVATE),
        catalog=exp.to_identifier(HOME),
    )


def _current() -> exp.Table:
    return exp.Table(
        this=exp.to_identifier("current"),
        db=exp.to_identifier(PRIVATE),
        catalog=exp.to_identifier(HOME),
    )


def _rejected(error: duckdb.Error, what: str) -> SegdslError:
    return SegdslError(
        [
            Diagnostic(
                "E415",
                f"{what}: {error}",
                hint="does schema.yaml name each table and column once?",
            )
        ]
    )


class Fixtures:
    """One private in-memory session holding the rows of many tests, showing one at a time."""

    def __init__(self, shapes: Shapes, tests: Sequence[Mapping[str, TableRows]]):
        self.connection = connect_memory()
        self.shapes = {name: dict(columns) for name, columns in shapes.items()}
        try:
            run = self.connection.execute
            # a fixture's few rows are read faster by one thread than by the machine's cores
            one = exp.EQ(this=exp.column("threads"), expression=exp.Literal.number(1))
            run(sql(exp.Set(expressions=[exp.SetItem(this=one)])))
            run(sql(exp.Create(this=exp.to_identifier(PRIVATE), kind="SCHEMA")))
            current = exp.Schema(this=_current(), expressions=[_column(TEST, "BIGINT")])
            run(sql(exp.Create(this=current, kind="TABLE")))
            run(
                sql(
                    exp.insert(
                        exp.Values(expressions=[exp.Tuple(expressions=[exp.Literal.number(-1)])]),
                        _current(),
                    )
                )
            )
            for index, (name, columns) in enumerate(self.shapes.items()):
                self._create(index, name, columns)
            for index, (name, columns) in enumerate(self.shapes.items()):
                self._insert(index, name, list(columns), tests)
        except duckdb.Error as error:
            self.connection.close()
            raise _rejected(error, "cannot build the test warehouse") from None
        self._show = sql(exp.update(_current(), {TEST: exp.Placeholder()}))

    def _create(self, index: int, name: str, columns: Mapping[str, Type]) -> None:
        run = self.connection.execute
        table = _table(name)
        if table.catalog:
            alias = exp.to_identifier(table.catalog, quoted=True)
            attach = exp.Attach(
                this=exp.Alias(this=exp.Literal.string(":memory:"), alias=alias), exists=True
            )
            run(sql(attach))
        if table.db:
            schema = exp.Table(this=table.args["db"].copy(), db=table.args.get("catalog"))
            run(sql(exp.Create(this=schema, kind="SCHEMA", exists=True)))
        definition = exp.Schema(
            this=_private(index),
            expressions=[_column(TEST, "BIGINT")]
            + [_column(c, SQL_TYPES[t]) for c, t in columns.items()],
        )
        run(sql(exp.Create(this=definition, kind="TABLE")))
        shown = exp.select(*(exp.column(c, quoted=True) for c in columns)).from_(_private(index))
        shown = shown.where(
            exp.EQ(
                this=exp.column(TEST),
                expression=exp.select(exp.column(TEST)).from_(_current()).subquery(),
            )
        )
        run(sql(exp.Create(this=table, kind="VIEW", expression=shown)))

    def _insert(
        self, index: int, name: str, names: list[str], tests: Sequence[Mapping[str, TableRows]]
    ) -> None:
        rows = [
            (number, row)
            for number, tables in enumerate(tests)
            if name in tables
            for row in tables[name].rows
        ]
        if not rows:
            return
        # one list per column, unnested: one statement of a few nodes, whatever the rows
        kinds = {TEST: "BIGINT", **{c: SQL_TYPES[self.shapes[name][c]] for c in names}}
        selected = [
            exp.Unnest(
                expressions=[
                    exp.cast(exp.Placeholder(), exp.DataType.build(f"{kind}[]", dialect="duckdb"))
                ]
            )
            for kind in kinds.values()
        ]
        insert = exp.insert(exp.select(*selected), _private(index), columns=list(kinds))
        params: list[list[Any]] = [[number for number, _ in rows]]
        params += [[row.get(c) for _, row in rows] for c in names]
        self.connection.execute(sql(insert), params)

    def show(self, number: int) -> None:
        """The views show the rows of test `number` (its place in the sequence given)."""
        self.connection.execute(self._show, [number])

    def rows(self, statement: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The compiled statement's column names and rows."""
        try:
            cursor = self.connection.execute(statement)
        except duckdb.Error as error:
            raise _rejected(error, "the test warehouse rejected the query") from None
        return [d[0] for d in cursor.description or ()], cursor.fetchall()

    def close(self) -> None:
        self.connection.close()


def _column(name: str, kind: str) -> exp.ColumnDef:
    return exp.ColumnDef(
        this=exp.to_identifier(name, quoted=True), kind=exp.DataType.build(kind, dialect="duckdb")
    )
