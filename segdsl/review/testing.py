"""`segdsl test`: fixture tests of the rules, run on the real compiled SQL.

Each test's rows become an in-memory DuckDB warehouse shaped as schema.yaml maps the real
one (segdsl/execute/fixtures.py), and the statement that `segdsl run` would run on DuckDB
runs on it, word for word; `engine="reference"` asks the reference evaluator
(segdsl/reference) instead, a second implementation that shares no SQL with the first.

Fast by construction: one DuckDB session for the whole run, its tables created once and
refilled per test, and one compiled statement per *as of* and set of segments expected,
shared by the tests that have both (compiling costs far more than running on a few rows). A
failure is explained: for each customer whose membership differs, the trace of
`segdsl explain --customer` on the same fixture (segdsl/review/explain.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from segdsl import reference
from segdsl.diagnostics import Diagnostic, SegdslError, did_you_mean
from segdsl.document.expects import Expectation
from segdsl.document.givens import TestCase, test_cases
from segdsl.document.testfiles import read_test_files
from segdsl.emit import to_sql
from segdsl.execute.fixtures import Fixtures
from segdsl.review import moves
from segdsl.review.explain import Explanation, explain
from segdsl.review.protocol import Reviewed
from segdsl.review.test_batch import batchable, merged

ENGINES = ("duckdb", "reference")


@dataclass(frozen=True)
class Difference:
    """A customer for whom an expectation does not hold."""

    customer: Any
    expected: bool | str | None  # member or not; for a segmentation, the bucket
    actual: bool | str | None
    trace: Explanation | None  # explain's trace of the rule (for a bucket: the bucket's rule)


@dataclass(frozen=True)
class Outcome:
    """One expectation of a test: a segment's members, or a segmentation's buckets."""

    target: str
    kind: str  # "members", "includes" or "buckets"
    line: int
    column: int
    passed: bool
    expected: tuple[Any, ...]  # members; included keys; (key, bucket) pairs
    excluded: tuple[Any, ...]  # for `includes`: the keys that must not be members
    actual: tuple[Any, ...]  # members among the customers given; (key, bucket) pairs
    differences: tuple[Difference, ...]


@dataclass(frozen=True)
class TestResult:
    __test__ = False

    name: str
    file: str
    line: int
    column: int
    as_of: dt.datetime
    customers: int
    passed: bool
    outcomes: tuple[Outcome, ...]


@dataclass(frozen=True)
class TestReport:
    """What `segdsl test` reports: every test run, in the order of the files."""

    __test__ = False

    engine: str
    results: tuple[TestResult, ...]

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed


def load_tests(project: Reviewed, entries: list[str]) -> list[TestCase]:
    """The project's tests, checked (E450 to E456 and the file codes); raises on a problem."""
    errors = [d for d in project.check() if d.severity == "error"]
    if errors:
        raise SegdslError(sorted(errors, key=Diagnostic.sort_key))
    files, problems = read_test_files(project.root, entries)
    env = project.environment
    assert env is not None  # the project checked cleanly
    cases, more = test_cases(files, env, project.segments, project.segmentations)
    problems += more
    if problems:
        raise SegdslError(sorted(problems, key=Diagnostic.sort_key))
    return cases


