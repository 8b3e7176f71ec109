"""Builders of time and dates: intervals, days between, the next anniversary."""

from __future__ import annotations

from segdsl.operators.build import SQL, Build, built


def interval(b: Build, amount: int, unit: str) -> SQL:
    """`INTERVAL 'n' UNIT`; weeks as days, which every engine knows."""
    if unit == "week":
        amount, unit = amount * 7, "day"
    return built(
        b.exp.Interval(this=b.exp.Literal.string(str(amount)), unit=b.exp.var(unit.upper()))
    )


def part(b: Build, name: str, t: SQL) -> SQL:
    """`EXTRACT(name FROM t)`: QUARTER, WEEK (ISO) and DOY, as PostgreSQL, DuckDB and Spark
    read them; the dialects without them say so in their `operators` (emit/dialects/)."""
    return built(b.exp.Extract(this=b.exp.var(name), expression=t))


def days_between(b: Build, start: SQL, end: SQL) -> SQL:
    return built(
        b.exp.DateDiff(
            this=b.exp.cast(end, "date"),
            expression=b.exp.cast(start, "date"),
            unit=b.exp.var("DAY"),
        )
    )


def next_anniversary(b: Build, d: SQL) -> SQL:
    """This year's anniversary of `d` if not past, else next year's (Feb 29 → Feb 28)."""
    e = b.exp
    today = e.cast(b.as_of(), "date")
    years = e.Sub(this=e.Year(this=today), expression=e.Year(this=d))

    def shifted(n: SQL) -> SQL:
        return built(
            e.cast(e.DateAdd(this=e.cast(d, "date"), expression=n, unit=e.var("YEAR")), "date")
        )

    this_year = shifted(years)
    return built(
        e.Case(
            ifs=[e.If(this=e.GTE(this=this_year, expression=today), true=this_year)],
            default=shifted(e.Add(this=years.copy(), expression=e.Literal.number(1))),
        )
    )
