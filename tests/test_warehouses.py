"""`run` where the data lives (docs/warehouses.md): the semantic and behaviour cases of
tests/cases/ (each rule and its negation) through the product's own `Project.run`, on a
DuckDB file, a folder of Parquet files and SQLite (all), PostgreSQL, MariaDB, Spark,
ClickHouse and DataFusion (every other case: tests/test_engines.py runs them all on each
engine; here the product's path is proven), each compiled for
the warehouse's dialect, with the members the cases expect (E501 where the dialect is known
not to express a feature); sizes and `--out` files equal to DuckDB's; read-only sessions; a
caller's connection left as it was; errors without secrets or tracebacks."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
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
    return engines.sqlite_copy(project / "warehouse.duckdb", project / "warehouse.sqlite")


@pytest.fixture(scope="module")
def mariadb_server() -> Iterator[engines.MariaDBServer]:
    if engines.MARIADB_BIN is None:
        pytest.skip("MariaDB is not installed (no mariadbd)")
    server = engines.MariaDBServer()
    yield server
    server.stop()


def _postgres_urls(server: engines.PostgresServer, projects: dict[str, Path]) -> dict[str, str]:
    """A database per suite: the statement names its tables without a schema."""
    return {
        suite: engines.postgres_database(server, suite, root / "warehouse.duckdb")
        for suite, root in projects.items()
    }


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
    root: Path, rules: Sequence[str], as_of: dt.datetime, warehouse: Any, chunk: int = CHUNK
) -> dict[str, engines.Outcome]:
    """Members of every rule by `Project.run` on `warehouse`, `chunk` rules to a run; a run
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
        for start in range(0, len(unique), chunk):
            run(unique[start : start + chunk])
    finally:
        path.unlink(missing_ok=True)
    return found


SAMPLES = [pytest.param(7, id="sample"), pytest.param(1, id="all", marks=pytest.mark.slow)]
# Every other case on the other engines, through the product's path (URL or connection,
# session, fetch into the result): tests/test_engines.py runs every case's SQL on each of
# them, so here the path is what is proven, on some 900 rules each.
SERVERS = 2


def assert_cases_hold(
    engine: str,
    warehouses: dict[str, Any],
    projects: dict[str, Path],
    every: int = 1,
    first: int = 0,
) -> None:
    """Every case (or every `every`-th from the `first`) of the suites in `warehouses`, on
    them, with its expected members."""
    cases = [c for c in engines.semantic_cases()[first::every] if c.shop in warehouses]
    chunk = engines.CHUNK.get(engine, CHUNK)
    groups: dict[tuple[str, dt.datetime], list[engines.Case]] = {}
    for case in cases:
        groups.setdefault((case.shop, case.as_of), []).append(case)
    wrong = []
    for (suite, as_of), group in groups.items():
        rules = [c.rule for c in group]
        found = members_by_run(projects[suite], rules, as_of, warehouses[suite], chunk)
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
    assert_cases_hold("postgres", _postgres_urls(postgres_server, projects), projects, SERVERS)


@pytest.mark.mariadb
def test_cases_on_mariadb(projects: dict[str, Path], mariadb_server: engines.MariaDBServer) -> None:
    assert_cases_hold("mariadb", _mariadb_urls(mariadb_server, projects), projects, SERVERS)


@pytest.fixture(scope="module")
def spark_connect() -> Iterator[engines.SparkConnectServer]:
    if engines.SPARK_HOME is None or not engines.java_available():
        reason = "Spark Connect needs pyspark[connect] and Java"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    # the local session's JVM first: pyspark starts it with fork(), which gRPC's threads
    # (the Connect client's) can break in the child
    engines.local_spark()
    server = engines.SparkConnectServer()
    yield server
    server.stop()


@pytest.mark.spark
def test_cases_on_spark_connect(
    projects: dict[str, Path], spark_connect: engines.SparkConnectServer
) -> None:
    """By URL: `sc://host:port`; the server's `default` database holds one suite at a time."""
    for suite, root in projects.items():
        spark_connect.load(engines.read_warehouse(root / "warehouse.duckdb"))
        # the odd cases: test_engines.py runs the even ones on Spark (HALVED there)
        assert_cases_hold("spark", {suite: spark_connect.url}, projects, 2, first=1)


@pytest.mark.spark
def test_cases_on_a_local_spark_session(projects: dict[str, Path]) -> None:
    """By connection: a classic SparkSession, its tables temporary views; every sixth case
    (the Connect test runs the odd ones through the same product path, Spark's SQL alike)."""
    spark = engines.SparkEngine()
    try:
        for suite, root in projects.items():
            spark.load(suite, engines.read_warehouse(root / "warehouse.duckdb"))
            spark.use(suite)
            assert_cases_hold("spark", {suite: spark.session}, projects, every=6)
    finally:
        spark.close()


