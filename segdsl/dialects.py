"""What differs between SQL dialects, beyond what sqlglot's generators already translate.

The operator table (segdsl/operators.py) picks builders per dialect from here, and
emit.py rewrites the few nodes that lowering builds directly (casts, interval
arithmetic, the clock, `ARG_MAX_NULL`). Like operators.py this module imports no
SQL library: builders receive sqlglot's `exp` module through the `Build` context,
so `segdsl check` stays fast. Every difference was found by running the semantic
cases on real engines (tests/test_engines.py) or read from sqlglot's generator and
the vendor's documentation; what a dialect cannot express raises E501 here, naming
the dialect and the feature.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from segdsl.diagnostics import Diagnostic, SegdslError

SQL = Any  # a sqlglot expression

# Families of dialects that share a behaviour; every name is one of sqlglot's dialects.
# DataFusion is segdsl's own sqlglot dialect (emit.DataFusion), PostgreSQL's with a few changes
POSTGRES_LIKE = ("postgres", "redshift", "materialize", "risingwave", "datafusion")
SPARK_LIKE = ("spark", "spark2", "databricks", "hive")
MYSQL_LIKE = ("mysql", "singlestore", "doris", "starrocks")
TSQL_LIKE = ("tsql", "fabric")
# LIKE treats a backslash as its escape character unless told otherwise
BACKSLASH_LIKE = (*POSTGRES_LIKE, *SPARK_LIKE, *MYSQL_LIKE, "bigquery", "clickhouse")
# regular expressions: RE2 itself, PostgreSQL's ARE, Java's java.util.regex, Rust's regex
RE2_ENGINES = ("duckdb", "bigquery", "clickhouse")
ARE_ENGINES = ("postgres",)  # Redshift has POSIX ERE
JAVA_ENGINES = SPARK_LIKE
RUST_ENGINES = ("datafusion",)  # Materialize and RisingWave too, but no engine here runs them


def cannot_express(dialect: str, feature: str, why: str) -> SegdslError:
    return SegdslError(
        [
            Diagnostic(
                "E501",
                f"the {dialect} dialect cannot express {feature}: {why}",
                hint="compile for another dialect, or rewrite the rule without this feature",
            )
        ]
    )


def unsupported(feature: str, why: str) -> Callable[..., SQL]:
    """A builder that refuses: E501 for the dialect being compiled."""

    def refuse(b: Any, *args: SQL) -> SQL:
        raise cannot_express(b.dialect, feature, why)

    return refuse


def each(dialects: Iterable[str], builder: Callable[..., SQL]) -> dict[str, Callable[..., SQL]]:
    """Override rows for a family of dialects."""
    return {d: builder for d in dialects}


# ---- strings ------------------------------------------------------------------------------


def ends_with_right(b: Any, x: SQL, p: SQL) -> SQL:
    """`RIGHT(x, LENGTH(p)) = p`, for engines without ENDS_WITH (PostgreSQL, MySQL)."""
    e = b.exp
    return e.EQ(this=e.Right(this=x, expression=e.Length(this=p)), expression=p.copy())


def starts_with_left(b: Any, x: SQL, p: SQL) -> SQL:
    e = b.exp
    return e.EQ(this=e.Left(this=x, expression=e.Length(this=p)), expression=p.copy())


def starts_with_substr(b: Any, x: SQL, p: SQL) -> SQL:
    """SQLite: `SUBSTR(x, 1, LENGTH(p)) = p`."""
    e = b.exp
    return e.EQ(
        this=e.Substring(this=x, start=e.Literal.number(1), length=e.Length(this=p)),
        expression=p.copy(),
    )


def ends_with_substr(b: Any, x: SQL, p: SQL) -> SQL:
    """SQLite: `SUBSTR(x, LENGTH(x) - LENGTH(p) + 1) = p` (never equal when p is longer)."""
    e = b.exp
    start = e.Add(
        this=e.Sub(this=e.Length(this=x), expression=e.Length(this=p)),
        expression=e.Literal.number(1),
    )
    return e.EQ(this=e.Substring(this=x.copy(), start=start), expression=p.copy())


def _replace_in_pattern(b: Any, p: SQL, pairs: tuple[tuple[str, str], ...]) -> SQL:
    """The pattern with each `old` replaced by `new`: folded when it is a literal."""
    e = b.exp
    if isinstance(p, e.Literal) and p.is_string:
        text = p.this
        for old, new in pairs:
            text = text.replace(old, new)
        return e.Literal.string(text)
    for old, new in pairs:
        p = e.Anonymous(
            this="REPLACE", expressions=[p, e.Literal.string(old), e.Literal.string(new)]
        )
    return p


def like_backslash_literal(b: Any, x: SQL, p: SQL) -> SQL:
    """In these dialects LIKE escapes with a backslash by default; segdsl's `like` has no
    escape character, so a backslash in the pattern is doubled to stand for itself."""
    return b.exp.Like(this=x, expression=_replace_in_pattern(b, p, (("\\", "\\\\"),)))


def like_tsql(b: Any, x: SQL, p: SQL) -> SQL:
    """T-SQL's LIKE also knows `[...]` classes: a `[` stands for itself as `[[]`."""
    return b.exp.Like(this=x, expression=_replace_in_pattern(b, p, (("[", "[[]"),)))


