"""The SQL that generates the demo warehouse, run entirely inside DuckDB.

Why SQL and not Python: a million customers and 25 million events must be
generated in well under a minute, which only a vectorised engine does. Why hash
draws and not ``random()``: ``random()``/``setseed`` is not reproducible once DuckDB
runs a query on several threads, whereas ``hash(key, seed, salt)`` gives every
(row, purpose) pair its own fixed number, so the same seed always gives the same
warehouse (on the same DuckDB version: its ``hash`` is not a stable format). The
outer ``hash(...)`` matters: DuckDB combines the arguments of a multi-argument
``hash`` by XOR-ing in the last one, so without it two draws that differ only in
their salt would be XOR-related rather than independent.

The data is simulated, not sampled: customers get hidden habits (activity,
preferred hour and device, propensity to buy, a date when they stop coming back),
sessions follow from those habits, events from sessions, and orders from the
sessions that reach a checkout. Newsletter readers among those who consented also
open mails without visiting, so opens outnumber clicks about fifteen to one.
Everything a segment can ask about is thereby
correlated the way it is in a real shop (abandoned carts, sleeping buyers,
newsletter readers with marketing consent, Christmas shopping).
"""

from __future__ import annotations

import math
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import duckdb

from segdsl.demo.customers import CITIES, CUSTOMERS, PERSON, TAGS

# Draws in [0, 1): one per (key, salt), or per (key, sub-key, salt).
_MACROS = """
CREATE TEMP MACRO u(k, salt) AS hash(hash(k, getvariable('seed'), salt)) / 18446744073709551616.0;
CREATE TEMP MACRO u2(k, j, salt) AS
    hash(hash(k, j, getvariable('seed'), salt)) / 18446744073709551616.0;
CREATE TEMP MACRO pick(choices, r) AS choices[1 + floor(r * len(choices))::INTEGER];
CREATE TEMP MACRO normal(k, salt) AS  -- Box-Muller: a standard normal draw
    sqrt(-2 * ln(1 - u(k, salt || '-a'))) * cos(2 * pi() * u(k, salt || '-b'));
"""

# Sessions: web visits, and newsletter opens that may lead to a visit. A session's
# time prefers the customer's hour and, now and then, the weeks before Christmas.
_SESSION = """
CREATE TEMP TABLE session AS
WITH s AS (
  SELECT p.customer_id, p.customer_id * 1024 + n AS sid, p.device AS pref_device,
    p.acquisition_channel, p.fav_category, p.p_cart, p.p_checkout,
    p.signup_us + 60000000 AS lo, p.end_us - 3600000000 AS hi,
    lo + floor(u(sid, 'when') * (hi - lo))::BIGINT AS uniform_us,
    make_timestamp(uniform_us)::DATE AS day0,
    if(u(sid, 'xmas') < 0.1, make_date(year(day0), 12, 1 + floor(u(sid, 'xmas-day') * 24)::INTEGER),
       day0) AS visit_day,
    epoch_us(visit_day::TIMESTAMP) + if(u(sid, 'at-hour') < 0.7,
      (p.pref_hour * 3600 + floor(u(sid, 'minute') * 3600)::BIGINT) * 1000000,
      uniform_us % 86400000000) AS habit_us,
    p.marketing_consent IS TRUE AND u(sid, 'email') < 0.3 AS is_email
  FROM person p, range(p.n_sessions) r(n)
)
SELECT customer_id, sid, if(habit_us BETWEEN lo AND hi, habit_us, uniform_us) AS start_us,
  is_email, is_email AND u(sid, 'click') < 0.35 AS clicked,
  NOT is_email OR clicked AS visits,
  if(visits, 1 + least(7, floor(-ln(1 - u(sid, 'pages')) * 1.6))::INTEGER, 0) AS n_pages,
  visits AND u(sid, 'pricing') < 0.12 AS pricing,
  visits AND u(sid, 'cart') < p_cart AS cart,
  cart AND u(sid, 'checkout') < p_checkout AS checkout,
  if(u(sid, 'device') < 0.75, pref_device, pick(['mobile', 'desktop', 'tablet'], u(sid, 'dev')))
    AS device,
  CASE WHEN is_email THEN 'email' WHEN u(sid, 'chan') < 0.4 THEN acquisition_channel
    ELSE pick(['direct', 'direct', 'organic', 'paid_search', 'social', 'referral', 'affiliate'],
              u(sid, 'chan-other')) END AS channel,
  if(u(sid, 'cat') < 0.6, fav_category, 1 + floor(u(sid, 'cat-other') * 8)::INTEGER) AS cat_no,
  ['shoes', 'apparel', 'electronics', 'home', 'beauty', 'sports', 'books', 'toys'][cat_no]
    AS category,
  'P' || lpad((cat_no * 1000 + floor(pow(u(sid, 'product'), 2) * 150))::INTEGER::VARCHAR, 5, '0')
    AS product_id,
  pick(['spring-sale', 'summer-drop', 'back-to-school', 'black-friday', 'xmas-gifts',
        'weekly-picks'], u(sid, 'campaign')) AS campaign
FROM s;
"""

