"""`run` where the data lives (docs/warehouses.md): the semantic and behaviour cases of
tests/cases/ (each rule and its negation) through the product's own `Project.run`, on a
DuckDB file, a folder of Parquet files, SQLite, PostgreSQL and MariaDB, each compiled for
the warehouse's dialect, with the members the cases expect (E501 where the dialect is known
not to express a feature); sizes and `--out` files equal to DuckDB's; read-only sessions; a
caller's connection left as it was; errors without secrets or tracebacks."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest
from support import engines, shops

import segdsl
from segdsl import cli
from segdsl.execute import resolve
from segdsl.execute.session import connect_files
from segdsl.execute.warehouses import folder_tables

CHUNK = 60  # rules per run
SUITES = ("semantics", "behaviour")


# ---- warehouses of the shops, one per kind ------------------------------------------------


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("warehouses")
    return {suite: engines.build_warehouse(suite, root / suite) for suite in SUITES}


def _parquet_folder(project: Path) -> Path:
    """The warehouse's tables as Parquet files in a folder; the first table as a folder of
    two Parquet files, as a partitioned table would be written."""
    folder = project / "files"
    folder.mkdir(exist_ok=True)
    with duckdb.connect(str(project / "warehouse.duckdb"), read_only=True) as connection:
        names = [t.name for t in engines.read_warehouse(project / "warehouse.duckdb")]
        for index, name in enumerate(names):
            if index == 0:
                (folder / name).mkdir(exist_ok=True)
                for part, parity in ((1, 0), (2, 1)):
                    connection.execute(
                        f'COPY (SELECT * FROM "{name}" WHERE rowid % 2 = {parity}) '
                        f"TO '{folder / name / f'part-{part}.parquet'}'"
                    )
            else:
                connection.execute(f"COPY \"{name}\" TO '{folder / f'{name}.parquet'}'")
    return folder


def _sqlite_file(project: Path) -> Path:
    engine = engines.SQLiteEngine()
    engine.load("w", engines.read_warehouse(project / "warehouse.duckdb"))
    path = project / "warehouse.sqlite"
    with sqlite3.connect(path) as target:
        engine.connections["w"].backup(target)
    target.close()
    engine.close()
    return path


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[engines.PostgresServer]:
    if not engines.POSTGRES_BIN:
        pytest.skip("PostgreSQL is not installed (/usr/lib/postgresql/*/bin/postgres)")
    server = engines.PostgresServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mariadb_server() -> Iterator[engines.MariaDBServer]:
    if engines.MARIADB_BIN is None:
        pytest.skip("MariaDB is not installed (no mariadbd)")
    server = engines.MariaDBServer()
    yield server
    server.stop()


def _postgres_urls(server: engines.PostgresServer, projects: dict[str, Path]) -> dict[str, str]:
    engine = engines.PostgresEngine(server.dsn())
    try:
        urls = {}
        for suite, root in projects.items():
            # a database per suite: the statement names its tables without a schema
            engine.connection.execute(f'DROP DATABASE IF EXISTS "{suite}"')
            engine.connection.execute(f'CREATE DATABASE "{suite}"')
            url = f"postgresql://postgres@127.0.0.1:{server.port}/{suite}"
            loader = engines.PostgresEngine(url)
            loader.load("public", engines.read_warehouse(root / "warehouse.duckdb"))
            loader.close()
            urls[suite] = url
        return urls
    finally:
        engine.close()


def _mariadb_urls(server: engines.MariaDBServer, projects: dict[str, Path]) -> dict[str, str]:
    engine = engines.MariaDBEngine(server)
    try:
        for suite, root in projects.items():
            engine.load(suite, engines.read_warehouse(root / "warehouse.duckdb"))
        return {s: f"mysql://root@localhost/{s}?unix_socket={server.socket}" for s in projects}
    finally:
        engine.close()


# ---- the cases, through Project.run ---------------------------------------------------------


def members_by_run(
    root: Path, rules: Sequence[str], as_of: dt.datetime, warehouse: Any
) -> dict[str, engines.Outcome]:
    """Members of every rule by `Project.run` on `warehouse`, CHUNK rules to a run; a run
    that fails is halved until the culprit stands alone."""
    found: dict[str, engines.Outcome] = {}
    path = root / "segments" / "warehouse_rules.yaml"

    def run(batch: list[str]) -> None:
        padded = [*batch, "true"] if len(batch) == 1 else batch
        names = [f"q{i}" for i in range(len(padded))]
        path.write_text(shops.rules_file(names, padded), encoding="utf-8")
        try:
            result = segdsl.load(root).run(names, as_of=as_of, warehouse=warehouse)
            for index, rule in enumerate(batch):
                found[rule] = set(result.members(names[index]))
        except segdsl.SegdslError as error:
            if len(batch) == 1:
                found[batch[0]] = error
            else:
                run(batch[: len(batch) // 2])
                run(batch[len(batch) // 2 :])

    unique = list(dict.fromkeys(rules))
    try:
        for start in range(0, len(unique), CHUNK):
            run(unique[start : start + CHUNK])
    finally:
        path.unlink(missing_ok=True)
    return found


SAMPLES = [pytest.param(7, id="sample"), pytest.param(1, id="all", marks=pytest.mark.slow)]


def assert_cases_hold(
    engine: str, warehouses: dict[str, Any], projects: dict[str, Path], every: int = 1
) -> None:
    """Every case (or every `every`-th) on the warehouses, with its expected members."""
    cases = engines.semantic_cases()[::every]
    groups: dict[tuple[str, dt.datetime], list[engines.Case]] = {}
    for case in cases:
        groups.setdefault((case.shop, case.as_of), []).append(case)
    wrong = []
    for (suite, as_of), group in groups.items():
        found = members_by_run(projects[suite], [c.rule for c in group], as_of, warehouses[suite])
        for case in group:
            if engines.verdict(engine, case, found[case.rule]) == "wrong":
                wrong.append(engines.describe(case, found[case.rule]))
    assert not wrong, f"{len(wrong)} of {len(cases)} cases wrong:\n  " + "\n  ".join(wrong[:20])


@pytest.mark.parametrize("every", SAMPLES)
def test_cases_on_a_duckdb_url(projects: dict[str, Path], every: int) -> None:
    urls = {s: f"duckdb://{root / 'warehouse.duckdb'}" for s, root in projects.items()}
    assert_cases_hold("duckdb", urls, projects, every)


@pytest.mark.parametrize("every", SAMPLES)
def test_cases_on_a_folder_of_parquet_files(projects: dict[str, Path], every: int) -> None:
    assert_cases_hold(
        "duckdb", {s: _parquet_folder(r) for s, r in projects.items()}, projects, every
    )


@pytest.mark.parametrize("every", SAMPLES)
def test_cases_on_sqlite(projects: dict[str, Path], every: int) -> None:
    files = {s: f"sqlite://{_sqlite_file(r)}" for s, r in projects.items()}
    assert_cases_hold("sqlite", files, projects, every)


@pytest.mark.postgres
def test_cases_on_postgres(
    projects: dict[str, Path], postgres_server: engines.PostgresServer
) -> None:
    assert_cases_hold("postgres", _postgres_urls(postgres_server, projects), projects)


@pytest.mark.mariadb
def test_cases_on_mariadb(projects: dict[str, Path], mariadb_server: engines.MariaDBServer) -> None:
    assert_cases_hold("mariadb", _mariadb_urls(mariadb_server, projects), projects)
