"""The state database of `segdsl snapshot` and `segdsl history`: a DuckDB file of the
project's own (`state:` of segdsl.yaml), never the warehouse, opened in a session that
can touch no other file.

This module only opens it and runs statements in it, every write inside one transaction
that commits whole or not at all (an interrupted snapshot leaves the file as it was:
DuckDB replays only committed transactions from its `.wal`). What the tables hold is
segdsl/review/state.py's business.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
from sqlglot import exp

from segdsl.diagnostics import Diagnostic, SegdslError
from segdsl.execute.output import same_file
from segdsl.execute.session import first_line, is_duckdb_file, lock_down, sql


class StateDatabase:
    """An open state database, or `empty`: a read found no file yet."""

    def __init__(self, connection: duckdb.DuckDBPyConnection | None, path: Path):
        self._connection = connection
        self.path = path

    @property
    def empty(self) -> bool:
        """No file yet: `history` before the first `snapshot`."""
        return self._connection is None

    def fetch(self, query: exp.Expression, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        if self._connection is None:
            return []
        try:
            return self._connection.execute(sql(query), list(parameters)).fetchall()
        except duckdb.Error as error:
            raise _unreadable(self.path, first_line(error), "read") from None

    def tables(self) -> set[str]:
        """The tables of its main schema."""
        query = (
            exp.select(exp.column("table_name"))
            .from_(exp.table_("tables", db="information_schema"))
            .where(exp.column("table_schema").eq(exp.Literal.string("main")))
        )
        return {name for (name,) in self.fetch(query)}

    @contextlib.contextmanager
    def transaction(self) -> Iterator[StateDatabase]:
        """Statements run inside yield commit together, or are rolled back together."""
        assert self._connection is not None
        connection = self._connection
        try:
            connection.execute(sql(exp.Transaction()))
            yield self
            connection.execute(sql(exp.Commit()))
        except BaseException as error:
            # the first error is the one worth reporting, not "cannot rollback"
            with contextlib.suppress(duckdb.Error):
                connection.execute(sql(exp.Rollback()))
            if isinstance(error, duckdb.Error):
                raise _unwritable(self.path, first_line(error)) from None
            raise

    def run(self, statement: exp.Expression, parameters: Sequence[Any] = ()) -> None:
        assert self._connection is not None
        self._connection.execute(sql(statement), list(parameters))

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()


def check_state(path: Path, warehouse: Iterable[Path]) -> None:
    """Refuse a state database that is a file of the warehouse (E430, compared by device
    and inode as `--out` is), or that exists but is not a regular file (E431)."""
    if any(same_file(path, file) for file in warehouse):
        raise SegdslError(
            [
                Diagnostic(
                    "E430",
                    f"the state database `{path.name}` is the warehouse, which segdsl never writes",
                    hint="point `state:` in segdsl.yaml at a file of its own "
                    "(default: .segdsl/state.duckdb in the project)",
                )
            ]
        )
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise _unreadable(path, error.strerror or str(error)) from None
    if not stat.S_ISREG(mode):
        kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
        raise _unreadable(path, f"it is {kind}")


def open_state(path: Path, warehouse: Iterable[Path], write: bool) -> StateDatabase:
    """The state database at `path`, checked first (`check_state`); made, with its folder,
    when written and missing. Read, a missing file is an empty database."""
    check_state(path, warehouse)
    exists = path.exists()
    if exists and not is_duckdb_file(path):
        raise _unreadable(path, "not a DuckDB database file")
    if not exists and not write:
        return StateDatabase(None, path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect(str(path), read_only=not write)
    except (OSError, duckdb.Error) as error:
        reason = error.strerror if isinstance(error, OSError) else first_line(error)
        raise _unreadable(path, reason or str(error)) from None
    return StateDatabase(lock_down(connection), path)


def _unreadable(path: Path, reason: str, verb: str = "open") -> SegdslError:
    return SegdslError(
        [
            Diagnostic(
                "E431",
                f"cannot {verb} the state database `{path}`: {reason}",
                hint="`state:` in segdsl.yaml names a DuckDB file that segdsl made (or none "
                "yet); is another segdsl snapshot running?",
            )
        ]
    )


def _unwritable(path: Path, reason: str) -> SegdslError:
    return SegdslError(
        [
            Diagnostic(
                "E431",
                f"cannot write the state database `{path}`: {reason}",
                hint="is there room, and may segdsl write there? the database is as it was",
            )
        ]
    )
