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

The rows are here; the longer builders sit beside them by theme (text.py, dates.py,
numeric.py), with what every builder shares (build.py: `Build`, `SQL`, `DialectFacts`)
and the parentheses for precedence (precedence.py). Those modules never import this one.
"""

# Builders reach sqlglot through `b.exp` (a ModuleType, so every node they make is Any to
# mypy): that keeps this module free of sqlglot at run time, for `segdsl check`.
# mypy: disable-error-code="no-any-return"

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import re2

from segdsl import python_values
from segdsl.operators.build import SQL, Build, Builder, DialectFacts, built
from segdsl.operators.dates import days_between, interval, next_anniversary, part
from segdsl.operators.numeric import bucket, distance_km, round_to
from segdsl.operators.precedence import parenthesized
from segdsl.operators.text import any_of, like
from segdsl.types import Type, common

__all__ = [
    "AGGREGATES",
    "COMPARISONS",
    "FUNCTIONS",
    "OPERATORS",
    "PREDICATES",
    "RULE_AGGREGATES",
    "SPELLED",
    "SQL",
    "Aggregation",
    "Build",
    "Builder",
    "DialectFacts",
    "Op",
    "Signature",
    "built",
    "interval",
    "parenthesized",
    "part",
]

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


def _if(b: Build, cond: SQL, then: SQL, other: SQL) -> SQL:
    return built(b.exp.Case(ifs=[b.exp.If(this=cond, true=then)], default=other))


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


def _any_of_test(base: str, evaluate: Callable[[str, str], bool]) -> Op:
    """`x <base> any of [p, ...]`: some pattern passes `base`."""
    return Op(
        f"{base}_any_of",
        any_of(base),
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
        _text_test("like", like, python_values.like),
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
            lambda b, t: days_between(b, t, b.as_of()),
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
            "day",
            lambda b, t: b.exp.Day(this=t),
            Signature((TEMPORAL,), Type.INTEGER),
            doc="day of the month, 1 … 31",
            evaluate=lambda t: t.day,
        ),
        Op(
            "quarter",
            lambda b, t: part(b, "QUARTER", t),
            Signature((TEMPORAL,), Type.INTEGER),
            doc="1 = January … March … 4 = October … December",
            evaluate=lambda t: (t.month - 1) // 3 + 1,
        ),
        Op(
            "week",
            lambda b, t: part(b, "WEEK", t),
            Signature((TEMPORAL,), Type.INTEGER),
            doc="ISO 8601 week, 1 … 53: weeks start on Monday, week 1 holds the first Thursday",
            evaluate=lambda t: python_values.day_of(t).isocalendar()[1],
        ),
        Op(
            "day_of_year",
            lambda b, t: part(b, "DOY", t),
            Signature((TEMPORAL,), Type.INTEGER),
            doc="1 = 1 January … 365, or 366 on 31 December of a leap year",
            evaluate=lambda t: python_values.day_of(t).timetuple().tm_yday,
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
            next_anniversary,
            Signature((TEMPORAL,), Type.DATE),
            evaluate=python_values.next_anniversary,
            reads_as_of=True,
        ),
        Op(
            "day_of_month",
            lambda b, t: b.exp.Day(this=t),
            doc="internal: for next_anniversary tests (optimize/anniversary.py)",
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
            round_to,
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
            bucket,
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
            distance_km,
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
