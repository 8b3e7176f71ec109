"""The engine matrix: one adapter per SQL engine, each able to load a warehouse faithfully and
run a compiled statement, and the runner that checks segdsl's compiled SQL on all of them.

A warehouse is a DuckDB file (a shop of tests/cases/shops/, `segdsl demo`): every
adapter copies its tables, column types and rows (timestamps with microseconds, dates before
1970, decimals, booleans, NULLs, unicode, quotes and backslashes) into its own engine, then
runs SQL compiled for its dialect. `python -m tests.engines --matrix` runs every case of
tests/cases/ on every engine and prints docs/engines.md (support/matrix.py).

| engine     | runs as                                   | sqlglot dialect |
| ---------- | ----------------------------------------- | --------------- |
| DuckDB     | duckdb, in memory                         | duckdb          |
| SQLite     | stdlib sqlite3, in memory                 | sqlite          |
| PostgreSQL | a real server (initdb in a temp folder)   | postgres        |
| MariaDB    | a real server (mariadb-install-db, temp)  | mysql           |
| Spark      | pyspark, local mode                       | spark           |
| ClickHouse | chdb, in process                          | clickhouse      |
| DataFusion | datafusion's SessionContext               | datafusion      |

DataFusion has no sqlglot dialect of its own; segdsl adds one (emit.DataFusion: PostgreSQL's
SQL and a few rewrites, see docs/engines.md).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, Protocol

import duckdb

import segdsl
from support import cases, shops

Row = tuple[Any, ...]


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # DuckDB's name of the type: BIGINT, INTEGER, DECIMAL(12,2), DOUBLE, BOOLEAN, ...
    nullable: bool = True  # False: declared NOT NULL where the engine tells (ClickHouse)


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]


def read_warehouse(path: Path) -> tuple[Table, ...]:
    """Every table of a DuckDB file: column names, types and rows as Python values."""
    connection = duckdb.connect(str(path), read_only=True)
    try:
        tables = []
        names = [
            r[0]
            for r in connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                "ORDER BY table_name"
            ).fetchall()
        ]
        for name in names:
            described = connection.execute(f'DESCRIBE "{name}"').fetchall()
            columns = tuple(Column(r[0], r[1]) for r in described)
            rows = tuple(connection.execute(f'SELECT * FROM "{name}"').fetchall())
            tables.append(Table(name, columns, rows))
        return tuple(tables)
    finally:
        connection.close()


class Engine(Protocol):
    """An engine that holds several warehouses side by side, each under its own name."""

    name: str
    dialect: str

    def load(self, warehouse: str, tables: Sequence[Table]) -> None: ...

    def run(self, warehouse: str, sql: str) -> list[Row]: ...

    def version(self) -> str: ...

    def close(self) -> None: ...


# ---- the adapters -------------------------------------------------------------------------


class DuckDBEngine:
    name, dialect = "duckdb", "duckdb"

    def __init__(self) -> None:
        self.connections: dict[str, duckdb.DuckDBPyConnection] = {}

    def load(self, warehouse: str, tables: Sequence[Table]) -> None:
        connection = duckdb.connect()
        for table in tables:
            columns = ", ".join(f'"{c.name}" {c.type}' for c in table.columns)
            connection.execute(f'CREATE TABLE "{table.name}" ({columns})')
            if table.rows:
                marks = ", ".join("?" * len(table.columns))
                connection.executemany(
                    f'INSERT INTO "{table.name}" VALUES ({marks})', list(table.rows)
                )
        self.connections[warehouse] = connection

    def run(self, warehouse: str, sql: str) -> list[Row]:
        return self.connections[warehouse].execute(sql).fetchall()

    def version(self) -> str:
        return duckdb.__version__

    def close(self) -> None:
        for connection in self.connections.values():
            connection.close()


def _iso(value: Any, t_form: bool = False) -> Any:
    """SQLite keeps times as ISO-8601 text, as Python's sqlite3 writes them:
    'YYYY-MM-DD HH:MM:SS' with '.ffffff' when there is a fraction, and 'YYYY-MM-DD'; with
    `t_form`, as other tools write them: 'YYYY-MM-DDTHH:MM:SS' and the fraction's digits
    without trailing zeros ('.5')."""
    if isinstance(value, dt.datetime):
        return (
            value.isoformat().rstrip("0")
            if t_form and value.microsecond
            else (value.isoformat(sep="T" if t_form else " "))
        )
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return int(value)
    return value


class SQLiteEngine:
    """Types as SQLite's docs prescribe: times as ISO-8601 text, booleans as 0/1, decimals
    as REAL."""

    name, dialect = "sqlite", "sqlite"
    TYPES: ClassVar[dict[str, str]] = {
        "BIGINT": "INTEGER",
        "INTEGER": "INTEGER",
        "DOUBLE": "REAL",
        "BOOLEAN": "INTEGER",
        "DATE": "TEXT",
        "TIMESTAMP": "TEXT",
        "VARCHAR": "TEXT",
    }

    def __init__(self, t_form: bool | str = False) -> None:
        self.connections: dict[str, sqlite3.Connection] = {}
        # times as 'YYYY-MM-DDTHH:MM:SS.5' (see _iso); "mixed": every other column of the
        # warehouse so and the others as sqlite3 writes them, so that two time columns
        # compared with each other (`last(E) > signup_at`) are written differently
        self.t_form = t_form

    def load(self, warehouse: str, tables: Sequence[Table]) -> None:
        connection = sqlite3.connect(":memory:")
        place = 0
        for table in tables:
            columns = ", ".join(f'"{c.name}" {self._type(c.type)}' for c in table.columns)
            connection.execute(f'CREATE TABLE "{table.name}" ({columns})')
            marks = ", ".join("?" * len(table.columns))
            forms = [
                bool(self.t_form) and (self.t_form != "mixed" or (place + i) % 2 == 0)
                for i in range(len(table.columns))
            ]
            place += len(table.columns)
            connection.executemany(
                f'INSERT INTO "{table.name}" VALUES ({marks})',
                [tuple(_iso(v, f) for v, f in zip(row, forms, strict=True)) for row in table.rows],
            )
        connection.commit()
        self.connections[warehouse] = connection

    def _type(self, duck: str) -> str:
        return "REAL" if duck.startswith("DECIMAL") else self.TYPES[duck]

    def run(self, warehouse: str, sql: str) -> list[Row]:
        return self.connections[warehouse].execute(sql).fetchall()

    def version(self) -> str:
        return sqlite3.sqlite_version

    def close(self) -> None:
        for connection in self.connections.values():
            connection.close()


POSTGRES_BIN = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))


class PostgresServer:
    """A throwaway PostgreSQL cluster: initdb into a temporary folder, started on a free
    loopback port; as the `postgres` user when running as root (the server refuses root)."""

    def __init__(self) -> None:
        if not POSTGRES_BIN:
            raise RuntimeError(
                "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/"
                "postgres); on Debian: apt-get install postgresql"
            )
        self.bin = POSTGRES_BIN[-1].parent
        self.folder = Path(tempfile.mkdtemp(prefix="segdsl-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        self._as_owner(
            [
                str(self.bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c timezone=UTC"
        )
        self._as_owner(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.data),
                "-o",
                options,
                "-l",
                str(self.folder / "log"),
                "-w",
                "-t",
                "60",
                "start",
            ]
        )

    def _as_owner(self, command: list[str]) -> None:
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            log = self.folder / "log"
            raise RuntimeError(
                f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}"
                + (log.read_text() if log.exists() else "")
            )

    def dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError):
            self._as_owner(
                [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]
            )
        shutil.rmtree(self.folder, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresEngine:
    """One schema per warehouse, chosen by `search_path` before each statement."""

    name, dialect = "postgres", "postgres"
    TYPES: ClassVar[dict[str, str]] = {
        "BIGINT": "BIGINT",
        "INTEGER": "INTEGER",
        "DOUBLE": "DOUBLE PRECISION",
        "BOOLEAN": "BOOLEAN",
        "DATE": "DATE",
        "TIMESTAMP": "TIMESTAMP",
        "VARCHAR": "TEXT",
    }

    def __init__(self, dsn: str) -> None:
        import psycopg

        self.connection = psycopg.connect(dsn, autocommit=True)

    def load(self, warehouse: str, tables: Sequence[Table]) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f'DROP SCHEMA IF EXISTS "{warehouse}" CASCADE')
            cursor.execute(f'CREATE SCHEMA "{warehouse}"')
            for table in tables:
                columns = ", ".join(f'"{c.name}" {self._type(c.type)}' for c in table.columns)
                cursor.execute(f'CREATE TABLE "{warehouse}"."{table.name}" ({columns})')
                with cursor.copy(f'COPY "{warehouse}"."{table.name}" FROM STDIN') as copy:
                    for row in table.rows:
                        copy.write_row(row)

    def _type(self, duck: str) -> str:
        return (
            duck.replace("DECIMAL", "NUMERIC") if duck.startswith("DECIMAL") else self.TYPES[duck]
        )

    def run(self, warehouse: str, sql: str) -> list[Row]:
        with self.connection.cursor() as cursor:
            cursor.execute(f'SET search_path TO "{warehouse}"')
            cursor.execute(sql)
            return cursor.fetchall()

    def version(self) -> str:
        return str(self.connection.execute("SHOW server_version").fetchone()[0]).split()[0]

    def zone(self, name: str) -> None:
        """The session's time zone (the server starts in UTC)."""
        with self.connection.cursor() as cursor:
            cursor.execute(f"SET TIME ZONE '{name}'")

    def close(self) -> None:
        self.connection.close()


