"""`segdsl snapshot` and `segdsl history`: the sizes, entered and left of each snapshot
proven against Python sets of the members that a run gives at each *as of* (each run
independent of the state database), `rule_changed` against a real edit of a rule between
two snapshots, on DuckDB and PostgreSQL; the warehouse is never written, and is refused
as the state database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from support import engines

import segdsl
from segdsl import cli
from segdsl.demo import write_demo
from segdsl.review.fingerprint import rule_hash
from segdsl.review.history import History

AS_OFS = [dt.datetime(2025, 10, 31), dt.datetime(2025, 11, 30), dt.datetime(2025, 12, 31, 12)]
NAMES = ["gold", "eu_sale_waiters", "lifecycle", "value_tier"]
GOLD = "percentile(ltv) >= 95 and did purchase within 12 months"
WIDER_GOLD = "percentile(ltv) >= 90 and did purchase within 12 months"

Expected = dict[tuple[str, str | None], list[tuple[int, int, int]]]


def git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=folder, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(list(args))
    return status, out.getvalue(), err.getvalue()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def members_at(project: segdsl.Project, as_of: dt.datetime, warehouse: Any = None) -> dict:
    """Each unit's members at `as_of`, as Python sets, from runs of their own."""
    result = project.run(NAMES, as_of, warehouse)
    found: dict[tuple[str, str | None], set[str]] = {}
    for name in NAMES:
        if name in project.segmentations:
            for bucket in project.segmentations[name].buckets:
                found[(name, bucket.name)] = {str(k) for k in result.members(name, bucket.name)}
        else:
            found[(name, None)] = {str(k) for k in result.members(name)}
    return found


def expected_steps(sets: list[dict]) -> Expected:
    """(members, entered, left) per unit per snapshot: set differences, the first snapshot
    against nobody."""
    steps: Expected = {}
    for unit in sets[0]:
        previous: set[str] = set()
        for at in sets:
            steps.setdefault(unit, []).append(
                (len(at[unit]), len(at[unit] - previous), len(previous - at[unit]))
            )
            previous = at[unit]
    return steps


