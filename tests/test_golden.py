"""Golden files: the SQL of every construct per dialect, its members on DuckDB, and the exact
text of every diagnostic, compared with what the code produces now.

A failure shows the difference. If the new output is what you want, regenerate and review
the diff of tests/golden/ (and docs/errors.md) before committing:

    .venv/bin/python -m tests.golden.update
"""

from __future__ import annotations

import contextlib
import difflib
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from golden import update

SUITE_CASES = {suite: update.load_cases(suite) for suite in update.SUITES}
CASES = {name: case for cases in SUITE_CASES.values() for name, case in cases.items()}
SUITE_OF = {name: suite for suite, cases in SUITE_CASES.items() for name in cases}
ERROR_CASES = update.error_cases()
HINT = f"If the change is intended, run `{update.UPDATE_COMMAND}` and review the diff."
CODE = re.compile(r'"(E\d{3})"')


@pytest.fixture(scope="module")
def shop_roots() -> Iterator[dict[str, Path]]:
    """The fixture project of each cases file."""
    with contextlib.ExitStack() as stack:
        yield {suite: stack.enter_context(update.shop_project(suite)) for suite in update.SUITES}


@cache
def error_outputs(case: update.ErrorCase) -> update.Files:
    return update.error_case_files(case)


def all_error_outputs() -> update.Files:
    files: update.Files = {}
    for case in ERROR_CASES:
        files |= error_outputs(case)
    return files


def assert_matches_disk(files: update.Files) -> None:
    problems = []
    for path, produced in sorted(files.items()):
        on_disk = update._read(update.REPO / path)
        if on_disk is None:
            problems.append(f"{path}: missing")
        elif on_disk != produced:
            diff = difflib.unified_diff(
                on_disk.splitlines(),
                produced.splitlines(),
                f"{path} (golden)",
                f"{path} (code now)",
                lineterm="",
            )
            lines = list(diff)
            more = [f"... {len(lines) - 60} more lines"] if len(lines) > 60 else []
            problems.append("\n".join(lines[:60] + more))
    if problems:
        pytest.fail("\n\n".join([*problems, HINT]), pytrace=False)


@pytest.mark.parametrize("name", list(CASES))
def test_sql_and_members(name: str, shop_roots: dict[str, Path]) -> None:
    assert_matches_disk(update.sql_case_files(shop_roots[SUITE_OF[name]], name, CASES[name]))


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c.name for c in ERROR_CASES])
def test_error_text(case: update.ErrorCase) -> None:
    assert_matches_disk(error_outputs(case))


@pytest.mark.parametrize(
    "case", [c for c in ERROR_CASES if c.code and not c.known_bad], ids=lambda c: c.name
)
def test_error_case_shows_its_code(case: update.ErrorCase) -> None:
    text = error_outputs(case)[update._relative(case.folder / "expected.txt")]
    assert f"[{case.code}]" in text, (
        f"errors/{case.name} exists to show {case.code}, but the output has no {case.code}: "
        f"fix the case, or mark it `known_bad: why` while the code is wrong"
    )


def test_no_stale_golden_files() -> None:
    wanted = {
        update._golden(f"sql/{name}.{dialect}.sql") for name in CASES for dialect in update.DIALECTS
    }
    wanted |= {update._golden(f"results/{name}.txt") for name in CASES}
    wanted |= {update._golden(f"trees/{name}.txt") for name in CASES}
    wanted |= set(all_error_outputs())
    stale = sorted(update.existing_generated() - wanted)
    assert not stale, f"no case produces {[str(p) for p in stale]}. {HINT}"


def test_error_titles_are_current() -> None:
    text = update.DOCS_ERRORS.read_text(encoding="utf-8")
    assert_matches_disk({update._relative(update.ERROR_TITLES): update.error_titles(text)})


def test_docs_errors_examples_are_current() -> None:
    text = update.DOCS_ERRORS.read_text(encoding="utf-8")
    assert_matches_disk(
        {update._relative(update.DOCS_ERRORS): update.docs_with_examples(text, all_error_outputs())}
    )


def emitted_codes() -> set[str]:
    package = update.REPO / "segdsl"
    return {
        code
        for path in package.rglob("*.py")
        for code in CODE.findall(path.read_text(encoding="utf-8"))
    }


def test_every_code_is_documented_and_has_a_golden_case() -> None:
    codes = emitted_codes()
    docs = update.DOCS_ERRORS.read_text(encoding="utf-8")
    documented = set(re.findall(r"^#+ (E\d{3})\b", docs, re.MULTILINE))
    shown = {
        text_code or json_code
        for text in all_error_outputs().values()
        for text_code, json_code in re.findall(r'\[(E\d{3})\]|"code": "(E\d{3})"', text)
    }
    assert not codes - documented, (
        f"codes missing from docs/errors.md: {sorted(codes - documented)}"
    )
    assert not documented - codes, (
        f"docs/errors.md documents codes that segdsl/ never emits: {sorted(documented - codes)}"
    )
    # a golden case cannot lay out a warehouse locked by another process, a damaged binary
    # file, or a query past an engine's expression depth: tests/test_engine_refusals.py;
    # nor a git history without the project (E467) or a git that does not answer (E471):
    # tests/test_review_diff.py; nor a disk refusing fmt's write (E490), fmt's guard
    # (E491) or a kind of schema the command line refuses itself (E492): tests/test_fmt.py,
    # tests/test_schema.py
    without_golden = {"E435", "E436", "E437", "E467", "E471", "E490", "E491", "E492"}
    assert not codes - shown - without_golden, (
        f"codes without a golden error case in tests/golden/errors/: {sorted(codes - shown)}"
    )


def test_every_empty_result_has_a_companion_with_members() -> None:
    """A case whose members are nobody passes for a lowering that returns nobody; its
    companion `<case>_nonempty`, a variant over the same rows, cannot."""
    results = update.GOLDEN / "results"
    empty = [name for name in CASES if (results / f"{name}.txt").read_text(encoding="utf-8") == ""]
    assert empty, "no case has an empty result: is results/ there?"
    lonely = [
        name
        for name in empty
        if f"{name}_nonempty" not in CASES
        or not (results / f"{name}_nonempty.txt").read_text(encoding="utf-8").strip()
    ]
    assert not lonely, f"cases with no members and no companion that has some: {lonely}"