def like_sqlite(b: Any, x: SQL, p: SQL) -> SQL:
    """SQLite's LIKE ignores case (ASCII); GLOB does not. A literal LIKE pattern is rewritten
    as a GLOB pattern: `%` → `*`, `_` → `?`, and GLOB's own `*`, `?`, `[` made literal."""
    e = b.exp
    if not (isinstance(p, e.Literal) and p.is_string):
        raise cannot_express(
            b.dialect,
            "`like` with a pattern that is not a literal",
            "SQLite's LIKE ignores case, and only a literal pattern can be "
            "rewritten as a case-sensitive GLOB",
        )
    glob = "".join(
        {"%": "*", "_": "?", "*": "[*]", "?": "[?]", "[": "[[]"}.get(c, c) for c in p.this
    )
    return e.Glob(this=x, expression=e.Literal.string(glob))


# ---- numbers -------------------------------------------------------------------------------


def divide_nullif(b: Any, x: SQL, y: SQL) -> SQL:
    """`x / NULLIF(y, 0)`: a division by zero is missing, not an error (Spark's ANSI mode)."""
    e = b.exp
    return e.Div(
        this=x, expression=e.Nullif(this=y, expression=e.Literal.number(0)), typed=False, safe=False
    )


def round_numeric(b: Any, x: SQL, digits: SQL | None = None) -> SQL:
    """PostgreSQL has ROUND(numeric, int) but no ROUND(double precision, int)."""
    e = b.exp
    if digits is None:
        return e.Round(this=x)
    return e.Round(this=e.cast(x, "decimal"), decimals=digits)


def hex_to_int(b: Any, digits: SQL, count: int) -> SQL:
    """The number written by `count` lower-case hex digits, in portable SQL: each digit's
    place in '0123456789abcdef' times its power of 16. DuckDB reads '0x…' directly and
    Spark has CONV; elsewhere this sum runs wherever SUBSTRING and STRPOS do."""
    e = b.exp
    if b.dialect == "duckdb":
        return e.cast(e.Concat(expressions=[e.Literal.string("0x"), digits]), "bigint")
    if b.dialect in SPARK_LIKE:
        return e.cast(
            e.Anonymous(
                this="CONV", expressions=[digits, e.Literal.number(16), e.Literal.number(10)]
            ),
            "bigint",
        )
    total: SQL | None = None
    for place in range(count):
        digit = e.Substring(
            this=digits.copy(), start=e.Literal.number(place + 1), length=e.Literal.number(1)
        )
        value = e.cast(
            e.Sub(
                this=e.StrPosition(this=e.Literal.string("0123456789abcdef"), substr=digit),
                expression=e.Literal.number(1),
            ),
            "bigint",
        )
        term = e.Mul(this=value, expression=e.Literal.number(16 ** (count - 1 - place)))
        total = term if total is None else e.Add(this=total, expression=term)
    assert total is not None
    return e.Paren(this=total)