# A session is 13 slots 45 s apart (open, click, up to 8 pages, pricing, cart,
# checkout); a slot becomes an event when the session has it. Orders follow checkouts.
# Events are generated unordered, then written in time order slice by slice
# (`_write_events`): one ORDER BY over 260 million rows (10M customers) does not fit
# in memory, while each slice's does.
_EVENTS = """
CREATE TABLE events (customer_id BIGINT, ts TIMESTAMP, event_name VARCHAR, url VARCHAR,
                     device VARCHAR, channel VARCHAR);
CREATE TEMP TABLE event_rows AS
SELECT * FROM (
  SELECT customer_id, customer_id * 1024 + 1023 AS sid, 0 AS j,  -- sid: sessions use 0..399
    signup_us + floor(u(customer_id, 'signup-s') * 30e6)::BIGINT AS ts_us,
    'signup' AS event_name, '/signup' AS url, device, acquisition_channel AS channel
  FROM person WHERE NOT silent
  UNION ALL  -- newsletter opens without a visit (sessions hold the opens that led to a click)
  SELECT customer_id, sid, j, if(habit_us BETWEEN lo AND hi, habit_us, uniform_us),
    'email_open', '/campaign/' || pick(['weekly-picks', 'weekly-picks', 'weekly-picks',
      'spring-sale', 'summer-drop', 'back-to-school', 'black-friday', 'xmas-gifts'],
      u2(sid, j, 'campaign')), if(u2(sid, j, 'device') < 0.5, 'mobile', device), 'email'
  FROM (SELECT *, customer_id * 1024 + 1023 AS sid, 1 + n AS j,
      signup_us + 60000000 AS lo, end_us - 3600000000 AS hi,
      lo + floor(u2(sid, j, 'when') * (hi - lo))::BIGINT AS uniform_us,
      uniform_us - uniform_us % 86400000000 + pref_hour * 3600000000
        + floor(u2(sid, j, 'minute') * 7200e6)::BIGINT AS habit_us
    FROM person, range(n_reads) r(n))
  UNION ALL
  SELECT customer_id, sid, j, start_us + j * 45000000 + floor(u2(sid, j, 'gap') * 40e6)::BIGINT,
    CASE WHEN j = 0 THEN if(is_email, 'email_open', NULL)
      WHEN j = 1 THEN if(clicked, 'email_click', NULL)
      WHEN j < 10 THEN if(j - 2 < n_pages, 'page_view', NULL)
      WHEN j = 10 THEN if(pricing, 'pricing_view', NULL)
      WHEN j = 11 THEN if(cart, 'add_to_cart', NULL)
      ELSE if(checkout, 'checkout', NULL) END AS event_name,
    CASE WHEN j < 2 THEN '/campaign/' || campaign WHEN j = 10 THEN '/pricing'
      WHEN j = 11 THEN '/cart' WHEN j = 12 THEN '/checkout'
      WHEN j - 2 = n_pages - 1 OR u2(sid, j, 'page') < 0.35 THEN '/p/' || product_id
      WHEN u2(sid, j, 'page') < 0.8 THEN '/c/' || category
      ELSE pick(['/', '/', '/sale', '/blog/style-guide', '/help/returns'], u2(sid, j, 'url'))
    END AS url, device, channel
  FROM session, range(13) r(j)
) WHERE event_name IS NOT NULL;
"""
_EVENT_SLICE = """
INSERT INTO events
SELECT customer_id, make_timestamp(ts_us), event_name, url, device, channel FROM event_rows
WHERE ts_us >= $lo AND ts_us < $hi
ORDER BY ts_us, sid, j
"""
_ORDERS = """
CREATE TABLE orders (order_id BIGINT, customer_id BIGINT, ordered_at TIMESTAMP,
                     amount DECIMAL(12, 2), category VARCHAR, product_id VARCHAR);
INSERT INTO orders
SELECT row_number() OVER (ORDER BY ts_us, sid), customer_id, make_timestamp(ts_us),
  round(CASE category WHEN 'shoes' THEN 85 WHEN 'apparel' THEN 55 WHEN 'electronics' THEN 220
    WHEN 'home' THEN 70 WHEN 'beauty' THEN 35 WHEN 'sports' THEN 65 WHEN 'books' THEN 22
    ELSE 40 END * (1 + floor(pow(u(sid, 'qty'), 3) * 3)) * exp(0.45 * normal(sid, 'price')), 2),
  category, product_id
FROM (SELECT *, start_us + 600000000 + floor(u(sid, 'pay') * 60e6)::BIGINT AS ts_us
      FROM session WHERE checkout)
ORDER BY ts_us, sid;
"""


