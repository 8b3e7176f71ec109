"""The optimizer keeps the members: every golden case (the SQL shop's and the behaviour
shop's) gives the same members with no pass, with each pass alone and with all passes,
for one segment's statement (RULES_SINGLE) and for a set's (RULES_SET), on DuckDB; and
every semantic and behaviour case of tests/cases/ (with its negation) gives its
hand-computed members under each of those. The random rules of test_properties.py are
compared with the reference evaluator with all passes and with none.

A pass that changed the meaning of some rule fails here with the case, the pass and the
members that differ; `segdsl compile --no-optimize` shows the plain statement.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest
from golden import update
from support import cases
from support.shops import ShopProject, rules_file

import segdsl
from segdsl import optimize

pytestmark = pytest.mark.slow  # about 5,000 statements; run by .ci/run

CASES = {
    (suite, name): case
    for suite in update.SUITES
    for name, case in update.load_cases(suite).items()
}


def _variants(rules: Sequence[optimize.Pass]) -> dict[str, list[optimize.Pass]]:
    return {"no pass": [], **{p.name: [p] for p in rules}, "all passes": list(rules)}


@pytest.fixture(scope="module")
def shops() -> Iterator[dict[str, Path]]:
    with contextlib.ExitStack() as stack:
        yield {suite: stack.enter_context(update.shop_project(suite)) for suite in update.SUITES}


def _single(project: segdsl.Project, name: str, rules: list[optimize.Pass]) -> set[Any]:
    sql = project.compile([name], dialect="duckdb", as_of=update.AS_OF, rules=rules)
    assert project.warehouse is not None
    with duckdb.connect(str(project.warehouse), read_only=True) as connection:
        return {row[0] for row in connection.execute(sql).fetchall()}


def _set(project: segdsl.Project, name: str, rules: list[optimize.Pass]) -> object:
    # every segment and segmentation of the project: `run [name]` would be the single
    # segment's statement, since run executes what compile prints
    result = project.run(None, as_of=update.AS_OF, rules=rules)
    try:
        if name in project.segmentations:
            return sorted(result.relation.project(f'"{result.key}", "{name}"').fetchall())
        return set(result.members(name))
    finally:
        result.connection.close()


def _chosen(
    project: segdsl.Project, names: list[str] | None, rules: Sequence[optimize.Pass], turn: int
) -> dict[str, list[optimize.Pass]]:
    """No pass, all passes, each rewriting pass that changes the rules' trees, and each
    shape pass (which changes no tree) on every other case in turn: a pass alone on a
    case it leaves as it is runs the plain statement again. (The cases of tests/cases/
    run every pass alone on every case, below.)"""

    def program(passes: list[optimize.Pass]) -> tuple[object, object]:
        found = project.optimized(names, as_of=update.AS_OF, rules=passes)
        return found.segments, found.segmentations

    plain = program([])
    chosen: dict[str, list[optimize.Pass]] = {"no pass": [], "all passes": list(rules)}
    for k, one in enumerate(rules):
        if (one.rewrite is None and (turn + k) % 2 == 0) or (
            one.rewrite is not None and program([one]) != plain
        ):
            chosen[one.name] = [one]
    return chosen


@pytest.mark.parametrize(("suite", "name"), list(CASES), ids=[n for _, n in CASES])
def test_every_pass_keeps_the_members(suite: str, name: str, shops: dict[str, Path]) -> None:
    root = shops[suite]
    case = CASES[suite, name]
    (root / "segments" / "golden.yaml").write_text(update.segment_file(name, case), "utf-8")
    project = segdsl.load(root)
    if any(d.severity == "error" for d in project.check()):
        pytest.skip("the case is a compile error (its golden text shows it)")
    turn = list(CASES).index((suite, name))
    kinds: list[tuple[str, Any, Sequence[optimize.Pass], list[str] | None]] = [
        ("set", _set, optimize.RULES_SET, None)
    ]
    if name in project.segments:
        kinds.append(("single", _single, optimize.RULES_SINGLE, [name]))
    for kind, members, rules, names in kinds:
        try:
            plain = members(project, name, [])
        except segdsl.SegdslError:
            continue  # the rule cannot run on DuckDB at all (its golden text shows why)
        for variant, passes in _chosen(project, names, rules, turn).items():
            got = members(project, name, passes)
            assert got == plain, f"{kind} statement, {variant}: {got!r} != {plain!r}"


# ---- the semantic and behaviour cases (tests/cases/), against their hand-computed members ----

SHOP_CASES = [c for c in cases.with_negations(cases.cases("semantics", "behaviour"))]


def _case_groups() -> dict[tuple[str, dt.datetime], list[cases.Case]]:
    groups: dict[tuple[str, dt.datetime], list[cases.Case]] = {}
    for case in SHOP_CASES:
        groups.setdefault((case.shop, case.as_of), []).append(case)
    return groups


GROUPS = _case_groups()


@pytest.fixture(scope="module")
def case_projects(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, dt.datetime], Any]:
    """Each shop's project with every case rule of one *as of* as a segment `r<i>`."""
    projects = {}
    for (shop, as_of), found in GROUPS.items():
        project = ShopProject(shop, tmp_path_factory.mktemp(shop))
        names = [f"r{i}" for i in range(len(found))]
        project.write_segments(rules_file(names, [c.rule for c in found]))
        projects[shop, as_of] = segdsl.load(project.root)
    return projects


