"""The operator table: every operator and function is one row, with all that is known of it.

A row holds the operator's name, its SQL builder, its type signature (functions a rule
calls by name), how a rule spells it, whether it is a condition, its converse and
complement (comparisons), and its meaning on Python values (`evaluate`). Adding an
operator is one row: the checker reads the signatures, the printer and error messages the
spellings, the optimizer the converses and complements, lowering the builders, and the
reference evaluator the Python meaning. The aggregates of events are rows of
`AGGREGATES`, with their value over no events.

Builders receive a `Build` (the lowering context, whose `exp` is sqlglot's expression
module) so this table imports no SQL library: `segdsl check` stays fast. Per-dialect
differences are rows in the `operators` table of the dialect's class
(segdsl/emit/dialects/), never branches here or in the tree walker; what a builder here
needs to know of the dialect it asks `b.dialect` (`DialectFacts`).
"""

# Builders reach sqlglot through `b.exp` (a ModuleType, so every node they make is Any to
# mypy): that keeps this module free of sqlglot at run time, for `segdsl check`.
# mypy: disable-error-code="no-any-return"

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, cast

import re2

from segdsl import python_values
from segdsl.python_values import EARTH_RADIUS_KM
from segdsl.types import Type, common

if TYPE_CHECKING:
    from sqlglot import exp as sqlexp

    SQL = sqlexp.Expression
else:
    SQL = Any


class Build(Protocol):
    """What a builder may use: sqlglot's `exp`, the dialect, *as of*."""

    @property
    def exp(self) -> ModuleType: ...

    @property
    def dialect(self) -> DialectFacts: ...

    def as_of(self) -> SQL: ...

    def key(self) -> SQL: ...


Builder = Callable[..., SQL]


def built(node: object) -> SQL:
    """A node made through `Build.exp`, which the type checker sees as a plain module."""
    return cast("SQL", node)


class DialectFacts(Protocol):
    """What lowering and the builders here ask of a dialect (segdsl/emit/dialects/base.py)."""

    @property
    def name(self) -> str: ...

    @property
    def like_escapes(self) -> tuple[tuple[str, str], ...]:
        """What LIKE reads as an escape or a class, each with the text that means it literally."""

    def builder(self, op: str) -> Builder: ...

    def matches(self, b: Build, x: SQL, p: SQL) -> SQL: ...

    def hex_to_int(self, b: Build, digits: SQL, count: int) -> SQL: ...


TypeSet = frozenset[Type]

NUMERIC: TypeSet = frozenset({Type.INTEGER, Type.DECIMAL, Type.FLOAT})
TEMPORAL: TypeSet = frozenset({Type.DATE, Type.TIMESTAMP})
STRING: TypeSet = frozenset({Type.STRING})
BOOLEAN: TypeSet = frozenset({Type.BOOLEAN})
GEO: TypeSet = frozenset({Type.GEO})
VALUE: TypeSet = frozenset(t for t in Type if t not in (Type.GEO, Type.DURATION, Type.LIST))
DATE_LIKE: TypeSet = frozenset({Type.DATE, Type.TIMESTAMP})


@dataclass(frozen=True)
class Signature:
    """Parameter type sets (the last repeats when `variadic`) and how the result type follows."""

    params: tuple[TypeSet, ...]
    result: Type | Callable[[list[Type]], Type]
    optional: int = 0  # how many trailing params may be left out
    variadic: bool = False

    def accepts(self, count: int) -> bool:
        least = len(self.params) - self.optional
        return count >= least and (self.variadic or count <= len(self.params))

    def param(self, index: int) -> TypeSet:
        return self.params[min(index, len(self.params) - 1)]

    def result_type(self, args: list[Type]) -> Type:
        return self.result if isinstance(self.result, Type) else self.result(args)


