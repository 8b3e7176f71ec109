"""The differential fuzz of tests/test_fuzz.py: random rules (rulegen's) over random small
warehouses (rulegen's), DuckDB's members against another engine's, on the same rows.

A batch is one warehouse, its *as of*, its helper segments and segmentations, and a few
hundred rules, all from one seed. The rules run `engines.CHUNK`-many to a statement, so a
batch costs a handful of statements per engine. A customer for whom the language leaves a
rule undefined (`last(E.p)` when the latest events disagree: the reference evaluator says
None) is left out of the comparison, since any answer is right there.

ClickHouse runs every batch twice: with Nullable columns, and with the columns declared the
usual ClickHouse way, not Nullable, where a missing value cannot exist and the column's
default (0, '', false, 1970-01-01) stands in its place: a random half of the columns of
every table is declared so, and DuckDB (and the reference) read the same defaults there.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import segdsl
from segdsl import reference
from segdsl.syntax.printer import print_rule
from support import engines, rulegen

Data = dict[str, list[dict[str, Any]]]

# the default of a non-Nullable ClickHouse column of each DuckDB type: what a NULL becomes
DEFAULTS: dict[str, Any] = {
    "BIGINT": 0,
    "INTEGER": 0,
    "DOUBLE": 0.0,
    "BOOLEAN": False,
    "VARCHAR": "",
    "DATE": dt.date(1970, 1, 1),
    "TIMESTAMP": dt.datetime(1970, 1, 1),
}


def default_of(duck: str) -> Any:
    return Decimal(0) if duck.startswith("DECIMAL") else DEFAULTS[duck]


@dataclass
class Batch:
    """One warehouse and its rules."""

    seed: int
    as_of: dt.datetime
    data: Data
    helpers: dict[str, str]
    buckets: dict[str, list[tuple[str, str]]]
    rules: list[str]
    trees: list[Any]
    plain: frozenset[tuple[str, str]] = field(default_factory=frozenset)  # non-Nullable columns


# what one of the fuzzed dialects refuses (engines.UNSUPPORTED: SQLite), and what one of
# them is known to answer differently (KNOWN): helper segments never hold either
REFUSED_SOMEWHERE = ("lower(", "upper(", "ignoring case", "matches", "bucket(", "last(", "first(")
DECIMALS = ("d", "ltv", "amount")  # the generator's decimal fields and traits

# Rules left out of the comparison on one engine, for a difference recorded in
# docs/engines.md#known-differences and not fixed yet: engine → (what, test on the rule text)
KNOWN: dict[str, list[tuple[str, Callable[[str], bool]]]] = {
    "clickhouse": [
        # round(float) compared with a decimal compares otherwise
        ("round() compared with a decimal", lambda r: "round(" in r),
    ],
}


def known(engine: str, rule: str) -> str | None:
    """Why `rule` is left out on `engine` (KNOWN), or None."""
    return next((what for what, test in KNOWN.get(engine, []) if test(rule)), None)


def batch(seed: int, rules: int) -> Batch:
    c = rulegen.RandomChooser(seed)
    as_of = c.pick(rulegen.AS_OFS)
    data = rulegen.warehouse(c, as_of)
    gen = rulegen.RuleGen(c, as_of, references=False)

    def helper(depth: int) -> str:
        """A rule that every fuzzed dialect expresses, else every rule referring to it
        would be refused with it."""
        while True:
            text = print_rule(gen.condition(depth))
            if not any(word in text for word in REFUSED_SOMEWHERE) and not any(
                known(engine, text) for engine in KNOWN
            ):
                return text

    helpers = {name: helper(2) for name in rulegen.SEGMENTS}
    buckets = {
        "tier": [("gold", helper(1)), ("silver", helper(1)), ("rest", "")],
        "band": [("low", helper(1)), ("high", helper(1))],
    }
    gen = rulegen.RuleGen(c, as_of)
    trees = [gen.condition(3) for _ in range(rules)]
    return Batch(seed, as_of, data, helpers, buckets, [print_rule(t) for t in trees], trees)


def not_nullable(b: Batch, seed: int) -> Batch:
    """The batch with a random half of every table's columns (never the key) declared not
    Nullable: their missing values become the type's default."""
    c = rulegen.RandomChooser(seed)
    plain = frozenset(
        (table, column)
        for table, columns in rulegen.TABLES.items()
        for column, _ in columns[1:]
        if c.chance(0.5)
    )
    types = {(t, col): ty for t, cols in rulegen.TABLES.items() for col, ty in cols}
    data = {
        table: [
            {
                k: default_of(types[table, k]) if v is None and (table, k) in plain else v
                for k, v in row.items()
            }
            for row in rows
        ]
        for table, rows in b.data.items()
    }
    return replace(b, data=data, plain=plain)