def _wrong(found: list[cases.Case], got: dict[str, set[Any]], variant: str) -> list[str]:
    return [
        f"{variant}: {case.rule!r} gives {sorted(got[f'r{i}'])}, not {sorted(case.members)}"
        for i, case in enumerate(found)
        if f"r{i}" in got and got[f"r{i}"] != set(case.members)
    ]


@pytest.mark.parametrize("group", list(GROUPS), ids=[f"{s} {a:%Y-%m-%d}" for s, a in GROUPS])
def test_every_pass_keeps_the_cases_set_statement(
    group: tuple[str, dt.datetime], case_projects: dict[tuple[str, dt.datetime], Any]
) -> None:
    """The statement of all the cases at once: no pass, each pass alone, all passes."""
    project, found = case_projects[group], GROUPS[group]
    problems = []
    for variant, passes in _variants(optimize.RULES_SET).items():
        result = project.run(None, as_of=group[1], rules=passes)
        try:
            got = {f"r{i}": set(result.members(f"r{i}")) for i in range(len(found))}
        finally:
            result.connection.close()
        problems += _wrong(found, got, variant)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("group", list(GROUPS), ids=[f"{s} {a:%Y-%m-%d}" for s, a in GROUPS])
def test_every_pass_keeps_the_cases_single_statement(
    group: tuple[str, dt.datetime], case_projects: dict[tuple[str, dt.datetime], Any]
) -> None:
    """Each case's own statement with no pass and with each pass alone (all passes: the
    semantic tests). A rewriting pass is run on the cases whose tree it changes; a shape
    pass (which changes no tree) on every other case, in turn, to keep CI's time: the set
    statement runs each shape on all of them."""
    project, found = case_projects[group], GROUPS[group]
    as_of = group[1]
    assert project.warehouse is not None
    problems = []
    with duckdb.connect(str(project.warehouse), read_only=True) as connection:

        def members(name: str, passes: list[optimize.Pass]) -> set[Any]:
            sql = project.compile([name], dialect="duckdb", as_of=as_of, rules=passes)
            return {row[0] for row in connection.execute(sql).fetchall()}

        for i, case in enumerate(found):
            name = f"r{i}"
            plain_tree = project.optimized([name], as_of=as_of, rules=[]).segments[name]
            variants = {"no pass": []}
            for k, one in enumerate(optimize.RULES_SINGLE):
                if one.rewrite is None:
                    if (i + k) % 2 == 0:
                        variants[one.name] = [one]
                    continue
                tree = project.optimized([name], as_of=as_of, rules=[one]).segments[name]
                if tree != plain_tree:
                    variants[one.name] = [one]
            for variant, passes in variants.items():
                problems += _wrong([case], {"r0": members(name, passes)}, variant)
    assert not problems, "\n".join(problems[:20])