@dataclass(frozen=True)
class Op:
    """One operator or function. `evaluate` is its meaning on present Python values
    (segdsl/python_values.py), with *as of* first where `reads_as_of`; the caller handles
    missing values (a test with a missing operand fails, a function of one is missing)."""

    name: str
    build: Builder
    signature: Signature | None = None  # set for functions a rule may call by name
    doc: str = ""
    spelling: str | None = None  # how a rule writes it: "<", "starts with"
    predicate: bool = False  # a yes or no for everyone (never missing, in the language)
    converse: str | None = None  # the operator with the operands swapped: lt for gt
    complement: str | None = None  # `not` of it where no operand is missing: ge for lt
    evaluate: Callable[..., Any] | None = None
    reads_as_of: bool = False
    pattern_list: bool = False  # a text test whose pattern is a list, any item matching


def _first(args: list[Type]) -> Type:
    return args[0]


def _common(args: list[Type]) -> Type:
    result = Type.NULL
    for t in args:
        result = common(result, t)
    return result


def interval(b: Build, amount: int, unit: str) -> SQL:
    """`INTERVAL 'n' UNIT`; weeks as days, which every engine knows."""
    if unit == "week":
        amount, unit = amount * 7, "day"
    return built(
        b.exp.Interval(this=b.exp.Literal.string(str(amount)), unit=b.exp.var(unit.upper()))
    )


def _days_between(b: Build, start: SQL, end: SQL) -> SQL:
    return built(
        b.exp.DateDiff(
            this=b.exp.cast(end, "date"),
            expression=b.exp.cast(start, "date"),
            unit=b.exp.var("DAY"),
        )
    )


def _next_anniversary(b: Build, d: SQL) -> SQL:
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


def _distance_km(b: Build, lat1: SQL, lon1: SQL, lat2: SQL, lon2: SQL) -> SQL:
    """Haversine on a sphere of radius 6371.0088 km (the IUGG mean Earth radius)."""
    e = b.exp

    def rad(x: SQL) -> SQL:
        return built(
            e.Mul(
                this=e.Paren(this=x),
                expression=e.Div(
                    this=e.Anonymous(this="PI", expressions=[]), expression=e.Literal.number(180)
                ),
            )
        )

    def half_sin_sq(a: SQL, c: SQL) -> SQL:
        sin = e.Anonymous(
            this="SIN",
            expressions=[
                e.Div(this=rad(e.Sub(this=a, expression=c)), expression=e.Literal.number(2))
            ],
        )
        return built(e.Mul(this=sin, expression=sin.copy()))

    inner = e.Add(
        this=half_sin_sq(lat2, lat1),
        expression=e.Mul(
            this=e.Mul(
                this=e.Anonymous(this="COS", expressions=[rad(lat1.copy())]),
                expression=e.Anonymous(this="COS", expressions=[rad(lat2.copy())]),
            ),
            expression=half_sin_sq(lon2, lon1),
        ),
    )
    return built(
        e.Mul(
            this=e.Literal.number(repr(2 * EARTH_RADIUS_KM)),
            expression=e.Anonymous(this="ASIN", expressions=[e.Sqrt(this=inner)]),
        )
    )


def _bucket(b: Build, count: SQL, salt: SQL) -> SQL:
    """int(md5(salt + ":" + key)[:8], 16) % count: the same on every engine with md5."""
    e = b.exp
    text = e.Concat(expressions=[salt, e.Literal.string(":"), e.cast(b.key(), "varchar")])
    digits = e.Substring(
        this=e.MD5(this=text), start=e.Literal.number(1), length=e.Literal.number(8)
    )
    return built(e.Mod(this=b.dialect.hex_to_int(b, digits, 8), expression=count))


# Operand kinds (sqlglot class names) that bind more loosely than the left / right place of
# an operator. A condition used as a value (`grown >= (b is not set)`) is one of the last.
_CONDITION = ("Predicate", "Not", "Connector")  # comparisons, IS, LIKE, IN, EXISTS; NOT; AND, OR
_LOOSER: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "add": ((), ("Add", "Sub")),
    "sub": ((), ("Add", "Sub")),
    "mul": (("Add", "Sub"), ("Add", "Sub", "Mul", "Div", "Mod")),
    "div": (("Add", "Sub", "Div"), ("Add", "Sub", "Mul", "Div", "Mod")),
    **{op: (_CONDITION, _CONDITION) for op in ("eq", "lt", "le", "gt", "ge", "in_list", "is_null")},
}


