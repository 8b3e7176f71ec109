"""Running the compiled statement on another engine, read-only, and fetching its rows:
PostgreSQL through psycopg (a READ ONLY transaction), MySQL and MariaDB through pymysql
(`START TRANSACTION READ ONLY`), SQLite through the standard library (`mode=ro`), Spark
through a SparkSession (Spark Connect for `sc://`; Spark has no read-only mode, so the one
statement sent is the compiled SELECT), a chdb session or connection (ClickHouse in
process; the same: only the SELECT, since a caller's chdb session cannot be made read-only
and back), a DataFusion SessionContext (SQL options that refuse DDL, DML and statements),
a live DuckDB connection as it is. A caller's
connection is neither closed nor left inside a transaction, and its session settings are
put back. The drivers are optional: each is imported when a run needs it."""

from __future__ import annotations

import contextlib
import importlib
import socket
import sqlite3
import urllib.parse
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from sqlglot import exp

from segdsl.diagnostics import Diagnostic, SegdslError
from segdsl.execute.warehouses import Warehouse

Rows = tuple[list[str], list[tuple[Any, ...]]]  # the columns' names, the rows
CONNECT_TIMEOUT = 10  # seconds; an unreachable server is an error, not a hang
DRIVERS = {
    "postgres": ("psycopg", "psycopg[binary]"),
    "mysql": ("pymysql", "pymysql"),
    "spark": ("pyspark.sql.connect.session", "pyspark[connect]"),  # with its grpc client
}
SPARK_PORT = 15002  # Spark Connect's default
SPARK_ZONE = "spark.sql.session.timeZone"
MYSQL_IN_TRANSACTION = 1  # pymysql.constants.SERVER_STATUS.SERVER_STATUS_IN_TRANS


class EngineError(Exception):
    """The engine rejected the statement (E415), with its message."""


def _driver(kind: str) -> Any:
    module, package = DRIVERS[kind]
    try:
        with warnings.catch_warnings():  # pyspark warns about the pandas it finds
            warnings.simplefilter("ignore")
            return importlib.import_module(module)
    except ImportError:
        raise SegdslError(
            [
                Diagnostic(
                    "E423",
                    f"running on {kind} needs the Python package `{module}`, not installed",
                    hint=f"pip install '{package}'",
                )
            ]
        ) from None


def unreachable(warehouse: Warehouse, error: BaseException) -> SegdslError:
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return SegdslError(
        [
            Diagnostic(
                "E424",
                f"cannot connect to the warehouse `{warehouse.shown}`: {warehouse.redact(first)}",
                hint="is the server running, and do the user, password and database exist?",
            )
        ]
    )


def fetch(warehouse: Warehouse, sql: str) -> Rows:
    """The statement's rows, from a connection segdsl opens (and closes) or the caller's."""
    run = RUNNERS[warehouse.kind]
    if warehouse.connection is not None:
        return run(warehouse.connection, sql)
    with _opened(warehouse) as connection:
        return run(connection, sql)


@contextlib.contextmanager
def _opened(warehouse: Warehouse) -> Iterator[Any]:
    connection = OPENERS[warehouse.kind](warehouse)
    try:
        yield connection
    finally:
        with contextlib.suppress(Exception):
            (connection.stop if warehouse.kind == "spark" else connection.close)()


def _open_postgres(warehouse: Warehouse) -> Any:
    psycopg = _driver("postgres")
    try:
        return psycopg.connect(warehouse.url, connect_timeout=CONNECT_TIMEOUT, autocommit=True)
    except psycopg.Error as error:
        raise unreachable(warehouse, error) from None


def _open_mysql(warehouse: Warehouse) -> Any:
    pymysql = _driver("mysql")
    assert warehouse.url is not None
    parsed = urllib.parse.urlsplit(warehouse.url)
    options = dict(urllib.parse.parse_qsl(parsed.query))
    try:
        return pymysql.connect(
            host=parsed.hostname or "localhost",
            port=parsed.port or 3306,
            user=urllib.parse.unquote(parsed.username or ""),
            password=urllib.parse.unquote(parsed.password or ""),
            database=parsed.path.lstrip("/") or None,
            unix_socket=options.get("unix_socket"),
            charset="utf8mb4",
            connect_timeout=CONNECT_TIMEOUT,
            local_infile=False,
        )
    except pymysql.Error as error:
        raise unreachable(warehouse, error) from None


def _open_sqlite(warehouse: Warehouse) -> Any:
    assert warehouse.path is not None
    uri = f"file:{urllib.parse.quote(str(warehouse.path.resolve()))}?mode=ro"
    try:
        return sqlite3.connect(uri, uri=True)
    except sqlite3.Error as error:
        raise unreachable(warehouse, error) from None


def _open_spark(warehouse: Warehouse) -> Any:
    """A new Spark Connect session (not the process's default one). The server is tried
    first with a plain socket, because the client retries an unreachable one for minutes."""
    connect = _driver("spark")
    assert warehouse.url is not None
    parsed = urllib.parse.urlsplit(warehouse.url)
    try:
        with socket.create_connection(
            (parsed.hostname or "localhost", parsed.port or SPARK_PORT), timeout=CONNECT_TIMEOUT
        ):
            pass
    except OSError as error:
        raise unreachable(warehouse, error) from None
    try:  # the Connect class itself: pyspark's generic builder would set an environment
        # variable that turns every later local SparkSession of the process into Connect
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return connect.SparkSession.builder.remote(warehouse.url).create()
    except Exception as error:
        raise unreachable(warehouse, error) from None


def _names(description: Any) -> list[str]:
    return [str(d[0]) for d in description]