def tables_of(b: Batch) -> tuple[engines.Table, ...]:
    return tuple(
        engines.Table(
            table,
            tuple(engines.Column(c, t, (table, c) not in b.plain) for c, t in columns),
            tuple(tuple(row[c] for c, _ in columns) for row in b.data[table]),
        )
        for table, columns in rulegen.TABLES.items()
    )


def write_project(root: Path, b: Batch) -> None:
    """The project of a batch (its schema, helper segments and segmentations); the rules
    themselves are written by engines.members_on. No warehouse file: engines load rows."""
    (root / "segments").mkdir(parents=True, exist_ok=True)
    (root / "segdsl.yaml").write_text(rulegen.PROJECT)
    (root / "schema.yaml").write_text(rulegen.SCHEMA)
    lines = ["segments:"]
    for segment, rule in b.helpers.items():
        lines += [f"  {segment}:", "    where: |-", *(f"      {x}" for x in rule.splitlines())]
    lines.append("segmentations:")
    for segmentation, items in b.buckets.items():
        lines.append(f"  {segmentation}:")
        for bucket, rule in items:
            lines.append(f"    - {bucket}: |-" if rule else f"    - else: {bucket}")
            lines += [f"        {x}" for x in rule.splitlines()] if rule else []
    (root / "segments" / "helpers.yaml").write_text("\n".join(lines) + "\n")


@dataclass
class Tally:
    """What a fuzz run compared, per engine: rules compared, rules refused (E5xx)."""

    compared: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    known: Counter[str] = field(default_factory=Counter)  # left out: KNOWN
    failures: list[str] = field(default_factory=list)


REFUSED = re.compile(r"in segment `q(\d+)`")


def refused_rules(root: Path, rules: list[str], dialect: str) -> set[str]:
    """The rules that `dialect` refuses (E5xx), found by `check --dialect` in one go."""
    path = root / "segments" / "engine_rules.yaml"
    path.write_text(engines.rules_file([f"q{i}" for i in range(len(rules))], rules))
    try:
        found = segdsl.load(root).check([dialect])
    finally:
        path.unlink()
    return {
        rules[int(m.group(1))]
        for d in found
        if d.code.startswith("E5") and (m := REFUSED.search(d.message))
    }


def compare(
    b: Batch,
    engine: engines.Engine,
    label: str,
    tally: Tally,
    baselines: dict[tuple[int, frozenset[tuple[str, str]]], Any],
) -> None:
    """DuckDB's members of every rule of `b` against `engine`'s (both loaded with the
    batch's rows), on the customers for whom the rule is defined. DuckDB's members and
    the reference's undefined customers are computed once per warehouse (`baselines`)."""
    tables = tables_of(b)
    warehouse = f"fuzz{b.seed}"
    with tempfile.TemporaryDirectory(prefix="segdsl-fuzz-") as folder:
        root = Path(folder)
        write_project(root, b)
        chunk = engines.CHUNK.get(engine.name, engines.DEFAULT_CHUNK)
        if (b.seed, b.plain) not in baselines:
            duckdb = engines.DuckDBEngine()
            duckdb.load(warehouse, tables)
            try:
                want = engines.members_on(duckdb, warehouse, root, b.rules, b.as_of, chunk)
            finally:
                duckdb.close()
            rules = reference.Rules.of(segdsl.load(root))
            undefined = [
                {k for k, v in reference.evaluate(rules, t, b.data, b.as_of).items() if v is None}
                for t in b.trees
            ]
            baselines[b.seed, b.plain] = want, undefined
        want, undefined = baselines[b.seed, b.plain]
        refused = refused_rules(root, b.rules, engine.dialect)
        engine.load(warehouse, tables)
        runnable = [r for r in b.rules if r not in refused and not known(engine.name, r)]
        got = engines.members_on(engine, warehouse, root, runnable, b.as_of, chunk)
    for rule, loose in zip(b.rules, undefined, strict=True):
        expected, outcome = want[rule], got.get(rule)
        if rule not in refused and known(engine.name, rule):
            tally.known[label] += 1
            continue
        if isinstance(expected, Exception):
            tally.failures.append(f"{label}: DuckDB fails on {rule!r}: {expected}"[:600])
            continue
        if outcome is None or (
            isinstance(outcome, segdsl.SegdslError)
            and all(d.code.startswith("E5") for d in outcome.diagnostics)
        ):
            tally.refused[label] += 1
            continue
        tally.compared[label] += 1
        if isinstance(outcome, Exception):
            tally.failures.append(
                f"{label}: fails on {rule!r}: {type(outcome).__name__}: {outcome}"[:600]
            )
        elif outcome - loose != expected - loose:
            tally.failures.append(
                f"{label} differs on {rule!r} (as of {b.as_of}, seed {b.seed}): "
                f"{sorted(outcome - loose)}, DuckDB {sorted(expected - loose)}"
            )