def parenthesized(op: str, build: Builder) -> Builder:
    """sqlglot writes a tree as it is built, with no parentheses for precedence:
    `n * (n + 1)` came out as `n * n + 1`, `d / 0 / n` as a flat chain whose inner
    division lost its NULLIF (infinity, not missing), and `grown >= (b is not set)` as
    `... >= c.b IS NULL`, which SQL reads as `(... >= c.b) IS NULL`. So an operand that binds
    more loosely than its place gets parentheses here, for every dialect's builder."""
    left_kinds, right_kinds = _LOOSER[op]

    def build_parenthesized(b: Build, x: SQL, *rest: SQL) -> SQL:
        def wrap(operand: SQL, kinds: tuple[str, ...]) -> SQL:
            loose = isinstance(operand, tuple(getattr(b.exp, k) for k in kinds))
            return b.exp.Paren(this=operand) if loose else operand

        return build(b, wrap(x, left_kinds), *(wrap(y, right_kinds) for y in rest))

    return build_parenthesized


def _if(b: Build, cond: SQL, then: SQL, other: SQL) -> SQL:
    return built(b.exp.Case(ifs=[b.exp.If(this=cond, true=then)], default=other))


def _round(b: Build, x: SQL, digits: SQL | None = None) -> SQL:
    return built(b.exp.Round(this=x, decimals=digits))


def _replace_in_pattern(b: Build, p: SQL, pairs: tuple[tuple[str, str], ...]) -> SQL:
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


def _like(b: Build, x: SQL, p: SQL) -> SQL:
    """segdsl's `like` has no escape character: what the dialect's LIKE would read as an
    escape (a backslash, T-SQL's `[`) is made to stand for itself."""
    return b.exp.Like(this=x, expression=_replace_in_pattern(b, p, b.dialect.like_escapes))


def _comparison(name: str, spelling: str, node: str, converse: str, complement: str | None) -> Op:
    """A comparison: `node` is its sqlglot class, `evaluate` Python's operator of that name."""
    return Op(
        name,
        parenthesized(name, lambda b, x, y: getattr(b.exp, node)(this=x, expression=y)),
        spelling=spelling,
        predicate=True,
        converse=converse,
        complement=complement,
        evaluate=getattr(operator, name),
    )


def _arithmetic(name: str, spelling: str, node: str) -> Op:
    """`+`, `-` or `*` on numbers; `evaluate` is Python's operator of that name."""
    return Op(
        name,
        parenthesized(name, lambda b, x, y: getattr(b.exp, node)(this=x, expression=y)),
        spelling=spelling,
        evaluate=getattr(operator, name),
    )


def _any_of(base: str) -> Builder:
    """The dialect's own `base` test for each pattern, joined with OR (where x or a pattern
    is missing that test is not TRUE; a `not` or a yes/no used as a value is made definite
    by lowering). The checker writes an empty list as FALSE, so some pattern is here."""

    def build_any_of(b: Build, x: SQL, *patterns: SQL) -> SQL:
        test = b.dialect.builder(base)
        tests = [test(b, x.copy(), pattern) for pattern in patterns]
        if len(tests) == 1:
            return tests[0]
        return b.exp.Paren(this=b.exp.or_(*tests, wrap=True, copy=False))

    return build_any_of


def _any_of_test(base: str, evaluate: Callable[[str, str], bool]) -> Op:
    """`x <base> any of [p, ...]`: some pattern passes `base`."""
    return Op(
        f"{base}_any_of",
        _any_of(base),
        spelling=f"{base.replace('_', ' ')} any of",
        predicate=True,
        evaluate=lambda x, *patterns: any(evaluate(x, p) for p in patterns),
        pattern_list=True,
    )


def _text_test(name: str, build: Builder, evaluate: Callable[[str, str], bool]) -> Op:
    """A test of a string against a pattern, spelled as its name with spaces."""
    return Op(name, build, spelling=name.replace("_", " "), predicate=True, evaluate=evaluate)


