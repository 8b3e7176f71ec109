"""PostgreSQL and the engines that speak its SQL: Redshift, Materialize, RisingWave
(and DataFusion, in datafusion.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlglot import exp

from segdsl.emit.dialects.base import BACKSLASH_ESCAPES, NO_PICK, NO_REGEX, Dialect, Refusal
from segdsl.emit.dialects.strings import ends_with_right
from segdsl.operators import SQL, Build, Builder


def weekday_from_dow(b: Build, t: SQL) -> SQL:
    """ISO weekday from EXTRACT(DOW) (0 = Sunday): `(dow + 6) % 7 + 1`."""
    dow = exp.Extract(this=exp.var("DOW"), expression=t)
    return exp.Add(
        this=exp.Paren(
            this=exp.Mod(
                this=exp.Paren(this=exp.Add(this=dow, expression=exp.Literal.number(6))),
                expression=exp.Literal.number(7),
            )
        ),
        expression=exp.Literal.number(1),
    )


def round_numeric(b: Build, x: SQL, digits: SQL | None = None) -> SQL:
    """PostgreSQL has ROUND(numeric, int) but no ROUND(double precision, int)."""
    if digits is None:
        return exp.Round(this=x)
    return exp.Round(this=exp.cast(x, "decimal"), decimals=digits)


class Postgres(Dialect):
    """No ENDS_WITH; weekday from DOW; ROUND with digits on NUMERIC; backslash LIKE escapes;
    regular expressions are ARE."""

    name = "postgres"
    operators: Mapping[str, Builder] = {
        "ends_with": ends_with_right,
        "weekday": weekday_from_dow,
        "round": round_numeric,
    }
    refuses: Mapping[str, Refusal | None] = {"matches": None, "pick": None}
    regex: str | None = "are"
    like_escapes = BACKSLASH_ESCAPES

    def pick(
        self, latest: bool, prop: exp.Expr, time: exp.Expr, filtered: Callable[[exp.Expr], exp.Expr]
    ) -> exp.Expr:
        """The first element of an ordered ARRAY_AGG, which keeps NULLs."""
        ordered = exp.Order(
            this=prop, expressions=[exp.Ordered(this=time, desc=latest, nulls_first=False)]
        )
        return exp.Bracket(
            this=exp.Paren(this=filtered(exp.ArrayAgg(this=ordered))),
            expressions=[exp.Literal.number(0)],
        )


class Redshift(Postgres):
    """Regular expressions are POSIX ERE, which segdsl does not translate to; no ARRAY_AGG."""

    name = "redshift"
    refuses = {"matches": NO_REGEX, "pick": NO_PICK}
    regex = None


class Materialize(Postgres):
    """Regular expressions are Rust's, like DataFusion's, but no engine here runs Materialize
    to prove the translation, so `matches` is refused."""

    name = "materialize"
    refuses = {"matches": NO_REGEX}
    regex = None


class RisingWave(Postgres):
    """As Materialize: Rust's regular expressions, not run here."""

    name = "risingwave"
    refuses = {"matches": NO_REGEX}
    regex = None
