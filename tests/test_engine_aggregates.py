"""Sizes, measures and the key check of a run on another engine are aggregated there
(docs/warehouses.md#where-the-work-is-done): the same numbers as DuckDB's, with no row
fetched to the client until members are asked for; then everything reads the fetched rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from support import engines

import segdsl
from segdsl.demo import write_demo

AS_OF = dt.datetime(2025, 12, 31, 12)
NAMES = ["gold", "eu_sale_waiters", "lifecycle", "value_tier"]
MEASURES = ["ltv", "nps"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("aggregates") / "demo"
    write_demo(root)
    return root


def compare_on(demo: Path, warehouse: str) -> None:
    project = segdsl.load(demo)
    here = project.run(NAMES, AS_OF, measures=MEASURES)
    there = project.run(NAMES, AS_OF, warehouse, measures=MEASURES)
    assert there.sizes() == here.sizes()
    assert (there.total(), there.key_check()) == (here.total(), here.key_check())
    for a, b in zip(here.measures(), there.measures(), strict=True):
        assert (a.name, a.bucket, a.measure) == (b.name, b.bucket, b.measure)
        assert b.sum == pytest.approx(a.sum, rel=1e-12)
        assert b.average == (None if a.average is None else pytest.approx(a.average, rel=1e-12))
    assert not there.fetched  # nothing but aggregates came back
    assert there.members("gold") == here.members("gold") and there.fetched
    assert there.sizes() == here.sizes()  # now from the fetched rows
    one = project.run(["gold"], AS_OF, warehouse, measures=MEASURES)
    assert one.sizes() == project.run(["gold"], AS_OF).sizes() and not one.fetched


def test_sqlite_aggregates_on_the_engine(demo: Path, tmp_path: Path) -> None:
    copy = engines.sqlite_copy(demo / "warehouse.duckdb", tmp_path / "w.db")
    compare_on(demo, f"sqlite:///{copy}")


@pytest.fixture(scope="module")
def postgres_url(demo: Path, postgres_server: engines.PostgresServer) -> str:
    return engines.postgres_database(postgres_server, "aggregates", demo / "warehouse.duckdb")


@pytest.mark.postgres
def test_postgres_aggregates_on_the_engine(demo: Path, postgres_url: str) -> None:
    compare_on(demo, postgres_url)