OPERATORS: dict[str, Op] = {
    op.name: op
    for op in [
        # comparisons and tests (internal: the checker picks them)
        _comparison("eq", "=", "EQ", "eq", None),
        _comparison("lt", "<", "LT", "gt", "ge"),
        _comparison("le", "<=", "LTE", "ge", "gt"),
        _comparison("gt", ">", "GT", "lt", "le"),
        _comparison("ge", ">=", "GTE", "le", "lt"),
        Op(
            "in_list",
            parenthesized(
                "in_list", lambda b, x, *items: b.exp.In(this=x, expressions=list(items))
            ),
            predicate=True,
            evaluate=lambda x, *items: x in items,
        ),
        Op(
            "is_null",
            parenthesized("is_null", lambda b, x: b.exp.Is(this=x, expression=b.exp.Null())),
            predicate=True,
        ),
        # `x <> ''` is not TRUE where x is missing, which is all a condition needs (a yes/no
        # used as a value, or negated, is made definite by lowering)
        Op(
            "is_set",
            lambda b, x: b.exp.NEQ(this=x, expression=b.exp.Literal.string("")),
            predicate=True,
        ),
        _text_test(
            "contains",
            lambda b, x, p: b.exp.GT(
                this=b.exp.StrPosition(this=x, substr=p), expression=b.exp.Literal.number(0)
            ),
            lambda x, p: p in x,
        ),
        _text_test(
            "starts_with",
            lambda b, x, p: b.exp.StartsWith(this=x, expression=p),
            lambda x, p: x.startswith(p),
        ),
        _text_test(
            "ends_with",
            lambda b, x, p: b.exp.EndsWith(this=x, expression=p),
            lambda x, p: x.endswith(p),
        ),
        # the dialect translates the RE2 pattern for its own engine (emit/dialects/regex.py);
        # `ignoring case` is RE2's `(?i)` in front of the pattern (check/predicates.py)
        _text_test(
            "matches",
            lambda b, x, p: b.dialect.matches(b, x, p),
            lambda x, p: re2.search(p, x) is not None,
        ),
        _text_test("like", _like, python_values.like),
        _any_of_test("contains", lambda x, p: p in x),
        _any_of_test("starts_with", lambda x, p: x.startswith(p)),
        _any_of_test("ends_with", lambda x, p: x.endswith(p)),
        # arithmetic and time arithmetic
        _arithmetic("add", "+", "Add"),
        _arithmetic("sub", "-", "Sub"),
        _arithmetic("mul", "*", "Mul"),
        # by zero: missing, not infinity (decision 8); the quotient of numbers is a float
        Op(
            "div",
            parenthesized(
                "div", lambda b, x, y: b.exp.Div(this=x, expression=y, typed=False, safe=True)
            ),
            spelling="/",
        ),
        Op("neg", lambda b, x: b.exp.Neg(this=b.exp.Paren(this=x))),
        Op("to_date", lambda b, x: b.exp.cast(x, "date")),
        Op("day_start", lambda b, d: b.exp.cast(b.exp.cast(d, "date"), "timestamp")),
        Op(
            "next_day_start",
            lambda b, d: b.exp.cast(
                b.exp.Add(this=b.exp.cast(d, "date"), expression=interval(b, 1, "day")), "timestamp"
            ),
        ),
        Op("today", lambda b: b.exp.cast(b.as_of(), "date")),
        # functions a rule calls by name
        Op(
            "days_since",
            lambda b, t: _days_between(b, t, b.as_of()),
            Signature((TEMPORAL,), Type.INTEGER),
            doc="whole calendar days from t to as of",
            evaluate=python_values.days_since,
            reads_as_of=True,
        ),
        Op(
            "hour",
            lambda b, t: b.exp.Extract(this=b.exp.var("HOUR"), expression=t),
            Signature((frozenset({Type.TIMESTAMP}),), Type.INTEGER),
            evaluate=lambda t: t.hour,
        ),
        Op(
            "weekday",
            lambda b, t: b.exp.DayOfWeekIso(this=t),
            Signature((TEMPORAL,), Type.INTEGER),
            doc="1 = Monday … 7 = Sunday",
            evaluate=lambda t: python_values.day_of(t).isoweekday(),
        ),
        Op(
            "month",
            lambda b, t: b.exp.Month(this=t),
            Signature((TEMPORAL,), Type.INTEGER),
            evaluate=lambda t: t.month,
        ),
        Op(
            "year",
            lambda b, t: b.exp.Year(this=t),
            Signature((TEMPORAL,), Type.INTEGER),
            evaluate=lambda t: t.year,
        ),
        Op(
            "date",
            lambda b, t: b.exp.cast(t, "date"),
            Signature((TEMPORAL,), Type.DATE),
            evaluate=python_values.day_of,
        ),
        Op(
            "next_anniversary",
            _next_anniversary,
            Signature((TEMPORAL,), Type.DATE),
            evaluate=python_values.next_anniversary,
            reads_as_of=True,
        ),
        Op(
            "day_of_month",
            lambda b, t: b.exp.Day(this=t),
            doc="internal: for next_anniversary tests (lower/anniversary.py)",
        ),
        Op(
            "lower",
            lambda b, s: b.exp.Lower(this=s),
            Signature((STRING,), Type.STRING),
            evaluate=str.lower,
        ),
        Op(
            "upper",
            lambda b, s: b.exp.Upper(this=s),
            Signature((STRING,), Type.STRING),
            evaluate=str.upper,
        ),
        Op(
            "length",
            lambda b, s: b.exp.Length(this=s),
            Signature((STRING,), Type.INTEGER),
            evaluate=len,
        ),
        Op("abs", lambda b, x: b.exp.Abs(this=x), Signature((NUMERIC,), _first), evaluate=abs),
        Op(
            "round",
            _round,
            Signature((NUMERIC, frozenset({Type.INTEGER})), _first, optional=1),
            evaluate=python_values.round_half_away,
        ),
        Op(
            "coalesce",
            lambda b, *xs: b.exp.Coalesce(this=xs[0], expressions=list(xs[1:])),
            Signature((VALUE, VALUE), _common, variadic=True),
        ),
        Op("if", _if, Signature((BOOLEAN, VALUE, VALUE), lambda ts: common(ts[1], ts[2]))),
        Op(
            "bucket",
            _bucket,
            doc="a stable 0..N-1 per customer, from md5 of salt and key",
        ),
        Op(
            "in_box",
            lambda b, lat, lon, lat_lo, lat_hi, lon_lo, lon_hi: b.exp.and_(
                b.exp.Between(this=lat, low=lat_lo, high=lat_hi),
                b.exp.Between(this=lon, low=lon_lo, high=lon_hi),
                copy=False,
            ),
            doc="internal: the latitude/longitude box in front of a distance test",
        ),
        Op(
            "distance_km",
            _distance_km,
            Signature((GEO, NUMERIC, NUMERIC), Type.FLOAT),
            evaluate=python_values.distance_km,
        ),
    ]
}

