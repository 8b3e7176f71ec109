"""SQLite, where times are ISO-8601 text: 'YYYY-MM-DD HH:MM:SS[.ffffff]' as Python's sqlite3
writes them, but also 'YYYY-MM-DDTHH:MM:SS', with any number of fraction digits ('.5'), as
other tools write them; so times are compared in one normal form (`normal_time`), never as
the text that is stored (docs/engines.md#notes-per-engine)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlglot import exp

from segdsl.emit.dialects.base import Dialect, Refusal, cannot_express
from segdsl.operators import SQL, Build, Builder, built


def starts_with_substr(b: Build, x: SQL, p: SQL) -> SQL:
    """`SUBSTR(x, 1, LENGTH(p)) = p`."""
    return exp.EQ(
        this=exp.Substring(this=x, start=exp.Literal.number(1), length=exp.Length(this=p)),
        expression=p.copy(),
    )


def ends_with_substr(b: Build, x: SQL, p: SQL) -> SQL:
    """`SUBSTR(x, LENGTH(x) - LENGTH(p) + 1) = p` (never equal when p is longer)."""
    start = exp.Add(
        this=exp.Sub(this=exp.Length(this=x), expression=exp.Length(this=p)),
        expression=exp.Literal.number(1),
    )
    return exp.EQ(this=exp.Substring(this=x.copy(), start=start), expression=p.copy())


def like_glob(b: Build, x: SQL, p: SQL) -> SQL:
    """SQLite's LIKE ignores case (ASCII); GLOB does not. A literal LIKE pattern is rewritten
    as a GLOB pattern: `%` → `*`, `_` → `?`, and GLOB's own `*`, `?`, `[` made literal."""
    if not (isinstance(p, exp.Literal) and p.is_string):
        raise cannot_express(
            b.dialect.name,
            "`like` with a pattern that is not a literal",
            "SQLite's LIKE ignores case, and only a literal pattern can be "
            "rewritten as a case-sensitive GLOB",
        )
    glob = "".join(
        {"%": "*", "_": "?", "*": "[*]", "?": "[?]", "[": "[[]"}.get(c, c) for c in p.this
    )
    return exp.Glob(this=x, expression=exp.Literal.string(glob))


def seconds(t: exp.Expr) -> exp.Expr:
    """The time without its fraction: SQLite rounds to milliseconds, and computes the weekday
    of 23:59:59.999999 as the next day's."""
    return exp.Substring(this=t, start=exp.Literal.number(1), length=exp.Literal.number(19))


def strftime_int(fmt: str, t: exp.Expr) -> exp.Expr:
    return exp.cast(
        exp.Anonymous(this="STRFTIME", expressions=[exp.Literal.string(fmt), seconds(t)]), "int"
    )


def weekday_strftime(b: Build, t: SQL) -> SQL:
    """STRFTIME('%w') is 0 = Sunday: `(dow + 6) % 7 + 1`."""
    dow = strftime_int("%w", t)
    return exp.Add(
        this=exp.Paren(
            this=exp.Mod(
                this=exp.Paren(this=exp.Add(this=dow, expression=exp.Literal.number(6))),
                expression=exp.Literal.number(7),
            )
        ),
        expression=exp.Literal.number(1),
    )


def quarter_strftime(b: Build, t: SQL) -> SQL:
    """`(month + 2) / 3`, in integers."""
    month = exp.Add(this=strftime_int("%m", t), expression=exp.Literal.number(2))
    return exp.IntDiv(this=exp.Paren(this=month), expression=exp.Literal.number(3))


def day_of_year_strftime(b: Build, t: SQL) -> SQL:
    return built(strftime_int("%j", t))


def iso_week_strftime(b: Build, t: SQL) -> SQL:
    """SQLite before 3.46 has no %V: the ISO week is the week of the year of its Thursday,
    `(day of year of that Thursday - 1) / 7 + 1`; DATE(t, '-3 days', 'weekday 4') is the
    first Thursday on or after t - 3 days, the Thursday of t's Monday-to-Sunday week."""
    thursday = _fn(
        "DATE", seconds(t), exp.Literal.string("-3 days"), exp.Literal.string("weekday 4")
    )
    day = exp.Sub(this=strftime_int("%j", thursday), expression=exp.Literal.number(1))
    return exp.Add(
        this=exp.IntDiv(this=exp.Paren(this=day), expression=exp.Literal.number(7)),
        expression=exp.Literal.number(1),
    )


