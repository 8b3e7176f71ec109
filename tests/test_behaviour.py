"""Behaviour on DuckDB: `did`, aggregates over events, traits over events, population
functions, `bucket` and segmentations, each against an expectation computed by hand
from SPEC §3 on the fixture in tests/behaviour_shop.py (read its row comments).

Every rule also checks the partition property: `not (rule)` holds for exactly the
customers the rule does not. All rules and their negations run as one segment file in
one `run`, so the whole file takes seconds.
"""

from __future__ import annotations

import hashlib

import pytest
from behaviour_shop import A7, AS_OF, EVERYONE, SEGMENTATIONS, SEGMENTS, BehaviourShop

import segdsl


def case(rule: str, *members: int) -> object:
    return pytest.param(rule, frozenset(members), id=rule)


CASES = [
    # ---- did: events after AS_OF are ignored everywhere -------------------------------------
    case("did page_view", 1, 2, 3, 5, 6),  # 2's second page_view and 4's are after AS_OF
    case("did checkout", 1),  # 2's, at 13:00 on the 31st, is after AS_OF
    case("did add_to_cart and not did checkout", 2),
    case("did add_to_cart within 7 days and not did checkout within 7 days", 2),
    case("did pricing_view", 1, 2, 5),  # 3's is on 2026-01-01
    case("did events", 1, 2, 3, 4, 5, 6),  # the named stream itself; 4's signup counts
    case("not did events", 7, 8),  # customers with no events at all
    case("did events after 2025-12-31T12:00:00"),  # 2, 3, 4 have events after AS_OF: ignored
    case("did purchase between 2025-12-31 and 2026-12-31", 5),  # capped at AS_OF
    case("did purchase(amount >= 1000)"),  # 2's 1000.00 order is 1 µs after AS_OF
    case("did purchase after 2025-12-30T23:00", 5),
    case("did events after now"),
    case("did page_view before now", 2, 3, 5, 6),  # strict: 1's page_view on the instant is out
    case("did page_view between 2025-12-31 and now", 1),
    case("last(page_view) = today", 1),
    case("date(last(events)) = today", 1, 5),
    # ---- windows: both ends inclusive, to the microsecond -------------------------------------
    case("did pricing_view within 7 days", 1, 5),  # 1 exactly AS_OF − 7 days; 2 1 µs before: out
    case("did pricing_view within last 7 days", 1, 5),
    case("did page_view within 7 days", 1, 2, 3),  # 1 on the as-of instant itself: in
    case("did email_open within 30 days", 1, 2, 5),  # 2 exactly AS_OF − 30 days (and 1 µs out)
    case("did signup within 30 days", 4),  # 2's signup (11-30 12:00) is 31 days back
    # calendar month: from 2025-11-30 12:00 (not 12-01 12:00); 2 exactly on it, 3 1 µs before
    case("did signup within 1 month", 2, 4),
    case("did email_open within 4 weeks", 1, 5),  # 28 days: from 12-03 12:00
    case("did events within 24 hours", 1, 5),  # from 12-30 12:00: 1's cart at 10:00 is out
    case("did events within 30 minutes", 1),  # 5's pricing_view at 11:00 is out
    case("did purchase within 1 day", 5),  # 2's order on 12-30 at 10:00 is out
    case("did purchase within 90 days", 1, 2, 3, 5),  # from 2025-10-02 12:00: 2's 10-01 order out
    # calendar year: 6's page_view exactly AS_OF − 1 year is in, the one 1 µs before is out
    case("count(page_view within 1 year) = 1", 1, 2, 6),
    case('count(page_view(url = "/")) = 2', 6),
    case('count(page_view(url = "/") within 1 year) = 1', 3, 6),
    # ---- date-granular bounds: a date takes its whole day ---------------------------------------
    # 2 at 23:59:59 on the 24th and 3 at 00:00 on the 1st are in; 3's 12-25 00:00 and its last
    # microsecond of Nov 30 are out
    case("did page_view between 2025-12-01 and 2025-12-24", 2, 3, 5),
    case("count(page_view between 2025-12-01 and 2025-12-24) = 1", 2, 3),
    case("did page_view before 2025-12-01", 3, 6),  # ends at the 1st's start: 3's 11-30 23:59:59.9
    case("did page_view after 2025-12-24", 1, 3),  # from the 25th's start: 2's 23:59:59 is out
    case("did page_view after 2025-12-24T23:59:59", 1, 3),  # strict: 2 exactly on it is out
    case("did page_view before 2025-12-24T23:59:59", 3, 5, 6),  # strict
    case("did page_view between 2025-12-24T23:59:59 and 2025-12-25T00:00:00", 2, 3),
    case("did pricing_view after 7 days ago", 5),  # strict: 1 exactly 7 days ago is out
    case("did pricing_view before 7 days ago", 2),  # strict: 1 exactly 7 days ago is out
    case("did page_view after 7 days ago", 1, 2, 3),
    case("did pricing_view between 2025-12-24T11:59:59.999999 and 2025-12-24T11:59:59.999999", 2),
    case("last(purchase) > 7 days ago", 2, 3, 5),  # 3's at 23:59:59 on the 24th
    case("first(purchase) >= 1 year ago", 1, 2, 3, 5, 6),  # 1's first is exactly a year ago
    case("first(purchase) > 1 year ago", 2, 3, 5, 6),
    case("hour(last(purchase)) = 23", 3),
    case("first(purchase) = 2024-12-31", 1),  # `t = date` is any time that day
    case("first(purchase) before 2025-01-01", 1),
    case("first(page_view) = 2025-11-30", 3),  # the last microsecond of Nov 30
    case("last(page_view) = 2025-12-31", 1),  # 2's page_view 1 µs after AS_OF is ignored
    case("last(page_view) = 2025-12-24", 2),
    case("last(purchase) = 2025-12-30", 2),  # not 12-31: that order is after AS_OF
    # ---- frequency --------------------------------------------------------------------------
    case("did page_view at least 3 times", 3, 5),
    case("did page_view at most 1 time", 1, 2, 4, 7, 8),  # `at most` includes never
    case("did page_view exactly 2 times", 6),
    case("did page_view exactly 0 times", 4, 7, 8),
    case("did page_view at least 0 times", 1, 2, 3, 4, 5, 6, 7, 8),
    case("did email_open at least 2 times within 30 days", 1),
    case("did email_open exactly 1 time within 30 days", 2, 5),
    case('did purchase(category = "shoes") at least 2 times', 1),
    case('did purchase(category = "shoes") exactly 1 time within 1 year', 2, 5),
    # ---- filters, missing properties (two-valued logic inside a filter too) ----------------------
    case('did page_view(device = "mobile")', 1, 5),
    case('did page_view(device != "mobile")', 2, 3, 5, 6),  # a missing device is != "mobile"
    case("did page_view(device is null)", 2, 5),
    case('did page_view(device = "mobile" or device is null) at least 2 times', 5),
    case('did page_view(url starts with "/b")', 3, 5),
    case('did page_view(url matches "^/b")', 3, 5),
    case('did page_view(url contains "PRICING" ignoring case)', 1),  # 4's "/" is irrelevant
    case("did purchase(category in [])"),
    case("did purchase(category not in [])", 1, 2, 3, 5, 6),  # a missing category too
    case('did page_view(channel in ["ads"]) within 30 days', 2, 5),
    case('not did page_view(channel = "seo")', 2, 4, 5, 7, 8),
    case('did purchase(category = "shoes" and amount > 50)', 1, 2),
    case("did purchase(amount is null)", 5),
    case("did purchase(not (amount > 10))", 5, 6),  # 5's missing amount is not > 10; 6's are 0
    case('did purchase(category != "gift" and category != "bags")', 1, 2, 5, 6),  # 6: no category
    case('did purchase(category != "shoes") within 90 days', 3, 5),
    case("did purchase", 1, 2, 3, 5, 6),
    case("not did purchase", 4, 7, 8),
    # ---- count ------------------------------------------------------------------------------
    case("count(purchase) = 3", 1, 6),
    case("count(purchase) = 0", 4, 7, 8),  # count over nothing is 0, not missing
    case('count(purchase(category = "shoes") within 1 year) = 2', 1),
    case("count(page_view within 30 days) = 0", 4, 6, 7, 8),
    case("count(events) = 9", 1),
    case("count(events) = 6", 2),  # 8 rows, 2 after AS_OF
    case("count(events) = 1", 4),
    case("count(events) = 0", 7, 8),
    # ---- sum: over nothing 0 ----------------------------------------------------------------
    case("sum(purchase.amount) = 180", 1, 2),  # 2's 1000.00 after AS_OF is ignored
    case("sum(purchase.amount) = 0", 4, 6, 7, 8),  # 6's orders total 0; no orders is 0 too
    case("sum(purchase.amount) = 20", 5),  # the order without an amount adds nothing
    case('sum(purchase(category = "shoes").amount within 1 year) = 130', 1),  # 100 + 30 a year ago
    case('sum(purchase(category = "shoes").amount within 1 year) = 80', 2),
    case('sum(purchase(category = "shoes").amount within 1 year) = 0', 3, 4, 6, 7, 8),
    case("sum(purchase.amount between 2025-12-01 and 2025-12-24) = 100", 1, 3),  # 3: 40 + 60
    case("sum(purchase.amount within 7 days) > 0", 2, 3, 5),
    # ---- avg, min, max: over nothing missing ---------------------------------------------------
    case("avg(purchase.amount) = 60", 1),
    case("avg(purchase.amount) = 20", 5),  # the missing amount is not averaged in
    case("avg(purchase.amount) = 0", 6),
    case("avg(purchase.amount) is null", 4, 7, 8),
    case("avg(purchase.amount) > 55", 1, 2),
    case("avg(purchase.amount) + 1 > 0", 1, 2, 3, 5, 6),  # missing + 1 is missing
    case("coalesce(avg(purchase.amount), -1) = -1", 4, 7, 8),
    case('avg(purchase(category = "shoes").amount) = 65', 1),
    case("max(purchase.amount) = 100", 1, 2),
    case("max(purchase.amount) < 1000", 1, 2, 3, 5, 6),  # missing for 4, 7, 8: a comparison is no
    case("max(purchase.amount) is null", 4, 7, 8),
    case("min(purchase.amount) <= 20", 5, 6),
    case("min(purchase.amount) is null", 4, 7, 8),
    case("min(purchase.amount within 7 days) = 20", 5),
    case('max(purchase.category) = "shoes"', 1, 2, 5),
    # compiled as "some event has amount >= c" (semantics._as_existence): same members
    case("max(purchase.amount) >= 100", 1, 2),  # 2's 1000.00 after AS_OF is ignored
    case("max(purchase.amount) > 80", 1, 2),
    case("100 <= max(purchase.amount)", 1, 2),
    case("max(purchase.amount within 7 days) >= 80", 2),
    case('max(purchase(category = "shoes").amount) > 50', 1, 2),
    case("min(purchase.amount) < 20", 6),  # 5's order without an amount is no value
    case("min(purchase.amount) <= 40", 1, 3, 5, 6),
    case("min(purchase.amount) <= 0", 6),
    # ---- count_distinct ----------------------------------------------------------------------
    case("count_distinct(purchase.category) = 2", 1, 5),
    case("count_distinct(purchase.category) = 1", 2, 3, 6),  # a missing category is no value
    case("count_distinct(purchase.category) = 0", 4, 7, 8),
    case("count_distinct(page_view.device within 30 days) = 2", 5),
    case("count_distinct(purchase.product_id) = 1", 3, 5),
    # ---- first, last -------------------------------------------------------------------------
    case("last(purchase) within 7 days", 2, 3, 5),
    case("last(purchase) is null", 4, 7, 8),
    case("last(events) >= 2025-12-31T11:00:00", 1, 5),
    case("last(events) is null", 7, 8),
    case('last(purchase.category) = "shoes"', 1, 2, 5),  # 2's later "toys" is after AS_OF
    case('last(purchase.category) = "toys"'),
    case('last(page_view.url) = "/pricing"', 1),
    case('last(page_view.url) = "/late"'),
    case('last(email_open.device within 30 days) = "desktop"', 1, 2),
    # the property on the most recent event, even when that event lacks it
    case("last(purchase.category) is null", 4, 6, 7, 8),
    case('last(purchase.category) = "gift"'),  # 6's latest has none
    case("last(page_view.url) is null", 4, 5, 7, 8),  # 5's latest: no url
    case('last(page_view.url) = "/b"'),
    # first(E.prop), by analogy with last(E.prop) (SPEC names only the latter)
    case('first(purchase.category) = "bags"', 3, 5),
    case("first(purchase.category) is null", 2, 4, 7, 8),
    case('first(purchase.category) = "shoes"', 1),  # not 2's later "shoes"
    # ---- traits over events ------------------------------------------------------------------
    case("ltv >= 150", 1, 2),
    case("ltv = 0", 4, 6, 7, 8),
    case("lead_score = 60", 1),  # 3 opens + pricing exactly 7 days ago
    case("lead_score = 40", 5),
    case("lead_score = 10", 2),  # an open 30 days ago; pricing 1 µs out
    case("lead_score = 0", 3, 4, 6, 7, 8),
    case("hot_lead", 1),  # a trait over a trait
    case("spend_score >= 200", 1, 2),
    case("spend_score = 40", 5),
    case("spend_score = 30", 6),
    case("spend_score = 0", 4, 7, 8),
    case("recency <= 1", 2, 5),  # days_since(last(purchase))
    case("recency > 100", 6),
    case("recency is null", 4, 7, 8),
    case("in segment gold", 1, 2),
    case("in segment top", 1, 2),  # a population value through a reference
    # ---- percentile: 100 × smaller / with any value; ties share ---------------------------------
    # ltv ascending: 0 (4, 6, 7, 8), 20 (5), 100 (3), 180 (1, 2)
    case("percentile(ltv) = 75", 1, 2),
    case("percentile(ltv) >= 75", 1, 2),
    case("percentile(ltv) = 62.5", 3),
    case("percentile(ltv) = 50", 5),
    case("percentile(ltv) = 0", 4, 6, 7, 8),  # ltv is 0 without orders, not missing
    # avg: 0 (6), 20 (5), 50 (3), 60 (1), 90 (2); missing for 4, 7, 8, who do not count
    case("percentile(avg(purchase.amount)) is null", 4, 7, 8),
    case("percentile(avg(purchase.amount)) = 80", 2),
    case("percentile(avg(purchase.amount)) = 60", 1),
    case("percentile(avg(purchase.amount)) = 40", 3),
    case("percentile(avg(purchase.amount)) = 0", 6),
    case("percentile(count(purchase)) = 37.5", 2, 3, 5),  # counts 0 ×3, 2 ×3, 3 ×2
    case("percentile(count(purchase)) = 75", 1, 6),
    # compared with a constant, a percentile is a cut of x (the least x that passes): the
    # same members at every edge, ties and missing values included
    case("percentile(ltv) > 62.5", 1, 2),
    case("percentile(ltv) >= 62.5", 1, 2, 3),
    case("percentile(ltv) > 50", 1, 2, 3),
    case("percentile(ltv) >= 50.1", 1, 2, 3),
    case("percentile(ltv) < 62.5", 4, 5, 6, 7, 8),
    case("percentile(ltv) <= 62.5", 3, 4, 5, 6, 7, 8),
    case("percentile(ltv) < 0"),
    case("percentile(ltv) <= 0", 4, 6, 7, 8),
    case("percentile(ltv) >= 0", 1, 2, 3, 4, 5, 6, 7, 8),
    case("percentile(ltv) > 0", 1, 2, 3, 5),
    case("percentile(ltv) >= -10", 1, 2, 3, 4, 5, 6, 7, 8),
    case("percentile(ltv) > 75"),  # nobody is above the top value
    case("percentile(ltv) >= 100"),
    case("percentile(ltv) < 100", 1, 2, 3, 4, 5, 6, 7, 8),
    case("percentile(ltv) <= 75", 1, 2, 3, 4, 5, 6, 7, 8),
    case("percentile(ltv) >= 62.5 and percentile(ltv) < 75", 3),
    case("not percentile(ltv) >= 62.5", 4, 5, 6, 7, 8),
    case("80 <= percentile(ltv) + 5", 1, 2),  # not a plain comparison: per customer
    case("percentile(avg(purchase.amount)) >= 40", 1, 2, 3),
    case("percentile(avg(purchase.amount)) < 40", 5, 6),  # missing: neither above nor below
    case("percentile(avg(purchase.amount)) <= 100", 1, 2, 3, 5, 6),
    case("not percentile(avg(purchase.amount)) >= 40", 4, 5, 6, 7, 8),
    case("percentile(count(purchase)) >= 37.5", 1, 2, 3, 5, 6),
    case("percentile(count(purchase)) < 37.5", 4, 7, 8),
    # within 30 days: 0 (4, 6, 7, 8), 20 (5), 60 (3; its 12-01 00:00 order is out), 80 (2), 100 (1)
    case("percentile(sum(purchase.amount within 30 days)) = 87.5", 1),
    case("percentile(sum(purchase.amount within 30 days)) > 60", 1, 2, 3),
    case("percentile(sum(purchase.amount within 30 days)) = 62.5", 3),
    # ---- cume_share: x descending, ties by key ascending, running total / total ------------------
    # ltv: 1 180 → 37.5, 2 180 → 75, 3 100 → 95.83, 5 20 → 100, then 4, 6, 7, 8 (0) → 100
    case("cume_share(ltv) <= 75", 1, 2),
    case("cume_share(ltv) < 50", 1),  # the tie at 180 is broken by key
    case("cume_share(ltv) > 75 and cume_share(ltv) < 96", 3),
    case("cume_share(ltv) > 96", 4, 5, 6, 7, 8),
    case("cume_share(avg(purchase.amount)) is null", 4, 7, 8),
    case("cume_share(avg(purchase.amount)) < 50", 2),  # 90 of 220
    # count: 1 3 → 25, 6 3 → 50, 2 2 → 66.7, 3 2 → 83.3, 5 2 → 100, 4, 7, 8 → 100
    case("cume_share(count(purchase)) <= 50", 1, 6),
    case("cume_share(count(purchase)) > 50 and cume_share(count(purchase)) < 70", 2),
    # ---- bucket: int(md5(f"{salt}:{key}").hexdigest()[:8], 16) % N; see PINNED below -----
    case('bucket(100, "q4-holdout") < 30', 5, 6, 8),
    case('bucket(100, "q4-holdout") = 58', 1),
    case('bucket(100, "q4-holdout") = 95', 2),
    case("bucket(10) = 6", 1, 2, 8),  # no salt: the empty salt, md5(":1") ...
    case('bucket(2, "ab") = 0', 1, 2, 4, 5, 7),
    # ---- segmentations: first match wins, `else`; a segmentation is a string trait --------
    case('lifecycle = "vip"', 1, 2),  # `active` too, but vip comes first
    case('lifecycle = "sleeping"', 6),  # 3 orders, none within 180 days
    case('lifecycle = "lead"', 4),  # 4's order is after AS_OF: no purchase yet
    case('lifecycle = "active"', 3, 5),
    case('lifecycle = "other"', 7, 8),
    case('lifecycle in ["lead", "active"]', 3, 4, 5),
    case('lifecycle != "vip"', 3, 4, 5, 6, 7, 8),
    case('spend = "big"', 1, 2, 3),
    case('spend = "buyer"', 5, 6),  # 1, 2, 3 bought too but matched `big` first
    case('spend = "none"', 4, 7, 8),
    case('engaged = "warm"', 2, 5),  # 1 is warm too but `hot` comes first
    case("engaged is null", 3, 4, 6, 7, 8),  # no `else`: no bucket
    case('engaged != "hot"', 2, 3, 4, 5, 6, 7, 8),
    case('split = "test"', 3, 6, 8),
    case('abc = "A"', 1, 2),  # ABC classes by cumulative revenue share
    case('abc = "B"', 3),
    case('abc = "C"', 4, 5, 6, 7, 8),
]

