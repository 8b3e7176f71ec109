"""`segdsl diff`: each segment's and bucket's members before and after a change, proven
against the reference evaluator run on each version's rules (a second implementation that
shares no SQL with the diff's statement), on DuckDB and PostgreSQL. The change is a real
one: a temporary git repository holds the demo in a subfolder, one commit, then rules
widened, narrowed, added and removed in the working tree.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from support import engines

import segdsl
from segdsl import cli, reference
from segdsl.diagnostics import SegdslError
from segdsl.document.stored import StoredFiles
from segdsl.review.diff import SAMPLE, Diff

AS_OF = dt.datetime(2025, 12, 31, 12)
EARLIER = dt.datetime(2025, 11, 30, 12)
NAMES = ["eu_sale_waiters", "eu_sale_waiters_mailable", "lifecycle", "long_lapsed", "brand_new"]
BRAND_NEW = "  brand_new:\n    where: inactive_days > 300 and not in segment eu_sale_waiters\n"


def git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=folder, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip


def commit_all(folder: Path, message: str) -> None:
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", message)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository: a first commit without the project, the demo in `shop/`, and the
    working tree changed from it."""
    top = tmp_path_factory.mktemp("diff") / "repo"
    top.mkdir()
    git(top, "init", "-q")
    (top / "README").write_text("no project yet\n")
    commit_all(top, "before the project")
    root = engines.build_demo(top / "shop")
    (root / ".gitignore").write_text("warehouse.duckdb\n")
    commit_all(top, "the demo")
    reactivation = root / "segments" / "reactivation.yaml"
    text = reactivation.read_text()
    text = text.replace("inactive_days > 30 and tag", "inactive_days > 5 and tag")
    start, end = text.index("  long_lapsed:"), text.index("  never_seen_online:")
    reactivation.write_text(text[:start] + text[end:] + BRAND_NEW)
    lifecycle = root / "segments" / "lifecycle.yaml"
    lifecycle.write_text(lifecycle.read_text().replace("within 90 days", "within 60 days"))
    return root


@pytest.fixture(scope="module")
def project(repo: Path) -> segdsl.Project:
    return segdsl.load(repo)


@pytest.fixture(scope="module")
def rows(repo: Path) -> dict[str, list[dict[str, Any]]]:
    return {
        table.name: [
            dict(zip([c.name for c in table.columns], row, strict=True)) for row in table.rows
        ]
        for table in engines.read_warehouse(repo / "warehouse.duckdb")
    }


@pytest.fixture(scope="module")
def by_base(project: segdsl.Project) -> Diff:
    return project.diff(NAMES, base="HEAD", as_of=AS_OF)


def expected(
    old: segdsl.Project,
    new: segdsl.Project,
    rows: Any,
    old_as_of: dt.datetime,
    names: list[str] = NAMES,
) -> dict[tuple[str, str | None], tuple[Any, ...]]:
    """(name, bucket) → before, after, entered, left and samples, by the reference
    evaluator over each version's rules, in plain Python."""
    found: dict[tuple[str, str | None], tuple[Any, ...]] = {}
    sides = [(reference.Rules.of(old), old, old_as_of), (reference.Rules.of(new), new, AS_OF)]
    for name in names:
        members: list[dict[str | None, set[Any]] | None] = []
        for rules, p, as_of in sides:
            if name in p.segments:
                members.append({None: reference.members(rules, name, rows, as_of)})
            elif name in p.segmentations:
                bucket_of = reference.buckets(rules, name, rows, as_of)
                names = [b.name for b in p.segmentations[name].buckets]
                members.append({b: {k for k, v in bucket_of.items() if v == b} for b in names})
            else:
                members.append(None)
        before, after = members
        for bucket in dict.fromkeys([*(after or {}), *(before or {})]):
            b = None if before is None or bucket not in before else before[bucket]
            a = None if after is None or bucket not in after else after[bucket]
            entered, left = (a or set()) - (b or set()), (b or set()) - (a or set())
            found[(name, bucket)] = (
                None if b is None else len(b),
                None if a is None else len(a),
                len(entered),
                len(left),
                tuple(sorted(entered)[:SAMPLE]),
                tuple(sorted(left)[:SAMPLE]),
            )
    return found


