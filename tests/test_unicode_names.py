"""Segment, segmentation, trait and set names in any script (issue 16): `спящие_клиенты`
and `휴면고객` check, compile with quoted names in every dialect and return their members,
hand-computed, on DuckDB and PostgreSQL; names are NFC-normalised on both sides (the
defining file, the rule) and compared case-folded for E209."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
import sqlglot
from support import engines

import segdsl
from segdsl.emit import dialects

AS_OF = dt.datetime(2025, 12, 31, 12, 0, 0)
NFD_CAFE = unicodedata.normalize("NFD", "café_kunden")  # `e` + U+0301 in the segment file

SCHEMA = """customers:
  table: customers
  key: id
  fields: {country: string, last_seen_at: timestamp}
events:
  purchase: {table: orders, key: id, time: ordered_at}
sets:
  СНГ: [RU, KZ, BY]
traits:
  дней_без_визита: days_since(last_seen_at)
"""
SEGMENTS = f"""segments:
  спящие_клиенты:
    where: дней_без_визита > 90
  휴면고객:
    where: in segment спящие_клиенты and not did purchase within 365 days
  из_снг:
    where: country in СНГ
  {NFD_CAFE}:
    where: country = "FR"
  mit_café:
    where: in segment café_kunden or country = "KR"
segmentations:
  активность:
    - 활동: not in segment спящие_клиенты
    - else: спящие
"""
# id country last_seen_at          days since   orders
#  1 RU      2025-12-30 12:00       1            -
#  2 KR      2025-06-01 12:00       213          2025-03-01 (within 365 days)
#  3 FR      2024-12-01 12:00       395          2024-06-01 (more than 365 days ago)
#  4 KZ      -                      missing      -
#  5 DE      2025-10-02 00:00       90           -        (90 days: not > 90)
CUSTOMERS = [
    (1, "RU", dt.datetime(2025, 12, 30, 12)),
    (2, "KR", dt.datetime(2025, 6, 1, 12)),
    (3, "FR", dt.datetime(2024, 12, 1, 12)),
    (4, "KZ", None),
    (5, "DE", dt.datetime(2025, 10, 2)),
]
ORDERS = [(2, dt.datetime(2025, 3, 1)), (3, dt.datetime(2024, 6, 1))]
MEMBERS = {
    "спящие_клиенты": [2, 3],
    "휴면고객": [3],
    "из_снг": [1, 4],
    "café_kunden": [3],
    "mit_café": [2, 3],
}
BUCKETS = {"활동": [1, 4, 5], "спящие": [2, 3]}  # 4: a missing last_seen_at is not > 90


def _write(root: Path, segments: str = SEGMENTS) -> None:
    (root / "segments").mkdir(parents=True, exist_ok=True)
    (root / "segdsl.yaml").write_text(
        "name: u\nschema: schema.yaml\nsegments: [segments/]\nwarehouse: w.duckdb\n",
        encoding="utf-8",
    )
    (root / "schema.yaml").write_text(SCHEMA, encoding="utf-8")
    (root / "segments" / "s.yaml").write_text(segments, encoding="utf-8")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> segdsl.Project:
    root = tmp_path_factory.mktemp("unicode")
    _write(root)
    with duckdb.connect(str(root / "w.duckdb")) as con:
        con.execute("CREATE TABLE customers (id INTEGER, country VARCHAR, last_seen_at TIMESTAMP)")
        con.executemany("INSERT INTO customers VALUES (?, ?, ?)", CUSTOMERS)
        con.execute("CREATE TABLE orders (id INTEGER, ordered_at TIMESTAMP)")
        con.executemany("INSERT INTO orders VALUES (?, ?)", ORDERS)
    return segdsl.load(root)


def test_names_in_any_script_check(project: segdsl.Project) -> None:
    assert project.check() == []
    assert "café_kunden" in project.segments  # stored NFC, as the rule spells it


def _members(result: segdsl.Result) -> dict[str, list[int]]:
    return {name: sorted(result.members(name)) for name in MEMBERS}


def test_members_on_duckdb(project: segdsl.Project) -> None:
    result = project.run(as_of=AS_OF)
    assert _members(result) == MEMBERS
    for bucket, members in BUCKETS.items():
        assert sorted(result.members("активность", bucket)) == members


def test_the_hand_written_sql_agrees(project: segdsl.Project) -> None:
    """An independent count: the rule of 휴면고객 written by hand over the same tables."""
    with duckdb.connect(str(project.root / "w.duckdb"), read_only=True) as con:
        rows = con.execute(
            """SELECT id FROM customers c WHERE date_diff('day', last_seen_at::DATE,
            DATE '2025-12-31') > 90 AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = c.id
            AND o.ordered_at BETWEEN TIMESTAMP '2024-12-31 12:00' AND TIMESTAMP
            '2025-12-31 12:00') ORDER BY id"""
        ).fetchall()
    assert [r[0] for r in rows] == MEMBERS["휴면고객"]


@pytest.mark.parametrize("dialect", sorted(dialects()))
def test_every_dialect_quotes_the_names(project: segdsl.Project, dialect: str) -> None:
    """The result's columns are the names, quoted; the SQL reads back as the same names."""
    try:
        sql = project.compile(list(MEMBERS), dialect=dialect, as_of=AS_OF)
    except segdsl.SegdslError as error:
        assert all(d.code.startswith("E5") for d in error.diagnostics)
        return
    read = "postgres" if dialect == "datafusion" else dialect
    if dialect in ("dax", "prql"):
        return
    names = {s.alias_or_name for s in sqlglot.parse_one(sql, read=read).selects}
    assert set(MEMBERS) <= names