# Erased accounts: one person in a hundred beyond the customers asked for has a history but
# no row in `customers` (nor tags): an account deleted on request, whose events and orders
# stay, pseudonymised, for analytics and accounting. Real event tables hold such keys
# (and anonymous visitors); every segment is a subset of the customer table
# (docs/semantics.md#customers-and-rules), and these keys make that rule visible in the
# demo. Their numbers come after the customers', so customers 1..N are the same whatever
# the share.
ERASED_PER_CUSTOMER = 0.01

_ROWS_PER_SLICE = 20_000_000


def _write_events(con: duckdb.DuckDBPyConnection) -> None:
    """Copy `event_rows` into `events` in time order, in slices of equal time span."""
    rows, lo, hi = con.execute(
        "SELECT count(*), min(ts_us), max(ts_us) + 1 FROM event_rows"
    ).fetchone()  # type: ignore[misc]  # an aggregate always returns one row; fetchone() is typed Optional
    slices = 1 + rows // _ROWS_PER_SLICE
    bounds = [lo + (hi - lo) * i // slices for i in range(slices)] + [hi] if rows else []
    for start, end in pairwise(bounds):
        con.execute(_EVENT_SLICE, {"lo": start, "hi": end})
    con.execute("DROP TABLE event_rows")


def build_warehouse(path: Path, customers: int, seed: int, as_of: datetime) -> dict[str, int]:
    """Create the DuckDB file at ``path`` (which must not exist); return rows per table.

    The tables depend only on ``customers``, ``seed`` and ``as_of``; nothing
    happens after ``as_of``, so a run pinned to it replays the same history.
    """
    con = duckdb.connect(str(path))
    try:
        con.execute("SET enable_progress_bar = false")  # the caller reports; DuckDB's bars clutter
        con.execute("SET VARIABLE seed = ?::BIGINT", [seed])
        con.execute("SET VARIABLE customers = ?", [customers])
        con.execute("SET VARIABLE erased = ?", [math.ceil(customers * ERASED_PER_CUSTOMER)])
        con.execute("SET VARIABLE as_of = epoch_us(?::TIMESTAMP)", [as_of])
        con.execute("SET VARIABLE as_of_date = ?::DATE", [as_of.date()])
        for script in (_MACROS, CITIES, PERSON, _SESSION, _EVENTS):
            con.execute(script)
        _write_events(con)
        for script in (_ORDERS, CUSTOMERS, TAGS):
            con.execute(script)
        tables = ("customers", "customer_tags", "events", "orders")
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in tables}
    finally:
        con.close()
