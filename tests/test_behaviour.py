"""Behaviour on DuckDB: the cases of tests/cases/behaviour/ (`did`, aggregates over events,
traits over events, population functions, `bucket` and segmentations) over the shop of
tests/cases/shops/behaviour.yaml (read its row comments), each computed by hand from
docs/semantics.md.

Every rule also checks the partition property: `not (rule)` holds for exactly the
customers the rule does not. The reference evaluator (test_reference.py) and the engine
matrix (test_engines.py) run the same case files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
import yaml
from support import cases
from support.shops import ShopProject, rules_file

import segdsl

SHOP = cases.shop("behaviour")
AS_OF = SHOP.as_of
EVERYONE = SHOP.everyone
CASES = cases.cases("behaviour")
FILES = cases.case_files("behaviour")
FIXED = yaml.safe_load(SHOP.segments or "")
SEGMENTS = tuple(FIXED.get("segments", {}))
SEGMENTATIONS = tuple(FIXED.get("segmentations", {}))
BUCKETS = {name: values for f in FILES for name, values in f.buckets.items()}
PINNED = [entry for f in FILES for entry in f.pinned_buckets]


@pytest.fixture(scope="module")
def behaviour(tmp_path_factory: pytest.TempPathFactory) -> ShopProject:
    return ShopProject("behaviour", tmp_path_factory.mktemp("behaviour"))


@pytest.fixture(scope="module")
def found(behaviour: ShopProject) -> dict[tuple[dt.datetime, str], Any]:
    """Members of every rule and its negation, one batch of runs per *as of*."""
    by_as_of: dict[dt.datetime, list[str]] = {}
    for case in cases.with_negations(CASES):
        by_as_of.setdefault(case.as_of, []).append(case.rule)
    return {
        (as_of, rule): members
        for as_of, rules in by_as_of.items()
        for rule, members in behaviour.members_many(rules, as_of).items()
    }


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_rule(found: dict[tuple[dt.datetime, str], Any], case: cases.Case) -> None:
    for expected in cases.with_negations([case]):
        got = found[expected.as_of, expected.rule]
        assert not isinstance(got, Exception), str(got)
        assert got == set(expected.members), f"members of: {expected.rule}"


def test_segmentations_as_string_columns(behaviour: ShopProject) -> None:
    assert set(BUCKETS) == set(SEGMENTATIONS)
    assert behaviour.segmentation_values(SEGMENTATIONS, AS_OF) == BUCKETS


@pytest.mark.parametrize("pinned", PINNED, ids=lambda p: f"{p['salt']}:{p['count']}")
def test_bucket_values_are_pinned(behaviour: ShopProject, pinned: dict[str, Any]) -> None:
    salt, count = pinned["salt"], pinned["count"]
    # the pinned table is docs/semantics.md#bucket's formula, with the key as its decimal text
    assert pinned["values"] == {
        key: int(hashlib.md5(f"{salt}:{key}".encode()).hexdigest()[:8], 16) % count
        for key in EVERYONE
    }
    call = f'bucket({count}, "{salt}")' if salt else f"bucket({count})"
    rules = {f"{call} = {value}": value for value in range(count)}
    members = behaviour.members_many(rules, AS_OF)
    for rule, value in rules.items():
        assert members[rule] == {k for k, v in pinned["values"].items() if v == value}, rule


def test_one_run_of_all_segments_equals_each_run_alone(behaviour: ShopProject) -> None:
    """Shared aggregates and groups must not change anyone's membership."""
    rules = list(dict.fromkeys(c.rule for c in CASES if c.as_of == AS_OF))
    names = {f"r{i}": rule for i, rule in enumerate(rules)}
    behaviour.write_segments(rules_file(names, rules))
    project = segdsl.load(behaviour.root)
    everything = [*names, *SEGMENTS, *SEGMENTATIONS]
    together = project.run(everything, as_of=AS_OF)
    columns = ", ".join(f'"{n}"' for n in everything)
    rows = {
        row[0]: row[1:] for row in together.relation.project(f"customer_id, {columns}").fetchall()
    }
    assert set(rows) == EVERYONE
    for i, name in enumerate(everything):
        alone = project.run([name], as_of=AS_OF)  # a segment alone: its members' statement
        if alone.members_of is not None:
            expected = {key for key, values in rows.items() if values[i]}
            assert set(alone.members(name)) == expected, (name, names.get(name))
            continue
        assert dict(alone.relation.project(f'customer_id, "{name}"').fetchall()) == {
            key: values[i] for key, values in rows.items()
        }, (name, names.get(name))
