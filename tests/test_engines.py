"""The engine matrix: the cases of tests/cases/ (each rule and its negation), read by the
loader the DuckDB tests use, compiled for every engine's dialect and run there, ~60 rules to a
statement (Spark: a few big statements), and the demo's segments compared with DuckDB.

Every case must return exactly its hand-computed members, except where segdsl refuses
the feature for the dialect (E501, listed in engines.UNSUPPORTED). docs/engines.md is
generated from the same verdicts, and each engine's test checks its row and column there:
`.venv/bin/python -m tests.engines --matrix > docs/engines.md`.

Heavy engines carry markers (`postgres`, `mariadb`, `spark`, `clickhouse`); `.ci/run` runs them all.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import cases as case_files
from support import engines, matrix

import segdsl

ENGINE_PARAMS = [
    pytest.param(name, marks=getattr(pytest.mark, name), id=name)
    if name in engines.HEAVY
    else pytest.param(name, id=name)
    for name in engines.ENGINES
]


def _skip_reason(name: str) -> str | None:
    """Locally an engine may be missing; in CI (`CI` set) a missing engine fails loudly."""
    if name == "spark":
        if importlib.util.find_spec("pyspark") is None:
            return "pyspark is not installed (pip install -e '.[test]')"
        if not engines.java_available():
            return "Spark needs Java (no `java` on PATH, no JAVA_HOME)"
    if name == "postgres" and not engines.POSTGRES_BIN:
        return "PostgreSQL is not installed (/usr/lib/postgresql/*/bin/postgres)"
    if name == "mariadb":
        if engines.MARIADB_BIN is None:
            return "MariaDB is not installed (no mariadbd)"
        if importlib.util.find_spec("pymysql") is None:
            return "pymysql is not installed (pip install -e '.[test]')"
    if name == "clickhouse" and importlib.util.find_spec("chdb") is None:
        return "chdb is not installed"
    if name == "datafusion" and importlib.util.find_spec("datafusion") is None:
        return "datafusion is not installed"
    return None


@pytest.fixture(scope="session")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("engines")
    found = {
        suite: engines.build_warehouse(suite, root / suite) for suite in ("semantics", "behaviour")
    }
    found["demo"] = engines.build_demo(root / "demo")
    return found


@pytest.fixture(scope="session")
def mariadb_server() -> Iterator[engines.MariaDBServer]:
    server = engines.MariaDBServer()
    yield server
    server.stop()


@pytest.fixture(scope="session", params=ENGINE_PARAMS)
def engine(request: pytest.FixtureRequest, projects: dict[str, Path]) -> Iterator[Any]:
    name = request.param
    reason = _skip_reason(name)
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{name}: {reason}")
        pytest.skip(reason)
    started = engines.start_engine(
        name,
        postgres=lambda: request.getfixturevalue("postgres_server"),
        mariadb=lambda: request.getfixturevalue("mariadb_server"),
    )
    try:
        for suite, root in projects.items():
            started.load(suite, engines.read_warehouse(root / "warehouse.duckdb"))
        yield started
    finally:
        started.close()


@pytest.fixture(scope="session")
def cases() -> list[engines.Case]:
    return engines.semantic_cases()


# Spark plans each statement for seconds: CI runs the even cases on the local session
# here and the odd ones through Spark Connect (tests/test_warehouses.py), so that every case
# runs on Spark; its row of docs/engines.md comes from `--matrix`, which runs them all.
HALVED = {"spark"}


def test_every_semantic_case_returns_its_members(
    engine: Any, cases: list[engines.Case], projects: dict[str, Path]
) -> None:
    if engine.name in HALVED:
        cases = cases[::2]
    outcomes = engines.run_cases(engine, cases, projects)
    verdicts = {case: engines.verdict(engine.name, case, o) for case, o in outcomes.items()}
    wrong = [engines.describe(case, outcomes[case]) for case, v in verdicts.items() if v == "wrong"]
    assert not wrong, (
        f"{len(wrong)} of {len(cases)} cases are wrong on {engine.name} "
        f"({engine.dialect} dialect):\n  " + "\n  ".join(wrong)
    )
    # a refusal must name the dialect and the feature
    for case, outcome in outcomes.items():
        if verdicts[case] == "E501":
            assert isinstance(outcome, segdsl.SegdslError)
            assert f"the {engine.dialect} dialect cannot express" in str(outcome)
    if engine.name not in HALVED:
        assert_documented(engine.name, engine.version(), verdicts)


REGENERATE = "regenerate it: .venv/bin/python -m tests.engines --matrix > docs/engines.md"


def assert_documented(name: str, version: str, verdicts: dict[engines.Case, str]) -> None:
    """docs/engines.md says what this run found on the engine: its row in the table of
    engines and its column in the table of features."""
    lines = (
        (Path(__file__).parents[1] / "docs" / "engines.md").read_text(encoding="utf-8").splitlines()
    )
    row = matrix.engine_row(name, verdicts, version)
    assert row in lines, f"docs/engines.md lacks `{row}`; {REGENERATE}"
    header = next(line for line in lines if line.startswith("| feature |"))
    column = [c.strip() for c in header.split("|")].index(name)
    for feature in matrix.feature_names():
        line = next(line for line in lines if line.startswith(f"| {feature} |"))
        documented = [c.strip() for c in line.split("|")][column]
        found = matrix.feature_cell(verdicts, feature)
        assert documented == found, (
            f"docs/engines.md: {feature} on {name} is "
            f"`{documented}`, the run found `{found}`; {REGENERATE}"
        )


# Edge cases the tables do not cover, that differ between engines' defaults: the engine
# matrix's own case file, over the semantics shop (not counted in docs/engines.md).
EXTRA_CASES = case_files.engine_edge_cases()


def test_edge_cases_of_like_and_matches(engine: Any, projects: dict[str, Path]) -> None:
    assert EXTRA_CASES
    as_of = case_files.shop("semantics").as_of
    rules = [case.rule for case in EXTRA_CASES]
    found = engines.members_on(engine, "semantics", projects["semantics"], rules, as_of, 60)
    problems = []
    for case in EXTRA_CASES:
        if engines.verdict(engine.name, case, found[case.rule]) == "wrong":
            problems.append(engines.describe(case, found[case.rule]))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("zone", ["UTC", "Pacific/Kiritimati", "America/Adak"])
def test_the_unpinned_clock_is_utc_now(engine: Any, projects: dict[str, Path], zone: str) -> None:
    """Compiled without *as of*, the SQL reads the engine's clock in UTC, whatever the
    session's time zone (UTC+14 and UTC-10 where the engine's session has one)."""
    if zone != "UTC":
        if not hasattr(engine, "zone"):
            pytest.skip(f"{engine.name}: no session time zone")
        engine.zone(zone)
    try:
        _clock_is_utc_now(engine, projects)
    finally:
        if zone != "UTC":
            engine.zone("UTC")


def _clock_is_utc_now(engine: Any, projects: dict[str, Path]) -> None:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    low, high = now - dt.timedelta(minutes=10), now + dt.timedelta(minutes=10)
    rules = [
        f"now between {low:%Y-%m-%dT%H:%M:%S} and {high:%Y-%m-%dT%H:%M:%S}",
        f"today = {now:%Y-%m-%d} or today = {low:%Y-%m-%d}",
    ]
    path = projects["semantics"] / "segments" / "engine_rules.yaml"
    path.write_text(engines.rules_file(["clock", "day"], rules), encoding="utf-8")
    try:
        sql = segdsl.load(projects["semantics"]).compile(
            ["clock", "day"], dialect=engine.dialect, pretty=False
        )
    finally:
        path.unlink()
    rows = engine.run("semantics", sql)
    assert rows and all(row[1] in (True, 1) and row[2] in (True, 1) for row in rows), (
        f"{engine.name}: the clock is not UTC now ({low} .. {high})\n{sql}"
    )


def test_demo_segments_agree_with_duckdb(engine: Any, projects: dict[str, Path]) -> None:
    from segdsl.demo import DEMO_AS_OF

    project = segdsl.load(projects["demo"])
    names = [*project.segments, *project.segmentations]
    reference = project.run(names, as_of=DEMO_AS_OF)
    expected: dict[str, set[Any]] = {n: set(reference.members(n)) for n in project.segments}
    for name in project.segmentations:
        rows = reference.relation.project(f'"{reference.key}", "{name}"').fetchall()
        for key, bucket in rows:
            expected.setdefault(f"{name}={bucket}", set()).add(key)
    found = engines.demo_members(engine, projects["demo"])
    problems = []
    refused = {
        name
        for name, got in found.items()
        if isinstance(got, segdsl.SegdslError)
        and all(d.code.startswith("E5") for d in got.diagnostics)
    }
    for name in sorted(set(expected) | set(found)):
        got = found.get(name, set())
        if name.split("=")[0] in refused:
            continue  # refused at compile time (E501), never a wrong answer
        if isinstance(got, Exception):
            problems.append(f"{name}: {type(got).__name__}: {str(got)[:300]}")
        elif got != expected.get(name, set()):
            problems.append(f"{name}: {len(got)} members, DuckDB {len(expected.get(name, ()))}")
    assert not problems, f"{engine.name} differs from DuckDB on the demo:\n  " + "\n  ".join(
        problems
    )


# What only a segment compiled alone has (a set's statement has neither), see select_members
ALONE_SHAPES = ("UNION ALL", "NOT EXISTS")


@pytest.mark.parametrize("suite", ["semantics", "behaviour"])
def test_golden_cases_agree_with_duckdb(engine: Any, projects: dict[str, Path], suite: str) -> None:
    """Each case of tests/golden/cases.yaml (over the semantics shop) and events.yaml (over
    the behaviour shop), compiled alone for the engine's dialect, has the members DuckDB gave
    (tests/golden/results/). On Spark, only the cases whose SQL has a shape of its own
    (ALONE_SHAPES): one Spark job per case for all of them would take minutes, and Spark
    runs every semantic case above in sets."""
    root = projects[suite]
    path = root / "segments" / "golden.yaml"
    problems = []
    as_of = case_files.shop(suite).as_of
    cases = case_files.golden_cases("cases.yaml" if suite == "semantics" else "events.yaml")
    try:
        for name, case in cases.items():
            if case.get("unpinned"):
                continue
            path.write_text(case_files.golden_segment_file(name, case), encoding="utf-8")
            project = segdsl.load(root)
            try:
                sql = project.compile([name], dialect=engine.dialect, as_of=as_of, pretty=False)
            except segdsl.SegdslError as error:
                assert all(d.code.startswith("E5") for d in error.diagnostics), str(error)
                continue
            if engine.name == "spark" and not any(shape in sql for shape in ALONE_SHAPES):
                continue
            want = (case_files.GOLDEN / "results" / f"{name}.txt").read_text(encoding="utf-8")
            try:
                rows = sorted(engine.run(suite, sql), key=lambda row: row[0])
            except Exception as error:  # noqa: BLE001 - reported with the others
                problems.append(f"{name}: {type(error).__name__}: {str(error)[:200]}")
                continue
            if name in project.segmentations:
                got = "".join(f"{k}: {'(missing)' if v is None else v}\n" for k, v in rows)
            else:
                got = "".join(f"{row[0]}\n" for row in rows)
            if got != want:
                problems.append(f"{name}: {got.split()} instead of {want.split()}")
    finally:
        path.unlink(missing_ok=True)
    assert not problems, f"{engine.name} differs from DuckDB:\n  " + "\n  ".join(problems)


def test_every_dialect_compiles_or_refuses(
    cases: list[engines.Case], projects: dict[str, Path]
) -> None:
    """Each dialect sqlglot can write compiles every case, or refuses it with E5xx: never
    a crash (golden SQL of six dialects is reviewed in tests/golden/sql/)."""
    from segdsl.emit import dialects

    risky = (
        "matches",
        "like",
        "last(",
        "first(",
        "bucket",
        "weekday",
        "quarter(",
        "week(",
        "day_of_year(",
        "ends with",
        "starts with",
        "lower",
        "upper",
        "ignoring",
        "next_anniversary",
        "/",
        "round",
        "hour",
        "month",
        "year",
        "days_since",
        "within",
    )
    rules = [c for c in cases if not c.rule.startswith("not (")]
    sample = [next(c for c in rules if r in c.rule) for r in risky]  # one rule per feature
    sample += [
        c
        for c in rules
        if "not (" not in c.rule
        and any(r in c.rule for r in ("matches", "like", "last(", "first(", "weekday"))
    ][::3]
    problems = []
    for dialect in dialects():
        for case, outcome in engines.compile_outcomes(dialect, sample, projects).items():
            if outcome.startswith("crash"):
                problems.append(f"{dialect}: {case.rule}: {outcome[:200]}")
    assert not problems, "\n".join(problems[:40])
