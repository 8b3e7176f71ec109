"""`entered segment S within D` and `left segment S within D` (docs/semantics.md#history):
the demo's `recent_buyers` (a purchase in the last 30 days) snapshotted at five instants,
each snapshot's members computed again here by hand-written SQL over the warehouse, and
the moves derived from those sets in Python: the members of every history rule must be
exactly those, on DuckDB, SQLite and PostgreSQL, through the API and the CLI."""

from __future__ import annotations

import calendar
import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from support import engines

import segdsl
from segdsl import cli
from segdsl.demo import write_demo
from segdsl.diagnostics import SegdslError
from segdsl.syntax.parser import parse_rule
from segdsl.syntax.printer import print_rule

SNAPSHOTS = [
    dt.datetime(2025, 10, 31),
    dt.datetime(2025, 11, 15),
    dt.datetime(2025, 12, 1),
    dt.datetime(2025, 12, 15, 6),
    dt.datetime(2025, 12, 31),
]

RULES = {
    "recent_buyers": "did purchase within 30 days",
    "new_recent": "entered segment recent_buyers within 20 days",
    "lapsed_recent": "left segment recent_buyers within 45 days",
    "new_and_still": "entered segment recent_buyers within 20 days and in segment recent_buyers",
    "not_new": "not entered segment recent_buyers within 1 month",
    "new_in_a_day": "entered segment recent_buyers within 1 day",
}
# (rule, moved, window) for the history rules above; `not_new` is the complement
ASKED = {
    "new_recent": ("entered", dt.timedelta(days=20)),
    "lapsed_recent": ("left", dt.timedelta(days=45)),
    "new_in_a_day": ("entered", dt.timedelta(days=1)),
}
AS_OFS = [dt.datetime(2025, 12, 31), dt.datetime(2025, 12, 20), dt.datetime(2025, 11, 10)]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("history") / "demo"
    write_demo(root)
    lines = ["segments:"]
    for name, rule in RULES.items():
        lines += [f"  {name}:", f"    where: {rule}"]
    (root / "segments" / "moves.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    project = segdsl.load(root)
    for at in SNAPSHOTS:
        project.snapshot(["recent_buyers"], as_of=at)
    return root


def recent_buyers(warehouse: Path, at: dt.datetime) -> set[int]:
    """The segment's members at `at`, by SQL written here: the customers (orders of unknown
    keys are no one's) with a purchase in [at - 30 days, at]."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "SELECT customer_id FROM customers WHERE customer_id IN (SELECT customer_id "
            "FROM orders WHERE ordered_at BETWEEN ? - INTERVAL 30 DAY AND ?)",
            [at, at],
        ).fetchall()
    return {key for (key,) in rows}


@pytest.fixture(scope="module")
def snapshots(demo: Path) -> dict[dt.datetime, set[int]]:
    return {at: recent_buyers(demo / "warehouse.duckdb", at) for at in SNAPSHOTS}


def expected_moves(
    snapshots: dict[dt.datetime, set[int]], moved: str, window: dt.timedelta, as_of: dt.datetime
) -> set[int]:
    """The keys that moved so at a snapshot in [as_of - window, as_of], each against the
    snapshot before it; the first snapshot is the baseline."""
    times = sorted(t for t in snapshots if t <= as_of)
    keys: set[int] = set()
    for before, now in zip(times, times[1:], strict=False):
        if as_of - window <= now:
            a, b = snapshots[before], snapshots[now]
            keys |= (b - a) if moved == "entered" else (a - b)
    return keys


def expected_members(
    demo: Path, snapshots: dict[dt.datetime, set[int]], as_of: dt.datetime, everyone: set[int]
) -> dict[str, set[int]]:
    moved = {n: expected_moves(snapshots, m, w, as_of) for n, (m, w) in ASKED.items()}
    months = expected_moves(snapshots, "entered", as_of - month_before(as_of), as_of)
    live = recent_buyers(demo / "warehouse.duckdb", as_of)
    return {**moved, "not_new": everyone - months, "new_and_still": moved["new_recent"] & live}


def month_before(t: dt.datetime) -> dt.datetime:
    """t minus one calendar month, clamped to the month's last day."""
    year, month = (t.year, t.month - 1) if t.month > 1 else (t.year - 1, 12)
    return t.replace(year=year, month=month, day=min(t.day, calendar.monthrange(year, month)[1]))


@pytest.fixture(scope="module")
def everyone(demo: Path) -> set[int]:
    with duckdb.connect(str(demo / "warehouse.duckdb"), read_only=True) as connection:
        rows = connection.execute("SELECT customer_id FROM customers").fetchall()
    return {key for (key,) in rows}


def members(project: Any, as_of: dt.datetime, warehouse: Any = None) -> dict[str, set[int]]:
    names = [n for n in RULES if n != "recent_buyers"]
    result = project.run(names, as_of, warehouse)
    return {n: set(result.members(n)) for n in names}


def check_all(found: dict[str, set[int]], expected: dict[str, set[int]]) -> None:
    for name, keys in expected.items():
        assert found[name] == keys, name


def test_the_moves_are_not_trivial(snapshots: dict[dt.datetime, set[int]]) -> None:
    """The fixture can tell the rules apart: people enter and leave at each step."""
    for before, now in zip(SNAPSHOTS, SNAPSHOTS[1:], strict=False):
        assert snapshots[now] - snapshots[before] and snapshots[before] - snapshots[now]


@pytest.mark.parametrize("as_of", AS_OFS, ids=lambda t: t.date().isoformat())
def test_members_on_duckdb_are_the_moves_of_the_snapshots(
    demo: Path, snapshots: dict[dt.datetime, set[int]], everyone: set[int], as_of: dt.datetime
) -> None:
    found = members(segdsl.load(demo), as_of)
    expected = expected_members(demo, snapshots, as_of, everyone)
    check_all(found, expected)
    if as_of == dt.datetime(2025, 11, 10):  # only the baseline is known then
        assert not found["new_recent"] and not found["lapsed_recent"]
    else:
        assert found["new_recent"] and found["lapsed_recent"]


def test_members_on_sqlite_equal_duckdb(
    demo: Path, snapshots: dict[dt.datetime, set[int]], everyone: set[int], tmp_path: Path
) -> None:
    copy = engines.sqlite_copy(demo / "warehouse.duckdb", tmp_path / "w.db")
    as_of = AS_OFS[0]
    check_all(
        members(segdsl.load(demo), as_of, f"sqlite:///{copy}"),
        expected_members(demo, snapshots, as_of, everyone),
    )


@pytest.fixture(scope="module")
def postgres_url(demo: Path, postgres_server: engines.PostgresServer) -> str:
    return engines.postgres_database(postgres_server, "history_rules", demo / "warehouse.duckdb")


@pytest.mark.postgres
def test_members_on_postgres_equal_duckdb(
    demo: Path, snapshots: dict[dt.datetime, set[int]], everyone: set[int], postgres_url: str
) -> None:
    as_of = AS_OFS[1]
    check_all(
        members(segdsl.load(demo), as_of, postgres_url),
        expected_members(demo, snapshots, as_of, everyone),
    )


def test_before_any_snapshot_the_run_stops_with_e488(demo: Path) -> None:
    with pytest.raises(SegdslError) as raised:
        segdsl.load(demo).run(["new_recent"], dt.datetime(2025, 10, 1))
    (problem,) = raised.value.diagnostics
    assert problem.code == "E488" and problem.location is not None
    assert (problem.location.path, problem.location.line) == ("segments/moves.yaml", 5)


def test_compile_lists_the_keys_and_needs_as_of(
    demo: Path, snapshots: dict[dt.datetime, set[int]]
) -> None:
    project = segdsl.load(demo)
    sql = project.compile(["new_in_a_day"], as_of=SNAPSHOTS[-1], pretty=False)
    entered = expected_moves(snapshots, "entered", dt.timedelta(days=1), SNAPSHOTS[-1])
    assert entered and "orders" not in sql  # answered from the snapshots, not the events
    with pytest.raises(SegdslError) as raised:
        project.compile(["new_in_a_day"])
    assert [d.code for d in raised.value.diagnostics] == ["E489"]


def test_a_later_snapshot_is_not_read_in_a_replay(
    demo: Path, snapshots: dict[dt.datetime, set[int]], tmp_path: Path
) -> None:
    """At 2025-12-15 06:00 exactly, the snapshot then counts (the window includes as of);
    a second earlier, it does not."""
    project = segdsl.load(demo)
    at = SNAPSHOTS[3]
    moved = snapshots[at] - snapshots[SNAPSHOTS[2]]
    assert set(project.run(["new_in_a_day"], at).members("new_in_a_day")) == moved
    earlier = at - dt.timedelta(seconds=1)
    assert set(project.run(["new_in_a_day"], earlier).members("new_in_a_day")) == set()


def test_the_cli_runs_and_check_is_clean(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--project", str(demo), "check"]) == 0
    capsys.readouterr()
    status = cli.main(
        ["--project", str(demo), "run", "new_recent", "--as-of", "2025-12-31", "--format", "json"]
    )
    assert status == 0
    assert '"new_recent"' in capsys.readouterr().out


@pytest.mark.parametrize(
    "text",
    [
        "ENTERED Segment recent_buyers WITHIN 7 Days",
        "not left segment спящие_клиенты within 1 month and in segment x",
        "entered segment a within 2 hours or left segment b within 1 year",
    ],
)
def test_the_printer_round_trips_history_rules(text: str) -> None:
    tree = parse_rule(text)
    printed = print_rule(tree)
    assert parse_rule(printed) == tree and print_rule(parse_rule(printed)) == printed
    assert "segment" in printed and printed == printed.replace("ENTERED", "entered")


HISTORY_TESTS = """tests:
  welcome_after_a_move:
    as_of: 2025-12-31T12:00:00
    given:
      customers:
        - {customer_id: 1}
        - {customer_id: 2}
        - {customer_id: 3}
        - {customer_id: 4}
    snapshots:
      recent_buyers:
        - {as_of: 2025-12-01, members: [1, 2]}
        - {as_of: 2025-12-20, members: [2, 3]}
        - {as_of: 2026-01-05, members: [4]}     # after as of: not read
    expect:
      new_recent: [3]
      lapsed_recent: [1]
      new_in_a_day: []
      not_new: [1, 2, 4]
  baseline_only:
    as_of: 2025-12-31
    given:
      customers: [{customer_id: 1}]
    snapshots:
      recent_buyers: [{as_of: 2025-12-30, members: [1]}]
    expect:
      new_recent: []
"""


@pytest.mark.parametrize("engine", ["duckdb", "reference"])
def test_segdsl_test_reads_a_tests_snapshots_not_the_state(
    demo: Path, engine: str, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    shutil.copytree(demo, root, ignore=shutil.ignore_patterns("warehouse.duckdb", ".segdsl"))
    (root / "tests" / "history.yaml").write_text(HISTORY_TESTS, encoding="utf-8")
    report = segdsl.load(root).test(["welcome_after_a_move", "baseline_only"], engine=engine)
    assert [r.name for r in report.results] == ["welcome_after_a_move", "baseline_only"]
    assert all(r.passed for r in report.results), report.results


def test_a_test_without_snapshots_is_e488(demo: Path, tmp_path: Path) -> None:
    """The project's state database has snapshots; a test still does not read them."""
    root = tmp_path / "project"
    shutil.copytree(demo, root, ignore=shutil.ignore_patterns("warehouse.duckdb"))
    (root / "tests" / "history.yaml").write_text(
        "tests:\n  no_snapshots:\n    as_of: 2025-12-31\n"
        "    given: {customers: [{customer_id: 1}]}\n    expect: {new_recent: []}\n",
        encoding="utf-8",
    )
    with pytest.raises(SegdslError) as raised:
        segdsl.load(root).test(["no_snapshots"])
    assert [d.code for d in raised.value.diagnostics] == ["E488"]


def test_explain_counts_a_history_clause_and_shows_its_window(
    demo: Path, snapshots: dict[dt.datetime, set[int]], everyone: set[int]
) -> None:
    as_of = AS_OFS[0]
    expected = expected_members(demo, snapshots, as_of, everyone)
    key = min(expected["new_and_still"])
    found = segdsl.load(demo).explain("new_and_still", customer=key, as_of=as_of)
    entered, still = found.clauses
    assert found.members == len(expected["new_and_still"]) and found.holds
    assert entered.members == len(expected["new_recent"]) and entered.holds
    assert entered.inputs == {"window": ["2025-12-11T00:00:00", "2025-12-31T00:00:00"]}
    assert still.still_in == len(expected["new_and_still"])
