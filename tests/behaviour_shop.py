"""A tiny shop with events and orders, written from data in this file, for behaviour tests.

Like tests/shop.py, but about behaviour: `did`, aggregates over events, traits over
events, `percentile`/`cume_share`, `bucket` and segmentations. Event times sit on the
edges of windows around AS_OF (2025-12-31 12:00): exactly on a bound, one microsecond
outside it, on the first and last instant of a day, on calendar-month edges, and
after AS_OF (ignored everywhere). Amounts tie, some sum to 0, some are missing, and
customers 7 and 8 have no events and no orders at all. The comments beside the rows
are what tests/test_behaviour.py's hand-computed expectations rely on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from shop import alone_differs, compiled_alone

import segdsl

AS_OF = dt.datetime(2025, 12, 31, 12, 0, 0)
US = dt.timedelta(microseconds=1)
DAY = dt.timedelta(days=1)

SCHEMA = """\
customers:
  table: customers
  key: customer_id
  fields:
    name: string
    country: {column: country_code, type: string}
events:
  events:
    table: events
    key: customer_id
    time: ts
    name: event_name
    names: [page_view, add_to_cart, checkout, signup, email_open, email_click, pricing_view]
    properties: {url: string, device: string, channel: string}
  purchase:
    table: orders
    key: customer_id
    time: ordered_at
    properties: {amount: decimal, category: string, product_id: string}
traits:
  ltv: sum(purchase.amount)
  lead_score: 10 * count(email_open within 30 days) + if(did pricing_view within 7 days, 30, 0)
  hot_lead: lead_score >= 50
  spend_score: ltv + 10 * count(purchase)
  recency: days_since(last(purchase))
"""

PROJECT = """\
name: behaviour
schema: schema.yaml
segments: [segments/]
warehouse: warehouse.duckdb
dialect: duckdb
"""

# Segments and segmentations that the rules refer to; written once, beside the rules' file.
#   gold      = ltv >= 150                              → {1, 2}
#   lifecycle → 1 vip, 2 vip, 3 active, 4 lead, 5 active, 6 sleeping, 7 other, 8 other
#   spend     → 1 big, 2 big, 3 big, 5 buyer, 6 buyer, 4 none, 7 none, 8 none (first match wins)
#   engaged   → 1 hot, 2 warm, 5 warm, the rest missing (no `else`)
#   split     → bucket(2, "ab") = 0: 1, 2, 4, 5, 7 control; 3, 6, 8 test
#   top       = percentile(ltv) >= 75                   → {1, 2}
#   abc       → cume_share(ltv): 1 A (37.5), 2 A (75), 3 B (95.83), 4, 5, 6, 7, 8 C (100)
FIXED_SEGMENTS = """\
segments:
  gold:
    where: ltv >= 150
  top:
    where: percentile(ltv) >= 75
segmentations:
  lifecycle:
    - lead: not did purchase and did signup
    - vip: in segment gold
    - sleeping: count(purchase) >= 3 and not did purchase within 180 days
    - active: did purchase within 90 days
    - else: other
  spend:
    - big: ltv >= 100
    - buyer: did purchase
    - else: none
  engaged:
    - hot: lead_score >= 50
    - warm: lead_score >= 10
  split:
    - control: bucket(2, "ab") = 0
    - else: test
  abc:
    - A: cume_share(ltv) <= 80
    - B: cume_share(ltv) <= 96
    - else: C