# Segmentations as columns, by hand (see FIXED_SEGMENTS in behaviour_shop.py).
SEGMENTATION_VALUES = {
    "lifecycle": {
        1: "vip",
        2: "vip",
        3: "active",
        4: "lead",
        5: "active",
        6: "sleeping",
        7: "other",
        8: "other",
    },
    "spend": {
        1: "big",
        2: "big",
        3: "big",
        4: "none",
        5: "buyer",
        6: "buyer",
        7: "none",
        8: "none",
    },
    "engaged": {1: "hot", 2: "warm", 3: None, 4: None, 5: "warm", 6: None, 7: None, 8: None},
    "split": {
        1: "control",
        2: "control",
        3: "test",
        4: "control",
        5: "control",
        6: "test",
        7: "control",
        8: "test",
    },
    "abc": {1: "A", 2: "A", 3: "B", 4: "C", 5: "C", 6: "C", 7: "C", 8: "C"},
}

# bucket values pinned for every key, so a change of hashing shows here.
PINNED = {
    ("q4-holdout", 100): {1: 58, 2: 95, 3: 41, 4: 91, 5: 27, 6: 24, 7: 65, 8: 17},
    ("", 10): {1: 6, 2: 6, 3: 3, 4: 8, 5: 7, 6: 2, 7: 4, 8: 6},
    ("ab", 2): {1: 0, 2: 0, 3: 1, 4: 0, 5: 0, 6: 1, 7: 0, 8: 1},
}