FUNCTIONS = {name: op for name, op in OPERATORS.items() if op.signature is not None}
SPELLED = {op.spelling: op for op in OPERATORS.values() if op.spelling is not None}
"""The operators a rule writes as a word or a symbol, by that spelling (`<`, `starts with`)."""
COMPARISONS: Mapping[str, Callable[[Any, Any], bool]] = {
    op.name: op.evaluate for op in OPERATORS.values() if op.converse and op.evaluate
}
"""The comparisons by name, as Python functions, for work done on constants at compile time."""
PREDICATES = frozenset(op.name for op in OPERATORS.values() if op.predicate)


@dataclass(frozen=True)
class Aggregation:
    """An aggregate of one customer's events (docs/semantics.md#aggregates)."""

    name: str
    over_no_events: int | None  # its value for a customer without such events
    internal: bool = False  # written by the checker, not by a rule


AGGREGATES: dict[str, Aggregation] = {
    row.name: row
    for row in [
        Aggregation("count", 0),
        Aggregation("sum", 0),
        Aggregation("avg", None),
        Aggregation("min", None),
        Aggregation("max", None),
        Aggregation("count_distinct", 0),
        Aggregation("first", None),
        Aggregation("last", None),
        Aggregation("first_value", None, internal=True),  # `first(E.p)`: p on the first event
        Aggregation("last_value", None, internal=True),
    ]
}
RULE_AGGREGATES = tuple(name for name, row in AGGREGATES.items() if not row.internal)
"""The aggregates a rule calls by name."""