def _run_postgres(connection: Any, sql: str) -> Rows:
    """In a READ ONLY transaction of its own, rolled back; the connection's autocommit
    is put back as it was."""
    from_idle = connection.info.transaction_status == 0  # psycopg.pq.TransactionStatus.IDLE
    if not from_idle:
        raise _in_transaction()
    autocommit = connection.autocommit
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("BEGIN READ ONLY")
            try:
                cursor.execute("SET LOCAL TIME ZONE 'UTC'")  # rules read times as UTC
                cursor.execute(sql)
                return _names(cursor.description), list(cursor.fetchall())
            except Exception as error:
                raise EngineError(str(error)) from None
            finally:
                with contextlib.suppress(Exception):
                    cursor.execute("ROLLBACK")
    finally:
        connection.autocommit = autocommit


def _run_mysql(connection: Any, sql: str) -> Rows:
    """In a READ ONLY transaction, rolled back, in UTC; the session's time zone is put
    back as it was."""
    if connection.server_status & MYSQL_IN_TRANSACTION:
        raise _in_transaction()
    with connection.cursor() as cursor:
        cursor.execute("SELECT @@session.time_zone")
        ((zone,),) = cursor.fetchall()
        cursor.execute("SET time_zone = '+00:00'")  # rules read times as UTC
        cursor.execute("START TRANSACTION READ ONLY")
        try:
            cursor.execute(sql)
            return _names(cursor.description), list(cursor.fetchall())
        except Exception as error:
            raise EngineError(str(error)) from None
        finally:
            with contextlib.suppress(Exception):
                connection.rollback()
                cursor.execute("SET time_zone = %s", (zone,))


def _run_sqlite(connection: sqlite3.Connection, sql: str) -> Rows:
    """`query_only` for the statement, put back as it was: a caller's connection may be
    writable (the ones segdsl opens are `mode=ro`)."""
    if connection.in_transaction:
        raise _in_transaction()
    ((before,),) = connection.execute("PRAGMA query_only").fetchall()
    connection.execute("PRAGMA query_only = ON")
    try:
        cursor = connection.execute(sql)
        return _names(cursor.description), cursor.fetchall()
    except sqlite3.Error as error:
        raise EngineError(str(error)) from None
    finally:
        connection.execute(f"PRAGMA query_only = {int(before)}")


def _run_duckdb(connection: Any, sql: str) -> Rows:
    try:
        cursor = connection.cursor()
    except Exception as error:
        raise EngineError(str(error)) from None
    try:
        cursor.execute(sql)
        return _names(cursor.description), cursor.fetchall()
    except Exception as error:
        raise EngineError(str(error)) from None
    finally:
        cursor.close()


def _run_spark(session: Any, sql: str) -> Rows:
    """The statement in the session's UTC time zone (put back as it was after), fetched as
    Arrow."""
    zone = session.conf.get(SPARK_ZONE)
    session.conf.set(SPARK_ZONE, "UTC")  # rules read times as UTC
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = session.sql(sql).toArrow()
    except Exception as error:
        raise EngineError(_first_lines(str(error))) from None
    finally:
        with contextlib.suppress(Exception):
            session.conf.set(SPARK_ZONE, zone)
    return _arrow_rows(table)


def _run_chdb(connection: Any, sql: str) -> Rows:
    """A chdb Session or Connection: the statement in UTC (`session_timezone`, put back as
    it was after), fetched as Arrow."""
    zone = str(connection.query("SELECT getSetting('session_timezone')", "TabSeparatedRaw"))
    connection.query("SET session_timezone = 'UTC'")  # rules read times as UTC
    try:
        table = connection.query(sql, "ArrowTable")
    except Exception as error:
        raise EngineError(_first_lines(str(error))) from None
    finally:
        with contextlib.suppress(Exception):
            quoted = exp.Literal.string(zone.rstrip("\n")).sql(dialect="clickhouse")
            connection.query(f"SET session_timezone = {quoted}")
    return _arrow_rows(table)


def _run_datafusion(context: Any, sql: str) -> Rows:
    """The statement under SQL options that refuse DDL, DML and other statements."""
    from datafusion import SQLOptions

    options = SQLOptions().with_allow_ddl(False).with_allow_dml(False)
    try:
        table = context.sql_with_options(sql, options.with_allow_statements(False))
        return _arrow_rows(table.to_arrow_table())
    except Exception as error:
        raise EngineError(_first_lines(str(error))) from None


def _arrow_rows(table: Any) -> Rows:
    columns = [column.to_pylist() for column in table.columns]
    return list(table.column_names), list(zip(*columns, strict=True))


def _first_lines(message: str, count: int = 3) -> str:
    """Spark's messages carry the JVM's stack and the whole plan after their first lines."""
    return "\n".join(message.strip().splitlines()[:count])


def _in_transaction() -> SegdslError:
    return SegdslError(
        [
            Diagnostic(
                "E424",
                "the connection is inside a transaction",
                hint="commit or roll back first: segdsl runs in a read-only transaction of its own",
            )
        ]
    )


OPENERS: dict[str, Callable[[Warehouse], Any]] = {
    "postgres": _open_postgres,
    "mysql": _open_mysql,
    "sqlite": _open_sqlite,
    "spark": _open_spark,
}
RUNNERS: dict[str, Callable[[Any, str], Rows]] = {
    "postgres": _run_postgres,
    "mysql": _run_mysql,
    "sqlite": _run_sqlite,
    "duckdb": _run_duckdb,
    "spark": _run_spark,
    "clickhouse": _run_chdb,
    "datafusion": _run_datafusion,
}