# A past as of replays history: events after it are ignored everywhere.
PAST = A7  # 2025-12-24 12:00:00
PAST_CASES = [
    case("did checkout"),
    case("ltv = 180", 1),
    case("ltv = 100", 2),  # its 12-30 order is in the future
    case("ltv = 40", 3),  # its 23:59:59 order on the 24th too
    case("did pricing_view within 7 days", 1, 2),  # 1 on the new as-of instant, 2 1 µs before
    case("did signup within 1 month", 2, 3, 4),  # from 2025-11-24 12:00
    case("did page_view", 3, 5, 6),
    case("count(events) = 0", 7, 8),
    case('lifecycle = "vip"', 1),
    case('lifecycle = "lead"', 4),
    case("last(purchase) = 2025-12-20", 1),
]


def _rules(cases: list[object]) -> list[str]:
    return [c.values[0] for c in cases]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def behaviour(tmp_path_factory: pytest.TempPathFactory) -> BehaviourShop:
    return BehaviourShop(tmp_path_factory.mktemp("behaviour"))


def _with_negations(rules: list[str]) -> list[str]:
    return [text for rule in rules for text in (rule, f"not ({rule})")]


@pytest.fixture(scope="module")
def found(behaviour: BehaviourShop) -> dict[str, set[int] | segdsl.SegdslError]:
    return behaviour.members_many(_with_negations(_rules(CASES)))