@pytest.mark.clickhouse
def test_cases_on_a_chdb_session(projects: dict[str, Path]) -> None:
    """By connection: chdb's session, one database per suite, chosen by `USE`."""
    clickhouse = engines.ClickHouseEngine()
    try:
        for suite, root in projects.items():
            clickhouse.load(suite, engines.read_warehouse(root / "warehouse.duckdb"))
            clickhouse.use(suite)
            assert_cases_hold("clickhouse", {suite: clickhouse.session}, projects, SERVERS)
    finally:
        clickhouse.close()


def test_cases_on_a_datafusion_context(projects: dict[str, Path]) -> None:
    """By connection: a DataFusion SessionContext per suite, its tables registered Arrow."""
    datafusion = engines.DataFusionEngine()
    for suite, root in projects.items():
        datafusion.load(suite, engines.read_warehouse(root / "warehouse.duckdb"))
    contexts = dict(datafusion.contexts)
    assert_cases_hold("datafusion", contexts, projects, SERVERS)


# ---- the same sizes and files on every warehouse ---------------------------------------------


AS_OF = dt.datetime(2025, 12, 31, 12)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return engines.build_demo(tmp_path_factory.mktemp("demo") / "demo")


def _expressible(project: segdsl.Project, dialect: str) -> list[str]:
    names = [*project.segments, *project.segmentations]
    ok = []
    for name in names:
        try:
            project.compile([name, "abandoned_cart"], dialect=dialect, as_of=AS_OF)
            ok.append(name)
        except segdsl.SegdslError:
            pass
    return ok


def assert_same_as_duckdb(root: Path, warehouse: Any, dialect: str, tmp: Path) -> None:
    """Sizes, members and the CSV and Parquet files of the segments the dialect expresses,
    as on the DuckDB file; and the statement run is the one `compile` gives."""
    project = segdsl.load(root)
    names = _expressible(project, dialect)
    assert len(names) > 20
    there = project.run(names, as_of=AS_OF, warehouse=warehouse)
    here = project.run(names, as_of=AS_OF)
    assert there.sql == project.compile(names, dialect=dialect, as_of=AS_OF, pretty=False)
    assert there.sizes() == here.sizes()
    assert there.total() == here.total()
    for suffix in (".csv", ".parquet"):
        there.write(tmp / f"there{suffix}")
        here.write(tmp / f"here{suffix}")
        assert (tmp / f"there{suffix}").read_bytes() == (tmp / f"here{suffix}").read_bytes()
    alone = project.run([names[0]], as_of=AS_OF, warehouse=warehouse)
    assert alone.members(names[0]) == here.members(names[0])


def test_a_folder_gives_duckdbs_sizes_and_files(demo: Path, tmp_path: Path) -> None:
    assert_same_as_duckdb(demo, _parquet_folder(demo), "duckdb", tmp_path)