MARIADB_BIN = shutil.which("mariadbd") or shutil.which("mariadbd", path="/usr/sbin:/usr/bin")


class MariaDBServer:
    """A throwaway MariaDB server: mariadb-install-db into a temporary folder, mariadbd on a
    free loopback port and a unix socket there, as the `mysql` user when running as root
    (mariadbd refuses root); durability off, UTC, utf8mb4."""

    def __init__(self) -> None:
        if MARIADB_BIN is None:
            raise RuntimeError(
                "MariaDB is not installed (no mariadbd); on Debian: apt-get install mariadb-server"
            )
        self.folder = Path(tempfile.mkdtemp(prefix="segdsl-maria-"))
        self.data = self.folder / "data"
        self.socket = self.folder / "socket"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        user = ["--user=mysql"] if self.as_root else []
        if self.as_root:
            shutil.chown(self.folder, "mysql", "mysql")
        install = subprocess.run(
            [
                "mariadb-install-db",
                "--no-defaults",
                f"--datadir={self.data}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                *user,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if install.returncode:
            raise RuntimeError(f"mariadb-install-db failed:\n{install.stdout}{install.stderr}")
        self.process = subprocess.Popen(
            [
                MARIADB_BIN,
                "--no-defaults",
                f"--datadir={self.data}",
                f"--socket={self.socket}",
                f"--port={self.port}",
                "--bind-address=127.0.0.1",
                f"--pid-file={self.folder / 'pid'}",
                f"--log-error={self.folder / 'log'}",
                "--skip-log-bin",
                "--skip-name-resolve",
                "--innodb-flush-log-at-trx-commit=0",
                "--innodb-doublewrite=0",
                "--innodb-buffer-pool-size=128M",
                "--default-time-zone=+00:00",
                "--character-set-server=utf8mb4",
                f"--collation-server={MARIADB_COLLATION}",
                *user,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait()

    def _wait(self) -> None:
        import pymysql

        for _ in range(600):
            if self.process.poll() is not None:
                break
            try:
                pymysql.connect(unix_socket=str(self.socket), user="root").close()
                return
            except pymysql.err.OperationalError:
                time.sleep(0.1)
        log = self.folder / "log"
        self.stop()
        raise RuntimeError("mariadbd did not start:\n" + (log.read_text() if log.exists() else ""))

    def connect(self) -> Any:
        import pymysql

        return pymysql.connect(
            unix_socket=str(self.socket),
            user="root",
            charset="utf8mb4",
            collation=MARIADB_COLLATION,
            autocommit=True,
            local_infile=False,
        )

    def load_zone(self, name: str) -> None:
        """One time zone of /usr/share/zoneinfo into the server's tables (mariadbd starts
        with none: its clock is +00:00)."""
        sql = subprocess.run(
            ["mariadb-tzinfo-to-sql", f"/usr/share/zoneinfo/{name}", name],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute("USE mysql")
                for statement in sql.split(";\n"):
                    if statement.strip():
                        cursor.execute(statement)
        finally:
            connection.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


# utf8mb4 compared code point by code point, and without PAD SPACE: 'a' <> 'a ' and
# 'a' <> 'A', as on the other engines (MariaDB's utf8mb4_bin pads, its default ignores case)
MARIADB_COLLATION = "utf8mb4_nopad_bin"


class MariaDBEngine:
    """One database per warehouse; text columns in utf8mb4_nopad_bin (MARIADB_COLLATION),
    timestamps DATETIME(6), booleans TINYINT(1), decimals as they are."""

    name, dialect = "mariadb", "mysql"
    TYPES: ClassVar[dict[str, str]] = {
        "BIGINT": "BIGINT",
        "INTEGER": "INT",
        "DOUBLE": "DOUBLE",
        "BOOLEAN": "TINYINT(1)",
        "DATE": "DATE",
        "TIMESTAMP": "DATETIME(6)",
        "VARCHAR": f"TEXT COLLATE {MARIADB_COLLATION}",
    }

    def __init__(self, server: MariaDBServer) -> None:
        self.server = server
        self.connection = server.connect()
        self.zones = {"UTC"}

    def load(self, warehouse: str, tables: Sequence[Table]) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS `{warehouse}`")
            cursor.execute(
                f"CREATE DATABASE `{warehouse}` CHARACTER SET utf8mb4 COLLATE {MARIADB_COLLATION}"
            )
            for table in tables:
                columns = ", ".join(f"`{c.name}` {self._type(c.type)}" for c in table.columns)
                cursor.execute(f"CREATE TABLE `{warehouse}`.`{table.name}` ({columns})")
                if table.rows:
                    marks = ", ".join(["%s"] * len(table.columns))
                    cursor.executemany(
                        f"INSERT INTO `{warehouse}`.`{table.name}` VALUES ({marks})",
                        list(table.rows),
                    )

    def _type(self, duck: str) -> str:
        return duck if duck.startswith("DECIMAL") else self.TYPES[duck]

    def run(self, warehouse: str, sql: str) -> list[Row]:
        with self.connection.cursor() as cursor:
            cursor.execute(f"USE `{warehouse}`")
            cursor.execute(sql)
            return list(cursor.fetchall())

    def version(self) -> str:
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT VERSION()")
            return str(cursor.fetchone()[0]).split("-")[0]

    def zone(self, name: str) -> None:
        """The session's time zone (the server starts in +00:00)."""
        if name not in self.zones:
            self.server.load_zone(name)
            self.zones.add(name)
        with self.connection.cursor() as cursor:
            cursor.execute("SET time_zone = %s", ("+00:00" if name == "UTC" else name,))

    def close(self) -> None:
        self.connection.close()


SPARK_TYPES: dict[str, str] = {
    "BIGINT": "bigint",
    "INTEGER": "int",
    "DOUBLE": "double",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp_ntz",
    "VARCHAR": "string",
}
SPARK_CONFIG = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.extraJavaOptions": "-Duser.timezone=UTC",
    "spark.sql.adaptive.enabled": "false",
}


def spark_schema(table: Table) -> str:
    """The table's columns as a Spark DDL schema (`a bigint, b string`), nullable."""

    def spark_type(duck: str) -> str:
        return duck.lower() if duck.startswith("DECIMAL") else SPARK_TYPES[duck]

    return ", ".join(f"`{c.name}` {spark_type(c.type)}" for c in table.columns)


_SPARK_FOLDER = Path(tempfile.gettempdir()) / f"segdsl-spark-{os.getpid()}"


def local_spark() -> Any:
    """The process's one local SparkSession (2 cores, few shuffle partitions, no UI, UTC),
    started on first use; it ends with the process. Each user takes a `newSession()` of
    it: temporary views and settings of its own."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master("local[2]").appName("segdsl-tests")
    for key, value in {
        **SPARK_CONFIG,
        "spark.sql.warehouse.dir": str(_SPARK_FOLDER / "warehouse"),
        "spark.driver.memory": "1g",
    }.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("OFF")
    return session


class SparkEngine:
    """A session of the local SparkSession; a warehouse's tables are temporary views,
    registered again when another warehouse's statement runs."""

    name, dialect = "spark", "spark"

    def __init__(self) -> None:
        self.session = local_spark().newSession()
        self.frames: dict[str, dict[str, Any]] = {}
        self.current: str | None = None

    def load(self, warehouse: str, tables: Sequence[Table]) -> None:
        self.frames[warehouse] = {
            table.name: self.session.createDataFrame(list(table.rows), spark_schema(table)).cache()
            for table in tables
        }
        self.current = None

    def use(self, warehouse: str) -> None:
        """The warehouse's tables as the session's temporary views."""
        if self.current != warehouse:
            for name, frame in self.frames[warehouse].items():
                frame.createOrReplaceTempView(name)
            self.current = warehouse

    def run(self, warehouse: str, sql: str) -> list[Row]:
        self.use(warehouse)
        return [tuple(row) for row in self.session.sql(sql).collect()]

    def version(self) -> str:
        return str(self.session.version)

    def zone(self, name: str) -> None:
        """The session's time zone (the session starts in UTC)."""
        self.session.conf.set("spark.sql.session.timeZone", name)

    def close(self) -> None:
        for frames in self.frames.values():
            for frame in frames.values():
                frame.unpersist()
        for name in {n for frames in self.frames.values() for n in frames}:
            self.session.catalog.dropTempView(name)


_PYSPARK = importlib.util.find_spec("pyspark")
SPARK_HOME = Path(_PYSPARK.origin).parent if _PYSPARK and _PYSPARK.origin else None


class SparkConnectServer:
    """A throwaway Spark Connect server, started by pyspark's own sbin script in local mode
    (UTC, 2 cores) on a free loopback port; logs, pid and warehouse in a temporary folder.
    `load` writes tables into its `default` database through a client session."""

    STARTUP = 180.0  # seconds; the JVM and the gRPC service start in 15-40 s on CI

    def __init__(self) -> None:
        assert SPARK_HOME is not None, "pyspark is not installed"
        self.folder = Path(tempfile.mkdtemp(prefix="segdsl-spark-connect-"))
        self.port = _free_port()
        self.env = {
            **os.environ,
            "SPARK_HOME": str(SPARK_HOME),
            "SPARK_LOG_DIR": str(self.folder / "logs"),
            "SPARK_PID_DIR": str(self.folder),
            "SPARK_IDENT_STRING": f"segdsl-{self.port}",
        }
        options = []
        for key, value in {
            **SPARK_CONFIG,
            "spark.connect.grpc.binding.address": "127.0.0.1",
            "spark.connect.grpc.binding.port": str(self.port),
            "spark.sql.warehouse.dir": str(self.folder / "warehouse"),
        }.items():
            options += ["--conf", f"{key}={value}"]
        subprocess.run(
            [
                "bash",
                str(SPARK_HOME / "sbin" / "start-connect-server.sh"),
                "--master",
                "local[2]",
                "--driver-memory",
                "1g",
                *options,
            ],
            env=self.env,
            check=True,
            capture_output=True,
            cwd=self.folder,
        )
        deadline = time.monotonic() + self.STARTUP
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("the Spark Connect server did not start") from None
                time.sleep(0.5)
        self.client = self.session()

    @property
    def url(self) -> str:
        return f"sc://127.0.0.1:{self.port}"

    def session(self) -> Any:
        """A new client session (the Connect class itself: pyspark's generic builder would
        turn the process's later local sessions into Connect ones)."""
        import warnings

        from pyspark.sql.connect.session import SparkSession as ConnectSession

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ConnectSession.builder.remote(self.url).create()

    def load(self, tables: Sequence[Table]) -> None:
        """The tables, replacing those of the same names in the `default` database."""
        for table in tables:
            frame = self.client.createDataFrame(list(table.rows), spark_schema(table))
            frame.write.mode("overwrite").saveAsTable(table.name)

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.client.stop()
        subprocess.run(
            ["bash", str(SPARK_HOME / "sbin" / "stop-connect-server.sh")],
            env=self.env,
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


_CHDB_FOLDER = Path(tempfile.gettempdir()) / f"segdsl-chdb-{os.getpid()}"
_CHDB: list[Any] = []  # the process's one chdb session


def local_chdb() -> Any:
    """The process's one chdb session (chdb's embedded server takes one data folder per
    process), started on first use; it ends with the process."""
    if not _CHDB:
        from chdb import session

        _CHDB.append(session.Session(str(_CHDB_FOLDER)))
    return _CHDB[0]


class ClickHouseEngine:
    """chdb (ClickHouse in process): one database per warehouse in the process's one chdb
    session (named apart per engine, so engines alive together do not meet), Nullable
    columns (but for a Column whose `nullable` is False: the fuzz declares columns the usual
    ClickHouse way too), DateTime64(6) for timestamps and Date32 for dates (Date starts in
    1970)."""

    name, dialect = "clickhouse", "clickhouse"
    TYPES: ClassVar[dict[str, str]] = {
        "BIGINT": "Int64",
        "INTEGER": "Int32",
        "DOUBLE": "Float64",
        "BOOLEAN": "Bool",
        "DATE": "Date32",
        "TIMESTAMP": "DateTime64(6)",
        "VARCHAR": "String",
    }

    _made = 0

    def __init__(self) -> None:
        self.session = local_chdb()
        ClickHouseEngine._made += 1
        self.prefix = f"e{ClickHouseEngine._made}_"
        self.databases: set[str] = set()

    def database(self, warehouse: str) -> str:
        return f"{self.prefix}{warehouse}"

    def load(self, warehouse: str, tables: Sequence[Table]) -> None:
        database = self.database(warehouse)
        self.session.query(f"DROP DATABASE IF EXISTS `{database}`")
        self.session.query(f"CREATE DATABASE `{database}`")
        self.databases.add(database)
        for table in tables:
            columns = ", ".join(
                f"`{c.name}` "
                + (f"Nullable({self._type(c.type)})" if c.nullable else self._type(c.type))
                for c in table.columns
            )
            self.session.query(
                f"CREATE TABLE `{database}`.`{table.name}` ({columns}) ENGINE = Memory"
            )
            for start in range(0, len(table.rows), 5000):
                values = ", ".join(
                    "(" + ", ".join(_clickhouse_literal(v) for v in row) + ")"
                    for row in table.rows[start : start + 5000]
                )
                self.session.query(f"INSERT INTO `{database}`.`{table.name}` VALUES {values}")

    def _type(self, duck: str) -> str:
        return (
            duck.replace("DECIMAL", "Decimal") if duck.startswith("DECIMAL") else self.TYPES[duck]
        )

    def use(self, warehouse: str) -> None:
        self.session.query(f"USE `{self.database(warehouse)}`")

    def run(self, warehouse: str, sql: str) -> list[Row]:
        self.use(warehouse)
        table = self.session.query(sql, "ArrowTable")
        return [tuple(row.values()) for row in table.to_pylist()]

    def version(self) -> str:
        return str(self.session.query("SELECT version()", "CSV")).strip().strip('"')

    def close(self) -> None:
        self.session.query("USE default")
        for database in self.databases:
            self.session.query(f"DROP DATABASE IF EXISTS `{database}`")
        self.databases.clear()


def _clickhouse_literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return f"'{value.isoformat(sep=' ', timespec='microseconds')}'"
    if isinstance(value, dt.date):
        return f"'{value.isoformat()}'"
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


class DataFusionEngine:
    """datafusion's SessionContext, one per warehouse, tables registered from Arrow."""

    name, dialect = "datafusion", "datafusion"

    def __init__(self) -> None:
        self.contexts: dict[str, Any] = {}

    def load(self, warehouse: str, tables: Sequence[Table]) -> None:
        import datafusion
        import pyarrow as pa

        simple = {
            "BIGINT": pa.int64(),
            "INTEGER": pa.int32(),
            "DOUBLE": pa.float64(),
            "BOOLEAN": pa.bool_(),
            "DATE": pa.date32(),
            "TIMESTAMP": pa.timestamp("us"),
            "VARCHAR": pa.string(),
        }

        def arrow_type(duck: str) -> Any:
            if duck.startswith("DECIMAL"):
                precision, scale = duck[len("DECIMAL(") : -1].split(",")
                return pa.decimal128(int(precision), int(scale))
            return simple[duck]

        context = datafusion.SessionContext()
        for table in tables:
            schema = pa.schema([(c.name, arrow_type(c.type)) for c in table.columns])
            columns = (
                list(zip(*table.rows, strict=True)) if table.rows else [[] for _ in table.columns]
            )
            batch = pa.table(
                [pa.array(list(v), type=f.type) for v, f in zip(columns, schema, strict=True)],
                schema=schema,
            )
            context.register_record_batches(
                table.name, [batch.to_batches() or [pa.record_batch([], schema=schema)]]
            )
        self.contexts[warehouse] = context

    def run(self, warehouse: str, sql: str) -> list[Row]:
        table = self.contexts[warehouse].sql(sql).to_arrow_table()
        return [tuple(row.values()) for row in table.to_pylist()]

    def version(self) -> str:
        import datafusion

        return str(datafusion.__version__)

    def close(self) -> None:
        self.contexts.clear()


# ---- running rules on an engine -----------------------------------------------------------


Outcome = set[Any] | Exception


rules_file = shops.rules_file


def members_on(
    engine: Engine,
    warehouse: str,
    project_root: Path,
    rules: Sequence[str],
    as_of: dt.datetime,
    chunk: int,
) -> dict[str, Outcome]:
    """Members of every rule on `engine`, `chunk` rules to a statement. A batch that does not
    compile or run is halved until the culprit stands alone, so one unsupported rule costs
    only its own result."""
    found: dict[str, Outcome] = {}
    rules_path = project_root / "segments" / "engine_rules.yaml"

    def run(batch: list[str]) -> None:
        # two names or more: the key and one boolean column per rule (`true` pads a single rule)
        padded = [*batch, "true"] if len(batch) == 1 else batch
        rules_path.write_text(
            rules_file([f"q{i}" for i in range(len(padded))], padded), encoding="utf-8"
        )
        try:
            project = segdsl.load(project_root)
            sql = project.compile(
                [f"q{i}" for i in range(len(padded))],
                dialect=engine.dialect,
                as_of=as_of,
                pretty=False,
            )
            rows = engine.run(warehouse, sql)
            for index, rule in enumerate(batch):
                found[rule] = {row[0] for row in rows if row[1 + index] in (True, 1)}
        except Exception as error:  # noqa: BLE001 - recorded per rule, after halving
            if len(batch) == 1:
                found[batch[0]] = error
            else:
                run(batch[: len(batch) // 2])
                run(batch[len(batch) // 2 :])

    unique = list(dict.fromkeys(rules))
    try:
        for start in range(0, len(unique), chunk):
            run(unique[start : start + chunk])
    finally:
        rules_path.unlink(missing_ok=True)
    return found


# ---- the engines, started lazily and once -------------------------------------------------

ENGINES = ("duckdb", "sqlite", "postgres", "mariadb", "spark", "clickhouse", "datafusion")
HEAVY = {"postgres", "mariadb", "spark", "clickhouse"}  # pytest markers of the same names
CHUNK = {"spark": 1000}  # rules per statement; Spark plans each statement for seconds
DEFAULT_CHUNK = 60


def java_available() -> bool:
    return shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME"))


def start_engine(
    name: str,
    postgres: Callable[[], PostgresServer] | None = None,
    mariadb: Callable[[], MariaDBServer] | None = None,
) -> Engine:
    if name == "duckdb":
        return DuckDBEngine()
    if name == "sqlite":
        return SQLiteEngine()
    if name == "postgres":
        server = postgres() if postgres is not None else PostgresServer()
        return PostgresEngine(server.dsn())
    if name == "mariadb":
        return MariaDBEngine(mariadb() if mariadb is not None else MariaDBServer())
    if name == "spark":
        return SparkEngine()
    if name == "clickhouse":
        return ClickHouseEngine()
    if name == "datafusion":
        return DataFusionEngine()
    raise ValueError(name)


def postgres_database(server: PostgresServer, name: str, warehouse: Path) -> str:
    """A database `name` on `server` (made anew) holding the tables of a DuckDB warehouse
    file in its public schema, as `run` reads it: its postgresql:// URL."""
    admin = PostgresEngine(server.dsn())
    try:
        admin.connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()
    url = f"postgresql://postgres@127.0.0.1:{server.port}/{name}"
    loader = PostgresEngine(url)
    try:
        loader.load("public", read_warehouse(warehouse))
    finally:
        loader.close()
    return url


def sqlite_copy(warehouse: Path, target: Path) -> Path:
    """The tables of a DuckDB warehouse file as a SQLite database file at `target`, written
    as SQLiteEngine writes them (times as ISO text)."""
    import sqlite3

    engine = SQLiteEngine()
    try:
        engine.load("w", read_warehouse(warehouse))
        with sqlite3.connect(target) as copy:
            engine.connections["w"].backup(copy)
        copy.close()
    finally:
        engine.close()
    return target


def versions() -> dict[str, str]:
    import importlib.metadata as md

    return {
        package: md.version(package)
        for package in ("sqlglot", "duckdb", "pyspark", "chdb", "datafusion", "psycopg", "pymysql")
    }


# ---- the cases, from tests/cases/ ---------------------------------------------------------

Case = cases.Case


def semantic_cases() -> list[Case]:
    """Every rule case of tests/cases/semantics/ and tests/cases/behaviour/, each with its
    negation (`not (R)` is everyone else)."""
    return cases.with_negations(cases.cases())


def build_warehouse(suite: str, root: Path) -> Path:
    """The project (and DuckDB warehouse) of a shop in `root`; returns the project root."""
    return shops.build(suite, root)


def run_cases(
    engine: Engine, cases: Sequence[Case], projects: dict[str, Path]
) -> dict[Case, Outcome]:
    """Every case on `engine`: one batch of statements per suite and *as of*."""
    outcomes: dict[Case, Outcome] = {}
    groups: dict[tuple[str, dt.datetime], list[Case]] = {}
    for case in cases:
        groups.setdefault((case.shop, case.as_of), []).append(case)
    for (suite, as_of), group in groups.items():
        found = members_on(
            engine,
            suite,
            projects[suite],
            [c.rule for c in group],
            as_of,
            CHUNK.get(engine.name, DEFAULT_CHUNK),
        )
        outcomes.update({case: found[case.rule] for case in group})
    return outcomes


# ---- what each engine is known not to do ---------------------------------------------------

# Rules that compile to E501 on an engine: (engine, text in the rule, why). A case of
# one of these features must report E501 there, and nothing else may.
UNSUPPORTED: list[tuple[str, str, str]] = [
    ("sqlite", "matches", "no regular expressions without an application-defined regexp()"),
    ("sqlite", "ignoring case", "lower()/upper() change only ASCII letters"),
    ("sqlite", "lower(", "lower() changes only ASCII letters"),
    ("sqlite", "upper(", "upper() changes only ASCII letters"),
    ("sqlite", "bucket(", "no md5()"),
    ("sqlite", "split", "the `split` segmentation uses bucket(): no md5()"),
    ("sqlite", "last(purchase.", "no aggregate keeps the missing property of the latest event"),
    ("sqlite", "last(page_view.", "no aggregate keeps the missing property of the latest event"),
    ("sqlite", "last(email_open.", "no aggregate keeps the missing property of the latest event"),
    ("sqlite", "first(purchase.", "no aggregate keeps the missing property of the earliest event"),
    ("mariadb", "last(purchase.", "no aggregate keeps the missing property of the latest event"),
    ("mariadb", "last(page_view.", "no aggregate keeps the missing property of the latest event"),
    ("mariadb", "last(email_open.", "no aggregate keeps the missing property of the latest event"),
    ("mariadb", "first(purchase.", "no aggregate keeps the missing property of the earliest event"),
]


def refusal(engine: str, rule: str) -> str | None:
    """Why segdsl refuses `rule` for `engine` (E501), or None: it must return its members."""
    for name, text, why in UNSUPPORTED:
        if name == engine and text.lower() in rule.lower():
            return why
    return None


def verdict(engine: str, case: Case, outcome: Outcome) -> str:
    """ "ok", "E501" (a refusal listed in UNSUPPORTED) or "wrong" (a bug)."""
    if isinstance(outcome, set) and outcome == set(case.members):
        return "ok"
    if (
        isinstance(outcome, segdsl.SegdslError)
        and all(d.code.startswith("E5") for d in outcome.diagnostics)
        and refusal(engine, case.rule)
    ):
        return "E501"
    return "wrong"


def describe(case: Case, outcome: Outcome) -> str:
    rule = case.rule.replace("\n", " ")
    if isinstance(outcome, Exception):
        text = str(outcome).strip().splitlines()[0][:300]
        return f"{rule} (as of {case.as_of:%Y-%m-%d %H:%M}): {type(outcome).__name__}: {text}"
    return (
        f"{rule} (as of {case.as_of:%Y-%m-%d %H:%M}): got {sorted(outcome)}, expected "
        f"{sorted(case.members)}"
    )


# ---- the demo project -------------------------------------------------------------------------

DEMO_CUSTOMERS = 400


def build_demo(root: Path) -> Path:
    from segdsl.demo import write_demo

    write_demo(root, customers=DEMO_CUSTOMERS, seed=11)
    return root


def demo_members(engine: Engine, root: Path) -> dict[str, Outcome]:
    """Members of every segment and of every bucket of every segmentation of the demo,
    from one statement (halved around a segment the dialect cannot express)."""
    from segdsl.demo import DEMO_AS_OF

    project = segdsl.load(root)
    found: dict[str, Outcome] = {}

    def run(names: list[str]) -> None:
        try:
            padded = (
                names
                if len(names) > 1
                else [*names, next(n for n in project.segments if n not in names)]
            )
            sql = project.compile(padded, dialect=engine.dialect, as_of=DEMO_AS_OF, pretty=False)
            rows = engine.run("demo", sql)
            # the statement's columns: segments first, then segmentations
            columns = [n for n in padded if n in project.segments] + [
                n for n in padded if n in project.segmentations
            ]
            for name in names:
                index = columns.index(name)
                if name in project.segmentations:
                    for row in rows:
                        found.setdefault(f"{name}={row[1 + index]}", set()).add(row[0])
                else:
                    found[name] = {row[0] for row in rows if row[1 + index] in (True, 1)}
        except Exception as error:  # noqa: BLE001 - recorded per segment
            if len(names) == 1:
                found[names[0]] = error
            else:
                run(names[: len(names) // 2])
                run(names[len(names) // 2 :])

    run([*project.segments, *project.segmentations])
    return found


# ---- compiling only, for dialects no engine here runs -------------------------------------


def _anonymous(message: str) -> str:
    """An E501 message without the name of the case's segment (`in segment `q7``), so that
    one reason counts the cases it refuses."""
    return re.sub(r" in segment `q\d+`", "", message)


def compile_outcomes(
    dialect: str, cases: Sequence[Case], projects: dict[str, Path]
) -> dict[Case, str]:
    """For a dialect no engine here runs: "compiles", "E501", or "crash: ..." per case. The
    rules of a suite are checked once and compiled together, halved around refusals."""
    outcomes: dict[Case, str] = {}
    for suite in sorted({c.shop for c in cases}):
        mine = [c for c in cases if c.shop == suite]
        rules = list(dict.fromkeys(c.rule for c in mine))
        names = {rule: f"q{i}" for i, rule in enumerate(rules)}
        path = projects[suite] / "segments" / "engine_rules.yaml"
        path.write_text(rules_file(list(names.values()), rules), encoding="utf-8")
        try:
            project = segdsl.load(projects[suite])
            found: dict[str, str] = {}

            def compile_batch(
                batch: list[str],
                project: segdsl.Project = project,
                found: dict[str, str] = found,
                names: dict[str, str] = names,
            ) -> None:
                try:
                    project.compile(
                        [names[r] for r in batch] + ([names[batch[0]]] * (len(batch) == 1)),
                        dialect=dialect,
                        as_of=AS_OF_DEFAULT,
                        pretty=False,
                    )
                    found.update({r: "compiles" for r in batch})
                except Exception as error:  # noqa: BLE001 - recorded per rule
                    if len(batch) > 1:
                        compile_batch(batch[: len(batch) // 2])
                        compile_batch(batch[len(batch) // 2 :])
                    elif isinstance(error, segdsl.SegdslError) and all(
                        d.code.startswith("E5") for d in error.diagnostics
                    ):
                        found[batch[0]] = "E501: " + _anonymous(error.diagnostics[0].message)
                    else:
                        found[batch[0]] = f"crash: {type(error).__name__}: {error}"

            compile_batch(rules)
        finally:
            path.unlink(missing_ok=True)
        outcomes.update({c: found[c.rule] for c in mine})
    return outcomes


AS_OF_DEFAULT = dt.datetime(2025, 12, 31, 12)
