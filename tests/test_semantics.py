"""What rules mean, on DuckDB: the cases of tests/cases/semantics/ over the tiny shop of
tests/cases/shops/semantics.yaml (its header comment shows every row).

Every expected set is worked out by hand from docs/semantics.md, never pasted from a run.
Each case also checks the partition property of two-valued logic: `not (R)` holds for
exactly the customers outside R, missing values included. The reference evaluator
(test_reference.py) and the engine matrix (test_engines.py) run the same case files.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from support import cases
from support.shops import ShopProject

import segdsl

SHOP = cases.shop("semantics")
AS_OF = SHOP.as_of
EVERYONE = SHOP.everyone
CASES = cases.cases("semantics")
SEGMENT_FILES = [f for f in cases.case_files("semantics") if f.segment_file]


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[dt.datetime, str], Any]:
    """Members of every rule and its negation, one batch of runs per *as of*."""
    shop = ShopProject("semantics", tmp_path_factory.mktemp("semantics"))
    by_as_of: dict[dt.datetime, list[str]] = {}
    for case in cases.with_negations(CASES):
        by_as_of.setdefault(case.as_of, []).append(case.rule)
    return {
        (as_of, rule): members
        for as_of, rules in by_as_of.items()
        for rule, members in shop.members_many(rules, as_of).items()
    }


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule(answers: dict[tuple[dt.datetime, str], Any], case: cases.Case) -> None:
    for expected in (case, *cases.with_negations([case])[1:]):
        got = answers[expected.as_of, expected.rule]
        if isinstance(got, Exception):
            pytest.fail(f"the rule does not check or run:\n{got}")
        assert got == set(expected.members), f"members of: {expected.rule}"


# ---- segments referring to segments, and segmentations -----------------------------------


@pytest.fixture(scope="module", params=SEGMENT_FILES, ids=lambda f: f.path.stem)
def segment_case(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[cases.CaseFile, Any]:
    """A case file's segment file in a shop project of its own, run once."""
    case_file: cases.CaseFile = request.param
    shop = ShopProject("semantics", tmp_path_factory.mktemp("segments"))
    shop.write_segments(case_file.segment_file or "", "segments.yaml")
    return case_file, segdsl.load(shop.root).run(as_of=AS_OF)


def read_csv(result: Any, path: Path) -> list[dict[str, str]]:
    result.write(path)
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_segment_references_and_segmentations(segment_case: tuple[cases.CaseFile, Any]) -> None:
    case_file, result = segment_case
    assert case_file.members
    for name, expected in case_file.members.items():
        assert set(result.members(name)) == expected, name


def test_segmentation_gives_each_customer_its_first_matching_bucket(
    segment_case: tuple[cases.CaseFile, Any], tmp_path: Path
) -> None:
    case_file, result = segment_case
    rows = read_csv(result, tmp_path / "buckets.csv")
    for name, expected in case_file.buckets.items():
        buckets = {int(row["customer_id"]): row[name] for row in rows}
        assert buckets == expected
        sizes = {s.bucket: s.members for s in result.sizes() if s.name == name}
        assert sizes == dict(Counter(expected.values()))


# ---- output files and the warehouse -------------------------------------------------------

OUTPUT_SEGMENTS = """\
segments:
  eu:
    where: country in EU
  grown:
    where: adult
"""


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture()
def output_shop(tmp_path: Path) -> ShopProject:
    shop = ShopProject("semantics", tmp_path / "project")
    shop.write_segments(OUTPUT_SEGMENTS, "segments.yaml")
    return shop


def test_csv_has_a_header_and_one_sorted_row_per_customer(
    output_shop: ShopProject, tmp_path: Path
) -> None:
    out = tmp_path / "members.csv"
    segdsl.load(output_shop.root).run(["eu", "grown"], as_of=AS_OF).write(out)
    # 3 is in neither segment: false, never an empty (NULL) cell
    assert out.read_text().splitlines() == [
        "customer_id,eu,grown",
        "1,true,true",
        "2,true,false",
        "3,false,false",
        "4,true,true",
        "5,false,true",
        "6,false,false",
        "7,false,true",
    ]


def test_csv_of_every_segment_parses_back(output_shop: ShopProject, tmp_path: Path) -> None:
    rows = read_csv(segdsl.load(output_shop.root).run(as_of=AS_OF), tmp_path / "all.csv")
    assert [int(r["customer_id"]) for r in rows] == sorted(EVERYONE)
    assert {int(r["customer_id"]) for r in rows if r["eu"] == "true"} == {1, 2, 4}
    assert {r["eu"] for r in rows} | {r["grown"] for r in rows} == {"true", "false"}


def test_parquet_matches_the_members(output_shop: ShopProject, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "members.parquet"
    result = segdsl.load(output_shop.root).run(["eu", "grown"], as_of=AS_OF)
    result.write(out)
    table = pq.read_table(out).to_pylist()
    assert [r["customer_id"] for r in table] == sorted(EVERYONE)
    assert {r["customer_id"] for r in table if r["grown"]} == set(result.members("grown"))
    assert all(isinstance(r["eu"], bool) for r in table)


def test_a_run_leaves_the_warehouse_untouched(output_shop: ShopProject, tmp_path: Path) -> None:
    warehouse = output_shop.root / "warehouse.duckdb"
    before = digest(warehouse)
    listing = sorted(p.name for p in output_shop.root.iterdir())
    project = segdsl.load(output_shop.root)
    for as_of in (AS_OF, dt.datetime(2020, 1, 1)):
        result = project.run(as_of=as_of)
        result.sizes()
        result.write(tmp_path / "out.csv")
        result.write(tmp_path / "out.parquet")
    del result
    assert digest(warehouse) == before
    assert sorted(p.name for p in output_shop.root.iterdir()) == listing  # no .wal beside it


def test_duckdb_table_replaces_only_its_own_table(output_shop: ShopProject, tmp_path: Path) -> None:
    import duckdb

    out = tmp_path / "results.duckdb"
    with duckdb.connect(str(out)) as connection:
        connection.execute("CREATE TABLE kept AS SELECT 42 AS answer")
        connection.execute("CREATE TABLE members AS SELECT 'stale' AS old")
    project = segdsl.load(output_shop.root)
    project.run(["eu", "grown"], as_of=AS_OF).write(out)
    project.run(["eu"], as_of=AS_OF).write(out, table='eu "only"')
    with duckdb.connect(str(out), read_only=True) as connection:
        assert connection.execute("SELECT * FROM kept").fetchall() == [(42,)]
        rows = connection.execute("SELECT * FROM members").fetchall()
        assert [r[0] for r in rows] == sorted(EVERYONE)  # sorted by key
        assert {r[0] for r in rows if r[1]} == {1, 2, 4}
        assert {r[0] for r in rows if r[2]} == {1, 4, 5, 7}
        assert [d[0] for d in connection.execute("SELECT * FROM members").description] == [
            "customer_id",
            "eu",
            "grown",
        ]
        only = connection.execute('SELECT * FROM "eu ""only"""').fetchall()
        assert only == [(1,), (2,), (4,)]  # one segment alone: its members' keys, sorted


def test_duckdb_output_is_never_the_warehouse(output_shop: ShopProject) -> None:
    warehouse = output_shop.root / "warehouse.duckdb"
    before = digest(warehouse)
    result = segdsl.load(output_shop.root).run(["eu"], as_of=AS_OF)
    with pytest.raises(segdsl.SegdslError) as raised:
        result.write(warehouse)
    assert raised.value.diagnostics[0].code == "E418"
    del result
    assert digest(warehouse) == before