"""
SEGMENTS = ("gold", "top")
SEGMENTATIONS = ("lifecycle", "spend", "engaged", "split", "abc")

CUSTOMERS: list[tuple[Any, ...]] = [
    (1, "Ada", "DE"),  # engaged buyer: events on the as-of instant and on AS_OF − 7 days
    (2, "Ben", "FR"),  # events 1 µs outside windows, and 1 µs after AS_OF (ignored)
    (3, "Cleo", "AT"),  # events on day edges: 2025-11-30 23:59:59.999999, 12-01 00:00, 12-25 00:00
    (4, "Dan", "US"),  # one signup; every other event and order after AS_OF (ignored)
    (5, "Eve", "DE"),  # NULL properties on events, an order without an amount
    (6, "Fay", None),  # old events only; three orders worth 0.00 (a total of 0, not missing)
    (7, "Gus", "DE"),  # no events, no orders
    (8, "Hal", "NL"),  # no events, no orders
]
EVERYONE = frozenset(c[0] for c in CUSTOMERS)

T = dt.datetime
A7 = AS_OF - 7 * DAY  # 2025-12-24 12:00:00, the start of `within 7 days`
A30 = AS_OF - 30 * DAY  # 2025-12-01 12:00:00, the start of `within 30 days`
M1 = T(2025, 11, 30, 12, 0)  # AS_OF − 1 calendar month: the start of `within 1 month`
Y1 = T(2024, 12, 31, 12, 0)  # AS_OF − 1 calendar year: the start of `within 1 year`

EVENTS: list[tuple[Any, ...]] = [
    # customer, ts, event_name, url, device, channel
    (1, T(2023, 1, 15, 10, 0), "signup", "/signup", "desktop", "seo"),
    (1, AS_OF, "page_view", "/pricing", "mobile", "seo"),  # on the as-of instant
    (1, A7, "pricing_view", "/pricing", "mobile", "seo"),  # exactly AS_OF − 7 days
    (1, T(2025, 12, 10, 9, 0), "email_open", None, "mobile", "email"),
    (1, T(2025, 12, 20, 9, 0), "email_open", None, "mobile", "email"),
    (1, T(2025, 12, 28, 9, 0), "email_open", None, "desktop", "email"),
    (1, T(2025, 12, 20, 9, 5), "email_click", "/shoes", "mobile", "email"),
    (1, T(2025, 12, 30, 10, 0), "add_to_cart", "/shoes/p1", "mobile", "seo"),
    (1, T(2025, 12, 30, 10, 5), "checkout", "/checkout", "mobile", "seo"),
    (2, A7 - US, "pricing_view", "/pricing", "desktop", "ads"),  # 1 µs before 7 days
    (2, AS_OF + US, "page_view", "/late", "desktop", "ads"),  # 1 µs after AS_OF
    (2, T(2025, 12, 29, 8, 0), "add_to_cart", "/shoes/p1", "desktop", "ads"),
    (2, T(2025, 12, 31, 13, 0), "checkout", "/checkout", "desktop", "ads"),  # after AS_OF
    (2, A30, "email_open", None, "desktop", "email"),  # exactly AS_OF − 30 days
    (2, A30 - US, "email_open", None, "desktop", "email"),  # 1 µs before 30 days
    (2, M1, "signup", "/signup", "desktop", "ads"),  # exactly AS_OF − 1 month
    (2, T(2025, 12, 24, 23, 59, 59), "page_view", "/shoes", None, "ads"),  # late on the 24th
    (3, M1 - US, "signup", "/signup", "tablet", "seo"),  # 1 µs before 1 month
    (3, T(2025, 12, 25, 0, 0), "page_view", "/bags", "tablet", "seo"),  # first instant of the 25th
    (3, T(2025, 12, 1, 0, 0), "page_view", "/bags", "desktop", "seo"),  # first instant of Dec 1
    (3, T(2025, 11, 15, 10, 0), "email_open", None, "tablet", "email"),
    (3, T(2025, 12, 1) - US, "page_view", "/", "tablet", None),  # last µs of Nov 30
    (3, T(2026, 1, 1, 0, 0), "pricing_view", "/pricing", "tablet", "seo"),  # after AS_OF
    (4, T(2025, 12, 15, 10, 0), "signup", "/signup", "mobile", "ads"),
    (4, T(2026, 1, 1, 9, 0), "page_view", "/", "mobile", "ads"),  # after AS_OF
    (4, T(2026, 1, 1, 9, 5), "add_to_cart", "/shoes/p1", "mobile", "ads"),  # after AS_OF
    (5, T(2025, 12, 5, 10, 0), "page_view", "/a", "mobile", "ads"),
    (5, T(2025, 12, 6, 10, 0), "page_view", "/b", None, None),
    (5, T(2025, 12, 7, 10, 0), "page_view", None, "tablet", "ads"),  # latest page_view: no url
    (5, T(2025, 12, 31, 11, 0), "pricing_view", "/pricing", "mobile", "ads"),
    (5, T(2025, 12, 30, 10, 0), "email_open", None, None, "email"),
    (6, T(2024, 6, 1, 10, 0), "signup", "/signup", "desktop", "seo"),
    (6, Y1 - US, "page_view", "/", "desktop", "seo"),  # 1 µs before 1 year
    (6, Y1, "page_view", "/", "desktop", "seo"),  # exactly AS_OF − 1 year
    (6, T(2025, 1, 15, 10, 0), "email_open", None, "desktop", "email"),
]

ORDERS: list[tuple[Any, ...]] = [
    # order_id, customer, ordered_at, amount, category, product_id
    (1, 1, T(2025, 12, 20, 10, 0), Decimal("100.00"), "shoes", "p1"),
    (2, 1, T(2025, 6, 15, 10, 0), Decimal("50.00"), "bags", "p2"),
    (3, 1, Y1, Decimal("30.00"), "shoes", "p3"),  # exactly 1 year ago
    (4, 2, T(2025, 12, 30, 10, 0), Decimal("80.00"), "shoes", "p1"),
    (5, 2, AS_OF + US, Decimal("1000.00"), "toys", "p9"),  # 1 µs after AS_OF
    (6, 2, T(2025, 10, 1, 10, 0), Decimal("100.00"), None, "p4"),
    (7, 3, T(2025, 12, 24, 23, 59, 59), Decimal("60.00"), "bags", "p2"),
    (8, 3, T(2025, 12, 1, 0, 0), Decimal("40.00"), "bags", "p2"),
    (9, 5, T(2025, 12, 31, 11, 0), Decimal("20.00"), "shoes", None),
    (10, 6, T(2025, 2, 1, 10, 0), Decimal("0.00"), "gift", "p5"),
    (11, 6, T(2025, 3, 1, 10, 0), Decimal("0.00"), "gift", "p5"),
    (12, 6, T(2025, 3, 2, 10, 0), Decimal("0.00"), None, "p6"),  # latest order: no category
    (13, 4, T(2026, 1, 2, 10, 0), Decimal("50.00"), "shoes", "p1"),  # after AS_OF
    (14, 5, T(2025, 11, 1, 10, 0), None, "bags", "p7"),  # no amount
]
# Per customer, as of AS_OF (orders after it ignored):
#   ltv = sum(amount):     1: 180, 2: 180, 3: 100, 4: 0, 5: 20, 6: 0, 7: 0, 8: 0
#   count(purchase):       1: 3,   2: 2,   3: 2,   4: 0, 5: 2,  6: 3, 7: 0, 8: 0
#   avg(amount):           1: 60,  2: 90,  3: 50,  5: 20, 6: 0; 4, 7, 8 missing


class BehaviourShop:
    """The project on disk, plus `members_many(rules)` to run many rules in one go."""

    def __init__(self, root: Path):
        self.root = root
        (root / "segments").mkdir(parents=True, exist_ok=True)
        (root / "segdsl.yaml").write_text(PROJECT)
        (root / "schema.yaml").write_text(SCHEMA)
        (root / "segments" / "fixed.yaml").write_text(FIXED_SEGMENTS)
        connection = duckdb.connect(str(root / "warehouse.duckdb"))
        connection.execute(
            "CREATE TABLE customers (customer_id BIGINT, name VARCHAR, country_code VARCHAR)"
        )
        connection.execute(
            "CREATE TABLE events (customer_id BIGINT, ts TIMESTAMP, "
            "event_name VARCHAR, url VARCHAR, device VARCHAR, channel VARCHAR)"
        )
        connection.execute(
            "CREATE TABLE orders (order_id BIGINT, customer_id BIGINT, "
            "ordered_at TIMESTAMP, amount DECIMAL(12,2), category VARCHAR, "
            "product_id VARCHAR)"
        )
        # rows go in reverse order, so that nothing depends on insertion order
        connection.executemany("INSERT INTO customers VALUES (?, ?, ?)", CUSTOMERS[::-1])
        connection.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)", EVENTS[::-1])
        connection.executemany("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?)", ORDERS[::-1])
        connection.close()
        self.everyone = set(EVERYONE)

    def write_rules(self, rules: dict[str, str]) -> None:
        """One segment per rule, as literal YAML blocks, so rule text reaches segdsl unchanged."""
        path = self.root / "segments" / "rules.yaml"
        if not rules:
            path.unlink(missing_ok=True)
            return
        path.write_text(
            "segments:\n"
            + "".join(
                f"  {name}:\n    where: |-\n"
                + "".join(f"      {line}\n" for line in rule.splitlines())
                for name, rule in rules.items()
            )
        )

    def members_many(
        self, rules: Iterable[str], as_of: dt.datetime = AS_OF
    ) -> dict[str, set[int] | segdsl.SegdslError]:
        """Members of many rules from one segment file and one run. A rule that does not check,
        or that the warehouse rejects, maps to its SegdslError: the batch is halved until the
        culprits stand alone."""
        unique = list(dict.fromkeys(rules))
        found: dict[str, set[int] | segdsl.SegdslError] = {}

        def run(batch: list[str]) -> None:
            names = {f"r{i}": rule for i, rule in enumerate(batch)}
            self.write_rules(names)
            try:
                result = segdsl.load(self.root).run(list(names), as_of=as_of)
                found.update({rule: set(result.members(name)) for name, rule in names.items()})
                alone = compiled_alone(self.root, names, as_of)
                for name, rule in names.items():
                    if alone[name] != found[rule]:
                        raise alone_differs(rule, set(result.members(name)), alone[name])
            except segdsl.SegdslError as error:
                if len(batch) == 1:
                    found[batch[0]] = error
                else:
                    run(batch[: len(batch) // 2])
                    run(batch[len(batch) // 2 :])

        if unique:
            run(unique)
        return found

    def segmentation_values(
        self, names: Iterable[str] = SEGMENTATIONS, as_of: dt.datetime = AS_OF
    ) -> dict[str, dict[int, str | None]]:
        """Each segmentation's string column from one run: customer key → bucket."""
        self.write_rules({})
        wanted = list(names)
        result = segdsl.load(self.root).run(wanted, as_of=as_of)
        rows = result.relation.project(
            ", ".join(["customer_id", *(f'"{n}"' for n in wanted)])
        ).fetchall()
        return {name: {row[0]: row[1 + i] for row in rows} for i, name in enumerate(wanted)}