def as_table(found: Diff) -> dict[tuple[str, str | None], tuple[Any, ...]]:
    return {
        (c.name, c.bucket): (
            c.before, c.after, c.entered, c.left, c.entered_sample, c.left_sample,
        )
        for c in found.changes
    }  # fmt: skip


def test_base_counts_are_the_reference_evaluators(
    project: segdsl.Project, by_base: Diff, rows: Any
) -> None:
    old = project.at_revision("HEAD")
    assert as_table(by_base) == expected(old, project, rows, AS_OF)
    table = as_table(by_base)
    assert table[("brand_new", None)][0] is None and table[("long_lapsed", None)][1] is None
    widened = table[("eu_sale_waiters", None)]
    assert widened[2] > 0 and widened[3] == 0  # `> 5` only adds to `> 30`
    assert table[("lifecycle", "active")][3] > 0  # 60 days keeps fewer than 90
    assert by_base.customers == len(rows["customers"])
    assert by_base.base["revision"] == "HEAD" and len(by_base.base["commit"]) == 40


def test_vs_as_of_counts_are_the_reference_evaluators(project: segdsl.Project, rows: Any) -> None:
    names = [n for n in NAMES if n != "long_lapsed"]  # removed: these rules have it not
    found = project.diff(names, as_of=AS_OF, vs_as_of=EARLIER)
    assert found.base == {"as_of": "2025-11-30T12:00:00"}
    assert as_table(found) == expected(project, project, rows, EARLIER, names)
    assert any(c.entered and c.left for c in found.changes)


def test_the_base_at_an_older_commit_and_by_hash(project: segdsl.Project, repo: Path) -> None:
    commit = git(repo, "rev-parse", "HEAD").strip()
    by_hash = project.diff(["eu_sale_waiters"], base=commit, as_of=AS_OF)
    assert by_hash.changes == project.diff(["eu_sale_waiters"], base="HEAD", as_of=AS_OF).changes
    with pytest.raises(SegdslError) as error:
        project.at_revision("HEAD~1")  # the commit before the project
    assert error.value.diagnostics[0].code == "E467"


def test_a_changed_customers_table_keeps_the_customers_of_either(
    repo: Path, tmp_path: Path
) -> None:
    """The schema's entity changed: the two sides read different customers tables, and a
    full join keeps a customer whom only one of them has (as a non-member on the other)."""
    import duckdb

    copy = tmp_path / "shop"
    shutil.copytree(repo, copy, ignore=shutil.ignore_patterns(".gitignore"))
    git(copy, "init", "-q")
    commit_all(copy, "the demo")
    with duckdb.connect(str(copy / "warehouse.duckdb")) as connection:
        connection.execute(
            "CREATE TABLE customers_even AS SELECT * FROM customers WHERE customer_id % 2 = 0"
        )
    schema = copy / "schema.yaml"
    schema.write_text(schema.read_text().replace("table: customers\n", "table: customers_even\n"))
    project = segdsl.load(copy)
    (change,) = project.diff(["inactive_month"], base="HEAD", as_of=AS_OF).changes
    everyone = project.at_revision("HEAD").run(["inactive_month", "abandoned_cart"], AS_OF)
    before = set(everyone.members("inactive_month"))
    odd = sorted(k for k in before if k % 2)
    assert (change.before, change.after) == (len(before), len(before) - len(odd))
    assert (change.entered, change.left, change.left_sample) == (0, len(odd), tuple(odd[:SAMPLE]))


