"""The reference evaluator (segdsl/reference.py) against the hand-computed tables.

The cases are those of tests/test_semantics.py and tests/test_behaviour.py, imported, not
copied; the rows are those the two shops write to DuckDB, given to the evaluator as
dictionaries. So the evaluator is held to the same expectations as the SQL path before
tests/test_properties.py uses it as the judge of random rules.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import behaviour_shop
import pytest
import shop
import test_behaviour
import test_semantics
from behaviour_shop import BehaviourShop
from shop import Shop

import segdsl
from segdsl import reference

SHOP_DATA: reference.Data = {
    "customers": [dict(zip(shop.COLUMNS, row, strict=True)) for row in shop.CUSTOMERS],
    "customer_tags": [{"customer_id": key, "tag": tag} for key, tag in shop.TAGS],
}
BEHAVIOUR_DATA: reference.Data = {
    "customers": [
        dict(zip(("customer_id", "name", "country_code"), row, strict=True))
        for row in behaviour_shop.CUSTOMERS
    ],
    "events": [
        dict(zip(("customer_id", "ts", "event_name", "url", "device", "channel"), row, strict=True))
        for row in behaviour_shop.EVENTS
    ],
    "orders": [
        dict(
            zip(
                ("order_id", "customer_id", "ordered_at", "amount", "category", "product_id"),
                row,
                strict=True,
            )
        )
        for row in behaviour_shop.ORDERS
    ],
}


def _values(case: Any) -> tuple[Any, ...]:
    return tuple(case.values if hasattr(case, "values") else case)


@pytest.fixture(scope="module")
def shop_rules(tmp_path_factory: pytest.TempPathFactory) -> reference.Rules:
    root = Shop(tmp_path_factory.mktemp("reference-shop")).root
    (root / "segments" / "segments.yaml").write_text(test_semantics.PROJECT_SEGMENTS)
    return _rules(root)


@pytest.fixture(scope="module")
def behaviour_rules(tmp_path_factory: pytest.TempPathFactory) -> reference.Rules:
    return _rules(BehaviourShop(tmp_path_factory.mktemp("reference-behaviour")).root)


def _rules(root: Path) -> reference.Rules:
    project = segdsl.load(root)
    assert not project.check()
    return reference.Rules.of(project)


def _assert(
    rules: reference.Rules,
    data: reference.Data,
    rule: str,
    as_of: dt.datetime,
    expected: set[int],
    everyone: set[int],
) -> None:
    assert reference.members(rules, rule, data, as_of) == expected, f"members of: {rule}"
    negation = test_semantics.negation(rule)
    assert reference.members(rules, negation, data, as_of) == everyone - expected, (
        f"members of: not ({rule})"
    )


@pytest.mark.parametrize(
    ("rule", "expected"), test_semantics.CASES, ids=test_semantics.ids(test_semantics.CASES)
)
def test_semantic_case(shop_rules: reference.Rules, rule: str, expected: set[int]) -> None:
    _assert(shop_rules, SHOP_DATA, rule, shop.AS_OF, set(expected), test_semantics.ALL)


@pytest.mark.parametrize(
    "case",
    test_semantics.AS_OF_CASES,
    ids=[f"{c[0]:%Y-%m-%dT%H} {c[1]}" for c in test_semantics.AS_OF_CASES],
)
def test_semantic_case_as_of(shop_rules: reference.Rules, case: Any) -> None:
    as_of, rule, expected = _values(case)
    _assert(shop_rules, SHOP_DATA, rule, as_of, set(expected), test_semantics.ALL)


@pytest.mark.parametrize(("name", "expected"), sorted(test_semantics.SEGMENT_EXPECTED.items()))
def test_segment_references_and_segmentations(
    shop_rules: reference.Rules, name: str, expected: set[int]
) -> None:
    assert reference.members(shop_rules, name, SHOP_DATA, shop.AS_OF) == expected


@pytest.mark.parametrize(("rule", "expected"), test_behaviour.CASES)
def test_behaviour_case(
    behaviour_rules: reference.Rules, rule: str, expected: frozenset[int]
) -> None:
    _assert(
        behaviour_rules,
        BEHAVIOUR_DATA,
        rule,
        behaviour_shop.AS_OF,
        set(expected),
        set(behaviour_shop.EVERYONE),
    )


@pytest.mark.parametrize(("rule", "expected"), test_behaviour.PAST_CASES)
def test_behaviour_case_in_the_past(
    behaviour_rules: reference.Rules, rule: str, expected: frozenset[int]
) -> None:
    _assert(
        behaviour_rules,
        BEHAVIOUR_DATA,
        rule,
        test_behaviour.PAST,
        set(expected),
        set(behaviour_shop.EVERYONE),
    )


@pytest.mark.parametrize("name", sorted(test_behaviour.SEGMENTATION_VALUES))
def test_segmentation_buckets(behaviour_rules: reference.Rules, name: str) -> None:
    assert (
        reference.buckets(behaviour_rules, name, BEHAVIOUR_DATA, behaviour_shop.AS_OF)
        == test_behaviour.SEGMENTATION_VALUES[name]
    )


def test_ties_in_last_of_a_property_are_undefined(behaviour_rules: reference.Rules) -> None:
    at = dt.datetime(2025, 12, 1, 10)
    data = dict(
        BEHAVIOUR_DATA,
        orders=[
            {"customer_id": 1, "ordered_at": at, "amount": 1, "category": "a"},
            {"customer_id": 1, "ordered_at": at, "amount": 1, "category": "b"},
            {"customer_id": 2, "ordered_at": at, "amount": 1, "category": "a"},
            {"customer_id": 2, "ordered_at": at, "amount": 2, "category": "a"},
        ],
    )
    found = reference.evaluate(
        behaviour_rules, 'last(purchase.category) = "a"', data, behaviour_shop.AS_OF
    )
    assert found[1] is None and found[2] is True and found[3] is False