def run_tests(
    project: Reviewed,
    entries: list[str],
    names: Sequence[str] | None = None,
    engine: str = "duckdb",
) -> TestReport:
    if engine not in ENGINES:
        raise SegdslError(
            [Diagnostic("E457", f"unknown engine `{engine}`", hint="duckdb or reference")]
        )
    cases = load_tests(project, entries)
    if names:
        known = [c.name for c in cases]
        unknown = [n for n in names if n not in known]
        if unknown:
            raise SegdslError(
                [
                    Diagnostic(
                        "E457",
                        f"no test is named `{n}`",
                        hint=did_you_mean(n, known, "tests")
                        if known
                        else "the project has no tests (docs/files.md#test-files)",
                    )
                    for n in unknown
                ]
            )
        cases = [c for c in cases if c.name in names]
    if not cases:
        return TestReport(engine, ())
    project = project.with_snapshots({})  # a test never reads the state database
    statements = _Statements(project)
    results: dict[str, TestResult] = {}
    for group in _by_shape(cases):
        shapes = {name: table.columns for name, table in group[0].tables.items()}
        batch = [c for c in group if engine == "duckdb" and statements.batchable(c)]
        fixture_rows = [case.tables for case in group]
        back: dict[Any, tuple[int, Any]] = {}
        if batch:  # one more "test": the rows of all the batched tests, under new keys
            rows, back = merged(project, batch)
            fixture_rows.append(rows)
        fixtures = Fixtures(shapes, fixture_rows)
        try:
            if batch:
                fixtures.show(len(group))
            found_in_batch = statements.batched(batch, back, fixtures)
            for number, case in enumerate(group):
                if case.name in found_in_batch:
                    found = found_in_batch[case.name]
                elif engine == "duckdb":
                    fixtures.show(number)
                    found = statements.outcomes(case, fixtures)
                else:
                    found = _reference(project, case)
                results[case.name] = _result(project, case, found, _Shown(fixtures, number))
        finally:
            fixtures.close()
    return TestReport(engine, tuple(results[case.name] for case in cases))


@dataclass(frozen=True)
class _Shown:
    """The fixture session, and the test whose rows a trace must see."""

    fixtures: Fixtures
    number: int


def _by_shape(cases: Sequence[TestCase]) -> list[list[TestCase]]:
    """The tests by the shape of their tables (the same for all, but where the key is no
    field of the schema and takes the type of the keys given)."""
    groups: dict[str, list[TestCase]] = {}
    for case in cases:
        shape = repr({name: table.columns for name, table in case.tables.items()})
        groups.setdefault(shape, []).append(case)
    return list(groups.values())


class _Statements:
    """The compiled statement of each test's targets at its *as of*, compiled once for all
    the tests that share both (compiling costs more than running on a few rows, and a
    statement of only the test's own targets runs faster than one of every test's)."""

    def __init__(self, project: Reviewed):
        self.project = project
        self.texts: dict[tuple[dt.datetime, tuple[str, ...]], str] = {}
        self.batchables: dict[tuple[str, ...], bool] = {}

    def text(self, case: TestCase) -> str | None:
        targets = tuple(dict.fromkeys(e.target for e in case.expectations))
        if not targets:
            return None
        if case.snapshots:  # the statement holds what its snapshots say: its own
            project = self.project.with_snapshots(case.snapshots)
            query = project.select(list(targets), "duckdb", case.as_of, columns=True)
            return to_sql(query, "duckdb", pretty=False)
        if (case.as_of, targets) not in self.texts:
            # the one-row-per-customer statement, also for one segment
            query = self.project.select(list(targets), "duckdb", case.as_of, columns=True)
            self.texts[case.as_of, targets] = to_sql(query, "duckdb", pretty=False)
        return self.texts[case.as_of, targets]

    def batchable(self, case: TestCase) -> bool:
        if case.snapshots:
            return False
        targets = tuple(sorted({e.target for e in case.expectations}))
        if targets not in self.batchables:
            self.batchables[targets] = batchable(self.project, targets)
        return self.batchables[targets]

    def outcomes(self, case: TestCase, fixtures: Fixtures) -> dict[Any, dict[str, Any]]:
        """Customer → target → membership (bool) or bucket, for the test's targets."""
        text = self.text(case)
        if text is None:
            return {}
        names, rows = fixtures.rows(text)
        return {row[0]: dict(zip(names[1:], row[1:], strict=True)) for row in rows}

    def batched(
        self, cases: Sequence[TestCase], back: dict[Any, tuple[int, Any]], fixtures: Fixtures
    ) -> dict[str, dict[Any, dict[str, Any]]]:
        """The outcomes of `cases`, whose merged rows the fixture shows: each statement once,
        for all the tests that share it."""
        found: dict[str, dict[Any, dict[str, Any]]] = {case.name: {} for case in cases}
        by_text: dict[str, list[int]] = {}
        for number, case in enumerate(cases):
            text = self.text(case)
            if text is not None:
                by_text.setdefault(text, []).append(number)
        for text, numbers in by_text.items():
            wanted = set(numbers)
            names, rows = fixtures.rows(text)
            for row in rows:
                number, key = back[row[0]]
                if number in wanted:
                    found[cases[number].name][key] = dict(zip(names[1:], row[1:], strict=True))
        return found