# ---- time ----------------------------------------------------------------------------------


def weekday_from_dow(b: Any, t: SQL) -> SQL:
    """ISO weekday from EXTRACT(DOW) (0 = Sunday): `(dow + 6) % 7 + 1`."""
    e = b.exp
    dow = e.Extract(this=e.var("DOW"), expression=t)
    return e.Add(
        this=e.Paren(
            this=e.Mod(
                this=e.Paren(this=e.Add(this=dow, expression=e.Literal.number(6))),
                expression=e.Literal.number(7),
            )
        ),
        expression=e.Literal.number(1),
    )


def weekday_spark(b: Any, t: SQL) -> SQL:
    """Spark's WEEKDAY is 0 = Monday (sqlglot's DAYOFWEEK rewrite is off by one)."""
    e = b.exp
    return e.Add(this=e.Anonymous(this="WEEKDAY", expressions=[t]), expression=e.Literal.number(1))


def sqlite_seconds(e: ModuleType, t: SQL) -> SQL:
    """The time without its fraction: SQLite rounds to milliseconds, and computes the weekday
    of 23:59:59.999999 as the next day's."""
    return e.Substring(this=t, start=e.Literal.number(1), length=e.Literal.number(19))


def sqlite_strftime_int(b: Any, fmt: str, t: SQL) -> SQL:
    e = b.exp
    return e.cast(
        e.Anonymous(this="STRFTIME", expressions=[e.Literal.string(fmt), sqlite_seconds(e, t)]),
        "int",
    )


def weekday_sqlite(b: Any, t: SQL) -> SQL:
    """STRFTIME('%w') is 0 = Sunday."""
    e = b.exp
    dow = sqlite_strftime_int(b, "%w", t)
    return e.Add(
        this=e.Paren(
            this=e.Mod(
                this=e.Paren(this=e.Add(this=dow, expression=e.Literal.number(6))),
                expression=e.Literal.number(7),
            )
        ),
        expression=e.Literal.number(1),
    )


def sqlite_shift(e: ModuleType, t: SQL, amount: SQL, unit: str) -> SQL:
    """`t` moved by `amount` units, in SQLite, where times are ISO-8601 text.

    The time of day and its fraction are carried over as text (SQLite's date functions
    keep only milliseconds), and months and years end on the target month's last day
    when the day does not exist there (SQLite itself would roll over into the next
    month). A date stays a date for days and longer."""
    unit = {"week": "day"}.get(unit, unit)
    if unit == "year":
        amount, unit = e.Mul(this=e.Paren(this=amount), expression=e.Literal.number(12)), "month"

    def modifier(what: str) -> SQL:
        return e.Anonymous(this="PRINTF", expressions=[e.Literal.string(f"%+d {what}"), amount])

    def fn(name: str, *args: SQL) -> SQL:
        return e.Anonymous(this=name, expressions=list(args))

    rest = e.Substring(this=t.copy(), start=e.Literal.number(11))  # ' HH:MM:SS[.ffffff]' or ''
    if unit == "day":
        return e.DPipe(this=fn("DATE", sqlite_seconds(e, t), modifier("days")), expression=rest)
    if unit in ("hour", "minute"):
        seconds = fn(
            "STRFTIME",
            e.Literal.string("%Y-%m-%d %H:%M:%S"),
            sqlite_seconds(e, t),
            modifier(unit + "s"),
        )
        fraction = e.Substring(this=t.copy(), start=e.Literal.number(20))
        return e.DPipe(this=seconds, expression=fraction)
    first = fn(
        "DATE", sqlite_seconds(e, t.copy()), e.Literal.string("start of month"), modifier("months")
    )
    last = fn("DATE", first.copy(), e.Literal.string("+1 month"), e.Literal.string("-1 day"))
    day = e.Sub(
        this=e.cast(fn("STRFTIME", e.Literal.string("%d"), sqlite_seconds(e, t.copy())), "int"),
        expression=e.Literal.number(1),
    )
    same_day = fn("DATE", first, fn("PRINTF", e.Literal.string("%+d days"), day))
    return e.DPipe(this=fn("MIN", same_day, last), expression=rest)


