"""Sequences (`did A then B within D`, docs/semantics.md#sequences) beyond the hand-computed
cases of tests/cases/semantics/sequences.yaml: their event sets read no customer (E314), the
printer writes them back as they parse, and on the demo their members are those of
hand-written SQL of another shape (joins, LEAST, HAVING) than segdsl's nested EXISTS."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest
from support import cases
from support.shops import ShopProject
from test_event_set_scope import _project

import segdsl
from segdsl.demo import write_demo
from segdsl.syntax.parser import parse_rule
from segdsl.syntax.printer import print_rule

REFUSED = {
    "did add_to_cart after signup_at then checkout": "E314",  # the first step's window
    "did add_to_cart then checkout(ts > first(purchase))": "E207",  # a filter names properties
    "did add_to_cart then purchase(amount > avg(purchase.amount))": "E314",
    "count(add_to_cart between signup_at and now then checkout) > 0": "E314",
    "did add_to_cart then not checkout": "E331",
    "did add_to_cart then not checkout within 1 day then purchase": "E330",
    "did add_to_cart exactly 1 time then checkout": "E332",
    "max(purchase.amount then checkout) > 1": "E333",
    "count(purchase.amount then checkout) > 1": "E333",
    "percentile(add_to_cart then checkout) > 50": "E333",
    "did add_to_cart then checkout within 0 minutes": "E334",
    "did add_to_cart then chekout": "E206",
}


@pytest.mark.parametrize("rule", REFUSED)
def test_a_wrong_sequence_is_one_coded_problem(tmp_path: Path, rule: str) -> None:
    problems = _project(tmp_path, rule).check()
    assert [p.code for p in problems] == [REFUSED[rule]], problems
    assert problems[0].hint


@pytest.mark.parametrize(
    "rule",
    [
        "did add_to_cart within 30 days then not checkout within 1 day",
        "did purchase(ordered_at > 2025-01-01) before now then checkout "
        "then purchase(amount > 5) within 2 hours",
        "not did add_to_cart then checkout",
        "count(purchase(amount > 1) between 2025-01-01 and today "
        "then not checkout within 1 week) >= 2",
    ],
)
def test_a_sequence_prints_as_it_parses(tmp_path: Path, rule: str) -> None:
    text = print_rule(parse_rule(rule))
    assert parse_rule(text) == parse_rule(rule)
    assert _project(tmp_path, rule).check() == []


AS_OF = dt.datetime(2025, 12, 31, 12, 0, 0)
SHOP_AS_OF = cases.shop("semantics").as_of
CUSTOMER = "a.customer_id IN (SELECT customer_id FROM customers)"
BY_HAND = {
    # a count of checkouts within min(cart + 1 day, as of) instead of NOT EXISTS
    "did add_to_cart within 30 days then not checkout within 1 day": f"""
        SELECT DISTINCT a.customer_id FROM events a WHERE {CUSTOMER}
        AND a.event_name = 'add_to_cart' AND a.ts BETWEEN $as_of - INTERVAL 30 DAY AND $as_of
        AND (SELECT COUNT(*) FROM events b WHERE b.customer_id = a.customer_id
             AND b.event_name = 'checkout' AND b.ts > a.ts
             AND b.ts <= LEAST(a.ts + INTERVAL 1 DAY, $as_of)) = 0""",
    # a chain of inner joins instead of nested EXISTS
    'did page_view(url starts with "/p/") within 30 days then add_to_cart within 1 hour '
    "then purchase within 1 day": f"""
        SELECT DISTINCT a.customer_id FROM events a
        JOIN events b ON b.customer_id = a.customer_id AND b.event_name = 'add_to_cart'
          AND b.ts > a.ts AND b.ts <= a.ts + INTERVAL 1 HOUR AND b.ts <= $as_of
        JOIN orders o ON o.customer_id = b.customer_id AND o.ordered_at > b.ts
          AND o.ordered_at <= b.ts + INTERVAL 1 DAY AND o.ordered_at <= $as_of
        WHERE {CUSTOMER} AND a.event_name = 'page_view' AND starts_with(a.url, '/p/')
          AND a.ts BETWEEN $as_of - INTERVAL 30 DAY AND $as_of""",
    # the converting carts counted with HAVING
    "count(add_to_cart within 90 days then checkout within 1 day) >= 2": f"""
        SELECT a.customer_id FROM events a WHERE {CUSTOMER} AND a.event_name = 'add_to_cart'
        AND a.ts BETWEEN $as_of - INTERVAL 90 DAY AND $as_of
        AND EXISTS (SELECT 1 FROM events b WHERE b.customer_id = a.customer_id
            AND b.event_name = 'checkout' AND b.ts > a.ts AND b.ts <= a.ts + INTERVAL 1 DAY
            AND b.ts <= $as_of)
        GROUP BY a.customer_id HAVING COUNT(*) >= 2""",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "demo"
    write_demo(root, customers=2_000)
    lines = ["segments:"]
    lines += [f"  r{i}:\n    where: '{rule}'" for i, rule in enumerate(BY_HAND)]
    (root / "segments" / "sequences.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def test_sequences_on_the_demo_mean_the_hand_written_sql(demo: Path) -> None:
    project = segdsl.load(demo)
    names = [f"r{i}" for i in range(len(BY_HAND))]
    together = project.run(names, as_of=AS_OF)
    with duckdb.connect(str(demo / "warehouse.duckdb"), read_only=True) as con:
        for name, sql in zip(names, BY_HAND.values(), strict=True):
            expected = sorted(r[0] for r in con.execute(sql, {"as_of": AS_OF}).fetchall())
            assert sorted(together.members(name)) == expected, name
            alone = project.run([name], as_of=AS_OF)  # the single segment's statement
            assert sorted(alone.members(name)) == expected, name
            assert len(expected) > 50  # the demo has such customers, and not all of them


def test_explain_traces_a_sequence_step_by_step(tmp_path: Path) -> None:
    """`explain --customer` gives the count of first events after each step: the reach.
    Customer 1 of the semantics shop has three views; two are followed within a day by the
    cart of 12-11 10:00, whose checkout 30 minutes later is not within 20 minutes."""
    shop = ShopProject("semantics", tmp_path)
    rule = "did view then cart within 1 day then not checkout within 20 minutes"
    shop.write_segments(f"segments:\n  funnel:\n    where: {rule}\n")
    explained = segdsl.load(shop.root).explain("funnel", customer=1, as_of=SHOP_AS_OF)
    (clause,) = explained.clauses
    assert explained.holds is True and clause.holds is True
    assert clause.inputs == {
        "count(view)": 3,
        "count(view then cart within 1 day)": 2,
        "count(view then cart within 1 day then not checkout within 20 minutes)": 2,
    }
    assert clause.members == 2  # customers 1 and 6 (tests/cases/semantics/sequences.yaml)
