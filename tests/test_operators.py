"""The operator rows agree with themselves: what one field says, the others do not deny."""

from __future__ import annotations

from typing import get_args

import pytest

from segdsl.operators import AGGREGATES, COMPARISONS, OPERATORS, SPELLED
from segdsl.syntax import ast
from segdsl.syntax.parser import parse_rule
from segdsl.syntax.printer import print_rule

ORDERED = [(1, 2), (2, 1), (2, 2)]


@pytest.mark.parametrize("name", sorted(COMPARISONS))
def test_converse_and_complement(name: str) -> None:
    row = OPERATORS[name]
    assert row.converse is not None and OPERATORS[row.converse].converse == name
    for x, y in ORDERED:
        assert COMPARISONS[row.converse](y, x) == COMPARISONS[name](x, y)
        if row.complement is not None:
            assert COMPARISONS[row.complement](x, y) != COMPARISONS[name](x, y)


def test_spellings_are_unique() -> None:
    spelled = [op.spelling for op in OPERATORS.values() if op.spelling is not None]
    assert len(spelled) == len(set(spelled)) == len(SPELLED)


@pytest.mark.parametrize("name", sorted(get_args(ast.TextOp)))
def test_text_tests_are_rows(name: str) -> None:
    row = OPERATORS[name]
    assert row.predicate and row.spelling and row.evaluate is not None


def test_aggregates_over_no_events() -> None:
    assert {n for n, row in AGGREGATES.items() if row.over_no_events == 0} == {
        "count",
        "count_distinct",
        "sum",
    }


@pytest.mark.parametrize(
    "rule",
    [
        'email ends with any of [".com", ".org"]',
        "email not starts with any of [] ignoring case",
        "tag contains any of EU",
        'not (name contains any of ["%", "\\\\", "_"] ignoring case)',
    ],
)
def test_any_of_prints_as_it_parses(rule: str) -> None:
    tree = parse_rule(rule)
    assert isinstance(tree, ast.TextTest | ast.Not)
    assert parse_rule(print_rule(tree)) == tree
