"""The reference evaluator (segdsl/reference.py) against the hand-computed cases.

The cases are those of tests/cases/, read by the same loader as the DuckDB tests and the
engine matrix; the rows are those of tests/cases/shops/, given to the evaluator as
dictionaries. So the evaluator is held to the same expectations as the SQL path before
tests/test_properties.py uses it as the judge of random rules.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from support import cases, shops

import segdsl
from segdsl import reference

CASES = cases.cases()
SEGMENT_FILES = [f for name in cases.SHOPS for f in cases.case_files(name) if f.members]
BUCKET_FILES = [f for name in cases.SHOPS for f in cases.case_files(name) if f.buckets]


def project_rules(shop: str, root: Path, segment_file: str | None = None) -> reference.Rules:
    shops.build(shop, root)
    if segment_file:
        (root / "segments" / "segments.yaml").write_text(segment_file, encoding="utf-8")
    project = segdsl.load(root)
    assert not project.check()
    return reference.Rules.of(project)


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> dict[str, reference.Rules]:
    """The rules of each shop's project, by shop."""
    return {name: project_rules(name, tmp_path_factory.mktemp(name)) for name in cases.SHOPS}


@pytest.mark.parametrize("case", CASES, ids=[f"{c.shop}/{c.id}" for c in CASES])
def test_case(rules: dict[str, reference.Rules], case: cases.Case) -> None:
    data = cases.shop(case.shop).data()
    for expected in cases.with_negations([case]):
        got = reference.members(rules[case.shop], expected.rule, data, expected.as_of)
        assert got == set(expected.members), f"members of: {expected.rule}"


@pytest.mark.parametrize("case_file", SEGMENT_FILES, ids=lambda f: f"{f.shop}/{f.path.stem}")
def test_segment_references_and_segmentations(
    case_file: cases.CaseFile, rules: dict[str, reference.Rules], tmp_path: Path
) -> None:
    shop = cases.shop(case_file.shop)
    own = (
        project_rules(case_file.shop, tmp_path, case_file.segment_file)
        if case_file.segment_file
        else rules[case_file.shop]
    )
    for name, expected in case_file.members.items():
        assert reference.members(own, name, shop.data(), shop.as_of) == expected, name


@pytest.mark.parametrize("case_file", BUCKET_FILES, ids=lambda f: f"{f.shop}/{f.path.stem}")
def test_segmentation_buckets(
    case_file: cases.CaseFile, rules: dict[str, reference.Rules], tmp_path: Path
) -> None:
    shop = cases.shop(case_file.shop)
    own = (
        project_rules(case_file.shop, tmp_path, case_file.segment_file)
        if case_file.segment_file
        else rules[case_file.shop]
    )
    for name, expected in case_file.buckets.items():
        assert reference.buckets(own, name, shop.data(), shop.as_of) == expected, name


def test_ties_in_last_of_a_property_are_undefined(rules: dict[str, reference.Rules]) -> None:
    shop = cases.shop("behaviour")
    at = dt.datetime(2025, 12, 1, 10)
    data = dict(
        shop.data(),
        orders=[
            {"customer_id": 1, "ordered_at": at, "amount": 1, "category": "a"},
            {"customer_id": 1, "ordered_at": at, "amount": 1, "category": "b"},
            {"customer_id": 2, "ordered_at": at, "amount": 1, "category": "a"},
            {"customer_id": 2, "ordered_at": at, "amount": 2, "category": "a"},
        ],
    )
    found = reference.evaluate(
        rules["behaviour"], 'last(purchase.category) = "a"', data, shop.as_of
    )
    assert found[1] is None and found[2] is True and found[3] is False