# ---- regular expressions --------------------------------------------------------------------

_POSIX_CLASSES = {  # RE2's POSIX classes are ASCII; other engines' follow the locale
    "alpha": "A-Za-z",
    "digit": "0-9",
    "alnum": "0-9A-Za-z",
    "upper": "A-Z",
    "lower": "a-z",
    "space": "\\t\\n\\x0b\\f\\r ",
    "blank": "\\t ",
    "punct": "!-/:-@\\[-`{-~",
    "xdigit": "0-9A-Fa-f",
    "word": "0-9A-Za-z_",
    "cntrl": "\\x00-\\x1f\\x7f",
    "print": " -~",
    "graph": "!-~",
}
_PERL_CLASSES = {"d": "0-9", "w": "0-9A-Za-z_", "s": "\\t\\n\\f\\r "}
# RE2's \b and \B are ASCII; PostgreSQL's \y and Java's \b follow Unicode letters, so they
# are spelled out with lookarounds (both engines have them); Rust says it with (?-u:...)
_WORD = "[0-9A-Za-z_]"
_BOUNDARY = {
    "b": f"(?:(?<!{_WORD})(?={_WORD})|(?<={_WORD})(?!{_WORD}))",
    "B": f"(?:(?<={_WORD})(?={_WORD})|(?<!{_WORD})(?!{_WORD}))",
}


class RegexNotPortable(Exception):
    """The pattern uses RE2 syntax that the target's regular expressions cannot say."""


