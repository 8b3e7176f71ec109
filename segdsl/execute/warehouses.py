"""Where a run reads its data: a DuckDB file, a folder of Parquet and CSV files, a
PostgreSQL, MySQL/MariaDB or SQLite database or a Spark Connect server named by URL, or a
live connection (a SparkSession among them). The dialect follows the warehouse.

A URL may name environment variables instead of secrets (`${PGPASSWORD}`); a secret is
never shown: `Warehouse.shown` has the password replaced, and `redact` takes every secret
out of a driver's message."""

from __future__ import annotations

import os
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from segdsl.diagnostics import Diagnostic, SegdslError

SCHEMES = {
    "duckdb": "duckdb",
    "files": "files",
    "postgresql": "postgres",
    "postgres": "postgres",
    "mysql": "mysql",
    "mariadb": "mysql",
    "sqlite": "sqlite",
    "sc": "spark",
}
DIALECTS = {"duckdb": "duckdb", "files": "duckdb", "postgres": "postgres", "mysql": "mysql"}
# kinds reached only through a connection of the caller's (no URL): chdb, DataFusion
CONNECTION_MODULES = {
    "psycopg": "postgres",
    "sqlite3": "sqlite",
    "pymysql": "mysql",
    "pyspark": "spark",
    "chdb": "clickhouse",
    "datafusion": "datafusion",
}
SPARK_SECRETS = re.compile(r";token=([^;]*)", re.IGNORECASE)  # sc://host:port/;token=...
TABLE_SUFFIXES = (".parquet", ".csv")
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
HIDDEN = "***"


@dataclass(frozen=True)
class Warehouse:
    """`kind` is one of duckdb, files, postgres, mysql, sqlite, spark, clickhouse (chdb),
    datafusion; `url` holds the secrets
    (never printed), `shown` is the text for messages."""

    kind: str
    shown: str
    path: Path | None = None
    url: str | None = None
    connection: Any = None
    secrets: tuple[str, ...] = field(default=(), repr=False)

    @property
    def dialect(self) -> str:
        return DIALECTS.get(self.kind, self.kind)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            if secret:
                text = text.replace(secret, HIDDEN)
        return text

    def files(self) -> tuple[Path, ...]:
        """The files it reads, which `--out` may never be (E418)."""
        if self.path is None:
            return ()
        if self.kind == "files" and self.path.is_dir():
            return tuple(folder_tables(self.path).values())
        return (self.path,)


def bad_url(message: str, hint: str) -> SegdslError:
    return SegdslError([Diagnostic("E422", message, hint=hint)])


def resolve(spec: str | Path | Any, root: Path | None = None) -> Warehouse:
    """The warehouse `spec` names: a path (a DuckDB file, or a folder of files), a URL, or
    a live DB-API or DuckDB connection. Relative paths are taken from `root`."""
    if not isinstance(spec, str | Path):
        return _connection(spec)
    text = str(spec)
    scheme, sep, rest = text.partition("://")
    if not sep or isinstance(spec, Path):
        return _path_warehouse(Path(text), root, None)
    kind = SCHEMES.get(scheme.lower())
    if kind is None:
        raise bad_url(
            f"unknown warehouse `{scheme}://...`",
            hint="a DuckDB file or folder, or a URL: duckdb://, files://, postgresql://, "
            "mysql://, sqlite://, sc:// (Spark Connect)",
        )
    if kind in ("duckdb", "files", "sqlite"):
        return _path_warehouse(Path(_expand(rest, [])), root, kind)
    return _server(kind, scheme, rest)


def _path_warehouse(path: Path, root: Path | None, kind: str | None) -> Warehouse:
    if root is not None and not path.is_absolute():
        path = root / path
    if kind is None:
        kind = "files" if path.is_dir() else "duckdb"
    return Warehouse(kind, str(path), path=path)


def _server(kind: str, scheme: str, rest: str) -> Warehouse:
    authority = rest.split("/", 1)[0]
    userinfo_end = authority.rfind("@")
    colon = authority.find(":", 0, max(userinfo_end, 0))
    password = (colon + 1 if colon >= 0 else userinfo_end, max(userinfo_end, 0))
    secrets: list[str] = []
    expanded = _expand(rest, secrets, password)
    url = f"{scheme}://{expanded}"
    parsed = urllib.parse.urlsplit(url)
    if parsed.password:
        secrets += [parsed.password, urllib.parse.unquote(parsed.password)]
    if kind == "spark":
        secrets += [token for token in SPARK_SECRETS.findall(url) if token]
    shown = url
    if parsed.password:
        user = parsed.username or ""
        shown = url.replace(f"{user}:{parsed.password}@", f"{user}:{HIDDEN}@", 1)
    try:
        parsed.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise bad_url(
            f"the warehouse URL `{_redacted(shown, secrets)}` has a bad port",
            hint="write scheme://user@host:port/database",
        ) from None
    return Warehouse(kind, _redacted(shown, secrets), url=url, secrets=tuple(secrets))


def _redacted(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, HIDDEN)
    return text


def _expand(text: str, secrets: list[str], password: tuple[int, int] = (0, 0)) -> str:
    """`${NAME}` replaced by the environment variable's value; inside the user and password
    part (which ends at `password[1]`), percent-encoded; in the password (from
    `password[0]`), remembered as a secret, never shown."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise bad_url(
                f"the warehouse names the environment variable `{name}`, which is not set",
                hint=f"export {name}=... before running segdsl",
            )
        found = os.environ[name]
        if match.start() < password[1]:
            if match.start() >= password[0]:
                secrets.append(found)
            return urllib.parse.quote(found, safe="")
        return found

    return VARIABLE.sub(value, text)


def _connection(connection: Any) -> Warehouse:
    module = type(connection).__module__.split(".")[0].lstrip("_")
    if module == "duckdb":
        return Warehouse("duckdb", "a DuckDB connection", connection=connection)
    kind = CONNECTION_MODULES.get(module)
    if kind is None:
        raise bad_url(
            f"cannot run on a `{type(connection).__name__}` connection",
            hint="pass a path, a URL, or a connection of duckdb, psycopg, pymysql, sqlite3 "
            "or chdb, a SparkSession or a DataFusion SessionContext",
        )
    shown = {"spark": "a SparkSession", "datafusion": "a DataFusion SessionContext"}.get(
        kind, f"a {module} connection"
    )
    return Warehouse(kind, shown, connection=connection)


def folder_tables(folder: Path) -> dict[str, Path]:
    """Every `*.parquet` and `*.csv` file of the folder, and every folder of Parquet files
    in it, as a table named after its stem (sorted by name)."""
    tables: dict[str, Path] = {}
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            if not any(entry.glob("*.parquet")):
                continue
            name = entry.name
        elif entry.suffix.lower() in TABLE_SUFFIXES and entry.is_file():
            name = entry.stem
        else:
            continue
        if name in tables:
            raise bad_url(
                f"two files of the warehouse folder are table `{name}`: "
                f"`{tables[name].name}` and `{entry.name}`",
                hint="keep one file per table",
            )
        tables[name] = entry.resolve()
    return tables