def steps_of(found: History) -> Expected:
    steps: Expected = {}
    for s in found.snapshots:
        steps.setdefault((found.segment, s.bucket), []).append((s.members, s.entered, s.left))
    return steps


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo in a git repository, committed."""
    folder = tmp_path_factory.mktemp("snapshot") / "demo"
    write_demo(folder, customers=1000, seed=7)
    (folder / ".gitignore").write_text("warehouse.duckdb\n.segdsl/\n")
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "the demo")
    return folder


@pytest.fixture(scope="module")
def taken(root: Path) -> dict[str, Any]:
    """Two snapshots by the command line, `gold` widened and committed, a third by the
    API; the members each instant had, run apart from the snapshots."""
    warehouse = root / "warehouse.duckdb"
    before = digest(warehouse)
    sets = []
    for as_of in AS_OFS[:2]:
        status, _, err = run_cli(
            "--project", str(root), "snapshot", *NAMES, "--as-of", as_of.isoformat()
        )
        assert status == 0, err
        sets.append(members_at(segdsl.load(root), as_of))
    value = root / "segments" / "value.yaml"
    assert GOLD in value.read_text()
    value.write_text(value.read_text().replace(GOLD, WIDER_GOLD))
    git(root, "commit", "-q", "-am", "gold: the top tenth")
    project = segdsl.load(root)
    summary = project.snapshot(NAMES, AS_OFS[2])
    sets.append(members_at(project, AS_OFS[2]))
    return {"before": before, "sets": sets, "summary": summary, "project": project}


def test_history_counts_are_the_set_differences(taken: dict[str, Any]) -> None:
    expected = expected_steps(taken["sets"])
    project = taken["project"]
    for name in NAMES:
        found = project.history(name)
        assert [s.as_of for s in found.snapshots] == sorted(s.as_of for s in found.snapshots)
        assert steps_of(found) == {u: v for u, v in expected.items() if u[0] == name}
    assert any(entered and left for _, entered, left in expected[("gold", None)][1:])


def test_rule_changed_flips_only_where_the_rule_did(taken: dict[str, Any]) -> None:
    project = taken["project"]
    gold = project.history("gold")
    assert [s.rule_changed for s in gold.snapshots] == [False, False, True]
    # lifecycle's `vip` bucket is `in segment gold`: the edit is a change of lifecycle too
    assert {s.as_of for s in project.history("lifecycle").snapshots if s.rule_changed} == {
        AS_OFS[2]
    }
    assert not any(s.rule_changed for s in project.history("eu_sale_waiters").snapshots)
    assert not any(s.rule_changed for s in project.history("value_tier").snapshots)


def test_the_revision_is_the_commit_of_each_snapshot(root: Path, taken: dict[str, Any]) -> None:
    head = git(root, "rev-parse", "HEAD").strip()
    first = git(root, "rev-parse", "HEAD~1").strip()
    assert taken["summary"].revision == head
    assert [s.revision for s in taken["project"].history("gold").snapshots] == [first, first, head]


def test_the_warehouse_is_not_written(root: Path, taken: dict[str, Any]) -> None:
    assert digest(root / "warehouse.duckdb") == taken["before"]
    assert (root / ".segdsl" / "state.duckdb").is_file()


def test_json_has_the_documented_shape(root: Path, taken: dict[str, Any]) -> None:
    status, out, _ = run_cli("--project", str(root), "history", "gold", "--format", "json")
    assert status == 0
    document = json.loads(out)
    assert document == taken["project"].history("gold").to_json()
    assert list(document) == ["segment", "snapshots"]
    assert document["segment"] == "gold"
    row = document["snapshots"][2]
    assert list(row) == ["as_of", "members", "entered", "left", "rule_changed"]
    assert row["as_of"] == "2025-12-31T12:00:00" and row["rule_changed"] is True
    status, out, _ = run_cli("--project", str(root), "history", "lifecycle", "--format", "json")
    buckets = [r["bucket"] for r in json.loads(out)["snapshots"][:5]]
    assert buckets == [b.name for b in taken["project"].segmentations["lifecycle"].buckets]


def test_the_text_table_and_the_chart(root: Path, taken: dict[str, Any], tmp_path: Path) -> None:
    plot = tmp_path / "lifecycle.svg"
    status, out, _ = run_cli("--project", str(root), "history", "lifecycle", "--plot", str(plot))
    assert status == 0
    header, rule, *rows = out.splitlines()
    assert header.split() == [
        "as",
        "of",
        "bucket",
        "members",
        "entered",
        "left",
        "rule",
        "revision",
    ]
    assert (
        len(rows) == 15 + 3
        and rows[-1] == f"wrote {plot}"
        and "changed" in rows[10]
        and "changed" not in rows[9]
    )
    tree = ElementTree.fromstring(plot.read_text())
    lines = tree.findall("{http://www.w3.org/2000/svg}polyline")
    assert len(lines) == len(taken["project"].segmentations["lifecycle"].buckets)
    assert all(len(line.get("points", "").split()) == 3 for line in lines)


def test_a_second_snapshot_of_an_instant_replaces_it(taken: dict[str, Any]) -> None:
    project = taken["project"]
    before = project.history("eu_sale_waiters")
    again = project.snapshot(["eu_sale_waiters"], AS_OFS[1])
    assert again.replaced
    after = project.history("eu_sale_waiters")
    assert steps_of(after) == steps_of(before)
    assert [s.rule_changed for s in after.snapshots] == [s.rule_changed for s in before.snapshots]
    assert after.snapshots[1].revision == again.revision  # the replacing snapshot's
    assert len(project.history("gold").snapshots) == 3  # the segments not taken again kept


def test_an_interrupted_snapshot_leaves_the_state_as_it_was(
    taken: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from segdsl.execute.state import StateDatabase

    project = taken["project"]
    before = [project.history(n) for n in NAMES]
    calls = []
    original = StateDatabase.run

    def interrupted(self: StateDatabase, statement: Any, parameters: Any = ()) -> None:
        calls.append(statement)
        if len(calls) == 8:  # the old rows deleted, some new ones written
            raise KeyboardInterrupt
        original(self, statement, parameters)

    monkeypatch.setattr(StateDatabase, "run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        project.snapshot(NAMES, AS_OFS[0])
    monkeypatch.undo()
    assert [project.history(n) for n in NAMES] == before


def test_the_warehouse_is_refused_as_the_state(root: Path, tmp_path: Path) -> None:
    copy = tmp_path / "demo"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".git", ".segdsl"))
    os.link(copy / "warehouse.duckdb", copy / "linked.duckdb")  # the same file, by inode
    project_file = copy / "segdsl.yaml"
    project_file.write_text(project_file.read_text() + "state: linked.duckdb\n")
    before = digest(copy / "warehouse.duckdb")
    status, out, err = run_cli("--project", str(copy), "snapshot", "gold", "--as-of", "2025-12-31")
    assert status == 2 and "E430" in err and out == ""
    assert digest(copy / "warehouse.duckdb") == before
    status, _, err = run_cli("--project", str(copy), "history", "gold")
    assert status == 2 and "E430" in err
    other = tmp_path / "other.duckdb"  # another warehouse: the project's is still refused
    shutil.copyfile(copy / "warehouse.duckdb", other)
    status, _, err = run_cli(
        "--project",
        str(copy),
        "snapshot",
        "gold",
        "--as-of",
        "2025-12-31",
        "--warehouse",
        str(other),
    )
    assert status == 2 and "E430" in err


def test_an_unknown_segment_and_one_never_snapshotted(root: Path, taken: dict[str, Any]) -> None:
    status, _, err = run_cli("--project", str(root), "history", "gol")
    assert status == 1 and "E203" in err and "gold" in err
    assert taken["project"].history("awaits_sale").snapshots == ()


def test_the_hash_follows_what_a_rule_refers_to(root: Path, tmp_path: Path) -> None:
    copy = tmp_path / "demo"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".git", ".segdsl", "*.duckdb"))
    names = ["gold", "top_20_percent", "lifecycle", "eu_sale_waiters"]
    first = {n: rule_hash(segdsl.load(copy), n) for n in names}
    value = copy / "segments" / "value.yaml"
    value.write_text(
        value.read_text().replace(WIDER_GOLD, WIDER_GOLD.replace(" and", "\n      and"))
    )
    assert {n: rule_hash(segdsl.load(copy), n) for n in names} == first  # a new line only
    schema = copy / "schema.yaml"
    schema.write_text(
        schema.read_text().replace(
            "ltv: sum(purchase.amount)", "ltv: sum(purchase.amount within 5 years)"
        )
    )
    changed = {n for n in names if rule_hash(segdsl.load(copy), n) != first[n]}
    assert changed == {"gold", "top_20_percent", "lifecycle"}


@pytest.fixture(scope="module")
def postgres_url(root: Path, postgres_server: engines.PostgresServer) -> str:
    return engines.postgres_database(postgres_server, "snapshot_history", root / "warehouse.duckdb")


@pytest.mark.postgres
def test_postgres_gives_the_same_history(
    root: Path, taken: dict[str, Any], postgres_url: str, tmp_path: Path
) -> None:
    copy = tmp_path / "demo"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".git", ".segdsl"))
    project = segdsl.load(copy)
    for as_of in AS_OFS:
        project.snapshot(NAMES, as_of, postgres_url)
    expected = expected_steps([members_at(project, as_of) for as_of in AS_OFS])
    for name in NAMES:
        found = project.history(name)
        assert steps_of(found) == {u: v for u, v in expected.items() if u[0] == name}
        assert not any(s.rule_changed or s.revision for s in found.snapshots)
