"""Properties of random well-typed rules over random small warehouses (tests/support/rulegen.py).

For every generated rule R:
- DuckDB's members, through the real product path (a project on disk,
  `segdsl.load(root).run(names, as_of=...)`), equal the reference evaluator's
  (segdsl/reference/), missing values, ties and window edges included;
- `R` and `not (R)` partition the customers on DuckDB (and neither column is NULL);
- the set's statement with no optimizer pass (`run --no-optimize`) has the same members;
- `R` and `not (R)` compiled alone (`segdsl compile NAME`, a statement of shapes of its
  own: NOT EXISTS, UNION ALL, starting from the event rows a member needs) have the same
  members on DuckDB as in the set;
- the printer round-trips it: `parse_rule(print_rule(ast)) == ast`;
- its SQL re-parses with sqlglot in the dialects that compile it.

Rules are batched: one warehouse, ~a hundred rules and their negations per DuckDB run, and
one warehouse per worker process (lowering is Python: the two cores of CI work side by side).
The warehouse is drawn by hypothesis (so a failure shrinks to a small warehouse); the
rules come from a seeded generator (the seed is part of the example). The profile is
`SEGDSL_PROPERTY_PROFILE` (`ci`, the default, or `long`): see docs/testing.md.
Every (rule, check) pair counts as one generated case; the total is asserted and printed.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import tempfile
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlglot
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from support import rulegen
from support.shops import compiled_alone

import segdsl
from segdsl import reference
from segdsl.emit import dialects
from segdsl.syntax import ast
from segdsl.syntax.parser import parse_rule
from segdsl.syntax.printer import print_rule

PROFILES = {
    # examples of the batch test (each: one warehouse per worker process, run in parallel),
    # rules per warehouse, dialects re-parsed per warehouse (rotating through all of them)
    # for a sample of its rules, examples of the printer-only test
    "ci": {"examples": 8, "workers": 2, "rules": 110, "dialects": 1, "sample": 12, "printer": 300},
    "long": {
        "examples": 200,
        "workers": os.cpu_count() or 2,
        "rules": 200,
        "dialects": 4,
        "sample": 50,
        "printer": 5000,
    },
}
PROFILE_NAME = os.environ.get("SEGDSL_PROPERTY_PROFILE", "ci")
PROFILE = PROFILES[PROFILE_NAME]
MINIMUM_CASES = 10_000
# Shrinking a batch reruns DuckDB hundreds of times (minutes); CI reports the failing
# rules of the first failing batch at once, the long profile shrinks its warehouse.
PHASES = (
    Phase.explicit,
    Phase.reuse,
    Phase.generate,
    *((Phase.shrink,) if PROFILE_NAME == "long" else ()),
)
CHUNK = 60  # rules per `run` (with their negations: 120 columns); DuckDB is quickest so
CASES: Counter[str] = Counter()
# sqlglot's DAX and PRQL dialects parse only those languages, not the SQL text their
# generators write, so nothing written "for" them can re-parse (see the report/docs)
DIALECTS = list(dialects())


def negation(rule: str) -> str:
    return f"not (\n{rule}\n)"


def write_project(
    root: Path,
    data: dict[str, list[dict[str, Any]]],
    helpers: dict[str, str],
    buckets: dict[str, list[tuple[str, str]]],
    rules: list[str],
) -> list[str]:
    """The project on disk: schema, a warehouse holding `data`, helper segments and
    segmentations, and one segment per rule and per negation. Returns the segment names."""
    (root / "segments").mkdir(parents=True, exist_ok=True)
    (root / "segdsl.yaml").write_text(rulegen.PROJECT)
    (root / "schema.yaml").write_text(rulegen.SCHEMA)
    connection = duckdb.connect(str(root / "warehouse.duckdb"))
    for table, columns in rulegen.TABLES.items():
        connection.execute(f"CREATE TABLE {table} ({', '.join(f'{c} {t}' for c, t in columns)})")
        rows = [tuple(row[c] for c, _ in columns) for row in data[table]]
        if rows:
            connection.executemany(
                f"INSERT INTO {table} VALUES ({', '.join('?' * len(columns))})", rows
            )
    connection.close()
    lines = ["segments:"]
    names = []
    for segment, rule in [
        *helpers.items(),
        *((f"r{i}", r) for i, r in enumerate(rules)),
        *((f"n{i}", negation(r)) for i, r in enumerate(rules)),
    ]:
        lines += [
            f"  {segment}:",
            "    where: |-",
            *(f"      {line}" for line in rule.splitlines()),
        ]
        names.append(segment)
    lines.append("segmentations:")
    for segmentation, items in buckets.items():
        lines.append(f"  {segmentation}:")
        for bucket, rule in items:
            lines.append(f"    - {bucket}: |-" if rule else f"    - else: {bucket}")
            if rule:
                lines += [f"        {line}" for line in rule.splitlines()]
    (root / "segments" / "all.yaml").write_text("\n".join(lines) + "\n")
    return names


def helpers_of(
    c: rulegen.RandomChooser, as_of: dt.datetime
) -> tuple[dict[str, str], dict[str, list[tuple[str, str]]]]:
    gen = rulegen.RuleGen(c, as_of, references=False)
    helpers = {name: print_rule(gen.condition(2)) for name in rulegen.SEGMENTS}
    buckets = {
        "tier": [
            ("gold", print_rule(gen.condition(1))),
            ("silver", print_rule(gen.condition(1))),
            ("rest", ""),
        ],
        "band": [("low", print_rule(gen.condition(1))), ("high", print_rule(gen.condition(1)))],
    }
    return helpers, buckets


@st.composite
def batches(draw: Callable[[st.SearchStrategy[Any]], Any]) -> tuple[Any, ...]:
    """One warehouse (with its *as of*) and the seed of its rules."""
    chooser = rulegen.DrawChooser(draw)
    as_of = chooser.pick(rulegen.AS_OFS)
    return as_of, rulegen.warehouse(chooser, as_of), draw(st.integers(0, 2**32 - 1))


class Disagreement(AssertionError):
    pass


def check_batch(
    as_of: dt.datetime, data: dict[str, list[dict[str, Any]]], seed: int, dialect_slice: list[str]
) -> Counter[str]:
    """Every check on one warehouse and its batch of rules; the cases it ran, by check.
    Runs in a worker process: raises Disagreement with the failing rules."""
    cases: Counter[str] = Counter()
    c = rulegen.RandomChooser(seed)
    helpers, buckets = helpers_of(c, as_of)
    gen = rulegen.RuleGen(c, as_of)
    trees = [gen.condition(3) for _ in range(PROFILE["rules"])]
    rules = [print_rule(tree) for tree in trees]
    for tree, rule in zip(trees, rules, strict=True):
        assert parse_rule(rule) == tree, f"the printer does not round-trip: {rule}"
        cases["printer round trip"] += 1
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_project(root, data, helpers, buckets, rules)
        project = segdsl.load(root)
        problems = [d for d in project.check() if d.severity == "error"]
        assert not problems, "generated rules must check:\n" + "\n".join(
            f"{d.location}: {d.code} {d.message}" for d in problems[:5]
        )
        rules_ref = reference.Rules.of(project)
        failures: list[str] = []
        in_set: dict[str, set[Any]] = {}  # members of each segment in its set's statement
        for start in range(0, len(rules), CHUNK):
            indexes = range(start, min(start + CHUNK, len(rules)))
            names = [n for i in indexes for n in (f"r{i}", f"n{i}")]
            result = project.run(names, as_of=as_of)
            try:  # the SQL DuckDB just ran re-parses as DuckDB SQL
                sqlglot.parse_one(result.sql, read="duckdb")
            except sqlglot.errors.ParseError as error:
                failures.append(f"duckdb SQL does not re-parse: {error}"[:500])
            cases["sql re-parses"] += len(indexes)
            columns = ", ".join(f'"{n}"' for n in names)
            rows = result.relation.project(f"id, {columns}").fetchall()
            for i in indexes:
                got_yes = {row[0] for row in rows if row[1 + 2 * (i - start)] is True}
                got_no = {row[0] for row in rows if row[2 + 2 * (i - start)] is True}
                in_set[f"r{i}"], in_set[f"n{i}"] = got_yes, got_no
                nulls = [
                    row[0] for row in rows if None in row[1 + 2 * (i - start) : 3 + 2 * (i - start)]
                ]
                everyone = {row[0] for row in rows}
                if nulls or got_yes | got_no != everyone or got_yes & got_no:
                    failures.append(
                        f"R and not R do not partition: {rules[i]}\n"
                        f"  R: {sorted(got_yes)}, not R: {sorted(got_no)}, "
                        f"NULL for {nulls}"
                    )
                cases["partition"] += 1
                expected = reference.evaluate(rules_ref, trees[i], data, as_of)
                defined = {k for k, v in expected.items() if v is not None}
                want = {k for k in defined if expected[k]}
                if got_yes & defined != want:
                    failures.append(
                        f"DuckDB and the reference disagree on: {rules[i]}\n"
                        f"  DuckDB: {sorted(got_yes & defined)}, "
                        f"reference: {sorted(want)}"
                    )
                cases["duckdb = reference"] += 1
            result.connection.close()
            plain = project.run(names, as_of=as_of, optimized=False)  # no optimizer pass
            try:
                rows = plain.relation.project(f"id, {columns}").fetchall()
            finally:
                plain.connection.close()
            for i in indexes:
                got_plain = {row[0] for row in rows if row[1 + 2 * (i - start)] is True}
                if got_plain != in_set[f"r{i}"]:
                    failures.append(
                        f"with no optimizer pass, other members for: {rules[i]}\n"
                        f"  no pass: {sorted(got_plain)}, all passes: {sorted(in_set[f'r{i}'])}"
                    )
                cases["no pass = all passes"] += 1
        for name, alone in compiled_alone(root, in_set, as_of).items():
            if alone != in_set[name]:  # a single segment's statement has shapes of its own
                i = int(name[1:])
                failures.append(
                    f"compiled alone, {'not ' if name[0] == 'n' else ''}"
                    f"({rules[i]}) has {sorted(alone)}, in a set "
                    f"{sorted(in_set[name])}"
                )
            cases["alone = in a set"] += 1
        for dialect in dialect_slice:  # a sample of the rules, each compiled on its own
            for i in range(0, len(rules), max(1, len(rules) // PROFILE["sample"])):
                cases["sql re-parses"] += reparse(project, f"r{i}", dialect, as_of, failures)
        if failures:
            raise Disagreement("\n".join(failures[:8]) + f"\n\nas of {as_of}, data {data}")
    return cases


def reparse(
    project: segdsl.Project, name: str, dialect: str, as_of: dt.datetime, failures: list[str]
) -> int:
    """The SQL of one segment re-parses in `dialect`, unless the dialect cannot express it
    (E501: a feature the dialect lacks, reported as such)."""
    try:
        sql = project.compile([name], dialect=dialect, as_of=as_of, pretty=False)
    except segdsl.SegdslError as error:
        assert all(d.code == "E501" for d in error.diagnostics), str(error)
        return 0
    try:
        sqlglot.parse_one(sql, read=dialect)
    except sqlglot.errors.ParseError as error:
        failures.append(f"{dialect} SQL does not re-parse for {name}: {error}"[:500])
    return 1


_ROTATION = iter(range(10**9))
_POOL: list[ProcessPoolExecutor] = []


def workers() -> ProcessPoolExecutor:
    """Processes that check batches side by side (lowering is Python, so one per core)."""
    if not _POOL:
        _POOL.append(
            ProcessPoolExecutor(PROFILE["workers"], mp_context=multiprocessing.get_context("spawn"))
        )
    return _POOL[0]


@settings(
    max_examples=PROFILE["examples"],
    deadline=None,
    derandomize=PROFILE_NAME == "ci",
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
    phases=PHASES,
)
@given(st.lists(batches(), min_size=PROFILE["workers"], max_size=PROFILE["workers"]))
def test_duckdb_agrees_with_the_reference(examples: list[tuple[Any, ...]]) -> None:
    jobs = []
    for as_of, data, seed in examples:
        turn = next(_ROTATION)
        step = PROFILE["dialects"]
        chosen = [DIALECTS[(turn * step + k) % len(DIALECTS)] for k in range(step)]
        jobs.append(workers().submit(check_batch, as_of, data, seed, chosen))
    for job in jobs:
        CASES.update(job.result())


@st.composite
def single_rules(draw: Callable[[st.SearchStrategy[Any]], Any]) -> ast.Expr:
    chooser = rulegen.DrawChooser(draw)
    return rulegen.RuleGen(chooser, chooser.pick(rulegen.AS_OFS)).condition(3)


@settings(
    max_examples=PROFILE["printer"],
    deadline=None,
    derandomize=PROFILE_NAME == "ci",
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
@given(single_rules())
def test_printer_round_trips(tree: ast.Expr) -> None:
    text = print_rule(tree)
    assert parse_rule(text) == tree, text
    assert print_rule(parse_rule(text)) == text
    CASES["printer round trip"] += 1


@settings(
    max_examples=PROFILE["printer"], deadline=None, derandomize=PROFILE_NAME == "ci", database=None
)
@given(st.text())
def test_printer_quotes_any_string(text: str) -> None:
    tree = ast.Compare(
        "=",
        ast.Name("s", span=rulegen.SPAN),
        ast.String(text, span=rulegen.SPAN),
        span=rulegen.SPAN,
    )
    assert parse_rule(print_rule(tree)) == tree
    CASES["printer round trip"] += 1


def test_enough_generated_cases() -> None:
    """Runs last in this file: the number of (rule, check) cases the run executed."""
    total = sum(CASES.values())
    print(
        f"\nproperty tests ({PROFILE_NAME}): {total} generated cases: "
        + ", ".join(f"{k} {v}" for k, v in sorted(CASES.items()))
    )
    if _POOL:
        _POOL[0].shutdown()
    if not CASES["duckdb = reference"]:
        pytest.skip("the property tests did not run (deselected)")
    assert total >= MINIMUM_CASES
