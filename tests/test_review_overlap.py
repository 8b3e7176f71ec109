"""`segdsl overlap`: each pair's shared members, shares and Jaccard index, proven against
the reference evaluator's members of each segment (plain Python sets), on DuckDB and
PostgreSQL; the heatmap is a well-formed, self-contained SVG file written only where asked.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
from itertools import combinations
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from support import engines

import segdsl
from segdsl import cli, reference
from segdsl.review.heatmap import svg
from segdsl.review.overlap import Overlap

AS_OF = dt.datetime(2025, 12, 31, 12)
NAMES = ["eu_sale_waiters", "eu_sale_waiters_mailable", "awaits_sale", "inactive_month", "gold"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return engines.build_demo(tmp_path_factory.mktemp("overlap") / "demo")


@pytest.fixture(scope="module")
def project(demo: Path) -> segdsl.Project:
    return segdsl.load(demo)


@pytest.fixture(scope="module")
def found(project: segdsl.Project) -> Overlap:
    return project.overlap(NAMES, as_of=AS_OF)


@pytest.fixture(scope="module")
def members(project: segdsl.Project, demo: Path) -> dict[str, set[Any]]:
    rows = {
        table.name: [
            dict(zip([c.name for c in table.columns], row, strict=True)) for row in table.rows
        ]
        for table in engines.read_warehouse(demo / "warehouse.duckdb")
    }
    rules = reference.Rules.of(project)
    return {name: reference.members(rules, name, rows, AS_OF) for name in NAMES}


def test_every_pair_is_the_reference_evaluators(
    found: Overlap, members: dict[str, set[Any]]
) -> None:
    assert found.segments == {n: len(m) for n, m in members.items()}
    assert [(p.a, p.b) for p in found.pairs] == list(combinations(NAMES, 2))
    for p in found.pairs:
        a, b = members[p.a], members[p.b]
        assert p.both == len(a & b)
        assert p.jaccard == (len(a & b) / len(a | b) if a | b else 0.0)
        assert p.a_in_b == (len(a & b) / len(a) if a else 0.0)
        assert p.b_in_a == (len(a & b) / len(b) if b else 0.0)
    within = found.pair("eu_sale_waiters_mailable", "eu_sale_waiters")  # builds on it
    assert (within.a, within.b_in_a) == ("eu_sale_waiters", 1.0) and 0 < within.jaccard < 1


def test_all_pairs_come_from_one_run_and_one_aggregate(
    project: segdsl.Project, found: Overlap, monkeypatch: pytest.MonkeyPatch
) -> None:
    from segdsl.execute import Result

    calls: list[str] = []
    run, conjunctions = segdsl.Project.run, Result.conjunctions

    def counted_run(self: segdsl.Project, *args: Any, **kwargs: Any) -> Any:
        calls.append("run")
        return run(self, *args, **kwargs)

    def counted_conjunctions(self: Result, groups: Any) -> Any:
        calls.append("aggregate")
        return conjunctions(self, groups)

    monkeypatch.setattr(segdsl.Project, "run", counted_run)
    monkeypatch.setattr(Result, "conjunctions", counted_conjunctions)
    assert project.overlap(NAMES, as_of=AS_OF) == found
    assert calls == ["run", "aggregate"]


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(list(args))
    return status, out.getvalue(), err.getvalue()


def test_json_has_the_documented_shape(demo: Path, found: Overlap) -> None:
    status, out, _ = run_cli(
        "--project", str(demo), "overlap", *NAMES, "--as-of", "2025-12-31T12:00:00",
        "--format", "json",
    )  # fmt: skip
    assert status == 0
    document = json.loads(out)
    assert list(document) == ["as_of", "customers", "segments", "pairs"]
    assert document["segments"] == found.segments
    assert list(document["pairs"][0]) == ["a", "b", "both", "a_in_b", "b_in_a", "jaccard"]
    assert len(document["pairs"]) == len(NAMES) * (len(NAMES) - 1) // 2
    assert [p["jaccard"] for p in document["pairs"]] == [p.jaccard for p in found.pairs]


def test_text_and_the_heatmap(demo: Path, found: Overlap, tmp_path: Path) -> None:
    plot = tmp_path / "overlap.svg"
    status, out, _ = run_cli(
        "--project", str(demo), "overlap", *NAMES, "--as-of", "2025-12-31T12:00:00",
        "--plot", str(plot),
    )  # fmt: skip
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["a", "b"] and set(lines[1]) == {"-", " "}
    assert len(lines) == 2 + len(found.pairs) + 3 and lines[-1] == f"wrote {plot}"
    tree = ElementTree.fromstring(plot.read_text(encoding="utf-8"))
    texts = [t.text for t in tree.iter("{http://www.w3.org/2000/svg}text")]
    assert all(texts.count(n) == 2 for n in NAMES)  # along both edges
    cells = [r for r in tree.iter("{http://www.w3.org/2000/svg}rect") if r.find("*") is not None]
    assert len(cells) == len(NAMES) ** 2
    assert not any(e.tag.endswith(("script", "image", "a", "use")) for e in tree.iter())
    assert plot.read_text(encoding="utf-8") == svg(found)


@pytest.mark.parametrize(
    ("arguments", "code", "status"),
    [
        (["gold"], "E470", 2),
        (["gold", "gold"], "E470", 2),
        (["gold", "lifecycle"], "E472", 2),
        (["gold", "nosuch"], "E203", 1),
        (["gold", "awaits_sale", "--warehouse", " "], "E446", 2),
        (["gold", "awaits_sale", "--plot", "heat.png"], "E469", 2),
        (["gold", "awaits_sale", "--plot", "warehouse.duckdb"], "E469", 2),
        (["gold", "awaits_sale", "--plot", "warehouse.svg"], "E418", 2),
        (["gold", "awaits_sale", "--plot", "link.svg"], "E421", 2),
        (["gold", "awaits_sale", "--plot", "no/such/heat.svg"], "E420", 1),
    ],
)
def test_a_bad_overlap_is_a_coded_error(
    demo: Path, arguments: list[str], code: str, status: int, tmp_path: Path
) -> None:
    here = tmp_path / "here"
    here.mkdir()
    os.link(demo / "warehouse.duckdb", here / "warehouse.svg")  # the warehouse, by another name
    os.symlink(demo / "segdsl.yaml", here / "link.svg")
    previous = Path.cwd()
    os.chdir(here)
    try:
        found, _, err = run_cli("--project", str(demo), "overlap", *arguments)
    finally:
        os.chdir(previous)
    assert (found, f"error[{code}]" in err) == (status, True), err
    assert sorted(p.name for p in here.iterdir()) == ["link.svg", "warehouse.svg"]


@pytest.fixture(scope="module")
def postgres_url(demo: Path, postgres_server: engines.PostgresServer) -> str:
    return engines.postgres_database(postgres_server, "review_overlap", demo / "warehouse.duckdb")


@pytest.mark.postgres
def test_postgres_gives_the_same_overlap(
    project: segdsl.Project, found: Overlap, postgres_url: str
) -> None:
    assert project.overlap(NAMES, as_of=AS_OF, warehouse=postgres_url) == found