@pytest.fixture(scope="module")
def found_past(behaviour: BehaviourShop) -> dict[str, set[int] | segdsl.SegdslError]:
    return behaviour.members_many(_with_negations(_rules(PAST_CASES)), as_of=PAST)


def _check(
    found: dict[str, set[int] | segdsl.SegdslError], rule: str, expected: frozenset[int]
) -> None:
    members, negated = found[rule], found[f"not ({rule})"]
    assert not isinstance(members, segdsl.SegdslError), str(members)
    assert not isinstance(negated, segdsl.SegdslError), str(negated)
    assert members == set(expected)
    assert negated == set(EVERYONE - expected), "`not (rule)` must be everyone else"


@pytest.mark.parametrize(("rule", "expected"), CASES)
def test_rule(
    found: dict[str, set[int] | segdsl.SegdslError], rule: str, expected: frozenset[int]
) -> None:
    _check(found, rule, expected)


@pytest.mark.parametrize(("rule", "expected"), PAST_CASES)
def test_rule_as_of_the_past(
    found_past: dict[str, set[int] | segdsl.SegdslError], rule: str, expected: frozenset[int]
) -> None:
    _check(found_past, rule, expected)


def test_segmentations_as_string_columns(behaviour: BehaviourShop) -> None:
    assert behaviour.segmentation_values(SEGMENTATIONS) == SEGMENTATION_VALUES


