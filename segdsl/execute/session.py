"""The DuckDB session every run computes its result in: read-only where it reads a file,
able to touch no file but the warehouse's and a private folder of the process, loading no
extension of its own accord (docs/security.md)."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
from sqlglot import exp

from segdsl.diagnostics import Diagnostic, SegdslError
from segdsl.emit import to_sql

DUCKDB_MAGIC = b"DUCK"  # bytes 8 to 12 of a DuckDB database file
NOT_DUCKDB = "the warehouse must be a DuckDB database file that segdsl may read"


def sql(expression: exp.Expr) -> str:
    return to_sql(expression, "duckdb", pretty=False)


def column(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def _set(setting: str, value: str | bool | list[str]) -> str:
    literal: exp.Expression
    if isinstance(value, bool):
        literal = exp.Boolean(this=value)
    elif isinstance(value, list):
        literal = exp.Array(expressions=[exp.Literal.string(v) for v in value])
    else:
        literal = exp.Literal.string(value)
    return sql(
        exp.Set(
            expressions=[exp.SetItem(this=exp.EQ(this=exp.column(setting), expression=literal))]
        )
    )


def _memory_limit() -> str:
    """DuckDB's own default is 80% of the memory; segdsl asks it to spill to disk beyond
    half of it, and beyond 6 GiB at most, so that a run over a warehouse larger than memory
    leaves room for the rest of the machine (the benchmarks' bound: 8 GiB at 10M customers)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "6GiB"
    return f"{min(6 * 1024, total // 2 // 1024 // 1024)}MiB"


@cache
def private_folder() -> Path:
    """This process's folder for DuckDB's spill files and unfinished `--out` files: made by
    mkdtemp (mode 0700, a name nobody can guess), removed when the process exits."""
    folder = Path(tempfile.mkdtemp(prefix="segdsl-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _setting(connection: duckdb.DuckDBPyConnection, name: str) -> Any:
    query = exp.select(
        exp.Anonymous(this="current_setting", expressions=[exp.Literal.string(name)])
    )
    ((value,),) = connection.execute(sql(query)).fetchall()
    return value


def first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def is_duckdb_file(path: Path) -> bool:
    """DuckDB's magic bytes, checked before DuckDB sees the file: given a SQLite or
    Parquet file, DuckDB would look for an extension to read it with."""
    try:
        with path.open("rb") as handle:
            return handle.read(12)[8:12] == DUCKDB_MAGIC
    except OSError:
        return False


def lock_down(
    connection: duckdb.DuckDBPyConnection,
    paths: Sequence[Path] = (),
    folders: Sequence[Path] = (),
) -> duckdb.DuckDBPyConnection:
    """No extension installed or loaded, UTC, a memory limit, and external access off but
    for `paths`, `folders` and the private folder (its spill files, the `--out` file until
    it is complete)."""
    for setting in (
        "autoinstall_known_extensions",
        "autoload_known_extensions",
        "allow_community_extensions",
        "python_enable_replacements",
    ):
        connection.execute(_set(setting, False))
    connection.execute(_set("TimeZone", "UTC"))
    connection.execute(_set("memory_limit", _memory_limit()))
    if _setting(connection, "enable_external_access"):
        # DuckDB shares one database instance among the connections of a process to the
        # same file; the first one shuts the instance's external access, the others find
        # it shut (and may no longer change the folders)
        private = private_folder()
        connection.execute(_set("temp_directory", str(private / "spill")))
        allowed = [f"{private}{os.sep}", *(f"{folder}{os.sep}" for folder in folders)]
        connection.execute(_set("allowed_directories", allowed))
        if paths:
            connection.execute(_set("allowed_paths", [str(p) for p in paths]))
        connection.execute(_set("enable_external_access", False))
    return connection


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse, read-only at the engine level, in a session that can touch no other
    file: DuckDB's external access is off (so a table name such as "/etc/passwd.csv" in
    schema.yaml is not read as a file), extensions are never installed or loaded on its
    own accord (a SQLite file given as warehouse made it try to download one)."""
    if not is_duckdb_file(warehouse):
        raise SegdslError(
            [
                Diagnostic(
                    "E419",
                    f"cannot open the warehouse `{warehouse.name}`: not a DuckDB database file",
                    hint=NOT_DUCKDB,
                )
            ]
        )
    try:
        # no `config=`: DuckDB refuses a second connection to a file whose settings differ
        # from those of a connection the process already holds; SET is the same here
        connection = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as error:
        lowered = str(error).lower()
        if "could not set lock" in lowered or "conflicting lock" in lowered:
            code, hint = (
                "E435",
                "close the program that holds it open for writing, or run on a copy",
            )
        elif "corrupt" in lowered or "checksum" in lowered or "enough bytes" in lowered:
            code, hint = "E436", "restore the warehouse from a backup, or export it again"
        else:
            code, hint = "E419", NOT_DUCKDB
        raise SegdslError(
            [
                Diagnostic(
                    code,
                    f"cannot open the warehouse `{warehouse.name}`: {first_line(error)}",
                    hint=hint,
                )
            ]
        ) from None
    return lock_down(connection)


def connect_files(tables: Mapping[str, Path]) -> duckdb.DuckDBPyConnection:
    """A private in-memory database holding one view per file (or folder of Parquet files)
    of a folder warehouse; DuckDB may read exactly those files afterwards, and nothing can
    write them: the views only read."""
    connection = duckdb.connect(":memory:")
    paths: list[Path] = []
    folders: list[Path] = []
    for name, path in tables.items():
        if path.is_dir():
            folders.append(path)
            source = exp.Anonymous(
                this="read_parquet", expressions=[exp.Literal.string(f"{path}{os.sep}*.parquet")]
            )
        else:
            paths.append(path)
            reader = "read_parquet" if path.suffix.lower() == ".parquet" else "read_csv"
            source = exp.Anonymous(this=reader, expressions=[exp.Literal.string(str(path))])
        view = exp.Create(
            this=exp.Table(this=exp.to_identifier(name, quoted=True)),
            kind="VIEW",
            expression=exp.select(exp.Star()).from_(source),
        )
        connection.execute(sql(view))
    return lock_down(connection, paths, folders)


def connect_memory() -> duckdb.DuckDBPyConnection:
    """An empty session for a result fetched from another engine."""
    return lock_down(duckdb.connect(":memory:"))
