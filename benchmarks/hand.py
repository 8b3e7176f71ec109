"""The best SQL we could write by hand for every demo segment, and for all of them at once.

These are the baselines the compiled SQL is measured against, so they must be as
good as an expert would write them: windows as literal, sargable bounds on the
time column (so DuckDB skips row groups), event names in the WHERE, set
operations or anti-joins where they beat a GROUP BY, and a bounding box in front
of a great-circle distance. Where more than one shape is plausible, each is a
variant; the benchmark times them all and keeps the fastest. Every variant must
return exactly segdsl's members — the benchmark checks that before timing.

The demo's as-of instant is fixed (2025-12-31 12:00), so every window is a literal.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

AS_OF = dt.datetime(2025, 12, 31, 12, 0, 0)
FLOOR = "SELECT customer_id, count(*) FROM events GROUP BY 1"


def _at(moment: dt.datetime | dt.date) -> str:
    if isinstance(moment, dt.datetime):
        return f"TIMESTAMP '{moment:%Y-%m-%d %H:%M:%S}'"
    return f"DATE '{moment:%Y-%m-%d}'"


def _days(n: int) -> str:
    return _at(AS_OF - dt.timedelta(days=n))


NOW = _at(AS_OF)
D7, D14, D30, D90, D180, D365 = (_days(n) for n in (7, 14, 30, 90, 180, 365))
M12 = _at(AS_OF.replace(year=AS_OF.year - 1))  # 12 months = 1 year before
EU = (
    "'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', "
    "'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE'"
)
PAID = "'paid_search', 'social', 'affiliate'"
# `bucket(N, salt)`: the same hash as segdsl's, or the split would differ.
HOLDOUT = (
    "CAST('0x' || substring(md5('q4-holdout:' || CAST(customer_id AS VARCHAR)), 1, 8)"
    " AS BIGINT) % 100 < 5"
)
VARIANT_A = (
    "CAST('0x' || substring(md5('subject-line-2025-12:' || CAST(customer_id AS VARCHAR)),"
    " 1, 8) AS BIGINT) % 2 = 0"
)


def _distance(lat: float, lon: float) -> str:
    """Haversine in km, the formula segdsl uses (an expert's would give other edge cases)."""
    return (
        f"12742.0176 * asin(sqrt(sin(({lat} - latitude) * pi() / 360) ^ 2 + cos(latitude * "
        f"pi() / 180) * cos({lat} * pi() / 180) * sin(({lon} - longitude) * pi() / 360) ^ 2))"
    )


def _box(lat: float, lon: float, km: float) -> str:
    """A latitude/longitude box around the circle, with margin: cheap, and lets a scan skip."""
    import math

    dlat = km / 110.0
    dlon = km / (110.0 * math.cos(math.radians(abs(lat) + dlat)))
    return (
        f"latitude BETWEEN {lat - dlat:.4f} AND {lat + dlat:.4f} "
        f"AND longitude BETWEEN {lon - dlon:.4f} AND {lon + dlon:.4f}"
    )


# ---- segments on customer fields: one WHERE over the customer table --------------------

ATTRIBUTES: dict[str, str] = {
    "promoters": "nps >= 9",
    "passives": "nps BETWEEN 7 AND 8",
    "detractors": "nps <= 6",
    "detractors_to_call": "nps <= 6 AND phone <> ''",
    "paid_acquisition": f"acquisition_channel IN ({PAID})",
    "weekend_signups": "isodow(signup_at) >= 6",
    "night_owls": "hour(last_seen_at) >= 22 OR hour(last_seen_at) < 5",
    "with_email": "email <> ''",
    "without_email": "email IS NULL OR email = ''",
    "with_phone": "phone <> ''",
    "phone_only": "phone <> '' AND (email IS NULL OR email = '')",
    "german_phone_numbers": "starts_with(phone, '+49')",
    "newsletter_audience": "marketing_consent AND email <> ''",
    "consent_never_asked": "marketing_consent IS NULL",
    "gmail_users": "email ILIKE '%@gmail.com'",
    "german_mailbox_users": "email ILIKE '%@gmx.de' OR email ILIKE '%@web.de'",
    "young_adults": "age BETWEEN 18 AND 24",
    "mid_career": "age BETWEEN 35 AND 49",
    "seniors": "age >= 65",
    "born_before_1970": "birth_date < DATE '1970-01-01'",
    "gen_z": "birth_date >= DATE '1997-01-01' AND birth_date < DATE '2013-01-01'",
    "women_25_44": "gender = 'female' AND age BETWEEN 25 AND 44",
    "gender_diverse": "gender = 'diverse'",
    "couples": "marital_status IN ('married', 'partnership')",
    "graduates": "education IN ('bachelor', 'master', 'doctorate')",
    "high_income": "income >= 80000",
    "monthly_income_under_2000": "round(income / 12) < 2000",
    "families": "life_stage = 'family'",
    "q4_holdout": HOLDOUT,
    "q4_newsletter_audience": f"marketing_consent AND email <> '' AND NOT ({HOLDOUT})",
    "eu_customers": f"country_code IN ({EU})",
    "outside_eu": f"country_code NOT IN ({EU}) OR country_code IS NULL",
    "dach": "country_code IN ('DE', 'AT', 'CH')",
    "nordics": "country_code IN ('DK', 'FI', 'IS', 'NO', 'SE')",
    "bavaria": "region = 'Bavaria'",
    "big_german_cities": "country_code = 'DE' AND city IN ('Berlin', 'Hamburg', 'Munich', 'Cologne')",
    "paris_intra_muros": "country_code = 'FR' AND regexp_full_match(postcode, '75[0-9]{3}')",
    "munich_postcodes": "city = 'Munich' AND postcode LIKE '80%'",
    "near_paris_store": f"{_box(48.8566, 2.3522, 50)} AND {_distance(48.8566, 2.3522)} < 50",
    "near_london_popup": f"{_box(51.5074, -0.1278, 30)} AND {_distance(51.5074, -0.1278)} <= 30",
    # next anniversary within the next 7 days of 2025-12-31: 31 December to 7 January
    "birthday_next_week": "(month(birth_date) = 12 AND day(birth_date) = 31) "
    "OR (month(birth_date) = 1 AND day(birth_date) <= 7)",
    "birthday_today": "month(birth_date) = 12 AND day(birth_date) = 31",
    "december_birthdays": "month(birth_date) = 12",
    "signup_anniversary_next_week": "signup_at < TIMESTAMP '2025-01-01 00:00:00' AND ("
    "(month(signup_at) = 12 AND day(signup_at) = 31) "
    "OR (month(signup_at) = 1 AND day(signup_at) <= 7))",
    "new_subscribers": f"signup_at >= {D30} AND signup_at <= {NOW}",
    "seen_today": "last_seen_at >= TIMESTAMP '2025-12-31 00:00:00' "
    "AND last_seen_at < TIMESTAMP '2026-01-01 00:00:00'",
    # days_since(t) > 30: the date of t before 2025-12-01
    "inactive_month": "last_seen_at < TIMESTAMP '2025-12-01 00:00:00'",
    "long_lapsed": f"last_seen_at < {D365}",
    "never_seen_online": "last_seen_at IS NULL",
    "winback_candidates": "last_seen_at >= TIMESTAMP '2025-07-04 00:00:00' "
    "AND last_seen_at < TIMESTAMP '2025-12-02 00:00:00' AND email <> '' AND marketing_consent "
    f"AND (signup_at < {D30} OR signup_at > {NOW} OR signup_at IS NULL) "
    f"AND country_code IN ({EU}, 'GB', 'CH', 'NO')",
}


def _where(condition: str) -> dict[str, str]:
    return {"where": f"SELECT customer_id FROM customers WHERE {condition}"}


def _tagged(condition: str, tags: str, negate: bool = False) -> dict[str, str]:
    """Customers (not) holding one of `tags`, as a semi-join and as EXISTS."""
    no = "NOT " if negate else ""
    return {
        "semi-join": f"SELECT customer_id FROM customers WHERE {condition} AND customer_id {no}IN "
        f"(SELECT customer_id FROM customer_tags WHERE tag IN ({tags}))",
        "exists": f"SELECT customer_id FROM customers c WHERE {condition} AND {no}EXISTS "
        f"(SELECT 1 FROM customer_tags t WHERE t.customer_id = c.customer_id "
        f"AND t.tag IN ({tags}))",
    }


def _without(members: str, others: str) -> dict[str, str]:
    """`members` minus `others` (two customer_id queries), as EXCEPT and as an anti-join."""
    return {
        "except": f"{members} EXCEPT {others}",
        "anti-join": f"SELECT customer_id FROM ({members}) m WHERE customer_id NOT IN ({others})",
    }


def _orders(where: str = "") -> str:
    return f"FROM orders WHERE ordered_at <= {NOW}{' AND ' + where if where else ''}"


def _events(names: str, where: str = "") -> str:
    return f"FROM events WHERE ts <= {NOW} AND event_name IN ({names})" + (
        f" AND {where}" if where else ""
    )


_LTV = f"""WITH spent AS (SELECT customer_id, sum(amount) AS ltv {_orders()} GROUP BY 1),
  ranked AS (SELECT c.customer_id, 100.0 * (rank() OVER (ORDER BY coalesce(s.ltv, 0)) - 1)
               / count(*) OVER () AS pct
             FROM customers c LEFT JOIN spent s USING (customer_id))"""
# Only buyers can be in the top ranks (amounts are positive): rank the buyers alone and
# count everyone else as below them.
_LTV_BUYERS = f"""WITH spent AS (SELECT customer_id, sum(amount) AS ltv {_orders()} GROUP BY 1
                 HAVING sum(amount) > 0
                    AND customer_id IN (SELECT customer_id FROM customers)),
  ranked AS (SELECT customer_id, 100.0 * ((SELECT count(*) FROM customers)
               - (SELECT count(*) FROM spent) + rank() OVER (ORDER BY ltv) - 1)
               / (SELECT count(*) FROM customers) AS pct FROM spent)"""


def _percentile(threshold: int, extra: str = "") -> dict[str, str]:
    return {
        name: f"{ctes} SELECT customer_id FROM ranked WHERE pct >= {threshold}{extra}"
        for name, ctes in (("window", _LTV), ("window-buyers", _LTV_BUYERS))
    }


_BOUGHT = f"SELECT customer_id {_orders()}"

# ---- every segment: variants of a query returning its members' keys ----------------------

SEGMENTS: dict[str, dict[str, str]] = {
    **{name: _where(condition) for name, condition in ATTRIBUTES.items()},
    "awaits_sale": {
        "distinct": "SELECT DISTINCT customer_id FROM customer_tags WHERE tag = 'awaits-sale'",
        **_tagged("true", "'awaits-sale'"),
    },
    "vip_or_b2b": {
        "distinct": "SELECT DISTINCT customer_id FROM customer_tags "
        "WHERE tag IN ('vip-event', 'b2b')",
        **_tagged("true", "'vip-event', 'b2b'"),
    },
    "no_frequent_returners": _tagged("true", "'returns-often'", negate=True),
    "heavily_tagged": {
        "group": "SELECT customer_id FROM customer_tags GROUP BY 1 HAVING count(DISTINCT tag) >= 3"
    },
    "untagged": {
        "anti-join": "SELECT customer_id FROM customers "
        "WHERE customer_id NOT IN (SELECT customer_id FROM customer_tags)",
        "except": "SELECT customer_id FROM customers EXCEPT SELECT customer_id FROM customer_tags",
    },
    "students": {
        "union": "SELECT customer_id FROM customers WHERE life_stage = 'student' "
        "UNION SELECT customer_id FROM customer_tags WHERE tag = 'student'",
        "exists": "SELECT customer_id FROM customers c WHERE life_stage = 'student' OR EXISTS "
        "(SELECT 1 FROM customer_tags t WHERE t.customer_id = c.customer_id "
        "AND t.tag = 'student')",
    },
    "eu_sale_waiters": _tagged(
        f"{ATTRIBUTES['eu_customers']} AND {ATTRIBUTES['inactive_month']}", "'awaits-sale'"
    ),
    "eu_sale_waiters_mailable": _tagged(
        f"{ATTRIBUTES['eu_customers']} AND {ATTRIBUTES['inactive_month']} "
        "AND marketing_consent AND email <> ''",
        "'awaits-sale'",
    ),
    # ---- behaviour ------------------------------------------------------------------
    "abandoned_cart": {
        "group": f"""SELECT customer_id {_events("'add_to_cart', 'checkout'", f"ts >= {D7}")}
                     GROUP BY 1 HAVING count(*) FILTER (WHERE event_name = 'checkout') = 0""",
        **_without(
            f"SELECT customer_id {_events(repr('add_to_cart'), f'ts >= {D7}')}",
            f"SELECT customer_id {_events(repr('checkout'), f'ts >= {D7}')}",
        ),
    },
    "viewed_product_not_bought": _without(
        f"SELECT customer_id {_events(repr('page_view'), f'ts >= {D14} AND starts_with(url, ' + repr('/p/') + ')')}",
        f"SELECT customer_id {_orders(f'ordered_at >= {D14}')}",
    ),
    "browsed_shoes_bought_none": _without(
        f"SELECT customer_id {_events(repr('page_view'), f'ts >= {D30} AND url = ' + repr('/c/shoes'))}",
        f"SELECT customer_id {_orders(f'ordered_at >= {D30} AND category = ' + repr('shoes'))}",
    ),
    "repeat_shoe_buyers": {
        "group": f"""SELECT customer_id {
            _orders(f"ordered_at >= {D180} AND amount > 50 AND category = 'shoes'")
        }
        GROUP BY 1 HAVING count(*) >= 2"""
    },
    "christmas_shoppers_2025": {
        "distinct": f"""SELECT DISTINCT customer_id {
            _orders(
                "ordered_at >= TIMESTAMP '2025-12-01 00:00:00' "
                "AND ordered_at < TIMESTAMP '2025-12-25 00:00:00'"
            )
        }"""
    },
    "december_shoppers": {
        "distinct": f"SELECT DISTINCT customer_id {_orders('month(ordered_at) = 12')}"
    },
    "evening_shoppers": {
        "group": f"SELECT customer_id {_orders()} GROUP BY 1 HAVING hour(max(ordered_at)) >= 18",
        "window": f"""SELECT customer_id {_orders()} QUALIFY row_number() OVER
            (PARTITION BY customer_id ORDER BY ordered_at DESC) = 1 AND hour(ordered_at) >= 18""",
    },
    "mostly_evening_shoppers": {
        "group": f"""SELECT customer_id {_orders()} GROUP BY 1
        HAVING 2 * count(*) FILTER (WHERE hour(ordered_at) >= 18) > count(*)"""
    },
    "mobile_browsers": {
        "group": f"""SELECT customer_id {_events("'page_view'")} GROUP BY 1
                     HAVING arg_max(device, ts) = 'mobile'""",
        "window": f"""SELECT customer_id {_events("'page_view'")} QUALIFY row_number() OVER
            (PARTITION BY customer_id ORDER BY ts DESC) = 1 AND device = 'mobile'""",
    },
    "desktop_buyers_on_mobile_now": {
        "group": f"""SELECT customer_id
        {_events("'page_view', 'checkout'")} GROUP BY 1
        HAVING count(*) FILTER (WHERE event_name = 'checkout' AND device = 'desktop') > 0
           AND arg_max(device, ts) FILTER (WHERE event_name = 'page_view') = 'mobile'"""
    },
    "signed_up_via_social": {
        "distinct": f"""SELECT DISTINCT customer_id
        {_events("'signup'", "channel = 'social'")}"""
    },
    "paid_visitors_this_month": {
        "distinct": f"""SELECT DISTINCT customer_id
        {_events("'page_view'", f"ts >= {D30} AND channel IN ({PAID})")}"""
    },
    "newsletter_fans": {
        "group": f"""SELECT customer_id {_events("'email_open'", f"ts >= {D90}")}
        GROUP BY 1 HAVING count(*) >= 4"""
    },
    "openers_not_clickers": {
        "group": f"""SELECT customer_id
        {_events("'email_open', 'email_click'", f"ts >= {D90}")} GROUP BY 1
        HAVING count(*) FILTER (WHERE event_name = 'email_open') >= 2
           AND count(*) FILTER (WHERE event_name = 'email_click') = 0"""
    },
    "mailable_but_silent": {
        "anti-join": f"""SELECT customer_id FROM customers WHERE marketing_consent AND email <> ''
            AND customer_id NOT IN (SELECT customer_id {_events("'email_open'", f"ts >= {D180}")})""",
        "except": f"""SELECT customer_id FROM customers WHERE marketing_consent AND email <> ''
            EXCEPT SELECT customer_id {_events("'email_open'", f"ts >= {D180}")}""",
    },
    "warm_leads_without_order": _without(
        f"""SELECT customer_id
        {_events("'email_open', 'email_click', 'pricing_view'", f"ts >= {D30}")} GROUP BY 1
        HAVING 10 * count(*) FILTER (WHERE event_name = 'email_open')
             + 5 * count(*) FILTER (WHERE event_name = 'email_click')
             + if(count(*) FILTER (WHERE event_name = 'pricing_view' AND ts >= {D7}) > 0, 30, 0)
             >= 20""",
        _BOUGHT,
    ),
    "visited_never_bought": _without(f"SELECT customer_id {_events(repr('page_view'))}", _BOUGHT),
    "new_signups_without_order": _without(
        f"SELECT customer_id {_events(repr('signup'), f'ts >= {D30}')}", _BOUGHT
    ),
    "new_newsletter_readers": {
        "group": f"""SELECT customer_id {_events("'email_open'")} GROUP BY 1
                     HAVING min(ts) >= {D30}""",
        **_without(
            f"SELECT customer_id {_events(repr('email_open'), f'ts >= {D30}')}",
            f"SELECT customer_id {_events(repr('email_open'), f'ts < {D30}')}",
        ),
    },
    "first_time_buyers": {
        "group": f"SELECT customer_id {_orders()} GROUP BY 1 HAVING min(ordered_at) >= {D30}",
        **_without(
            f"SELECT customer_id {_orders(f'ordered_at >= {D30}')}",
            f"SELECT customer_id {_orders(f'ordered_at < {D30}')}",
        ),
    },
    "one_order_last_12_months": {
        "group": f"""SELECT customer_id {_orders(f"ordered_at >= {M12}")}
        GROUP BY 1 HAVING count(*) = 1"""
    },
    "lapsed_buyers": {
        "group": f"SELECT customer_id {_orders()} GROUP BY 1 HAVING max(ordered_at) < {M12}",
        **_without(_BOUGHT, f"SELECT customer_id {_orders(f'ordered_at >= {M12}')}"),
    },
    "sleeping_buyers": {
        "group": f"""SELECT customer_id {_orders()} GROUP BY 1
        HAVING count(*) >= 3 AND max(ordered_at) < {D180}"""
    },
    "cooling_down": {
        "group": f"""SELECT customer_id {_orders()} GROUP BY 1
        HAVING max(ordered_at) >= TIMESTAMP '2025-07-04 00:00:00'
           AND max(ordered_at) < TIMESTAMP '2025-10-03 00:00:00'"""
    },
    "top_20_percent": _percentile(80),
    "gold": {
        name: f"{sql} AND customer_id IN (SELECT customer_id {_orders(f'ordered_at >= {M12}')})"
        for name, sql in _percentile(95).items()
    },
    "high_order_value": {
        "group": f"SELECT customer_id {_orders()} GROUP BY 1 HAVING avg(amount) >= 150"
    },
    "small_baskets_often": {
        "group": f"SELECT customer_id {_orders()} GROUP BY 1 "
        "HAVING count(*) >= 3 AND avg(amount) < 40"
    },
    "shoe_spenders": {
        "group": f"""SELECT customer_id {
            _orders(f"ordered_at >= {M12} AND category = 'shoes'")
        } GROUP BY 1 HAVING sum(amount) >= 300"""
    },
    "big_single_order": {
        "distinct": f"""SELECT DISTINCT customer_id {
            _orders(f"ordered_at >= {M12} AND amount >= 500")
        }"""
    },
    "all_rounders": {
        "group": f"SELECT customer_id {_orders()} GROUP BY 1 HAVING count(DISTINCT category) >= 4"
    },
}


def _customers_only(sql: str) -> str:
    """`sql`'s keys that are customers. The demo's events and orders also hold keys of
    erased accounts (as real event tables do), which are in no segment
    (docs/semantics.md#customers-and-rules); an expert checks the small result rather
    than every event row (measured on the 1M demo:
    IN or EXISTS on the result 11.5-14.5 ms, a join 14-15 ms, for abandoned_cart)."""
    return (
        f"SELECT customer_id FROM ({sql}) found "
        "WHERE customer_id IN (SELECT customer_id FROM customers)"
    )


# A variant drawing its keys from events or orders alone gets the check (tags are deleted
# with their customer, in the demo as in most shops, so a tag's key is a customer's).
SEGMENTS = {
    name: {
        variant: sql
        if re.search(r"\bFROM customers\b", sql) or not re.search(r"\b(events|orders)\b", sql)
        else _customers_only(sql)
        for variant, sql in variants.items()
    }
    for name, variants in SEGMENTS.items()
}


# ---- all segments and segmentations at once ------------------------------------------------


@dataclass(frozen=True)
class Aggregate:
    """One per-customer aggregate of the set plan: `sql` over the rows where `when` holds."""

    name: str
    sql: str
    when: str
    since: str | None = None  # lower bound on the time column, a literal
    event: str | None = None  # the event name (events table only)


_EVENT_AGGREGATES = [
    Aggregate("cart7", "count(*)", "true", D7, "add_to_cart"),
    Aggregate("checkout7", "count(*)", "true", D7, "checkout"),
    Aggregate("pricing7", "count(*)", "true", D7, "pricing_view"),
    Aggregate("product_views14", "count(*)", "starts_with(url, '/p/')", D14, "page_view"),
    Aggregate("shoe_views30", "count(*)", "url = '/c/shoes'", D30, "page_view"),
    Aggregate("paid_views30", "count(*)", f"channel IN ({PAID})", D30, "page_view"),
    Aggregate("views30", "count(*)", "true", D30, "page_view"),
    Aggregate("opens30", "count(*)", "true", D30, "email_open"),
    Aggregate("clicks30", "count(*)", "true", D30, "email_click"),
    Aggregate("signups30", "count(*)", "true", D30, "signup"),
    Aggregate("opens90", "count(*)", "true", D90, "email_open"),
    Aggregate("clicks90", "count(*)", "true", D90, "email_click"),
    Aggregate("views90", "count(*)", "true", D90, "page_view"),
    Aggregate("opens180", "count(*)", "true", D180, "email_open"),
    Aggregate("views", "count(*)", "true", None, "page_view"),
    Aggregate("last_view_device", "arg_max(device, ts)", "true", None, "page_view"),
    Aggregate("desktop_checkouts", "count(*)", "device = 'desktop'", None, "checkout"),
    Aggregate("signups", "count(*)", "true", None, "signup"),
    Aggregate("social_signups", "count(*)", "channel = 'social'", None, "signup"),
    Aggregate("first_open", "min(ts)", "true", None, "email_open"),
]
_ORDER_AGGREGATES = [
    Aggregate("orders14", "count(*)", "true", D14),
    Aggregate("shoe_orders30", "count(*)", "category = 'shoes'", D30),
    Aggregate("orders90", "count(*)", "true", D90),
    Aggregate("orders180", "count(*)", "true", D180),
    Aggregate("big_shoe_orders180", "count(*)", "amount > 50 AND category = 'shoes'", D180),
    Aggregate("orders12m", "count(*)", "true", M12),
    Aggregate("max_amount12m", "max(amount)", "true", M12),
    Aggregate("revenue12m", "sum(amount)", "true", M12),
    Aggregate("shoe_revenue12m", "sum(amount)", "category = 'shoes'", M12),
    Aggregate(
        "xmas_orders",
        "count(*)",
        "ordered_at < TIMESTAMP '2025-12-25 00:00:00'",
        "TIMESTAMP '2025-12-01 00:00:00'",
    ),
    Aggregate("orders", "count(*)", "true"),
    Aggregate("december_orders", "count(*)", "month(ordered_at) = 12"),
    Aggregate("evening_orders", "count(*)", "hour(ordered_at) >= 18"),
    Aggregate("first_order", "min(ordered_at)", "true"),
    Aggregate("last_order", "max(ordered_at)", "true"),
    Aggregate("ltv", "sum(amount)", "true"),
    Aggregate("aov", "avg(amount)", "true"),
    Aggregate("categories", "count(DISTINCT category)", "true"),
]
_TAGS = """tags AS (SELECT customer_id AS k, bool_or(tag = 'awaits-sale') AS sale_tag,
  bool_or(tag IN ('vip-event', 'b2b')) AS vip_or_b2b_tag, bool_or(tag = 'returns-often') AS
  returns_tag, bool_or(tag = 'student') AS student_tag, count(DISTINCT tag) AS tag_count
  FROM customer_tags GROUP BY 1)"""

_LEAD_SCORE = "10 * coalesce(opens30, 0) + 5 * coalesce(clicks30, 0) + if(pricing7 > 0, 30, 0)"
_HOT = (
    f"CASE WHEN {_LEAD_SCORE} >= 50 THEN 'hot' WHEN {_LEAD_SCORE} >= 20 THEN 'warm' ELSE 'cold' END"
)
_GOLD = "pct_ltv >= 95 AND orders12m > 0"
_SLEEPING = "orders >= 3 AND coalesce(orders180, 0) = 0"

# Every segment and segmentation as an expression over one joined row per customer.
COLUMNS: dict[str, str] = {
    **{name: condition for name, condition in ATTRIBUTES.items()},
    "awaits_sale": "sale_tag",
    "vip_or_b2b": "vip_or_b2b_tag",
    "no_frequent_returners": "NOT coalesce(returns_tag, false)",
    "heavily_tagged": "tag_count >= 3",
    "untagged": "tag_count IS NULL",
    "students": "life_stage = 'student' OR student_tag",
    "eu_sale_waiters": f"{ATTRIBUTES['eu_customers']} AND {ATTRIBUTES['inactive_month']} "
    "AND sale_tag",
    "eu_sale_waiters_mailable": f"{ATTRIBUTES['eu_customers']} AND "
    f"{ATTRIBUTES['inactive_month']} AND sale_tag AND marketing_consent AND email <> ''",
    "abandoned_cart": "cart7 > 0 AND coalesce(checkout7, 0) = 0",
    "viewed_product_not_bought": "product_views14 > 0 AND coalesce(orders14, 0) = 0",
    "browsed_shoes_bought_none": "shoe_views30 > 0 AND coalesce(shoe_orders30, 0) = 0",
    "repeat_shoe_buyers": "big_shoe_orders180 >= 2",
    "christmas_shoppers_2025": "xmas_orders > 0",
    "december_shoppers": "december_orders > 0",
    "evening_shoppers": "hour(last_order) >= 18",
    "mostly_evening_shoppers": "2 * evening_orders > orders",
    "mobile_browsers": "last_view_device = 'mobile'",
    "desktop_buyers_on_mobile_now": "desktop_checkouts > 0 AND last_view_device = 'mobile'",
    "signed_up_via_social": "social_signups > 0",
    "paid_visitors_this_month": "paid_views30 > 0",
    "newsletter_fans": "opens90 >= 4",
    "openers_not_clickers": "opens90 >= 2 AND coalesce(clicks90, 0) = 0",
    "mailable_but_silent": "marketing_consent AND email <> '' AND coalesce(opens180, 0) = 0",
    "warm_leads_without_order": f"{_LEAD_SCORE} >= 20 AND coalesce(orders, 0) = 0",
    "visited_never_bought": "views > 0 AND coalesce(orders, 0) = 0",
    "new_signups_without_order": "signups30 > 0 AND coalesce(orders, 0) = 0",
    "new_newsletter_readers": f"first_open >= {D30}",
    "first_time_buyers": f"first_order >= {D30}",
    "one_order_last_12_months": "orders12m = 1",
    "lapsed_buyers": "orders > 0 AND coalesce(orders12m, 0) = 0",
    "sleeping_buyers": _SLEEPING,
    "cooling_down": "last_order >= TIMESTAMP '2025-07-04 00:00:00' "
    "AND last_order < TIMESTAMP '2025-10-03 00:00:00'",
    "top_20_percent": "pct_ltv >= 80",
    "gold": _GOLD,
    "high_order_value": "aov >= 150",
    "small_baskets_often": "orders >= 3 AND aov < 40",
    "shoe_spenders": "shoe_revenue12m >= 300",
    "big_single_order": "max_amount12m >= 500",
    "all_rounders": "categories >= 4",
}
SEGMENTATIONS: dict[str, str] = {
    "usage_intensity": "CASE WHEN orders12m >= 6 THEN 'heavy' WHEN orders12m >= 3 THEN 'medium' "
    "WHEN orders12m >= 1 THEN 'light' ELSE 'none' END",
    "engagement": "CASE WHEN clicks30 > 0 OR views30 >= 3 THEN 'active' "
    "WHEN opens90 > 0 OR views90 > 0 THEN 'semi_active' ELSE 'passive' END",
    "lead_temperature": _HOT,
    "subject_line_test": f"CASE WHEN {VARIANT_A} THEN 'variant_a' ELSE 'variant_b' END",
    "lifecycle": f"CASE WHEN coalesce(orders, 0) = 0 AND signups > 0 THEN 'lead' "
    f"WHEN {_GOLD} THEN 'vip' WHEN {_SLEEPING} THEN 'sleeping' "
    "WHEN orders90 > 0 THEN 'active' ELSE 'other' END",
    "abc_class": "CASE WHEN cume_ltv <= 80 THEN 'A' WHEN cume_ltv <= 95 THEN 'B' ELSE 'C' END",
    "value_tier": "CASE WHEN revenue12m >= 1000 THEN 'vip' WHEN revenue12m >= 200 THEN 'regular' "
    "WHEN revenue12m > 0 THEN 'small' ELSE 'no_orders_12m' END",
}


def _group(
    alias: str, table: str, time: str, aggregates: list[Aggregate], split: bool, since: str | None
) -> str:
    """One GROUP BY: prefiltered on a window (`split`) or over the whole table with FILTERs."""
    names = sorted({a.event for a in aggregates if a.event})
    where = [f"{time} <= {NOW}"]
    if split and since:
        where.append(f"{time} >= {since}")
    if names and (split or len(names) < 7):
        where.append("event_name IN (" + ", ".join(f"'{n}'" for n in names) + ")")
    columns = []
    for a in aggregates:
        when = [a.when] if a.when != "true" else []
        if a.event and len(names) > 1:
            when.insert(0, f"event_name = '{a.event}'")
        if a.since and not split:
            when.append(f"{time} >= {a.since}")
        clause = f" FILTER (WHERE {' AND '.join(when)})" if when else ""
        columns.append(f"{a.sql}{clause} AS {a.name}")
    return (
        f"{alias} AS (SELECT customer_id AS k, {', '.join(columns)} FROM {table} "
        f"WHERE {' AND '.join(where)} GROUP BY 1)"
    )


def set_plans() -> dict[str, str]:
    """The hand-written plan for all segments and segmentations, in two shapes.

    `one pass per table`: a single GROUP BY over events and one over orders, every
    window in FILTER clauses. `one pass per window`: a GROUP BY per table and
    window, each prefiltered on its window and event names. Tags are one GROUP BY
    (not a correlated EXISTS per tag segment), and the population values are window
    functions over the joined row, not a second join.
    """
    plans = {}
    for shape, split in (("one pass per table", False), ("one pass per window", True)):
        groups = []
        for prefix, table, time, aggregates in (
            ("ev", "events", "ts", _EVENT_AGGREGATES),
            ("od", "orders", "ordered_at", _ORDER_AGGREGATES),
        ):
            windows = sorted({a.since for a in aggregates}, key=str) if split else [None]
            for i, since in enumerate(windows):
                chosen = [a for a in aggregates if a.since == since] if split else aggregates
                groups.append(
                    (f"{prefix}{i}", _group(f"{prefix}{i}", table, time, chosen, split, since))
                )
        joins = " ".join(f"LEFT JOIN {alias} ON {alias}.k = c.customer_id" for alias, _ in groups)
        excludes = ", ".join(f"{alias}.* EXCLUDE (k)" for alias, _ in groups)
        columns = [f"coalesce({sql}, false) AS {name}" for name, sql in COLUMNS.items()]
        columns += [f"{sql} AS {name}" for name, sql in SEGMENTATIONS.items()]
        plans[shape] = f"""WITH {", ".join(sql for _, sql in groups)}, {_TAGS},
  joined AS (SELECT c.*, {excludes}, tags.* EXCLUDE (k),
    100.0 * (rank() OVER (ORDER BY coalesce(ltv, 0)) - 1) / count(*) OVER () AS pct_ltv,
    100.0 * sum(coalesce(ltv, 0)) OVER (ORDER BY coalesce(ltv, 0) DESC, c.customer_id
      ROWS UNBOUNDED PRECEDING) / sum(coalesce(ltv, 0)) OVER () AS cume_ltv
    FROM customers c {joins} LEFT JOIN tags ON tags.k = c.customer_id)
SELECT customer_id, {", ".join(columns)} FROM joined"""
    return plans
