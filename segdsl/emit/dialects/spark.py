"""Spark and the dialects sqlglot derives from it or it from them: Spark 2, Databricks,
Hive. Each fact is stated once, on Spark; the others inherit it."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlglot import exp

from segdsl.emit.dialects.base import BACKSLASH_ESCAPES, NO_UTC_CLOCK, Dialect, Refusal
from segdsl.operators import SQL, Build, Builder, parenthesized


def divide_nullif(b: Build, x: SQL, y: SQL) -> SQL:
    """`x / NULLIF(y, 0)`: a division by zero is missing, not an error (ANSI mode)."""
    return exp.Div(
        this=x,
        expression=exp.Nullif(this=y, expression=exp.Literal.number(0)),
        typed=False,
        safe=False,
    )


def weekday_spark(b: Build, t: SQL) -> SQL:
    """WEEKDAY is 0 = Monday (sqlglot's DAYOFWEEK rewrite is off by one)."""
    return exp.Add(
        this=exp.Anonymous(this="WEEKDAY", expressions=[t]), expression=exp.Literal.number(1)
    )


class Spark(Dialect):
    """Java regular expressions, backslash LIKE escapes, CONV for hex, MAX_BY / MIN_BY."""

    name = "spark"
    operators: Mapping[str, Builder] = {
        "div": parenthesized("div", divide_nullif),
        "weekday": weekday_spark,
    }
    refuses: Mapping[str, Refusal | None] = {"matches": None, "pick": None}
    regex = "java"
    like_escapes = BACKSLASH_ESCAPES

    def hex_to_int(self, b: Build, digits: SQL, count: int) -> SQL:
        return exp.cast(
            exp.Anonymous(
                this="CONV", expressions=[digits, exp.Literal.number(16), exp.Literal.number(10)]
            ),
            "bigint",
        )

    def clock(self, node: exp.Expr) -> exp.Expr:
        """UTC now whatever the session's time zone: CURRENT_TIMESTAMP() is an instant shown
        in the session's zone, CONVERT_TIMEZONE moves its wall clock to UTC. What sqlglot
        writes for lowering's clock is the session's time (FROM_UTC_TIMESTAMP(…, 'UTC')) or,
        for Hive, AT TIME ZONE, which Spark cannot parse. CONVERT_TIMEZONE is Spark 3.4's;
        Spark 2 and Hive lack it and refuse an unpinned *as of* (`_NO_CLOCK`)."""
        return exp.cast(
            exp.Anonymous(
                this="CONVERT_TIMEZONE",
                expressions=[exp.Literal.string("UTC"), exp.CurrentTimestamp()],
            ),
            "timestamp",
        )

    def pick(
        self, latest: bool, prop: exp.Expr, time: exp.Expr, filtered: Callable[[exp.Expr], exp.Expr]
    ) -> exp.Expr:
        return filtered(
            exp.Anonymous(this="MAX_BY" if latest else "MIN_BY", expressions=[prop, time])
        )


# Spark 2 and Hive have no function that reads the clock in UTC whatever the session's
# time zone: rather than SQL that reads the session's wall clock, E501 (pin *as of*)
_NO_CLOCK: Mapping[str, Refusal | None] = {"clock": NO_UTC_CLOCK}


class Spark2(Spark):
    name = "spark2"
    refuses = _NO_CLOCK


class Databricks(Spark):
    name = "databricks"


class Hive(Spark):
    name = "hive"
    refuses = _NO_CLOCK