def test_names_equal_once_case_folded_are_e209(tmp_path: Path) -> None:
    _write(tmp_path, SEGMENTS + '  STRASSE:\n    - a: country = "DE"\n')
    (tmp_path / "segments" / "t.yaml").write_text(
        'segments:\n  Straße:\n    where: country = "DE"\n  СПЯЩИЕ_КЛИЕНТЫ:\n'
        '    where: country = "RU"\n',
        encoding="utf-8",
    )
    codes = sorted(d.code for d in segdsl.load(tmp_path).check())
    assert codes == ["E209", "E209"]


@pytest.mark.parametrize("name", ["клиенты²", "2клиента", "고객-2", "a\u200bb"])
def test_what_is_not_an_identifier_is_e410(tmp_path: Path, name: str) -> None:
    _write(tmp_path, f'segments:\n  "{name}":\n    where: country = "DE"\n')
    assert [d.code for d in segdsl.load(tmp_path).check()] == ["E410"]


def test_fields_stay_ascii(tmp_path: Path) -> None:
    _write(tmp_path)
    schema = SCHEMA.replace("country: string", "страна: string")
    (tmp_path / "schema.yaml").write_text(schema, encoding="utf-8")
    assert "E410" in {d.code for d in segdsl.load(tmp_path).check()}


@pytest.fixture(scope="module")
def postgres_url(project: segdsl.Project) -> Iterator[str]:
    if not engines.POSTGRES_BIN:
        pytest.skip("PostgreSQL is not installed (/usr/lib/postgresql/*/bin/postgres)")
    server = engines.PostgresServer()
    try:
        admin = engines.PostgresEngine(server.dsn())
        admin.connection.execute('CREATE DATABASE "u"')
        admin.close()
        url = f"postgresql://postgres@127.0.0.1:{server.port}/u"
        loader = engines.PostgresEngine(url)
        loader.load("public", engines.read_warehouse(project.root / "w.duckdb"))
        loader.close()
        yield url
    finally:
        server.stop()


@pytest.mark.postgres
def test_members_on_postgres(project: segdsl.Project, postgres_url: str) -> None:
    result = project.run(as_of=AS_OF, warehouse=postgres_url)
    assert _members(result) == MEMBERS
    for bucket, members in BUCKETS.items():
        assert sorted(result.members("активность", bucket)) == members


def test_a_name_asked_for_in_nfd_is_the_nfc_segment(project: segdsl.Project) -> None:
    sql = project.compile([NFD_CAFE], as_of=AS_OF)
    assert sql == project.compile(["café_kunden"], as_of=AS_OF)


def test_explain_takes_the_names_too(project: segdsl.Project) -> None:
    assert project.explain(NFD_CAFE, as_of=AS_OF) == project.explain("café_kunden", as_of=AS_OF)
    assert project.explain("휴면고객", as_of=AS_OF) is not None