def _reference(project: Reviewed, case: TestCase) -> dict[Any, dict[str, Any]]:
    data = {name: table.rows for name, table in case.tables.items()}
    rules = reference.Rules.of(project)
    evaluator = reference.Evaluator(rules, data, case.as_of, _moves(case))
    found: dict[Any, dict[str, Any]] = {c.key: {} for c in evaluator.customers}
    for target in {e.target for e in case.expectations}:
        if target in project.segmentations:
            for customer in evaluator.customers:
                found[customer.key][target] = evaluator.bucket_of(target, customer)
        else:
            for key, holds in evaluator.evaluate(rules.segment(target)).items():
                found[key][target] = holds
    return found


def _moves(case: TestCase) -> reference.Moves:
    """The reference evaluator's answers to `entered`/`left segment`: the test's
    snapshots, moving as the compiled statement's do (E488 when there is none)."""
    source = moves.given(case.snapshots)

    def moved(kind: str, name: str, amount: int, unit: str) -> list[str]:
        low = moves.window_start(case.as_of, amount, unit)
        keys = source(name, kind, low, case.as_of)
        if keys is None:
            raise SegdslError([moves.no_snapshot(name, case.as_of, case.location, True)])
        return keys

    return moved


def _result(
    project: Reviewed, case: TestCase, found: dict[Any, dict[str, Any]], fixtures: _Shown
) -> TestResult:
    outcomes = tuple(_outcome(project, case, e, found, fixtures) for e in case.expectations)
    return TestResult(
        case.name,
        case.file,
        case.location.line,
        case.location.column,
        case.as_of,
        len(case.customers),
        all(o.passed for o in outcomes),
        outcomes,
    )


def _outcome(
    project: Reviewed,
    case: TestCase,
    expectation: Expectation,
    found: dict[Any, dict[str, Any]],
    fixtures: _Shown,
) -> Outcome:
    target = expectation.target
    actual = {key: found.get(key, {}).get(target) for key in case.customers}
    wanted: dict[Any, bool | str | None]
    if expectation.kind == "buckets":
        wanted = dict(expectation.buckets)
        shown: tuple[Any, ...] = tuple((k, actual[k]) for k in case.customers if k in wanted)
        expected: tuple[Any, ...] = expectation.buckets
    else:
        members = set(expectation.members)
        if expectation.kind == "members":
            wanted = {key: key in members for key in case.customers}
        else:
            wanted = {key: True for key in expectation.members}
            wanted |= {key: False for key in expectation.excludes}
        actual = {key: bool(value) for key, value in actual.items()}
        shown = tuple(k for k in case.customers if actual[k])
        expected = expectation.members
    differing = [key for key in case.customers if key in wanted and wanted[key] != actual[key]]
    differences = tuple(
        Difference(
            key,
            wanted[key],
            actual[key],
            _trace(project, case, expectation, key, wanted[key], fixtures),
        )
        for key in differing
    )
    location = expectation.location
    return Outcome(
        target,
        expectation.kind,
        location.line,
        location.column,
        not differences,
        expected,
        expectation.excludes,
        shown,
        differences,
    )


def _trace(
    project: Reviewed,
    case: TestCase,
    expectation: Expectation,
    key: Any,
    wanted: bool | str | None,
    fixtures: _Shown,
) -> Explanation | None:
    """explain's trace of the customer on the test's own rows: the segment's rule, or for a
    segmentation the rule of the bucket expected (none for `else`)."""
    target, reviewed = expectation.target, project
    if expectation.kind == "buckets":
        source = project.segmentations[target]
        rule = next((b.rule for b in source.buckets if b.name == wanted), None)
        if rule is None:
            return None
        taken = {*project.segments, *project.segmentations}
        name = f"{target}_{wanted}"
        while name in taken:
            name += "_"
        reviewed = project.with_rules({name: (rule, source.path)})
        target = name
    try:
        fixtures.fixtures.show(fixtures.number)
        return explain(reviewed, target, key, case.as_of, fixtures.fixtures.connection)
    except SegdslError:
        return None
