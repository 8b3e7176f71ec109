"""`segdsl run`'s output and export: every bucket in the sizes (0 members included),
--fail-on-min-size, --format json, --measure, --members-only files, --with, --sample and
--quiet, each proven against hand-written SQL over the demo's tables (or Python over its
rows), and the measures and the sample on PostgreSQL equal to DuckDB's.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import duckdb
import pytest
from support import engines

import segdsl
from segdsl import cli
from segdsl.demo import write_demo
from segdsl.document.stored import working_revision

AS_OF = dt.datetime(2025, 12, 31, 12)
WHEN = ("--as-of", "2025-12-31T12:00:00")
RULES = """\
segments:
  big_spenders_de:
    where: country = "DE" and ltv > 100
    min_size: 100000
segmentations:
  spend_band:
    - whales: ltv > 1000000000
    - some: ltv > 0
    - else: nothing
"""
LTV = """
    SELECT c.customer_id AS key, coalesce(sum(o.amount), 0) AS ltv
    FROM customers c LEFT JOIN orders o
      ON o.customer_id = c.customer_id AND o.ordered_at <= TIMESTAMP '2025-12-31 12:00:00'
    GROUP BY c.customer_id
"""  # the trait `ltv: sum(purchase.amount)`: events after *as of* never count


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("runout") / "demo"
    write_demo(root, customers=1000, seed=7)
    (root / "segments" / "runout.yaml").write_text(RULES)
    return root


@pytest.fixture(scope="module")
def warehouse(demo: Path) -> Any:
    connection = duckdb.connect(str(demo / "warehouse.duckdb"), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def ltv(warehouse: Any) -> dict[int, float]:
    return {k: float(v) for k, v in warehouse.execute(LTV).fetchall()}


@pytest.fixture(scope="module")
def expected(warehouse: Any, ltv: dict[int, float]) -> dict[str, set[int]]:
    """Members by hand: the rules of RULES written as Python over the demo's rows."""
    query = "SELECT customer_id FROM customers WHERE country_code = 'DE'"
    german = {k for (k,) in warehouse.execute(query).fetchall()}
    return {
        "big_spenders_de": {k for k in german if ltv[k] > 100},
        "whales": {k for k, v in ltv.items() if v > 1e9},
        "some": {k for k, v in ltv.items() if 0 < v <= 1e9},
        "nothing": {k for k, v in ltv.items() if v <= 0},
    }