def test_a_folder_of_csv_files_gives_duckdbs_sizes(demo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    with duckdb.connect(str(demo / "warehouse.duckdb"), read_only=True) as connection:
        for table in engines.read_warehouse(demo / "warehouse.duckdb"):
            connection.execute(f"COPY \"{table.name}\" TO '{folder / table.name}.csv'")
    project = segdsl.load(demo)
    assert project.run(as_of=AS_OF, warehouse=f"files://{folder}").sizes() == (
        project.run(as_of=AS_OF).sizes()
    )


def test_sqlite_gives_duckdbs_sizes_and_files_and_stays_unchanged(
    demo: Path, tmp_path: Path
) -> None:
    path = _sqlite_file(demo)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    assert_same_as_duckdb(demo, f"sqlite://{path}", "sqlite", tmp_path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


@pytest.mark.postgres
def test_postgres_gives_duckdbs_sizes_and_files(
    demo: Path, tmp_path: Path, postgres_server: engines.PostgresServer
) -> None:
    url = _postgres_urls(postgres_server, {"demo": demo})["demo"]
    assert_same_as_duckdb(demo, url, "postgres", tmp_path)


@pytest.mark.spark
def test_spark_connect_gives_duckdbs_sizes_and_files(
    demo: Path, tmp_path: Path, spark_connect: engines.SparkConnectServer
) -> None:
    spark_connect.load(engines.read_warehouse(demo / "warehouse.duckdb"))
    assert_same_as_duckdb(demo, spark_connect.url, "spark", tmp_path)


@pytest.mark.spark
def test_a_callers_spark_session_keeps_its_time_zone(
    demo: Path, spark_connect: engines.SparkConnectServer
) -> None:
    """Run after the demo was loaded into the server (the test above)."""
    session = spark_connect.session()
    try:
        session.conf.set("spark.sql.session.timeZone", "America/New_York")
        spark_connect.load(engines.read_warehouse(demo / "warehouse.duckdb"))
        here = segdsl.load(demo).run(["abandoned_cart"], as_of=AS_OF)
        there = segdsl.load(demo).run(["abandoned_cart"], as_of=AS_OF, warehouse=session)
        assert there.members("abandoned_cart") == here.members("abandoned_cart")
        assert session.conf.get("spark.sql.session.timeZone") == "America/New_York"
        assert session.sql("SELECT 1 AS one").collect()[0].one == 1  # still open
    finally:
        session.stop()


@pytest.mark.mariadb
def test_mariadb_gives_duckdbs_sizes_and_files(
    demo: Path, tmp_path: Path, mariadb_server: engines.MariaDBServer
) -> None:
    url = _mariadb_urls(mariadb_server, {"demo": demo})["demo"]
    assert_same_as_duckdb(demo, url, "mysql", tmp_path)


# ---- read-only, and a caller's connection left as it was ----------------------------------


def test_a_callers_sqlite_connection_is_left_as_it_was(demo: Path) -> None:
    connection = sqlite3.connect(_sqlite_file(demo))
    result = segdsl.load(demo).run(["abandoned_cart"], as_of=AS_OF, warehouse=connection)
    assert result.members("abandoned_cart")
    assert connection.execute("PRAGMA query_only").fetchone() == (0,)
    assert not connection.in_transaction
    connection.execute("CREATE TABLE still_writable (a INTEGER)")  # still the caller's
    connection.execute("INSERT INTO still_writable VALUES (1)")
    with pytest.raises(segdsl.SegdslError, match="E424"):  # inside the caller's transaction
        segdsl.load(demo).run(["abandoned_cart"], as_of=AS_OF, warehouse=connection)
    connection.close()


def test_sqlite_runs_read_only(demo: Path) -> None:
    from segdsl.execute.servers import EngineError, _run_sqlite

    connection = sqlite3.connect(_sqlite_file(demo))
    with pytest.raises(EngineError, match="readonly"):
        _run_sqlite(connection, "CREATE TABLE x (a INTEGER)")
    connection.close()


def test_datafusion_runs_read_only(tmp_path: Path) -> None:
    import datafusion

    from segdsl.execute.servers import EngineError, _run_datafusion

    context = datafusion.SessionContext()
    for statement in ("CREATE TABLE x AS SELECT 1 AS a", f"COPY (SELECT 1) TO '{tmp_path}/x.csv'"):
        with pytest.raises(EngineError):
            _run_datafusion(context, statement)
    assert not list(tmp_path.iterdir())
    assert _run_datafusion(context, "SELECT 1 AS a") == (["a"], [(1,)])


def test_what_a_connection_is() -> None:
    import datafusion

    found = resolve(datafusion.SessionContext())
    assert (found.kind, found.dialect, found.shown) == (
        "datafusion",
        "datafusion",
        "a DataFusion SessionContext",
    )
    with pytest.raises(segdsl.SegdslError, match="E422"):
        resolve(object())


def test_a_duckdb_connection_runs_as_given(demo: Path) -> None:
    project = segdsl.load(demo)
    with duckdb.connect(str(demo / "warehouse.duckdb"), read_only=True) as connection:
        result = project.run(["abandoned_cart"], as_of=AS_OF, warehouse=connection)
        assert result.members("abandoned_cart") == (
            project.run(["abandoned_cart"], as_of=AS_OF).members("abandoned_cart")
        )
        assert connection.execute("SELECT 1").fetchall() == [(1,)]


@pytest.mark.postgres
def test_a_callers_psycopg_connection_is_left_as_it_was(
    demo: Path, postgres_server: engines.PostgresServer
) -> None:
    import psycopg

    from segdsl.execute.servers import EngineError, _run_postgres

    url = _postgres_urls(postgres_server, {"demo": demo})["demo"]
    with psycopg.connect(url) as connection:
        segdsl.load(demo).run(["abandoned_cart"], as_of=AS_OF, warehouse=connection)
        assert not connection.closed and not connection.autocommit
        assert connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        with pytest.raises(EngineError, match="read-only transaction"):
            _run_postgres(connection, "CREATE TABLE x (a INTEGER)")
        connection.execute("SELECT 1")  # now inside the caller's own transaction
        with pytest.raises(segdsl.SegdslError, match="E424"):
            segdsl.load(demo).run(["abandoned_cart"], as_of=AS_OF, warehouse=connection)


@pytest.mark.mariadb
def test_a_callers_pymysql_connection_runs_read_only(
    demo: Path, mariadb_server: engines.MariaDBServer
) -> None:
    from segdsl.execute.servers import EngineError, _run_mysql

    _mariadb_urls(mariadb_server, {"demo": demo})
    connection = mariadb_server.connect()
    connection.select_db("demo")
    segdsl.load(demo).run(["abandoned_cart"], as_of=AS_OF, warehouse=connection)
    # (DDL would commit the transaction first, as MariaDB does; segdsl sends one SELECT)
    with pytest.raises(EngineError, match="READ ONLY"):
        _run_mysql(connection, "DELETE FROM customers")
    with connection.cursor() as cursor:
        cursor.execute("SET time_zone = '+02:00'")
        segdsl.load(demo).run(["abandoned_cart"], as_of=AS_OF, warehouse=connection)
        cursor.execute("SELECT @@session.time_zone")
        assert cursor.fetchall() == (("+02:00",),)
    connection.close()


def test_a_folder_session_reads_only_its_files(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.csv").write_text("a\n1\n", encoding="utf-8")
    (tmp_path / "secret.csv").write_text("s\nhidden\n", encoding="utf-8")
    session = connect_files(folder_tables(tmp_path / "data"))
    assert session.execute('SELECT * FROM "t"').fetchall() == [(1,)]
    with pytest.raises(duckdb.Error, match="disabled by configuration"):
        session.execute(f"SELECT * FROM read_csv('{tmp_path / 'secret.csv'}')").fetchall()


def test_out_may_not_be_a_file_of_a_folder_warehouse(demo: Path, tmp_path: Path) -> None:
    folder = _parquet_folder(demo)
    target = next(folder.glob("*.parquet"))
    status = cli.main(
        ["--project", str(demo), "run", "--warehouse", str(folder), "--out", str(target)]
    )
    assert status == 2


# ---- URLs, secrets, errors --------------------------------------------------------------------


def test_a_url_names_variables_and_never_shows_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WH_USER", "ana")
    monkeypatch.setenv("WH_PASSWORD", "p@ss:w/rd")
    warehouse = resolve("postgresql://${WH_USER}:${WH_PASSWORD}@db.example:5433/shop")
    assert warehouse.dialect == "postgres"
    assert warehouse.url == "postgresql://ana:p%40ss%3Aw%2Frd@db.example:5433/shop"
    assert warehouse.shown == "postgresql://ana:***@db.example:5433/shop"
    assert "p@ss" not in warehouse.redact("password p@ss:w/rd refused")


@pytest.mark.parametrize(
    ("spec", "kind", "dialect"),
    [
        ("warehouse.duckdb", "duckdb", "duckdb"),
        ("duckdb:///data/w.duckdb", "duckdb", "duckdb"),
        ("files:///data/lake", "files", "duckdb"),
        ("sqlite:///data/w.db", "sqlite", "sqlite"),
        ("postgres://u@h/db", "postgres", "postgres"),
        ("mysql://u@h:3306/db", "mysql", "mysql"),
        ("mariadb://u@h/db", "mysql", "mysql"),
        ("sc://spark.example:15002", "spark", "spark"),
    ],
)
def test_what_a_warehouse_names(spec: str, kind: str, dialect: str) -> None:
    warehouse = resolve(spec)
    assert (warehouse.kind, warehouse.dialect) == (kind, dialect)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("oracle://u@h/db", "unknown warehouse `oracle://...`"),
        ("postgresql://u@h:port/db", "has a bad port"),
        ("postgresql://u:${WH_UNSET_VARIABLE}@h/db", "`WH_UNSET_VARIABLE`, which is not set"),
    ],
)
def test_a_bad_url_is_e422(spec: str, message: str) -> None:
    with pytest.raises(segdsl.SegdslError, match="E422") as error:
        resolve(spec)
    assert message in str(error.value)


@pytest.mark.parametrize(
    "url", ["postgresql://ana:topsecret@127.0.0.1:1/shop", "mysql://ana:topsecret@127.0.0.1:1/shop"]
)
def test_an_unreachable_server_is_e424_without_the_password(
    demo: Path, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = cli.main(["--project", str(demo), "run", "--warehouse", url, "abandoned_cart"])
    err = capsys.readouterr().err
    assert status == 1
    assert "E424" in err and "ana:***@127.0.0.1:1" in err
    assert "topsecret" not in err and "Traceback" not in err


def test_an_unreachable_spark_server_is_e424_without_the_token(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "sc://127.0.0.1:1/;token=topsecret"
    status = cli.main(["--project", str(demo), "run", "--warehouse", url, "abandoned_cart"])
    err = capsys.readouterr().err
    assert status == 1
    assert "E424" in err and "sc://127.0.0.1:1/;token=***" in err
    assert "topsecret" not in err and "Traceback" not in err


def test_a_missing_driver_is_e423(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg raises ImportError
    with pytest.raises(segdsl.SegdslError, match="E423") as error:
        segdsl.load(demo).run(warehouse="postgresql://u@127.0.0.1:1/db")
    assert "pip install 'psycopg[binary]'" in str(error.value.diagnostics[0].hint)
