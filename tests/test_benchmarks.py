"""Smoke test of the benchmark code at a tiny scale, so that it cannot rot.

No timing is asserted: only that every comparison runs, that every hand-written
variant and the pandas and polars versions return segdsl's members (the
benchmark raises otherwise), and that the report has its rows.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

pytest.importorskip("polars")
pytest.importorskip("pyarrow")
pytest.importorskip("pandas")

import segdsl
from benchmarks import hand
from benchmarks.__main__ import main
from benchmarks.warehouses import WAREHOUSE, random_order_copy
from segdsl.demo import write_demo


def test_set_plan_covers_every_segment() -> None:
    assert set(hand.COLUMNS) == set(hand.SEGMENTS)
    assert len(hand.set_plans()) == 2


@pytest.mark.slow  # about 20 fresh processes: some 10 s of CPU
def test_quick_run_writes_report(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert (
        main(
            [
                "--quick",
                "--customers",
                "1500",
                "--work",
                str(tmp_path),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    results = json.loads((out / "results.json").read_text())
    assert set(results["orders"]) == {"time"}  # the second column: the test below
    segments = results["orders"]["time"]["segments"]
    assert set(segments) == set(hand.SEGMENTS)
    assert all(case["compiled"] and case["hand"] for case in segments.values())
    text = (out / "RESULTS.md").read_text()
    for row in (
        "each segment, compiled / best hand-written",
        "in one `run` / floor",
        "percentile segment",
        "pandas / segdsl",
        "polars / segdsl",
    ):
        assert row in text


@pytest.mark.slow
def test_scale_run_writes_its_table(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert (
        main(
            [
                "--scale",
                "--sizes",
                "300,600",
                "--runs",
                "1",
                "--work",
                str(tmp_path),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    scale = json.loads((out / "scale.json").read_text())
    assert [s["customers"] for s in scale["sizes"]] == [300, 600]
    assert all(s["run"]["rss"] > 0 for s in scale["sizes"])
    assert "## Scale" in (out / "RESULTS.md").read_text()


def test_the_random_order_copy_holds_the_same_rows_in_another_order(tmp_path: Path) -> None:
    """The second column's warehouse (`--random`, measured by the same code as the first):
    the same rows, so the same members, stored in another order. The quick run above
    leaves the column out, which doubled its time."""
    import duckdb

    project = tmp_path / "demo"
    write_demo(project, customers=300)
    copy = random_order_copy(project, tmp_path / "random")
    query = "SELECT customer_id, ts FROM events"
    with (
        duckdb.connect(str(project / WAREHOUSE), read_only=True) as a,
        duckdb.connect(str(copy / WAREHOUSE), read_only=True) as b,
    ):
        before, after = a.execute(query).fetchall(), b.execute(query).fetchall()
    assert sorted(before) == sorted(after) and before != after
    as_of = dt.datetime(2025, 12, 31, 12)
    here = segdsl.load(project).run(["abandoned_cart", "gold"], as_of=as_of)
    there = segdsl.load(copy).run(["abandoned_cart", "gold"], as_of=as_of)
    assert here.sizes() == there.sizes()