def test_the_warehouse_runs_one_statement(
    project: segdsl.Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from segdsl.review import diff as module

    statements: list[str] = []
    real = module.execute

    def counted(place: Any, statement: Any) -> Any:
        statements.append(statement.sql)
        return real(place, statement)

    monkeypatch.setattr(module, "execute", counted)
    project.diff(NAMES, base="HEAD", as_of=AS_OF)
    (sql,) = statements
    assert sql.count(" JOIN (") >= 1 and "segdsl_b0" in sql and "segdsl_a0" in sql


def test_no_change_is_no_change(project: segdsl.Project) -> None:
    found = project.diff(["abandoned_cart", "lifecycle"], vs_as_of=AS_OF, as_of=AS_OF)
    assert found.changes and not any(c.changed for c in found.changes)


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(list(args))
    return status, out.getvalue(), err.getvalue()


def test_json_has_the_documented_shape(repo: Path, by_base: Diff) -> None:
    status, out, _ = run_cli(
        "--project", str(repo), "diff", *NAMES, "--base", "HEAD",
        "--as-of", "2025-12-31T12:00:00", "--format", "json",
    )  # fmt: skip
    assert status == 0
    document = json.loads(out)
    assert list(document) == ["base", "as_of", "customers", "segments"]
    first = document["segments"][0]
    assert list(first) == [
        "name", "bucket", "before", "after", "entered", "left", "entered_sample", "left_sample",
    ]  # fmt: skip
    assert document == by_base.to_json()
    new = next(s for s in document["segments"] if s["name"] == "brand_new")
    assert new["before"] is None and new["bucket"] is None


def test_markdown_is_a_pull_request_comment(repo: Path, by_base: Diff) -> None:
    status, out, _ = run_cli(
        "--project", str(repo), "diff", *NAMES, "--base", "HEAD",
        "--as-of", "2025-12-31T12:00:00", "--format", "markdown",
    )  # fmt: skip
    assert status == 0
    eu = as_table(by_base)[("eu_sale_waiters", None)]
    assert f"- `eu_sale_waiters`: {eu[0]:,} → {eu[1]:,} (+{eu[2]:,}, −{eu[3]:,})" in out
    assert "- `brand_new` (new): " in out and "- `long_lapsed` (removed): " in out
    assert "- `lifecycle` / `active`: " in out


def test_text_is_an_aligned_table_of_the_changes(repo: Path) -> None:
    status, out, _ = run_cli(
        "--project", str(repo), "diff", "--base", "HEAD", "--as-of", "2025-12-31T12:00:00"
    )
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("the working tree against HEAD (")
    header = lines[2]
    assert header.split() == ["segment", "bucket", "before", "after", "entered", "left", "samples"]
    end = header.index("before") + len("before")
    table = lines[4 : lines.index("", 4)]
    assert {r.split()[0] for r in table} == set(NAMES)  # only the changed, without names
    assert all(r[end - 1].isdigit() or r[end - 3 : end] == "new" for r in table)
    assert "unchanged are not shown" in lines[-1]


@pytest.mark.parametrize(
    ("arguments", "code", "status"),
    [
        (["--base", "HEAD", "--vs-as-of", "2025-11-30"], "E468", 2),
        ([], "E468", 2),
        (["--base", "--upload-pack=touch PWNED"], "E465", 2),
        (["--base=--output=/tmp/x"], "E465", 2),
        (["--base", "HEAD:../../etc/passwd"], "E465", 2),
        (["--base", "HEAD:segdsl.yaml"], "E465", 2),
        (["--base", "no-such-branch"], "E465", 2),
        (["--base", "HEAD\n--all"], "E465", 2),
        (["--base", "HEAD~1"], "E467", 1),
        (["nosuch", "--base", "HEAD"], "E203", 1),
        (["--base", "HEAD", "--warehouse", ""], "E446", 2),
    ],
)
def test_a_bad_comparison_is_a_coded_error(
    repo: Path, arguments: list[str], code: str, status: int
) -> None:
    found, _, err = run_cli("--project", str(repo), "diff", *arguments)
    assert (found, f"error[{code}]" in err) == (status, True), err
    assert not (repo / "PWNED").exists() and not Path("/tmp/x").exists()


def test_outside_a_repository_is_e466(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(repo, copy)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # whatever holds /tmp
    status, _, err = run_cli("--project", str(copy), "diff", "--base", "HEAD")
    assert status == 1 and "error[E466]: the project's folder is not in a git repository" in err


def test_a_git_that_does_not_answer_is_e471(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segdsl.document.stored, "GIT_TIMEOUT", 0.0)
    status, _, err = run_cli("--project", str(repo), "diff", "--base", "HEAD")
    assert status == 1 and "error[E471]: git failed: git did not answer within 0 s" in err


# ---- the files at a revision: the same confinement as on disk ----------------------------


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    root = tmp_path / "hostile"
    root.mkdir()
    git(root, "init", "-q")
    (root / "segdsl.yaml").write_text("name: hostile\nschema: schema.yaml\nsegments: [segments]\n")
    (root / "segments").mkdir()
    return root


def test_a_committed_link_outside_the_project_is_refused(hostile: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.yaml").write_text("segments: {leak: {where: 'tag = \"x\"'}}\n")
    os.symlink("../../secret.yaml", hostile / "segments" / "up.yaml")
    os.symlink("/etc/passwd", hostile / "schema.yaml")
    os.symlink("a.yaml", hostile / "segments" / "loop.yaml")
    os.symlink("loop.yaml", hostile / "segments" / "a.yaml")
    commit_all(hostile, "links")
    stored = StoredFiles(hostile, "HEAD")
    problems = segdsl.project.Project(
        segdsl.document.files.load_project(hostile, store=stored)
    ).check()
    codes = {(d.code, d.message.split("`")[1]) for d in problems}
    assert ("E425", "HEAD:schema.yaml") in codes
    assert ("E425", "HEAD:segments/up.yaml") in codes
    assert ("E426", "HEAD:segments/loop.yaml") in codes
    assert all("leak" not in d.message for d in problems)


def test_the_project_folder_itself_as_segments_at_a_revision(hostile: Path) -> None:
    shutil.copy(Path(segdsl.__file__).parent / "demo" / "files" / "schema.yaml", hostile)
    (hostile / "segdsl.yaml").write_text("name: h\nschema: schema.yaml\nsegments: [.]\n")
    (hostile / "more").mkdir()
    (hostile / "more" / "s.yaml").write_text("segments:\n  adults:\n    where: age >= 18\n")
    commit_all(hostile, "the folder itself")
    stored = segdsl.load(hostile).at_revision("HEAD")
    assert stored.segments["adults"].path == "HEAD:more/s.yaml"
    on_disk = segdsl.load(hostile)
    assert [d.code for d in stored.check()] == [d.code for d in on_disk.check()]


def test_a_huge_file_at_a_revision_is_refused_before_it_is_read(hostile: Path) -> None:
    (hostile / "schema.yaml").write_bytes(b"#" + b"x" * (5 * 1024 * 1024) + b"\n")
    (hostile / "segments" / "bomb.yaml").write_text(
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                  for p, c in zip("abcdef", "bcdefg", strict=True))
    )  # fmt: skip
    commit_all(hostile, "big")
    codes = {d.code for d in segdsl.load(hostile).at_revision("HEAD").check()}
    assert {"E427", "E428"} <= codes


# ---- PostgreSQL: the same numbers ------------------------------------------------------


@pytest.fixture(scope="module")
def postgres_url(repo: Path, postgres_server: engines.PostgresServer) -> str:
    return engines.postgres_database(postgres_server, "review_diff", repo / "warehouse.duckdb")


@pytest.mark.postgres
def test_postgres_gives_the_same_diff(
    project: segdsl.Project, by_base: Diff, postgres_url: str
) -> None:
    assert project.diff(NAMES, base="HEAD", as_of=AS_OF, warehouse=postgres_url) == by_base
    names = NAMES[:3]
    on_duckdb = project.diff(names, as_of=AS_OF, vs_as_of=EARLIER)
    assert project.diff(names, as_of=AS_OF, vs_as_of=EARLIER, warehouse=postgres_url) == on_duckdb
