"""`segdsl demo`: write a complete example project with a generated warehouse.

A new user should be able to run ``segdsl check``, ``compile`` and ``run`` within a
minute of installing, on data that makes segments non-trivial. The warehouse is
simulated in DuckDB (see ``demo_data``) and is the same for the same seed, and all
of its history ends at ``DEMO_AS_OF`` so that sizes are reproducible with
``--as-of 2025-12-31T12:00:00``. The YAML files are kept here as literal text,
comments included, because they are what a new user reads first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from segdsl.demo_data import build_warehouse

DEMO_AS_OF = datetime(2025, 12, 31, 12, 0, 0)
"""The demo's "now": no event, order or signup is later than this instant."""

WAREHOUSE = "warehouse.duckdb"


@dataclass(frozen=True)
class DemoSummary:
    """What `write_demo` wrote, for the command line to report."""

    directory: Path
    customers: int
    events: int
    orders: int
    tags: int


_PROJECT = """\
# segdsl.yaml: the project file of the segdsl demo, written by `segdsl demo`.
#
# The warehouse is simulated: four years of a European online shop whose history
# ends at 2025-12-31T12:00:00. Pin that instant so that sizes do not drift:
#
#   segdsl check
#   segdsl run --as-of 2025-12-31T12:00:00
#   segdsl compile eu_sale_waiters --dialect snowflake --as-of 2025-12-31T12:00:00
#
name: demo
schema: schema.yaml            # maps the warehouse onto the names rules use
segments: [segments/]          # every .yaml file in segments/ holds segments
warehouse: warehouse.duckdb    # the generated DuckDB file, opened read-only
dialect: duckdb                # default target of `segdsl compile`
"""

_SCHEMA = """\
# schema.yaml: the names that rules may use, and where they live in the warehouse.
#
# Rules never mention tables or joins: they say `country in EU` or `tag = "b2b"`,
# and this file tells segdsl which column or table that means. A field is
# `name: type` when the column has the same name, or a mapping when it does not.
# Types: string, integer, decimal, float, boolean, date, timestamp, geo.

customers:                     # the entity: every segment is a set of these rows
  table: customers
  key: customer_id
  fields:
    customer_id: integer
    first_name: string
    email: string              # missing for some, empty ("") for others: use `email is set`
    phone: string              # international format: "+49 301234567"
    country: {column: country_code, type: string}   # ISO code: "DE", "FR", "GB", "US", ...
    region: string             # "Bavaria", "Île-de-France", "Scotland", "California", ...
    city: string
    postcode: string           # as written in the country: "80331", "SW1A 1AA", "1012 AB"
    location: {type: geo, lat: latitude, lon: longitude}   # for distance_km(location, lat, lon)
    birth_date: date
    age: integer               # whole years on 2025-12-31; missing when birth_date is
    gender: string             # "female", "male", "diverse"; missing when not given
    marital_status: string     # "single", "partnership", "married", "divorced", "widowed"
    education: string          # "secondary", "vocational", "bachelor", "master", "doctorate"
    income: decimal            # yearly, in EUR
    life_stage: string         # "student", "young_single", "young_couple", "family",
                               # "established_single", "empty_nester", "retired"
    marketing_consent: boolean # missing = never asked
    nps: integer               # 0..10 from the last survey; most customers never answered
    acquisition_channel: string  # "organic", "paid_search", "social", "email", "referral",
                                 # "affiliate"
    signup_at: timestamp
    last_seen_at: timestamp    # time of the latest event; missing if never seen online
    # A customer has several tags, kept in a side table: `tag = "eco"` holds when one
    # of them is "eco", `tag != "eco"` when none is, `count(tag)` counts them.
    tag: {type: string, many: true, table: customer_tags, column: tag, key: customer_id}

events:                        # what customers did, and when
  events:                      # `did add_to_cart` means a row with event_name = 'add_to_cart'
    table: events
    key: customer_id
    time: ts
    name: event_name
    names: [page_view, add_to_cart, checkout, signup, email_open, email_click, pricing_view]
    properties:
      url: string              # "/p/P01042" (a product), "/c/shoes" (a category), "/pricing", ...
      device: string           # "desktop", "mobile", "tablet"
      channel: string          # "direct", "organic", "paid_search", "social", "email", ...
  purchase:                    # a whole table as one event: `did purchase` = any order
    table: orders
    key: customer_id
    time: ordered_at
    properties:
      amount: decimal          # in EUR
      category: string         # shoes, apparel, electronics, home, beauty, sports, books, toys
      product_id: string

sets:                          # named lists for `x in NAME`; change a list here, not in rules
  EU: [AT, BE, BG, HR, CY, CZ, DK, EE, FI, FR, DE, GR, HU, IE, IT, LV, LT, LU,
       MT, NL, PL, PT, RO, SK, SI, ES, SE]
  DACH: [DE, AT, CH]
  BENELUX: [BE, NL, LU]
  NORDICS: [DK, FI, IS, "NO", SE]   # quote "NO": unquoted, YAML reads it as false
  HIGHER_EDUCATION: [bachelor, master, doctorate]
  PAID_CHANNELS: [paid_search, social, affiliate]

traits:                        # derived fields, written in the rule language itself
  inactive_days: days_since(last_seen_at)    # missing for customers never seen online
  tenure_days: days_since(signup_at)
  has_email: email is set
  # A missing age fails every comparison, so it falls through to "unknown".
  age_band: >-
    if(age >= 65, "65+", if(age >= 50, "50-64", if(age >= 35, "35-49",
    if(age >= 25, "25-34", if(age >= 18, "18-24", "unknown")))))
"""