def run_cli(demo: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(["--project", str(demo), "run", *args, *WHEN])
    return status, out.getvalue(), err.getvalue()


def test_every_bucket_is_listed_with_0_members_too(
    demo: Path, expected: dict[str, set[int]]
) -> None:
    status, out, _ = run_cli(demo, "spend_band")
    assert status == 0
    rows = {tuple(line.split()[:3]) for line in out.splitlines()[2:] if line.strip()}
    for bucket in ("whales", "some", "nothing"):
        assert ("spend_band", bucket, f"{len(expected[bucket]):,}") in rows
    assert not expected["whales"]


def test_fail_on_min_size_exits_1_after_printing(demo: Path) -> None:
    status, out, err = run_cli(demo, "big_spenders_de", "--fail-on-min-size")
    assert status == 1 and "below min_size 100000" in out and "E483" in err
    status, out, err = run_cli(demo, "big_spenders_de")
    assert status == 0 and "below min_size 100000" in out and "E483" not in err


def test_json_gives_sizes_as_of_revision_engine_and_total(
    demo: Path, expected: dict[str, set[int]]
) -> None:
    status, out, _ = run_cli(demo, "big_spenders_de", "spend_band", "--format", "json")
    assert status == 0
    report = json.loads(out)
    assert list(report) == ["as_of", "revision", "engine", "dialect", "customers", "sizes"]
    assert report["as_of"] == "2025-12-31T12:00:00"
    assert report["revision"] is None  # the demo is not in a git repository
    assert (report["engine"], report["dialect"], report["customers"]) == ("duckdb", "duckdb", 1000)
    first = report["sizes"][0]
    assert first == {
        "segment": "big_spenders_de",
        "bucket": None,
        "members": len(expected["big_spenders_de"]),
        "share": len(expected["big_spenders_de"]) / 1000,
        "min_size": 100000,
        "below_min_size": True,
    }
    buckets = {s["bucket"]: s["members"] for s in report["sizes"][1:]}
    assert buckets == {b: len(expected[b]) for b in ("whales", "some", "nothing")}


def test_the_revision_is_heads_commit_and_says_dirty(tmp_path: Path) -> None:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=tmp_path, check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip

    assert working_revision(tmp_path) is None
    git("init", "-q")
    (tmp_path / "a.yaml").write_text("a\n")
    git("add", "a.yaml")
    git("commit", "-qm", "a")
    head = git("rev-parse", "HEAD")
    revision = working_revision(tmp_path)
    assert revision is not None and (revision.commit, revision.dirty) == (head, False)
    (tmp_path / "a.yaml").write_text("b\n")
    assert str(working_revision(tmp_path)) == f"{head}-dirty"


def test_measures_are_hand_computed_sums_and_averages(
    demo: Path, warehouse: Any, ltv: dict[int, float], expected: dict[str, set[int]]
) -> None:
    project = segdsl.load(demo)
    result = project.run(["big_spenders_de", "spend_band"], AS_OF, measures=["ltv", "nps"])
    nps = dict(warehouse.execute("SELECT customer_id, nps FROM customers").fetchall())
    found = {(m.name, m.bucket, m.measure): m for m in result.measures()}
    for (name, bucket), members in {
        ("big_spenders_de", None): expected["big_spenders_de"],
        **{("spend_band", b): expected[b] for b in ("whales", "some", "nothing")},
    }.items():
        spent = found[(name, bucket, "ltv")]
        assert spent.sum == pytest.approx(sum(ltv[k] for k in members))
        assert spent.average == (
            pytest.approx(sum(ltv[k] for k in members) / len(members)) if members else None
        )
        answered = [nps[k] for k in members if nps[k] is not None]  # missing: skipped
        score = found[(name, bucket, "nps")]
        assert score.sum == sum(answered) and isinstance(score.sum, int)
        assert score.average == (pytest.approx(sum(answered) / len(answered)) if answered else None)
    assert found[("spend_band", "whales", "ltv")].sum == 0  # the sum over nobody
    status, out, _ = run_cli(demo, "spend_band", "--measure", "ltv")
    assert status == 0 and "ltv sum" in out and "ltv avg" in out


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("--measure", "email"), "E479"),
        (("--measure", "ltvv"), "E478"),
        (("--with", "tag", "--sample", "1"), "E480"),
        (("--members-only",), "E481"),
        (("--with", "email"), "E481"),
    ],
)
def test_bad_names_and_options_are_usage_errors(
    demo: Path, args: tuple[str, ...], code: str
) -> None:
    status, out, err = run_cli(demo, "big_spenders_de", *args)
    assert (status, out) == (2, "") and f"error[{code}]" in err and "help:" in err


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_members_only_files_hold_the_members(
    demo: Path, tmp_path: Path, expected: dict[str, set[int]]
) -> None:
    one, long, folder = tmp_path / "one.csv", tmp_path / "long.csv", tmp_path / "each"
    folder.mkdir()
    assert run_cli(demo, "big_spenders_de", "--out", str(one), "--members-only")[0] == 0
    rows = read_csv(one)
    assert list(rows[0]) == ["customer_id"]
    assert [int(r["customer_id"]) for r in rows] == sorted(expected["big_spenders_de"])
    names = ("big_spenders_de", "spend_band")
    assert run_cli(demo, *names, "--out", str(long), "--members-only", "-q") == (0, "", "")
    rows = read_csv(long)
    assert list(rows[0]) == ["segment", "bucket", "customer_id"]
    by = {(r["segment"], r["bucket"], int(r["customer_id"])) for r in rows}
    assert by == {("big_spenders_de", "", k) for k in expected["big_spenders_de"]} | {
        ("spend_band", b, k) for b in ("some", "nothing") for k in expected[b]
    }
    assert [r["segment"] for r in rows] == sorted((r["segment"] for r in rows), key=names.index)
    status, _, _ = run_cli(demo, *names, "--out", f"{folder}/", "--members-only")
    assert status == 0 and sorted(os.listdir(folder)) == ["big_spenders_de.csv", "spend_band.csv"]
    bands = read_csv(folder / "spend_band.csv")
    assert {(r["bucket"], int(r["customer_id"])) for r in bands} == {
        (b, k) for b in ("some", "nothing") for k in expected[b]
    }