def _fn(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


def shift(t: exp.Expr, amount: exp.Expr, unit: str) -> exp.Expr:
    """`t` moved by `amount` units.

    The time of day and its fraction are carried over as text (SQLite's date functions
    keep only milliseconds), and months and years end on the target month's last day
    when the day does not exist there (SQLite itself would roll over into the next
    month). A date stays a date for days and longer."""
    unit = {"week": "day"}.get(unit, unit)
    if unit == "year":
        amount, unit = (
            exp.Mul(this=exp.Paren(this=amount), expression=exp.Literal.number(12)),
            "month",
        )

    def modifier(what: str) -> exp.Expr:
        return _fn("PRINTF", exp.Literal.string(f"%+d {what}"), amount)

    rest = exp.Substring(this=t.copy(), start=exp.Literal.number(11))  # ' HH:MM:SS[.ffffff]' or ''
    if unit == "day":
        return exp.DPipe(this=_fn("DATE", seconds(t), modifier("days")), expression=rest)
    if unit in ("hour", "minute"):
        whole = _fn(
            "STRFTIME", exp.Literal.string("%Y-%m-%d %H:%M:%S"), seconds(t), modifier(unit + "s")
        )
        fraction = exp.Substring(this=t.copy(), start=exp.Literal.number(20))
        return exp.DPipe(this=whole, expression=fraction)
    first = _fn("DATE", seconds(t.copy()), exp.Literal.string("start of month"), modifier("months"))
    last = _fn("DATE", first.copy(), exp.Literal.string("+1 month"), exp.Literal.string("-1 day"))
    day = exp.Sub(
        this=exp.cast(_fn("STRFTIME", exp.Literal.string("%d"), seconds(t.copy())), "int"),
        expression=exp.Literal.number(1),
    )
    same_day = _fn("DATE", first, _fn("PRINTF", exp.Literal.string("%+d days"), day))
    return exp.DPipe(this=_fn("MIN", same_day, last), expression=rest)


def normal_time(t: exp.Expr) -> exp.Expr:
    """`t` as 'YYYY-MM-DD HH:MM:SS.ffffff': a space before the time, six fraction digits,
    a date at midnight, so that text order is time order. A literal is written so here, and
    a date (always 'YYYY-MM-DD') gets its midnight appended."""
    if t.meta.get("time") == "date" or (isinstance(t, exp.Cast) and t.to.this == exp.DType.DATE):
        return exp.DPipe(this=t, expression=exp.Literal.string(" 00:00:00.000000"))
    if isinstance(t, exp.Cast) and t.to.this == exp.DType.TIMESTAMP:  # DATETIME(): no fraction
        return exp.DPipe(this=t, expression=exp.Literal.string(".000000"))
    if isinstance(t, exp.Literal) and t.is_string:
        try:
            value = dt.datetime.fromisoformat(t.this)
        except ValueError:
            return t
        return exp.Literal.string(value.strftime("%Y-%m-%d %H:%M:%S.%f"))
    whole = _fn("STRFTIME", exp.Literal.string("%Y-%m-%d %H:%M:%S"), seconds(t.copy()))
    digits = exp.Substring(
        this=exp.DPipe(
            this=exp.Substring(this=t.copy(), start=exp.Literal.number(21)),
            expression=exp.Literal.string("000000"),
        ),
        start=exp.Literal.number(1),
        length=exp.Literal.number(6),
    )
    return exp.DPipe(
        this=exp.DPipe(this=whole, expression=exp.Literal.string(".")), expression=digits
    )


def _time(node: exp.Expr) -> exp.Expr:
    """`node` marked as a time, so that a comparison with it compares normal times (the
    lowering marks every value of a time type so, and a date's as "date")."""
    node.meta["time"] = True
    return node


def _is_time(node: exp.Expr) -> bool:
    return bool(node.meta.get("time"))


_COMPARISONS = (exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE)
_CASE = Refusal(
    "upper or lower case (`lower`, `upper`, `ignoring case`)",
    "SQLite's lower() and upper() change only ASCII letters",
)
_PARTS: dict[type, str] = {exp.Year: "%Y", exp.Month: "%m", exp.Day: "%d"}


class SQLite(Dialect):
    """Interval arithmetic with DATE() and STRFTIME() on the text, `like` as a case-sensitive
    GLOB; no regular expressions, no md5(), lower() and upper() only for ASCII."""

    name = "sqlite"
    operators: Mapping[str, Builder] = {
        "starts_with": starts_with_substr,
        "ends_with": ends_with_substr,
        "like": like_glob,
        "weekday": weekday_strftime,
        "quarter": quarter_strftime,
        "week": iso_week_strftime,
        "day_of_year": day_of_year_strftime,
    }
    refuses: Mapping[str, Refusal | None] = {
        "matches": Refusal(
            "`matches`",
            "SQLite has no regular expressions unless the application defines a regexp() function",
        ),
        "lower": _CASE,
        "upper": _CASE,
        "bucket": Refusal("`bucket`", "SQLite has no md5()"),
    }

    def clock(self, node: exp.Expr) -> exp.Expr:
        """UTC, in milliseconds."""
        return _time(
            _fn("STRFTIME", exp.Literal.string("%Y-%m-%d %H:%M:%f"), exp.Literal.string("now"))
        )

    def rewrite(self, node: exp.Expr) -> exp.Expr:
        """A timestamp literal stays text (DATETIME() would drop its fraction), interval
        arithmetic becomes date functions, parts come from STRFTIME; where a time (a
        timestamp literal, the clock, a time moved by an interval) is compared, both sides
        are compared as normal times (`normal_time`)."""
        if (
            isinstance(node, exp.Cast)
            and node.to.this == exp.DType.TIMESTAMP
            and isinstance(node.this, exp.Literal)
        ):
            return _time(node.this.copy())
        if isinstance(node, _COMPARISONS) and (_is_time(node.this) or _is_time(node.expression)):
            if node.this.meta.get("time") == node.expression.meta.get("time") == "date":
                return node  # two dates: 'YYYY-MM-DD' both, text order is their order
            return type(node)(this=normal_time(node.this), expression=normal_time(node.expression))
        if isinstance(node, exp.Add | exp.Sub) and isinstance(node.expression, exp.Interval):
            interval = node.expression
            amount = int(interval.this.this) * (-1 if isinstance(node, exp.Sub) else 1)
            return _time(
                shift(node.this, exp.Literal.number(amount), str(interval.text("unit")).lower())
            )
        if isinstance(node, exp.DateAdd):
            return _time(shift(node.this, node.expression, str(node.text("unit")).lower()))
        if type(node) in _PARTS:
            return strftime_int(_PARTS[type(node)], node.this)
        if isinstance(node, exp.Extract) and node.this.name.upper() == "HOUR":
            return strftime_int("%H", node.expression)
        return node
