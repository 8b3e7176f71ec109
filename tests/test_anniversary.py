"""`next_anniversary(x) op D` with *as of* pinned is compiled as a test of x's month and day
(segdsl/optimize/anniversary.py). Here every month and day of a leap year, a few common-year
dates and a missing one meet many rules and *as of* dates (Feb 28 and Feb 29 of leap and
common years, year ends, month ends), and DuckDB's members must be the reference
evaluator's, which computes each anniversary from its definition
(docs/semantics.md#functions). So must the anniversary computed per row, which an
unpinned *as of* compiles to."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

import segdsl
from segdsl import optimize, reference

SCHEMA = """\
customers:
  table: customers
  key: customer_id
  fields:
    birth_date: date
    signup_at: timestamp
"""

AS_OFS = [
    dt.datetime(2025, 12, 31, 12),
    dt.datetime(2026, 2, 28, 8),
    dt.datetime(2028, 2, 28, 8),
    dt.datetime(2028, 2, 29, 23, 59),
    dt.datetime(2027, 3, 1),
    dt.datetime(2026, 1, 31, 9),
    dt.datetime(2026, 6, 30, 18),
]

RULES = [
    "next_anniversary(birth_date) = today",
    "next_anniversary(birth_date) within next 7 days",
    "next_anniversary(birth_date) within next 1 month",
    "next_anniversary(birth_date) < today + 30 days",
    "next_anniversary(birth_date) <= today + 1 year",
    "next_anniversary(birth_date) > 2026-06-01",
    "next_anniversary(birth_date) >= today",
    "next_anniversary(birth_date) between 2026-02-27 and 2026-03-02",
    "next_anniversary(birth_date) = today - 1 day",
    "2026-03-01 = next_anniversary(birth_date)",
    "next_anniversary(date(signup_at)) within next 2 weeks",
    "next_anniversary(date(signup_at)) <= date(now + 36 hours)",
]


def _dates() -> list[dt.date | None]:
    leap = [dt.date(2000, 1, 1) + dt.timedelta(days=n) for n in range(366)]
    return [*leap, dt.date(1999, 2, 28), dt.date(1999, 3, 1), dt.date(2001, 12, 31), None]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, reference.Data]:
    root = tmp_path_factory.mktemp("anniversary")
    (root / "segdsl.yaml").write_text(
        "name: anniversaries\nschema: schema.yaml\n"
        "segments: [segments/]\nwarehouse: warehouse.duckdb\n"
    )
    (root / "schema.yaml").write_text(SCHEMA)
    (root / "segments").mkdir()
    rows = [
        (key, day, None if day is None else dt.datetime.combine(day, dt.time(23, 59)))
        for key, day in enumerate(_dates(), start=1)
    ]
    connection = duckdb.connect(str(root / "warehouse.duckdb"))
    connection.execute(
        "CREATE TABLE customers (customer_id BIGINT, birth_date DATE, signup_at TIMESTAMP)"
    )
    connection.executemany("INSERT INTO customers VALUES (?, ?, ?)", rows)
    connection.close()
    data: reference.Data = {
        "customers": [
            {"customer_id": key, "birth_date": day, "signup_at": at} for key, day, at in rows
        ]
    }
    return root, data


@pytest.mark.parametrize("rewritten", [True, False], ids=["month-and-day", "computed"])
@pytest.mark.parametrize("as_of", AS_OFS, ids=lambda t: t.strftime("%Y-%m-%dT%H"))
def test_month_and_day_form_has_the_members_of_the_definition(
    project: tuple[Path, reference.Data],
    as_of: dt.datetime,
    rewritten: bool,
) -> None:
    """Both forms: the month-and-day tests, and the anniversary computed per row (the form
    of an unpinned *as of*, forced here by turning the rewrite off)."""

    passes = {
        kind: [p for p in rules if rewritten or p is not optimize.ANNIVERSARIES]
        for kind, rules in (("set", optimize.RULES_SET), ("single", optimize.RULES_SINGLE))
    }
    root, data = project
    names = [f"r{i}" for i in range(len(RULES))]
    (root / "segments" / "rules.yaml").write_text(
        "segments:\n"
        + "".join(
            f"  {name}:\n    where: '{rule}'\n" for name, rule in zip(names, RULES, strict=True)
        )
    )
    loaded = segdsl.load(root)
    result = loaded.run(names, as_of=as_of, rules=passes["set"])
    rules = reference.Rules.of(loaded)
    for name, rule in zip(names, RULES, strict=True):
        sql = loaded.compile([name], dialect="duckdb", as_of=as_of, rules=passes["single"])
        assert ("CASE" not in sql) == rewritten, sql
        want = reference.members(rules, rule, data, as_of)
        assert set(result.members(name)) == want, f"{rule} as of {as_of}"
