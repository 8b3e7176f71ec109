"""Many tests in one statement: the rows of every test at once, each customer under a key of
its own, so that one run of a compiled statement answers for all of them.

A statement costs DuckDB about ten milliseconds to plan whatever the rows, which made a
project of 200 tests take seconds in planning alone. A rule's answer for a customer
depends on that customer's rows only, unless it compares customers (`percentile`,
`cume_share`), hashes the key (`bucket`) or reads the key as a field: such rules run test
by test, every other rule over the merged rows of all tests. The merged rows are one more
"test" of the fixture (segdsl/execute/fixtures.py), so that both kinds share a session.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from segdsl.document.formats import IDENTIFIER
from segdsl.document.givens import Table, TestCase
from segdsl.review.protocol import Reviewed
from segdsl.types import Type

_POPULATION = {"percentile", "cume_share", "bucket"}


def batchable(project: Reviewed, targets: Sequence[str]) -> bool:
    """Whether the targets' rules (their traits, segments and segmentations too) answer
    for each customer from that customer's rows alone, whatever the key's value. Read from
    the names the rule texts hold: a word that only looks like one (in a text) errs on the
    safe side, test by test."""
    env = project.environment
    assert env is not None
    refused = _POPULATION | {env.entity.key}
    seen: set[str] = set()
    todo = list(targets)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        texts: list[str] = []
        if name in project.segments:
            texts.append(project.segments[name].where.value)
        if name in project.segmentations:
            texts += [b.rule.value for b in project.segmentations[name].buckets if b.rule]
        if name in env.traits:
            texts.append(env.traits[name].value)
        for text in texts:
            words = set(IDENTIFIER.findall(text))
            if words & refused:
                return False
            todo += sorted(words - seen)
    return True


def merged(
    project: Reviewed, cases: Sequence[TestCase]
) -> tuple[dict[str, Table], dict[Any, tuple[int, Any]]]:
    """The rows of `cases` as one fixture, every customer under a new key; and each new key
    → (the test's place in `cases`, the customer's key there)."""
    env = project.environment
    assert env is not None
    keys = {env.entity.table: env.entity.key}
    keys |= {f.table: f.key for f in env.entity.fields.values() if f.many and f.table and f.key}
    keys |= {s.table: s.key for s in env.streams.values()}
    first = cases[0].tables
    text = first[env.entity.table].columns[env.entity.key] == Type.STRING
    new: dict[tuple[int, Any], Any] = {}
    for number, case in enumerate(cases):
        for key in case.customers:
            new[number, key] = str(len(new) + 1) if text else len(new) + 1
    tables = {name: Table(dict(table.columns)) for name, table in first.items()}
    for number, case in enumerate(cases):
        for name, table in case.tables.items():
            column = keys.get(name)
            for row in table.rows:
                owner = new.get((number, row.get(column))) if column else None
                if column is None or owner is not None:
                    tables[name].rows.append({**row, **({column: owner} if column else {})})
    return tables, {value: place for place, value in new.items()}
