"""MySQL and the engines that speak its SQL: MariaDB (which the tests run, as `mysql`),
Doris, StarRocks. (SingleStore, MySQL's kin too, is not a dialect sqlglot 30 writes.)"""

from __future__ import annotations

from collections.abc import Mapping

from sqlglot import exp

from segdsl.emit.dialects.base import (
    BACKSLASH_ESCAPES,
    NO_REGEX,
    Dialect,
    Refusal,
    cannot_express,
)
from segdsl.emit.dialects.pcre import to_pcre
from segdsl.emit.dialects.strings import ends_with_right, starts_with_left
from segdsl.operators import SQL, Build, Builder


def weekday_mysql(b: Build, t: SQL) -> SQL:
    """WEEKDAY is 0 = Monday; sqlglot writes DAYOFWEEK_ISO, which neither MySQL nor MariaDB
    has."""
    return exp.Add(
        this=exp.Anonymous(this="WEEKDAY", expressions=[t]), expression=exp.Literal.number(1)
    )


def unfiltered(dialect: str, node: exp.Filter) -> exp.Expr:
    """`AGG(x) FILTER (WHERE c)` as `AGG(CASE WHEN c THEN x END)`: MySQL and MariaDB have
    no FILTER. The aggregates skip the NULLs the CASE gives elsewhere, so each keeps its
    value over no matching event (COUNT 0, the others NULL, as with FILTER)."""
    aggregate = node.this.copy()
    condition = node.expression.this

    def only_where(value: exp.Expr) -> exp.Expr:
        return exp.Case(ifs=[exp.If(this=condition.copy(), true=value)])

    argument = aggregate.this
    if not isinstance(aggregate, exp.AggFunc) or aggregate.expressions:
        raise cannot_express(dialect, f"`{aggregate.sql()}` over some events", "it has no FILTER")
    if isinstance(argument, exp.Star):
        aggregate.set("this", only_where(exp.Literal.number(1)))
    elif isinstance(argument, exp.Distinct):
        argument.set("expressions", [only_where(e) for e in argument.expressions])
    else:
        aggregate.set("this", only_where(argument))
    return aggregate


class MySQL(Dialect):
    """No STARTS_WITH or ENDS_WITH, no FILTER, no DAYOFWEEK_ISO; LIKE escapes with a
    backslash; timestamps are DATETIME(6) (a bare DATETIME drops the fraction); regular
    expressions are MariaDB's PCRE2 (pcre.py). MySQL 8's are ICU's, which segdsl has not
    run: its `matches` is MariaDB's."""

    name = "mysql"
    operators: Mapping[str, Builder] = {
        "starts_with": starts_with_left,
        "ends_with": ends_with_right,
        "weekday": weekday_mysql,
        # EXTRACT(WEEK) is WEEK(t, 0), Sunday-based; mode 3 is ISO 8601. No EXTRACT(DOY).
        "week": lambda b, t: exp.Anonymous(this="WEEK", expressions=[t, exp.Literal.number(3)]),
        "day_of_year": lambda b, t: exp.Anonymous(this="DAYOFYEAR", expressions=[t]),
    }
    refuses: Mapping[str, Refusal | None] = {"matches": None}
    like_escapes = BACKSLASH_ESCAPES

    def matches(self, b: Build, x: SQL, p: SQL) -> SQL:
        """`REGEXP_INSTR(x, p) > 0`: sqlglot writes REGEXP_LIKE, which MariaDB lacks."""
        pattern, _ = self.translated(p)
        found = exp.Anonymous(this="REGEXP_INSTR", expressions=[x, exp.Literal.string(pattern)])
        return exp.GT(this=found, expression=exp.Literal.number(0))

    def translate_pattern(self, pattern: str) -> tuple[str, str]:
        return to_pcre(pattern), ""

    def clock(self, node: exp.Expr) -> exp.Expr:
        """UTC now in microseconds, whatever the session's time zone: sqlglot has no MySQL
        for the AT TIME ZONE of lowering's clock (E501 before)."""
        return exp.Anonymous(this="UTC_TIMESTAMP", expressions=[exp.Literal.number(6)])

    def rewrite(self, node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Filter):
            return unfiltered(self.name, node)
        if isinstance(node, exp.DataType) and node.this == exp.DType.TIMESTAMP:
            return exp.DataType(
                this=exp.DType.DATETIME,
                expressions=[exp.DataTypeParam(this=exp.Literal.number(6))],
            )
        return node


class Doris(MySQL):
    """Doris's regular expressions are not MariaDB's, and no engine here runs it."""

    name = "doris"
    refuses = {"matches": NO_REGEX}


class StarRocks(MySQL):
    """As Doris: `matches` is refused."""

    name = "starrocks"
    refuses = {"matches": NO_REGEX}
