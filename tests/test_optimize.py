"""The optimizer keeps the members: every golden case (the SQL shop's and the behaviour
shop's) gives the same members with no pass, with each pass alone and with all passes,
for one segment's statement (RULES_SINGLE) and for a set's (RULES_SET), on DuckDB.

A pass that changed the meaning of some rule fails here with the case, the pass and the
members that differ; `segdsl compile --no-optimize` shows the plain statement.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pytest
from golden import update

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


@pytest.mark.parametrize(("suite", "name"), list(CASES), ids=[n for _, n in CASES])
def test_every_pass_keeps_the_members(suite: str, name: str, shops: dict[str, Path]) -> None:
    root = shops[suite]
    case = CASES[suite, name]
    (root / "segments" / "golden.yaml").write_text(update.segment_file(name, case), "utf-8")
    project = segdsl.load(root)
    if any(d.severity == "error" for d in project.check()):
        pytest.skip("the case is a compile error (its golden text shows it)")
    kinds = [("set", _set, optimize.RULES_SET)]
    if name in project.segments:
        kinds.append(("single", _single, optimize.RULES_SINGLE))
    for kind, members, rules in kinds:
        try:
            plain = members(project, name, [])
        except segdsl.SegdslError:
            continue  # the rule cannot run on DuckDB at all (its golden text shows why)
        for variant, passes in _variants(rules).items():
            got = members(project, name, passes)
            assert got == plain, f"{kind} statement, {variant}: {got!r} != {plain!r}"
