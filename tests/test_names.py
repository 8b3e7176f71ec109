"""Table and column names as the warehouse has them: reserved words, spaces, capitals and
qualified tables (`catalog.schema.table`), on real engines (docs/files.md, "Table and
column names").

The customers live in a table called `order`, keyed by `from`, with columns `group`,
`select`, `User Name`, `Score` and `user`; a many-valued field reads table `user`, and the
events are table `select` with a property column `order`. Every rule must return the same,
hand-computed members on every engine, as one segment's statement and as one column of a
statement of several. The same data, moved into other schemas and catalogs, is then read
through qualified names.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from support import engines
from support.engines import Column, Table

import segdsl
from segdsl.emit import dialects

AS_OF = dt.datetime(2025, 12, 31, 12, 0, 0)
T = dt.datetime

TABLES = (
    Table(
        "order",
        (
            Column("from", "BIGINT"),
            Column("group", "INTEGER"),
            Column("select", "VARCHAR"),
            Column("User Name", "VARCHAR"),
            Column("Score", "INTEGER"),
            Column("user", "VARCHAR"),
        ),
        (
            (1, 1, "a", "Ann", 20, "bob"),
            (2, 2, "b", None, 5, "eve"),
            (3, 3, "a", "Cy", 5, None),
            (4, None, None, None, None, "bob"),
        ),
    ),
    Table(
        "user",
        (Column("from", "BIGINT"), Column("order", "VARCHAR")),
        ((1, "red"), (1, "blue"), (3, "red"), (4, "green")),
    ),
    Table(
        "select",
        (
            Column("from", "BIGINT"),
            Column("when", "TIMESTAMP"),
            Column("group", "VARCHAR"),
            Column("order", "VARCHAR"),
            Column("Amount", "INTEGER"),
        ),
        (
            (1, T(2025, 12, 30), "buy", "x", 3),
            (1, T(2025, 12, 1), "buy", "y", 4),
            (2, T(2025, 12, 20), "visit", None, None),
            (2, T(2025, 12, 21), "visit", None, None),
            (3, T(2025, 12, 25), "buy", "x", 1),
            (3, T(2025, 10, 1), "visit", None, None),
        ),
    ),
)


def schema(customers: str = "order", tags: str = "user", events: str = "select") -> str:
    return f"""\
customers:
  table: '{customers}'
  key: from
  fields:
    grp: {{column: group, type: integer}}
    sel: {{column: select, type: string}}
    user_name: {{column: User Name, type: string}}
    score: {{column: Score, type: integer}}
    usr: {{column: user, type: string}}
    tag: {{type: string, many: true, table: '{tags}', column: order, key: from}}
events:
  shop:
    table: '{events}'
    key: from
    time: when
    name: group
    names: [visit, buy]
    properties:
      order: string
      amount: {{column: Amount, type: integer}}