@pytest.mark.parametrize(("salt", "count"), list(PINNED))
def test_bucket_values_are_pinned(behaviour: BehaviourShop, salt: str, count: int) -> None:
    # the pinned table is SPEC's formula, with the key as its decimal text
    assert PINNED[(salt, count)] == {
        key: int(hashlib.md5(f"{salt}:{key}".encode()).hexdigest()[:8], 16) % count
        for key in EVERYONE
    }
    call = f'bucket({count}, "{salt}")' if salt else f"bucket({count})"
    rules = {f"{call} = {value}": value for value in range(count)}
    members = behaviour.members_many(rules)
    for rule, value in rules.items():
        assert members[rule] == {k for k, v in PINNED[(salt, count)].items() if v == value}, rule


def test_one_run_of_all_segments_equals_each_run_alone(behaviour: BehaviourShop) -> None:
    """Shared aggregates and groups must not change anyone's membership."""
    rules = _rules(CASES)
    names = {f"r{i}": rule for i, rule in enumerate(rules)}
    behaviour.write_rules(names)
    project = segdsl.load(behaviour.root)
    everything = [*names, *SEGMENTS, *SEGMENTATIONS]
    together = project.run(everything, as_of=AS_OF)
    columns = ", ".join(f'"{n}"' for n in everything)
    rows = {
        row[0]: row[1:] for row in together.relation.project(f"customer_id, {columns}").fetchall()
    }
    assert set(rows) == EVERYONE
    for i, name in enumerate(everything):
        alone = project.run([name], as_of=AS_OF)
        assert dict(alone.relation.project(f'customer_id, "{name}"').fetchall()) == {
            key: values[i] for key, values in rows.items()
        }, (name, names.get(name))