_DEMOGRAPHIC = """\
# Demographic segments: who the customers are.
#
# A comparison with a missing value is simply "no": a customer without a birth
# date is in no age segment, and therefore in `not in segment seniors`.
segments:
  young_adults:
    description: Customers aged 18 to 24
    owner: insights@demo.example
    labels: [demographic, age]
    where: age between 18 and 24

  mid_career:
    description: Customers in the 35-49 age band (a trait defined in schema.yaml)
    owner: insights@demo.example
    labels: [demographic, age]
    where: age_band = "35-49"

  seniors:
    description: Customers aged 65 or over
    owner: insights@demo.example
    labels: [demographic, age]
    where: age >= 65

  born_before_1970:
    description: Customers born before 1970 (a date literal is written plainly)
    owner: insights@demo.example
    labels: [demographic, age]
    where: birth_date before 1970-01-01

  gen_z:
    description: Generation Z, born 1997 to 2012
    owner: insights@demo.example
    labels: [demographic, age]
    where: year(birth_date) between 1997 and 2012

  women_25_44:
    description: Women aged 25 to 44
    owner: insights@demo.example
    labels: [demographic, gender]
    min_size: 100
    where: gender = "female" and age between 25 and 44

  gender_diverse:
    description: Customers who gave their gender as diverse
    owner: insights@demo.example
    labels: [demographic, gender]
    where: gender = "diverse"

  couples:
    description: Married or in a registered partnership
    owner: insights@demo.example
    labels: [demographic, household]
    where: marital_status in ["married", "partnership"]

  graduates:
    description: Customers with a university degree (the set is in schema.yaml)
    owner: insights@demo.example
    labels: [demographic, education]
    where: education in HIGHER_EDUCATION

  high_income:
    description: Yearly income of 80,000 EUR or more
    owner: insights@demo.example
    labels: [demographic, income]
    where: income >= 80000

  monthly_income_under_2000:
    description: Under 2,000 EUR a month, by arithmetic on the yearly income
    owner: insights@demo.example
    labels: [demographic, income]
    where: round(income / 12) < 2000

  families:
    description: Customers in the family life stage
    owner: insights@demo.example
    labels: [demographic, life-stage]
    where: life_stage = "family"

  students:
    description: Students by life stage or by tag
    owner: insights@demo.example
    labels: [demographic, life-stage]
    where: life_stage = "student" or tag = "student"

"""

_GEOGRAPHIC = """\
# Geographic segments: where the customers live.
segments:
  eu_customers:
    description: Customers in the EU, where GDPR applies (EU is a set in schema.yaml)
    owner: legal@demo.example
    labels: [geographic, gdpr]
    min_size: 100
    where: country in EU

  outside_eu:
    description: Customers outside the EU
    owner: legal@demo.example
    labels: [geographic, gdpr]
    where: country not in EU

  dach:
    description: Germany, Austria and Switzerland
    owner: growth@demo.example
    labels: [geographic]
    where: country in DACH

  nordics:
    description: Denmark, Finland, Iceland, Norway and Sweden
    owner: growth@demo.example
    labels: [geographic]
    where: country in NORDICS

  bavaria:
    description: Customers in the German state of Bavaria
    owner: growth@demo.example
    labels: [geographic, region]
    where: region = "Bavaria"

  big_german_cities:
    description: The four largest German cities
    owner: growth@demo.example
    labels: [geographic, city]
    where: country = "DE" and city in ["Berlin", "Hamburg", "Munich", "Cologne"]

  paris_intra_muros:
    description: Paris proper, by postcode (75001 to 75020; `matches` is a regex search)
    owner: growth@demo.example
    labels: [geographic, postcode]
    where: country = "FR" and postcode matches "^75[0-9]{3}$"

  munich_postcodes:
    description: Postcodes starting with 80 in Munich (`like` uses % and _)
    owner: growth@demo.example
    labels: [geographic, postcode]
    where: city = "Munich" and postcode like "80%"

  near_paris_store:
    description: Within 50 km of the Paris flagship store, for the opening event
    owner: events@demo.example
    labels: [geographic, venue]
    where: distance_km(location, 48.8566, 2.3522) < 50

  near_london_popup:
    description: Within 30 km of the London pop-up store
    owner: events@demo.example
    labels: [geographic, venue]
    where: distance_km(location, 51.5074, -0.1278) <= 30
"""