"""


# rule → its members (keys 1-4; see TABLES)
RULES = {
    "grp >= 2": {2, 3},
    'sel = "a" and user_name is set': {1, 3},
    'score > 10 or usr = "bob"': {1, 4},
    'tag = "red"': {1, 3},
    "count(tag) >= 2": {1},
    'tag = "red" or usr = "eve"': {1, 2, 3},
    "did buy": {1, 3},
    'did buy(order = "x")': {1, 3},
    "sum(buy.amount) > 5": {1},
    "count(visit) >= 2 and not did buy": {2},
    "did visit within 30 days": {2},
    "not did buy within 60 days": {2, 4},
    "first(buy) before 7 days ago": {1},
    "percentile(score) >= 50": {1},
}


def make_project(root: Path, schema_text: str) -> Path:
    (root / "segments").mkdir(parents=True, exist_ok=True)
    (root / "segdsl.yaml").write_text("name: names\nschema: schema.yaml\n")
    (root / "schema.yaml").write_text(schema_text)
    return root


def members(engine: Any, warehouse: str, root: Path) -> dict[str, Any]:
    """Each rule's members: alone (one segment's statement) and in one statement of all."""
    found: dict[str, Any] = {}
    names = [f"q{i}" for i in range(len(RULES))]
    (root / "segments" / "s.yaml").write_text(engines.rules_file(names, RULES))
    project = segdsl.load(root)
    for name, rule in zip(names, RULES, strict=True):
        sql = project.compile([name], dialect=engine.dialect, as_of=AS_OF, pretty=False)
        found[rule] = {row[0] for row in engine.run(warehouse, sql)}
    sql = project.compile(names, dialect=engine.dialect, as_of=AS_OF, pretty=False)
    rows = engine.run(warehouse, sql)
    for index, rule in enumerate(RULES):
        together = {row[0] for row in rows if row[1 + index] in (True, 1)}
        if together != found[rule]:
            found[rule] = ("alone", found[rule], "together", together)
    return found


# ---- compiled SQL, every dialect -----------------------------------------------------------


def quotes(dialect: str) -> tuple[str, str]:
    """The characters around a quoted name in `dialect`, as sqlglot writes them."""
    written = sqlglot.Dialect.get_or_raise(dialect)
    return written.IDENTIFIER_START, written.IDENTIFIER_END


@pytest.fixture(scope="module")
def plain_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("names"), schema())
    (root / "segments" / "s.yaml").write_text(
        engines.rules_file([f"q{i}" for i in range(len(RULES))], RULES)
    )
    return root


@pytest.mark.parametrize("dialect", dialects())
def test_every_dialect_quotes_reserved_words_and_odd_names(
    dialect: str, plain_project: Path
) -> None:
    project = segdsl.load(plain_project)
    sql = project.compile([f"q{i}" for i in range(len(RULES))], dialect=dialect, as_of=AS_OF)
    left, right = quotes(dialect)
    for name in ("order", "from", "group", "select", "User Name", "Score", "user", "when"):
        if name in ("user", "when") and dialect in ("snowflake", "oracle", "exasol"):
            continue  # not reserved there, where a quoted lower-case name is another one
        assert f"{left}{name}{right}" in sql, (name, sql)
    # nothing left bare: every occurrence of a reserved word as a name is quoted
    assert not re.search(r"\bc\.(order|from|group|select|Score)\b", sql), sql
    assert not re.search(r"\bFROM (order|select)\b", sql, re.IGNORECASE), sql


@pytest.mark.parametrize("dialect", dialects())
def test_segment_names_are_quoted_as_columns(dialect: str, tmp_path: Path) -> None:
    root = make_project(tmp_path, schema())
    (root / "segments" / "s.yaml").write_text(
        engines.rules_file(["select", "Big"], ["did buy", "in segment select"])
    )
    sql = segdsl.load(root).compile(["select", "Big"], dialect=dialect, as_of=AS_OF)
    left, right = quotes(dialect)
    assert f"AS {left}select{right}" in sql and f"AS {left}Big{right}" in sql, sql


@pytest.mark.parametrize("dialect", dialects())
def test_qualified_tables_are_catalog_schema_table(dialect: str, tmp_path: Path) -> None:
    root = make_project(
        tmp_path, schema("analytics.crm.customers", '"Odd.Schema".tags', "crm.events")
    )
    (root / "segments" / "s.yaml").write_text(
        engines.rules_file(["a", "b"], ['tag = "red" and did buy', "score > 1"])
    )
    sql = segdsl.load(root).compile(["a", "b"], dialect=dialect, as_of=AS_OF)
    left, right = quotes(dialect)
    assert re.search(r"\banalytics\.crm\.customers (AS )?c\b", sql), sql
    assert re.search(r"\bcrm\.(events|.events.) (AS )?e\b", sql), sql  # Doris reserves `events`
    assert re.search(re.escape(f"{left}Odd.Schema{right}.tags ") + "(AS )?v", sql), sql
    assert "analytics.crm.customers" + right not in sql  # not one identifier


def test_a_table_name_that_is_none_is_an_error(tmp_path: Path) -> None:
    for bad, why in (
        ("a..b", "`a..b` is not a table name"),
        ("a.b.c.d", "`a.b.c.d` has more parts than catalog.schema.table"),
        ('crm."customers', '`crm."customers` is not a table name'),
    ):
        root = make_project(tmp_path / str(len(bad)), schema(customers=bad))
        with pytest.raises(segdsl.SegdslError) as error:
            segdsl.load(root).compile(None, dialect="duckdb", as_of=AS_OF)
        assert f"E410: {why}" in str(error.value)


# ---- real engines ------------------------------------------------------------------------


def _missing(name: str) -> str | None:
    needs = {"spark": "pyspark", "clickhouse": "chdb", "datafusion": "datafusion"}
    if name in needs and importlib.util.find_spec(needs[name]) is None:
        return f"{needs[name]} is not installed"
    if name == "spark" and not engines.java_available():
        return "Spark needs Java"
    if name == "postgres" and not engines.POSTGRES_BIN:
        return "PostgreSQL is not installed"
    return None


ENGINE_PARAMS = [
    pytest.param(name, marks=getattr(pytest.mark, name), id=name)
    if name in engines.HEAVY
    else pytest.param(name, id=name)
    for name in engines.ENGINES
]


@pytest.fixture(scope="module", params=ENGINE_PARAMS)
def engine(request: pytest.FixtureRequest) -> Iterator[Any]:
    reason = _missing(request.param)
    if reason is not None:
        pytest.skip(reason)
    postgres = engines.PostgresServer() if request.param == "postgres" else None
    mariadb = engines.MariaDBServer() if request.param == "mariadb" else None
    started = engines.start_engine(
        request.param,
        (lambda: postgres) if postgres else None,
        (lambda: mariadb) if mariadb else None,
    )
    try:
        started.load("names", TABLES)
        yield started
    finally:
        started.close()
        for server in (postgres, mariadb):
            if server is not None:
                server.stop()


def test_reserved_words_and_odd_names_run_everywhere(engine: Any, tmp_path: Path) -> None:
    found = members(engine, "names", make_project(tmp_path, schema()))
    wrong = {rule: got for rule, got in found.items() if got != RULES[rule]}
    assert not wrong, f"{engine.name}: {wrong}"


# engine → (setup statements over the loaded tables, customers, tags, events)
Qualified = tuple[list[str], str, str, str]


def _qualified(engine: Any) -> Qualified:
    name = engine.name
    if name == "duckdb":
        return (
            [
                "ATTACH ':memory:' AS analytics",
                "CREATE SCHEMA analytics.crm",
                'CREATE SCHEMA "Odd.Schema"',
                'CREATE TABLE analytics.crm.customers AS SELECT * FROM "order"',
                'CREATE TABLE "Odd.Schema".tags AS SELECT * FROM "user"',
                "CREATE SCHEMA crm",
                'CREATE TABLE crm.events AS SELECT * FROM "select"',
            ],
            "analytics.crm.customers",
            '"Odd.Schema".tags',
            "crm.events",
        )
    if name == "postgres":  # the database is the connected one
        return (
            [
                "CREATE SCHEMA crm",
                'CREATE SCHEMA "Odd.Schema"',
                'CREATE TABLE crm.customers AS SELECT * FROM names."order"',
                'CREATE TABLE "Odd.Schema".tags AS SELECT * FROM names."user"',
                'CREATE TABLE crm.events AS SELECT * FROM names."select"',
            ],
            "postgres.crm.customers",
            '"Odd.Schema".tags',
            "crm.events",
        )
    if name == "sqlite":
        return (
            [
                "ATTACH ':memory:' AS aux",
                "ATTACH ':memory:' AS \"odd.db\"",
                'CREATE TABLE aux.customers AS SELECT * FROM "order"',
                'CREATE TABLE "odd.db".tags AS SELECT * FROM "user"',
                'CREATE TABLE aux.events AS SELECT * FROM "select"',
            ],
            "aux.customers",
            '"odd.db".tags',
            "aux.events",
        )
    if name == "clickhouse":
        names = f"`{engine.database('names')}`"  # the process's one chdb session
        return (
            [
                "DROP DATABASE IF EXISTS crm",
                "DROP DATABASE IF EXISTS `Odd.Schema`",
                "CREATE DATABASE crm",
                "CREATE DATABASE `Odd.Schema`",
                f"CREATE TABLE crm.customers ENGINE = Memory AS SELECT * FROM {names}.`order`",
                f"CREATE TABLE `Odd.Schema`.tags ENGINE = Memory AS SELECT * FROM {names}.`user`",
                f"CREATE TABLE crm.events ENGINE = Memory AS SELECT * FROM {names}.`select`",
            ],
            "crm.customers",
            '"Odd.Schema".tags',
            "crm.events",
        )
    if name == "spark":
        return (
            [
                "CREATE DATABASE crm",
                "CREATE TABLE crm.customers USING parquet AS SELECT * FROM `order`",
                "CREATE TABLE crm.tags USING parquet AS SELECT * FROM `user`",
                "CREATE TABLE crm.events USING parquet AS SELECT * FROM `select`",
            ],
            "spark_catalog.crm.customers",
            "crm.tags",
            "crm.events",
        )
    if name == "mariadb":  # a schema is a database
        return (
            [
                "DROP DATABASE IF EXISTS crm",
                "DROP DATABASE IF EXISTS `Odd.Schema`",
                "CREATE DATABASE crm",
                "CREATE DATABASE `Odd.Schema`",
                "CREATE TABLE crm.customers AS SELECT * FROM names.`order`",
                "CREATE TABLE `Odd.Schema`.tags AS SELECT * FROM names.`user`",
                "CREATE TABLE crm.events AS SELECT * FROM names.`select`",
            ],
            "crm.customers",
            '"Odd.Schema".tags',
            "crm.events",
        )
    assert name == "datafusion"
    return (
        [
            "CREATE SCHEMA datafusion.crm",
            'CREATE TABLE datafusion.crm.customers AS SELECT * FROM "order"',
            'CREATE TABLE crm.tags AS SELECT * FROM "user"',
            'CREATE TABLE datafusion.public.events AS SELECT * FROM "select"',
        ],
        "datafusion.crm.customers",
        "crm.tags",
        "public.events",
    )


def _executor(engine: Any) -> Callable[[str], object]:
    if engine.name in ("duckdb", "sqlite"):
        return engine.connections["names"].execute  # type: ignore[no-any-return]
    if engine.name == "postgres":
        return engine.connection.execute  # type: ignore[no-any-return]
    if engine.name == "mariadb":
        return lambda sql: engine.run("names", sql)
    if engine.name == "clickhouse":
        return engine.session.query  # type: ignore[no-any-return]
    if engine.name == "spark":
        engine.run("names", "SELECT 1")  # registers the tables as views
        return engine.session.sql  # type: ignore[no-any-return]
    return lambda sql: engine.contexts["names"].sql(sql).collect()


def test_qualified_table_names_run_everywhere(engine: Any, tmp_path: Path) -> None:
    setup, customers, tags, events = _qualified(engine)
    execute = _executor(engine)
    for statement in setup:
        execute(statement)
    found = members(engine, "names", make_project(tmp_path, schema(customers, tags, events)))
    wrong = {rule: got for rule, got in found.items() if got != RULES[rule]}
    assert not wrong, f"{engine.name}: {wrong}"