def test_with_adds_each_members_values(
    demo: Path, tmp_path: Path, warehouse: Any, ltv: dict[int, float]
) -> None:
    email = dict(warehouse.execute("SELECT customer_id, email FROM customers").fetchall())
    one, every = tmp_path / "one.csv", tmp_path / "every.parquet"
    with_ = ("--with", "email,ltv")
    assert run_cli(demo, "big_spenders_de", "--out", str(one), "--members-only", *with_)[0] == 0
    rows = read_csv(one)
    assert list(rows[0]) == ["customer_id", "email", "ltv"]
    for row in rows:
        key = int(row["customer_id"])
        assert row["email"] == (email[key] or "") and float(row["ltv"]) == pytest.approx(ltv[key])
    assert run_cli(demo, "big_spenders_de", "spend_band", "--out", str(every), *with_)[0] == 0
    table = duckdb.sql(f"SELECT * FROM '{every}'").fetchall()
    assert len(table) == 1000  # every customer, one column per segment, then the values
    assert all(r[3] == email[r[0]] and float(r[4]) == pytest.approx(ltv[r[0]]) for r in table)


def by_hash(keys: set[int], n: int) -> list[int]:
    return sorted(keys, key=lambda k: (hashlib.md5(str(k).encode()).hexdigest(), k))[:n]


def test_the_sample_is_stable_and_picked_by_md5_of_the_key(
    demo: Path, expected: dict[str, set[int]]
) -> None:
    args = ("big_spenders_de", "spend_band", "--sample", "3", "--with", "email")
    first, second = run_cli(demo, *args), run_cli(demo, *args)
    assert first == second and first[0] == 0
    result = segdsl.load(demo).run(["big_spenders_de", "spend_band"], AS_OF, with_=["email"])
    sample = result.sample(3)
    assert sample.columns == ("segment", "bucket", "customer_id", "email")
    picked = [(r[0], r[1], r[2]) for r in sample.rows]
    assert picked == [
        *(("big_spenders_de", None, k) for k in by_hash(expected["big_spenders_de"], 3)),
        *(("spend_band", b, k) for b in ("some", "nothing") for k in by_hash(expected[b], 3)),
    ]
    assert str(picked[0][2]) in first[1]


def test_quiet_prints_nothing_and_version_the_installed_one(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(demo, "big_spenders_de", "--quiet") == (0, "", "")
    with pytest.raises(SystemExit):
        cli.main(["--version"])
    assert capsys.readouterr().out.strip() == f"segdsl {segdsl_version()}"


def segdsl_version() -> str:
    from importlib.metadata import version

    return version("segdsl")


def test_every_new_form_refuses_the_warehouse(demo: Path) -> None:
    before = sorted(os.listdir(demo))
    status, _, err = run_cli(
        demo, "big_spenders_de", "spend_band", "--members-only",
        "--out", str(demo / "warehouse.duckdb"),
    )  # fmt: skip
    assert status == 2 and "E418" in err and sorted(os.listdir(demo)) == before
    status, _, err = run_cli(demo, "--members-only", "--out", str(demo / "missing") + "/")
    assert status == 1 and "E420" in err


@pytest.fixture(scope="module")
def postgres_url(demo: Path, postgres_server: engines.PostgresServer) -> str:
    return engines.postgres_database(postgres_server, "run_output", demo / "warehouse.duckdb")


@pytest.mark.postgres
def test_postgres_gives_the_same_measures_and_sample(demo: Path, postgres_url: str) -> None:
    project = segdsl.load(demo)
    names, asked = ["big_spenders_de", "spend_band"], {"measures": ["ltv", "nps", "aov"]}
    here = project.run(names, AS_OF, with_=["email"], **asked)  # type: ignore[arg-type]
    there = project.run(names, AS_OF, postgres_url, with_=["email"], **asked)  # type: ignore[arg-type]
    for a, b in zip(here.measures(), there.measures(), strict=True):
        assert (a.name, a.bucket, a.measure) == (b.name, b.bucket, b.measure)
        assert b.sum == pytest.approx(a.sum, rel=1e-12)
        assert b.average == (None if a.average is None else pytest.approx(a.average, rel=1e-12))
    assert there.sample(5).rows == here.sample(5).rows