_CONTACT = """\
# Contact and tag segments: whom we may reach, and how.
#
# `is set` means present and, for strings, not empty: some emails are "" here.
segments:
  with_email:
    description: Customers with a usable email address
    owner: crm@demo.example
    labels: [contact]
    where: email is set

  without_email:
    description: No email, or an empty one
    owner: crm@demo.example
    labels: [contact]
    where: email is not set

  with_phone:
    description: Customers with a phone number
    owner: crm@demo.example
    labels: [contact]
    where: phone is set

  phone_only:
    description: Reachable by phone but not by email (has_email is a trait)
    owner: crm@demo.example
    labels: [contact]
    where: phone is set and not has_email

  german_phone_numbers:
    description: Phone numbers with the German country code
    owner: crm@demo.example
    labels: [contact]
    where: phone starts with "+49"

  newsletter_audience:
    description: Consented to marketing and have an email address
    owner: crm@demo.example
    labels: [contact, consent]
    min_size: 100
    where: marketing_consent and email is set

  consent_never_asked:
    description: Never asked for marketing consent
    owner: legal@demo.example
    labels: [contact, consent]
    where: marketing_consent is null

  gmail_users:
    description: Gmail addresses, however they were typed
    owner: crm@demo.example
    labels: [contact]
    where: email ends with "@gmail.com" ignoring case

  german_mailbox_users:
    description: GMX and WEB.DE addresses ((?i) makes the regex case-insensitive)
    owner: crm@demo.example
    labels: [contact]
    where: email matches "(?i)@(gmx|web)[.]de$"

  awaits_sale:
    description: Tagged as waiting for a sale
    owner: crm@demo.example
    labels: [tags]
    where: tag = "awaits-sale"

  vip_or_b2b:
    description: Tagged for VIP events or as business customers
    owner: crm@demo.example
    labels: [tags]
    where: tag in ["vip-event", "b2b"]

  no_frequent_returners:
    description: Customers without the returns-often tag (also those without tags)
    owner: crm@demo.example
    labels: [tags]
    where: tag != "returns-often"

  heavily_tagged:
    description: Three or more tags
    owner: crm@demo.example
    labels: [tags]
    where: count(tag) >= 3

  untagged:
    description: No tags at all
    owner: crm@demo.example
    labels: [tags]
    where: count(tag) = 0
"""

_REACTIVATION = """\
# Lifecycle and reactivation segments from customer attributes.
#
# Relative times (`within`, `ago`, `today`, `days_since`) are measured from the
# run's "as of": run the demo with --as-of 2025-12-31T12:00:00.
segments:
  new_subscribers:
    description: Signed up in the last 30 days
    owner: crm@demo.example
    labels: [lifecycle]
    where: signup_at within 30 days

  seen_today:
    description: Seen online on the as-of day
    owner: crm@demo.example
    labels: [lifecycle]
    where: date(last_seen_at) = today

  inactive_month:
    description: Not seen for more than 30 days (never-seen customers are not included)
    owner: crm@demo.example
    labels: [lifecycle, reactivation]
    where: inactive_days > 30

  long_lapsed:
    description: Last seen more than a year ago
    owner: crm@demo.example
    labels: [lifecycle, reactivation]
    where: last_seen_at before 365 days ago

  never_seen_online:
    description: Customers with no online activity at all (imported or in-store)
    owner: crm@demo.example
    labels: [lifecycle]
    where: last_seen_at is null

  eu_sale_waiters:
    description: EU customers inactive for over a month who wait for a sale
    owner: crm@demo.example
    labels: [reactivation, gdpr]
    min_size: 100
    where: country in EU and inactive_days > 30 and tag = "awaits-sale"

  eu_sale_waiters_mailable:
    description: The sale waiters we may email (builds on the segment above)
    owner: crm@demo.example
    labels: [reactivation, gdpr]
    where: in segment eu_sale_waiters and marketing_consent and has_email

  # A long rule reads better over several lines: `>` folds them into one.
  winback_candidates:
    description: Lapsed one to six months, reachable, and not brand new
    owner: crm@demo.example
    labels: [reactivation]
    min_size: 50
    where: >
      inactive_days between 30 and 180
      and has_email
      and marketing_consent
      and not in segment new_subscribers
      and (country in EU or country in ["GB", "CH", "NO"])
"""