def translate_regex(pattern: str, flavor: str) -> tuple[str, str]:
    """An RE2 pattern (already valid) → (pattern, flags) for `flavor`: "are" (PostgreSQL),
    "java" (Spark, Hive), "rust" (DataFusion) or "flags" (Snowflake: flags as a separate
    argument).

    Character classes become explicit ASCII ranges (RE2's are ASCII, the others' follow
    the locale or Unicode), `.` outside (?s) becomes `[^\\n]` (Java's excludes \\r too;
    PostgreSQL's matches newlines), `\\b` and `\\B` are ASCII word boundaries, Java's (?i)
    needs (?u) for non-ASCII letters, and `$` is the end of the text (Java's also matches
    before a final newline). Rust's syntax is RE2's but for \\Q...\\E and \\C, so only the
    Unicode-aware classes change there. Flags must lead the pattern (anywhere in Rust);
    what has no equivalent raises RegexNotPortable."""
    rust = flavor == "rust"
    flags = ""
    body = pattern
    while body.startswith("(?") and ")" in body:
        group = body[2 : body.index(")")]
        if not group or not set(group) <= set("imsU"):
            break
        flags += group
        body = body[len(group) + 3 :]
    if "U" in flags and not rust:
        raise RegexNotPortable("the (?U) flag (ungreedy)")
    dot_all, multi_line = "s" in flags, "m" in flags
    out: list[str] = []
    i, in_bracket, bracket_start = 0, False, 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            nxt = body[i + 1]
            if (
                nxt in "QEC"
                or (nxt in "pP" and not rust)
                or (nxt == "x" and body[i + 2 : i + 3] == "{" and not rust)
            ):
                raise RegexNotPortable(f"the escape `\\{nxt}`")
            if nxt in _PERL_CLASSES and flavor != "flags":
                out.append(_PERL_CLASSES[nxt] if in_bracket else f"[{_PERL_CLASSES[nxt]}]")
            elif nxt.lower() in _PERL_CLASSES and flavor != "flags":
                if in_bracket:
                    raise RegexNotPortable(f"`\\{nxt}` inside brackets")
                out.append(f"[^{_PERL_CLASSES[nxt.lower()]}]")
            elif nxt in "bB" and not in_bracket and flavor in ("are", "java"):
                out.append(_BOUNDARY[nxt])
            elif nxt in "bB" and not in_bracket and rust:
                out.append(f"(?-u:\\{nxt})")
            elif nxt == "z" and flavor == "are":
                out.append("\\Z")
            else:
                out.append(body[i : i + 2])
            i += 2
            continue
        if in_bracket:
            if body.startswith("[:", i) and ":]" in body[i:]:
                end = body.index(":]", i)
                name = body[i + 2 : end]
                negated = name.startswith("^")
                if negated or name not in _POSIX_CLASSES:
                    raise RegexNotPortable(f"the class `[:{name}:]`")
                out.append(_POSIX_CLASSES[name])
                i = end + 2
                continue
            if c == "]" and i > bracket_start:
                in_bracket = False
            out.append(c)
            i += 1
            continue
        if c == "[":
            in_bracket = True
            out.append(c)
            i += 1
            if body[i : i + 1] == "^":
                out.append("^")
                i += 1
            bracket_start = i + 1 if body[i : i + 1] == "]" else i  # a leading `]` is literal
            if body[i : i + 1] == "]":
                out.append("]")
                i += 1
            continue
        if (
            c == "("
            and body.startswith("(?", i)
            and not body.startswith("(?:", i)
            and not body.startswith("(?P<", i)
            and not rust
        ):
            raise RegexNotPortable("flags that do not lead the pattern")
        if c == "." and not dot_all and flavor not in ("flags", "rust"):
            out.append("[^\\n]")
        elif c == "$" and not multi_line and flavor == "java":
            out.append("\\z")
        else:
            out.append(c)
        i += 1
    text = "".join(out)
    if flavor == "java":
        java_flags = flags.replace("i", "iu")
        return (f"(?{java_flags})" if java_flags else "") + text, ""
    if flavor == "are":
        are = ("i" if "i" in flags else "") + (("w" if dot_all else "n") if multi_line else "")
        return (f"(?{are})" if are else "") + text, ""
    if rust:
        if "\\" in text:  # DataFusion 55 rewrites a literal pattern to LIKE without escaping
            text += "()"  # its backslashes; an empty group keeps it a regular expression
        return (f"(?{flags})" if flags else "") + text, ""
    return text, flags.replace("U", "")


def matches(b: Any, x: SQL, p: SQL) -> SQL:
    """`x matches p` (an unanchored RE2 search) in the dialect's own regular expressions."""
    e = b.exp
    dialect = b.dialect
    if dialect in RE2_ENGINES:
        return e.RegexpLike(this=x, expression=p)
    flavor = (
        "are"
        if dialect in ARE_ENGINES
        else "java"
        if dialect in JAVA_ENGINES
        else "rust"
        if dialect in RUST_ENGINES
        else "flags"
        if dialect == "snowflake"
        else None
    )
    if flavor is None:
        raise cannot_express(
            dialect,
            "`matches`",
            "segdsl translates RE2 patterns only for "
            "engines whose regular expressions it knows (see docs/engines.md)",
        )
    assert isinstance(p, e.Literal) and p.is_string
    try:
        text, flags = translate_regex(p.this, flavor)
    except RegexNotPortable as problem:
        raise cannot_express(
            dialect, f"`matches` with {problem}", "its regular expressions have no equivalent"
        ) from None
    if flavor == "flags":  # Snowflake: REGEXP_LIKE is anchored; REGEXP_INSTR searches
        args = [
            x,
            e.Literal.string(text),
            e.Literal.number(1),
            e.Literal.number(1),
            e.Literal.number(0),
            e.Literal.string("c" + flags),
        ]
        return e.GT(
            this=e.Anonymous(this="REGEXP_INSTR", expressions=args), expression=e.Literal.number(0)
        )
    return e.RegexpLike(this=x, expression=e.Literal.string(text))
