"""Facts a dialect family states once: every dialect of the family compiles alike."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import segdsl
from segdsl.demo import write_demo
from segdsl.diagnostics import SegdslError
from segdsl.emit.dialects import DIALECTS


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> segdsl.Project:
    root: Path = tmp_path_factory.mktemp("demo") / "shop"
    write_demo(root, customers=200)
    return segdsl.load(root)


def _clock(demo: segdsl.Project, dialect: str) -> str:
    """`seen_today` reads *as of*; unpinned, the SQL reads the engine's clock."""
    return demo.compile(["seen_today"], dialect=dialect, pretty=False)


@pytest.mark.parametrize("dialect", ["spark", "databricks"])
def test_spark_reads_the_clock_in_utc(demo: segdsl.Project, dialect: str) -> None:
    assert "CONVERT_TIMEZONE('UTC', CURRENT_TIMESTAMP())" in _clock(demo, dialect)


@pytest.mark.parametrize("dialect", ["spark2", "hive"])
def test_spark_2_and_hive_refuse_an_unpinned_as_of(demo: segdsl.Project, dialect: str) -> None:
    with pytest.raises(SegdslError) as raised:
        _clock(demo, dialect)
    [diagnostic] = raised.value.diagnostics
    assert diagnostic.code == "E501"
    assert "CONVERT_TIMEZONE" in diagnostic.message and "--as-of" in diagnostic.message


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_every_dialect_compiles_an_unpinned_clock_or_says_why(
    demo: segdsl.Project, dialect: str
) -> None:
    try:
        sql = _clock(demo, dialect)
    except SegdslError as error:
        assert [d.code for d in error.diagnostics] == ["E501"]
    else:
        pinned = demo.compile(
            ["seen_today"], dialect=dialect, pretty=False, as_of=dt.datetime(2026, 1, 2, 3, 4)
        )
        assert "2026-01-02" in pinned and "2026" not in sql, sql