_OCCASIONS = """\
# Occasions: birthdays and anniversaries, for greetings and vouchers.
segments:
  birthday_next_week:
    description: Birthday within the next 7 days, as-of day included
    owner: crm@demo.example
    labels: [occasion, birthday]
    where: next_anniversary(birth_date) within next 7 days

  birthday_today:
    description: Birthday on the as-of day
    owner: crm@demo.example
    labels: [occasion, birthday]
    where: next_anniversary(birth_date) = today

  december_birthdays:
    description: Born in December
    owner: crm@demo.example
    labels: [occasion, birthday]
    where: month(birth_date) = 12

  signup_anniversary_next_week:
    description: Customers for at least a year whose signup anniversary is near
    owner: crm@demo.example
    labels: [occasion, loyalty]
    where: tenure_days >= 365 and next_anniversary(date(signup_at)) within next 7 days
"""

_BEHAVIOURAL = """\
# Behaviour recorded on the customer: satisfaction (NPS) and acquisition.
#
# NPS: 9-10 promoters, 7-8 passives, 0-6 detractors; most never answered.
segments:
  promoters:
    description: NPS promoters
    owner: insights@demo.example
    labels: [satisfaction]
    where: nps >= 9

  passives:
    description: NPS passives
    owner: insights@demo.example
    labels: [satisfaction]
    where: nps between 7 and 8

  detractors:
    description: NPS detractors
    owner: insights@demo.example
    labels: [satisfaction]
    where: nps <= 6

  detractors_to_call:
    description: Detractors we can phone for a service call
    owner: service@demo.example
    labels: [satisfaction, contact]
    where: in segment detractors and phone is set

  paid_acquisition:
    description: Acquired through paid channels (a set in schema.yaml)
    owner: growth@demo.example
    labels: [acquisition]
    where: acquisition_channel in PAID_CHANNELS

  weekend_signups:
    description: Signed up on a Saturday or Sunday (weekday 1 is Monday)
    owner: growth@demo.example
    labels: [acquisition]
    where: weekday(signup_at) in [6, 7]

  night_owls:
    description: Last seen online between 22:00 and 04:59
    owner: growth@demo.example
    labels: [habits]
    where: hour(last_seen_at) >= 22 or hour(last_seen_at) < 5
"""

# Written in this order, the project file last: a folder with a segdsl.yaml is complete.
_FILES: dict[str, str] = {
    "segments/demographic.yaml": _DEMOGRAPHIC,
    "segments/geographic.yaml": _GEOGRAPHIC,
    "segments/contact.yaml": _CONTACT,
    "segments/reactivation.yaml": _REACTIVATION,
    "segments/occasions.yaml": _OCCASIONS,
    "segments/behavioural.yaml": _BEHAVIOURAL,
    "schema.yaml": _SCHEMA,
    "segdsl.yaml": _PROJECT,
}


def write_demo(directory: Path, customers: int = 10_000, seed: int = 42) -> DemoSummary:
    """Write the demo project into ``directory`` (created if needed).

    Refuses with ``FileExistsError`` when ``directory`` already holds a project or
    any file the demo would write, so a user's work is never overwritten. The
    warehouse is built under a temporary name and renamed into place, so an
    interrupted run never leaves a half-written database behind.
    """
    if customers < 1:
        raise ValueError(f"customers must be at least 1, not {customers}")
    directory = Path(directory)
    for name in (*reversed(_FILES), WAREHOUSE):  # the project file first
        if (directory / name).exists():
            raise FileExistsError(f"{directory / name} exists; the demo never overwrites files")
    directory.mkdir(parents=True, exist_ok=True)
    temporary = directory / f".{WAREHOUSE}.{os.getpid()}.tmp"
    leftovers = (temporary, temporary.with_name(temporary.name + ".wal"))
    try:
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
        rows = build_warehouse(temporary, customers, seed, DEMO_AS_OF)
        os.replace(temporary, directory / WAREHOUSE)
    finally:
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
    (directory / "segments").mkdir(exist_ok=True)
    for name, text in _FILES.items():
        (directory / name).write_text(text, encoding="utf-8")
    return DemoSummary(
        directory=directory,
        customers=rows["customers"],
        events=rows["events"],
        orders=rows["orders"],
        tags=rows["customer_tags"],
    )
