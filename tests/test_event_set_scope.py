"""An event set's filter and window read no customer (docs/semantics.md#events): every way a
rule could make them read one is E314 from `check`, never a traceback or SQL that reads the
customers' table inside the events' subquery (issue 16)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

import segdsl
from segdsl.demo import write_demo

REFUSED = [
    "did purchase between signup_at and today",
    "count(purchase after last_seen_at) > 0",
    "did purchase after 30 days ago and sum(purchase.amount before first(purchase)) > 0",
    "did purchase(amount > count(add_to_cart))",
    "did purchase(amount > avg(purchase.amount))",
    "did purchase(in segment seen)",
    "did purchase(did checkout)",
    "did purchase(bucket(10) < 3)",
    "did purchase(amount > percentile(amount))",
    "max(purchase(amount > 0).amount after first(add_to_cart)) > 1",
]
ACCEPTED = [
    # a plain `did` with a one-sided window may end at the customer's own time
    "did checkout after first(add_to_cart)",
    "did purchase after signup_at + 7 days",
    "did purchase after joined and age > 1",
    "did purchase(amount > 50) before last_seen_at",
    "did purchase after 2025-12-01 + 3 days",
    "did purchase between 60 days ago and today - 7 days",
    "did purchase(amount > 50 and ordered_at > 2025-01-01) within 90 days",
    "count(purchase after now - 3 days) > 0",
]


def _project(tmp_path: Path, rule: str) -> segdsl.Project:
    (tmp_path / "segments").mkdir(exist_ok=True)
    (tmp_path / "segdsl.yaml").write_text(
        "name: t\nschema: schema.yaml\nsegments: [segments/]\n", encoding="utf-8"
    )
    (tmp_path / "schema.yaml").write_text(
        """customers:
  table: customers
  key: customer_id
  fields: {age: integer, signup_at: timestamp, last_seen_at: timestamp}
events:
  events:
    table: events
    key: customer_id
    time: ts
    name: event_name
    names: [add_to_cart, checkout]
  purchase:
    table: orders
    key: customer_id
    time: ordered_at
    properties: {amount: decimal, ordered_at: timestamp}
traits:
  joined: if(age > 0, signup_at, last_seen_at)
""",
        encoding="utf-8",
    )
    (tmp_path / "segments" / "s.yaml").write_text(
        f"segments:\n  seen:\n    where: last_seen_at is set\n  probe:\n    where: '{rule}'\n",
        encoding="utf-8",
    )
    return segdsl.load(tmp_path)


@pytest.mark.parametrize("rule", REFUSED)
def test_a_customer_inside_an_event_set_is_e314(tmp_path: Path, rule: str) -> None:
    problems = _project(tmp_path, rule).check()
    assert [p.code for p in problems] == ["E314"], problems
    assert problems[0].hint


@pytest.mark.parametrize("rule", ACCEPTED)
def test_bounds_shared_by_everyone_still_check(tmp_path: Path, rule: str) -> None:
    assert _project(tmp_path, rule).check() == []


# ---- a plain `did` against the customer's own time, and the rules it means, proven on the
# demo against hand-written SQL

AS_OF = dt.datetime(2025, 12, 31, 12, 0, 0)
REWRITES = {
    # rule → the customers it means, written by hand over the demo's tables
    "last(purchase) > signup_at + 7 days": """SELECT DISTINCT c.customer_id FROM customers c
        JOIN orders o ON o.customer_id = c.customer_id
        WHERE o.ordered_at > c.signup_at + INTERVAL 7 DAY AND o.ordered_at <= $as_of""",
    "last(checkout) > first(add_to_cart)": """SELECT DISTINCT c.customer_id FROM customers c
        JOIN events k ON k.customer_id = c.customer_id
        JOIN (SELECT customer_id, min(ts) AS t FROM events WHERE event_name = 'add_to_cart'
              AND ts <= $as_of GROUP BY customer_id) a ON a.customer_id = k.customer_id
        WHERE k.event_name = 'checkout' AND k.ts > a.t AND k.ts <= $as_of""",
    "first(purchase) < signup_at + 30 days": """SELECT DISTINCT c.customer_id FROM customers c
        JOIN orders o ON o.customer_id = c.customer_id
        WHERE o.ordered_at < c.signup_at + INTERVAL 30 DAY AND o.ordered_at <= $as_of""",
}
# the windows themselves, as written: a plain `did` after or before the customer's own time
REWRITES |= {
    "did purchase after signup_at + 7 days": REWRITES["last(purchase) > signup_at + 7 days"],
    "did checkout after first(add_to_cart)": REWRITES["last(checkout) > first(add_to_cart)"],
    "did purchase before signup_at + 30 days": REWRITES["first(purchase) < signup_at + 30 days"],
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "demo"
    write_demo(root, customers=2_000)
    lines = ["segments:"]
    lines += [f"  r{i}:\n    where: '{rule}'" for i, rule in enumerate(REWRITES)]
    (root / "segments" / "rewrites.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def test_the_hinted_rewrites_mean_the_refused_windows(demo: Path) -> None:
    result = segdsl.load(demo).run([f"r{i}" for i in range(len(REWRITES))], as_of=AS_OF)
    with duckdb.connect(str(demo / "warehouse.duckdb"), read_only=True) as con:
        for i, sql in enumerate(REWRITES.values()):
            expected = sorted(r[0] for r in con.execute(sql, {"as_of": AS_OF}).fetchall())
            assert sorted(result.members(f"r{i}")) == expected
            assert len(expected) > 50  # the demo has such customers, and not all of them
