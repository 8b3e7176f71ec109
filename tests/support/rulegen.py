"""Random well-typed rules and random small warehouses for tests/test_properties.py.

One generator serves two masters through a `Chooser`: `RandomChooser` (a seeded
`random.Random`, fast, for batches of hundreds of rules per DuckDB run) and
`DrawChooser` (hypothesis draws, which shrink: options are listed simplest first and
`chance` shrinks to "no"). Rules are built as AST nodes (segdsl/ast.py) so that the
printer's round trip can be checked on them; their text is `print_rule(tree)`.

The warehouse sits on edges: missing values everywhere, empty strings, ties, times
exactly on the window boundaries around *as of* and one microsecond beside them,
events after *as of*, customers without events or tags.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, ClassVar, TypeVar, get_args

from hypothesis import strategies as st

from segdsl.syntax import ast

T = TypeVar("T")
SPAN = ast.Span(0, 0)
US = dt.timedelta(microseconds=1)
DAY = dt.timedelta(days=1)

SCHEMA = """\
customers:
  table: customers
  key: id
  fields:
    s: string
    u: string
    n: integer
    d: decimal
    f: float
    b: boolean
    day: date
    t: timestamp
    loc: {type: geo, lat: lat, lon: lon}
    tag: {type: string, many: true, table: tags, column: tag, key: id}
events:
  events:
    table: events
    key: id
    time: ts
    name: ev
    names: [view, cart, buy]
    properties: {p: string, k: integer}
  purchase:
    table: orders
    key: id
    time: ts
    properties: {amount: decimal, qty: integer, w: float, cat: string}
sets:
  LETTERS: [a, "", "é", ab]
  NUMS: [0, 1, 18]
  NOTHING: []
traits:
  age_days: days_since(t)
  grown: n >= 18
  ltv: sum(purchase.amount)
  recent: did view within 7 days
"""
PROJECT = "name: props\nschema: schema.yaml\nsegments: [segments/]\nwarehouse: warehouse.duckdb\n"
TABLES = {
    "customers": (
        ("id", "BIGINT"),
        ("s", "VARCHAR"),
        ("u", "VARCHAR"),
        ("n", "INTEGER"),
        ("d", "DECIMAL(10,2)"),
        ("f", "DOUBLE"),
        ("b", "BOOLEAN"),
        ("day", "DATE"),
        ("t", "TIMESTAMP"),
        ("lat", "DOUBLE"),
        ("lon", "DOUBLE"),
    ),
    "tags": (("id", "BIGINT"), ("tag", "VARCHAR")),
    "events": (
        ("id", "BIGINT"),
        ("ts", "TIMESTAMP"),
        ("ev", "VARCHAR"),
        ("p", "VARCHAR"),
        ("k", "INTEGER"),
    ),
    "orders": (
        ("id", "BIGINT"),
        ("ts", "TIMESTAMP"),
        ("amount", "DECIMAL(10,2)"),
        ("qty", "INTEGER"),
        ("w", "DOUBLE"),
        ("cat", "VARCHAR"),
    ),
}

AS_OFS = (
    dt.datetime(2025, 12, 31, 12),
    dt.datetime(2024, 2, 29, 0),
    dt.datetime(2025, 3, 31, 23, 59, 59),
)
STRINGS = ("a", "", "A", "ab", "é", "É", "x_y", "b%", " a", "aB", "ü", 'q"', "c\\d", "it's", "a\tb")
PATTERNS = ("a", "", "A", "b", "%", "_", "é", "x_", "a%", "%b", "_a", "\\", '"', "'%")
TEXT_OPS: tuple[ast.TextOp, ...] = get_args(ast.TextOp)
REGEXES = ("a", "^a", "b$", "^$", "[ab]", "(?i)a", "é", "x.y", "^.$", "\\s")
INTEGERS = (0, 1, 2, -1, 18, 30, 7)
DECIMALS = (
    Decimal("0.5"),
    Decimal("2.25"),
    Decimal("-1.5"),
    Decimal("10.00"),
    Decimal("0.25"),
    Decimal("0.10"),
    Decimal("1.10"),
)
FLOATS = (0.0, 2.5, -1.25, 10.0, 0.5, 0.25)
UNITS = ("minute", "hour", "day", "week", "month", "year")
AMOUNTS = {
    "minute": (1, 15, 720),
    "hour": (1, 6, 18, 24),
    "day": (0, 1, 7, 30, 31),
    "week": (1, 4),
    "month": (1, 2, 12),
    "year": (1, 2),
}
PLACES = ((52.52, 13.405), (48.8566, 2.3522), (48.2082, 16.3738), (0.0, 0.0))
EVENTS = ("view", "cart", "buy", "events", "purchase")
SEGMENTS = ("h1", "h2")
TIER = ("gold", "silver", "rest")  # the segmentation `tier`; `band` has no else
BAND = ("low", "high")


def shift(t: dt.datetime, months: int) -> dt.datetime:
    index = t.year * 12 + t.month - 1 + months
    year, month = divmod(index, 12)
    return t.replace(
        year=year, month=month + 1, day=min(t.day, calendar.monthrange(year, month + 1)[1])
    )


def edge_times(as_of: dt.datetime) -> list[dt.datetime]:
    """Instants on and beside every boundary a generated window can have."""
    start = as_of.replace(hour=0, minute=0, second=0, microsecond=0)
    times = [
        as_of,
        as_of - US,
        as_of + US,
        as_of - 7 * DAY,
        as_of - 7 * DAY - US,
        as_of - 30 * DAY,
        as_of - 30 * DAY + US,
        shift(as_of, -1),
        shift(as_of, -1) - US,
        shift(as_of, -12),
        start,
        start - US,
        start + DAY,
        as_of - dt.timedelta(hours=18),
        as_of - dt.timedelta(minutes=15),
        as_of + 2 * DAY,
        start - 31 * DAY,
    ]
    return times


def edge_dates(as_of: dt.datetime) -> list[dt.date]:
    today = as_of.date()
    return [
        today,
        today - DAY,
        today + DAY,
        today - 7 * DAY,
        today - 30 * DAY,
        shift(as_of, -1).date(),
        dt.date(2024, 2, 29),
        dt.date(1990, today.month, 1),
        today + 7 * DAY,
    ]


# ---- choosers ------------------------------------------------------------------------------


class RandomChooser:
    def __init__(self, seed: int):
        self.random = random.Random(seed)

    def pick(self, options: Sequence[T]) -> T:
        return options[self.random.randrange(len(options))]

    def integer(self, low: int, high: int) -> int:
        return self.random.randint(low, high)

    def chance(self, p: float) -> bool:
        return self.random.random() < p


class DrawChooser:
    """Hypothesis draws: every choice shrinks towards the first option and towards "no"."""

    def __init__(self, draw: Callable[[st.SearchStrategy[Any]], Any]):
        self.draw = draw

    def pick(self, options: Sequence[T]) -> T:
        return options[self.draw(st.integers(0, len(options) - 1))]

    def integer(self, low: int, high: int) -> int:
        result: int = self.draw(st.integers(low, high))
        return result

    def chance(self, p: float) -> bool:
        return bool(self.draw(st.integers(0, 999)) >= 1000 - p * 1000)


Chooser = RandomChooser | DrawChooser


# ---- the warehouse -----------------------------------------------------------------------


def warehouse(c: Chooser, as_of: dt.datetime) -> dict[str, list[dict[str, Any]]]:
    """Up to 9 customers with values from small domains (so that ties and matches happen)."""
    times, dates = edge_times(as_of), edge_dates(as_of)

    def maybe(options: Sequence[Any], missing: float = 0.2) -> Any:
        return None if c.chance(missing) else c.pick(options)

    data: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for key in range(1, c.integer(1, 9) + 1):
        place = maybe(PLACES)
        data["customers"].append(
            {
                "id": key,
                "s": maybe(STRINGS),
                "u": maybe(STRINGS),
                "n": maybe(INTEGERS),
                "d": maybe(DECIMALS),
                "f": maybe(FLOATS),
                "b": maybe((True, False)),
                "day": maybe(dates),
                "t": maybe(times),
                "lat": place[0] if place else None,
                "lon": place[1] if place else None,
            }
        )
        for _ in range(c.pick((0, 0, 1, 2, 3))):
            data["tags"].append({"id": key, "tag": maybe(STRINGS, 0.1)})
        for _ in range(c.pick((0, 1, 2, 3, 5))):
            data["events"].append(
                {
                    "id": key,
                    "ts": maybe(times, 0.05),
                    "ev": maybe(("view", "cart", "buy"), 0.05),
                    "p": maybe(STRINGS),
                    "k": maybe(INTEGERS),
                }
            )
        for _ in range(c.pick((0, 1, 2, 3))):
            data["orders"].append(
                {
                    "id": key,
                    "ts": maybe(times, 0.05),
                    "amount": maybe(DECIMALS),
                    "qty": maybe(INTEGERS),
                    "w": maybe(FLOATS),
                    "cat": maybe(STRINGS[:4]),
                }
            )
    return data


# ---- rules -------------------------------------------------------------------------------


def name(text: str) -> ast.Name:
    return ast.Name(text, span=SPAN)


def call(fn: str, *args: ast.Expr) -> ast.Call:
    return ast.Call(fn, tuple(args), name_span=SPAN, span=SPAN)


def string(text: str) -> ast.String:
    return ast.String(text, span=SPAN)


def integer(value: int) -> ast.Integer:
    return ast.Integer(value, span=SPAN)


class RuleGen:
    """Well-typed rules over SCHEMA. `depth` bounds nesting; `scope` is an event stream's
    property set inside a filter (no customer fields there)."""

    def __init__(self, c: Chooser, as_of: dt.datetime, references: bool = True):
        self.c = c
        self.times = edge_times(as_of)
        self.dates = edge_dates(as_of)
        self.references = references

    # ---- conditions ------------------------------------------------------------------------

    def condition(self, depth: int = 3) -> ast.Expr:
        c = self.c
        if depth > 0 and c.chance(0.35):
            kind = c.pick(("and", "or", "not"))
            if kind == "not":
                return ast.Not(self.condition(depth - 1), span=SPAN)
            items = tuple(self.condition(depth - 1) for _ in range(c.integer(2, 3)))
            return (ast.And if kind == "and" else ast.Or)(items, span=SPAN)
        return self.predicate(depth)

    def predicate(self, depth: int) -> ast.Expr:
        c = self.c
        kinds = [
            "compare",
            "boolean",
            "in",
            "between",
            "null",
            "text",
            "time",
            "did",
            "tag",
            "aggregate",
            "geo",
            "arithmetic",
        ]
        if self.references:
            kinds += ["segment", "segmentation"]
        kind = c.pick(kinds)
        if kind == "compare":
            family = c.pick(("number", "string", "temporal", "boolean"))
            op = c.pick(("=", "!=", "<", "<=", ">", ">="))
            if family == "boolean":
                left: ast.Expr = c.pick((name("b"), name("grown"), name("recent")))
                right: ast.Expr = (
                    ast.Boolean(c.chance(0.5), span=SPAN)
                    if c.chance(0.7)
                    else self.condition(min(depth, 1))
                )
                return ast.Compare(op, left, right, span=SPAN)
            return ast.Compare(op, self.value(family, depth), self.value(family, depth), span=SPAN)
        if kind == "arithmetic":  # nested, so that precedence and associativity matter
            return ast.Compare(
                c.pick(("=", "!=", "<", ">=")),
                self.arithmetic(3),
                self.literal("number"),
                span=SPAN,
            )
        if kind == "boolean":
            return c.pick(
                (
                    name("b"),
                    name("grown"),
                    name("recent"),
                    ast.Boolean(c.chance(0.5), span=SPAN),
                    call("if", self.condition(0), name("b"), self.condition(0)),
                )
            )
        if kind == "in":
            family = c.pick(("number", "string", "temporal"))
            negated = c.chance(0.4)
            value = self.value(family, depth)
            if family != "temporal" and c.chance(0.3):
                return ast.In(
                    value,
                    name(
                        c.pick(
                            ("LETTERS", "NOTHING") if family == "string" else ("NUMS", "NOTHING")
                        )
                    ),
                    negated,
                    span=SPAN,
                )
            items = tuple(
                self.literal(family if family != "temporal" else "date")
                for _ in range(c.integer(0, 3))
            )
            return ast.In(value, ast.List(items, span=SPAN), negated, span=SPAN)
        if kind == "between":
            family = c.pick(("number", "string", "temporal"))
            return ast.Between(
                self.value(family, depth),
                self.value(family, 0),
                self.value(family, 0),
                c.chance(0.3),
                span=SPAN,
            )
        if kind == "null":
            family = c.pick(("number", "string", "temporal", "boolean"))
            value = name("b") if family == "boolean" else self.value(family, depth)
            node = ast.IsNull if c.chance(0.5) else ast.IsSet
            return node(value, c.chance(0.5), span=SPAN)
        if kind == "text":
            return self.text_test(self.value("string", depth))
        if kind == "time":
            value = self.value("temporal", depth)
            return ast.TimeTest(value, self.window(future=True), span=SPAN)
        if kind == "did":
            return self.did(depth)
        if kind == "tag":
            return self.tag_test()
        if kind == "aggregate":
            other = self.aggregate("number", depth) if c.chance(0.3) else self.literal("number")
            return ast.Compare(
                c.pick(("=", "!=", "<", ">=")), self.aggregate("number", depth), other, span=SPAN
            )
        if kind == "geo":
            if c.chance(0.4):
                return ast.IsNull(name("loc"), c.chance(0.5), span=SPAN)
            lat, lon = c.pick(PLACES)
            distance = call(
                "distance_km", name("loc"), self.number_literal(lat), self.number_literal(lon)
            )
            return ast.Compare(
                c.pick(("<", ">=")), distance, integer(c.pick((1, 400, 600, 1000))), span=SPAN
            )
        if kind == "segment":
            return ast.InSegment(c.pick(SEGMENTS), name_span=SPAN, span=SPAN)
        seg, buckets = c.pick((("tier", TIER), ("band", BAND)))
        choice = c.pick(("=", "!=", "in", "null"))
        if choice == "null":
            return ast.IsNull(name(seg), c.chance(0.5), span=SPAN)
        if choice == "in":
            items = tuple(string(b) for b in buckets if c.chance(0.5))
            return ast.In(name(seg), ast.List(items, span=SPAN), c.chance(0.3), span=SPAN)
        return ast.Compare(choice, name(seg), string(c.pick(buckets)), span=SPAN)

    def text_test(self, value: ast.Expr) -> ast.Expr:
        c = self.c
        op = c.pick(TEXT_OPS)
        pattern: ast.Expr = string(c.pick(REGEXES if op == "matches" else PATTERNS))
        if op.endswith("_any_of"):
            items = tuple(string(c.pick(PATTERNS)) for _ in range(c.integer(0, 3)))
            pattern = ast.List(items, span=SPAN)
        return ast.TextTest(op, value, pattern, c.chance(0.3), c.chance(0.3), span=SPAN)

    def tag_test(self) -> ast.Expr:
        c = self.c
        tag: ast.Expr = name("tag")
        if c.chance(0.25):
            tag = c.pick(
                (
                    call("lower", tag),
                    call("upper", tag),
                    call("coalesce", tag, string(c.pick(STRINGS))),
                )
            )
        kind = c.pick(("compare", "in", "text", "null", "count", "length", "between"))
        if kind == "compare":
            return ast.Compare(
                c.pick(("=", "!=", "<", ">=")), tag, string(c.pick(STRINGS)), span=SPAN
            )
        if kind == "in":
            if c.chance(0.3):
                return ast.In(tag, name("LETTERS"), c.chance(0.5), span=SPAN)
            items = tuple(string(c.pick(STRINGS)) for _ in range(c.integer(0, 2)))
            return ast.In(tag, ast.List(items, span=SPAN), c.chance(0.5), span=SPAN)
        if kind == "text":
            return self.text_test(tag)
        if kind == "null":
            return (ast.IsNull if c.chance(0.5) else ast.IsSet)(tag, c.chance(0.5), span=SPAN)
        if kind == "between":
            return ast.Between(
                tag, string(c.pick(STRINGS)), string(c.pick(STRINGS)), c.chance(0.4), span=SPAN
            )
        if kind == "count":
            return ast.Compare(
                c.pick(("=", ">=", "<")),
                call("count", name("tag")),
                integer(c.integer(0, 3)),
                span=SPAN,
            )
        return ast.Compare(
            c.pick(("=", ">")), call("length", tag), integer(c.integer(0, 2)), span=SPAN
        )

    # ---- windows and behaviour -------------------------------------------------------------

    def duration(self) -> ast.Duration:
        unit = self.c.pick(UNITS)
        return ast.Duration(self.c.pick(AMOUNTS[unit]), unit, span=SPAN)  # type: ignore[arg-type]

    def instant(self) -> ast.Expr:
        """A time bound: a date or timestamp literal on an edge, now, today, or N units ago."""
        c = self.c
        kind = c.pick(("ago", "date", "timestamp", "now", "today"))
        if kind == "ago":
            return ast.Ago(self.duration(), span=SPAN)
        if kind == "date":
            return ast.Date(c.pick(self.dates), span=SPAN)
        if kind == "timestamp":
            return ast.Timestamp(c.pick(self.times), span=SPAN)
        return ast.Now(span=SPAN) if kind == "now" else ast.Today(span=SPAN)

    def window(self, future: bool = False, between: bool = False) -> ast.Window:
        c = self.c
        kinds = (
            ["within", "before", "after"]
            + (["next"] if future else [])
            + (["between"] if between else [])
        )
        kind = c.pick(kinds)
        if kind == "within":
            return ast.WithinLast(self.duration(), span=SPAN)
        if kind == "next":
            return ast.WithinNext(self.duration(), span=SPAN)
        if kind == "before":
            return ast.Before(self.instant(), span=SPAN)
        if kind == "after":
            return ast.After(self.instant(), span=SPAN)
        return ast.BetweenWindow(self.instant(), self.instant(), span=SPAN)

    def event_filter(self, event: str) -> ast.Expr | None:
        if not self.c.chance(0.4):
            return None
        gen = PropertyGen(self.c, "purchase" if event == "purchase" else "events")
        return gen.condition(1)

    def did(self, depth: int) -> ast.Expr:
        c = self.c
        event = c.pick(EVENTS)
        frequency = None
        if c.chance(0.3):
            frequency = ast.Frequency(c.pick((">=", "<=", "=")), c.integer(0, 3), span=SPAN)
        window = self.window(between=True) if c.chance(0.6) else None
        return ast.Did(
            event=event,
            event_span=SPAN,
            filter=self.event_filter(event),
            frequency=frequency,
            window=window,
            span=SPAN,
        )

    def event_target(self, prop: str | None, stream_events: Sequence[str]) -> ast.Expr:
        """`E`, `E(filter)`, `E.p`, `E(filter).p`, with an optional window."""
        c = self.c
        event = c.pick(stream_events)
        condition = self.event_filter(event)
        target: ast.Expr = name(event) if condition is None else call(event, condition)
        if prop is not None:
            target = ast.Attribute(target, prop, name_span=SPAN, span=SPAN)
        if c.chance(0.5):
            window = self.window(between=True)
            if isinstance(window, ast.BetweenWindow):
                return ast.Between(target, window.low, window.high, False, span=SPAN)
            return ast.TimeTest(target, window, span=SPAN)
        return target

    def aggregate(self, family: str, depth: int) -> ast.Expr:
        c = self.c
        if family == "temporal":
            return call(c.pick(("first", "last")), self.event_target(None, EVENTS))
        if family == "string":
            stream = c.pick(("events", "purchase"))
            events = ("view", "cart", "buy", "events") if stream == "events" else ("purchase",)
            prop = "p" if stream == "events" else "cat"
            return call(c.pick(("first", "last", "min", "max")), self.event_target(prop, events))
        kind = c.pick(
            ("count", "count", "sum", "avg", "min", "max", "count_distinct", "count_p", "last_n")
        )
        if kind == "count":
            return call("count", self.event_target(None, EVENTS))
        if c.chance(0.5):
            events: Sequence[str] = ("purchase",)
            prop = c.pick(
                ("amount", "qty", "w")
                if kind != "count_distinct"
                else ("amount", "qty", "w", "cat")
            )
        else:
            events = ("view", "cart", "buy", "events")
            prop = "k" if kind != "count_distinct" else c.pick(("k", "p"))
        fn = {"count_p": "count", "last_n": c.pick(("first", "last"))}.get(kind, kind)
        return call(fn, self.event_target(prop, events))

    # ---- values ----------------------------------------------------------------------------

    def value(self, family: str, depth: int) -> ast.Expr:
        c = self.c
        if depth <= 0 or c.chance(0.4):
            return self.leaf(family)
        if family == "number":
            return self.number(depth)
        if family == "string":
            kind = c.pick(("lower", "upper", "coalesce", "if", "aggregate", "segmentation"))
            if kind in ("lower", "upper"):
                return call(kind, self.value("string", depth - 1))
            if kind == "coalesce":
                return call("coalesce", self.value("string", depth - 1), self.leaf("string"))
            if kind == "if":
                return call(
                    "if",
                    self.condition(depth - 2),
                    self.value("string", depth - 1),
                    self.leaf("string"),
                )
            if kind == "segmentation" and self.references:  # a direct `tier = "x"` needs a
                return call("coalesce", name("tier"), self.leaf("string"))  # bucket name
            return self.aggregate("string", depth)
        kind = c.pick(("date", "shift", "anniversary", "aggregate", "relative"))
        if kind == "date":
            return call("date", self.value("temporal", depth - 1))
        if kind == "shift":
            op = c.pick(("+", "-"))
            return ast.Arith(op, self.value("temporal", depth - 1), self.duration(), span=SPAN)
        if kind == "anniversary":
            return call("next_anniversary", c.pick((name("day"), name("t"))))
        if kind == "aggregate":
            return self.aggregate("temporal", depth)
        return self.instant()

    def leaf(self, family: str) -> ast.Expr:
        c = self.c
        if family == "number":
            return c.pick(
                (
                    name("n"),
                    name("d"),
                    name("f"),
                    self.literal("number"),
                    name("age_days"),
                    name("ltv"),
                )
            )
        if family == "string":
            return c.pick((name("s"), name("u"), self.literal("string")))
        return c.pick((name("t"), name("day"), self.literal("temporal")))

    def literal(self, family: str) -> ast.Expr:
        c = self.c
        if family == "number":
            kind = c.pick(("integer", "decimal", "float"))
            if kind == "integer":
                return integer(c.pick(INTEGERS))
            return self.number_literal(c.pick(DECIMALS if kind == "decimal" else FLOATS))
        if family == "string":
            return string(c.pick(STRINGS))
        if family == "date":
            return ast.Date(c.pick(self.dates), span=SPAN)
        return c.pick(
            (ast.Date(c.pick(self.dates), span=SPAN), ast.Timestamp(c.pick(self.times), span=SPAN))
        )

    def number_literal(self, value: float | Decimal) -> ast.Expr:
        text = format(Decimal(str(value)), "f")
        if "." not in text:
            return integer(int(text))
        return ast.Decimal_(Decimal(text), span=SPAN)

    def arithmetic(self, depth: int) -> ast.Expr:
        c = self.c
        if depth <= 0 or c.chance(0.25):
            return self.value("number", 1) if c.chance(0.3) else self.leaf("number")
        return ast.Arith(
            c.pick(("+", "-", "*", "/")),
            self.arithmetic(depth - 1),
            self.arithmetic(depth - 1),
            span=SPAN,
        )

    def number(self, depth: int) -> ast.Expr:
        c = self.c
        kind = c.pick(
            (
                "arith",
                "arith",
                "arith",
                "arith",
                "neg",
                "abs",
                "round",
                "coalesce",
                "if",
                "length",
                "time",
                "aggregate",
                "population",
                "bucket",
                "count_tag",
            )
        )
        sub = depth - 1
        if kind == "arith":
            return ast.Arith(
                c.pick(("+", "-", "*", "/")),
                self.value("number", sub),
                self.value("number", sub),
                span=SPAN,
            )
        if kind == "neg":
            operand = self.value("number", sub)
            return (
                ast.Neg(operand, span=SPAN) if isinstance(operand, ast.Name | ast.Call) else operand
            )
        if kind == "abs":
            return call("abs", self.value("number", sub))
        if kind == "round":
            args = [self.value("number", sub)]
            if c.chance(0.5):
                args.append(integer(c.integer(0, 1)))
            return call("round", *args)
        if kind == "coalesce":
            return call("coalesce", self.value("number", sub), self.literal("number"))
        if kind == "if":
            return call(
                "if",
                self.condition(max(sub - 1, 0)),
                self.value("number", sub),
                self.value("number", sub),
            )
        if kind == "length":
            return call("length", self.value("string", sub))
        if kind == "time":
            fn = c.pick(("days_since", "hour", "weekday", "month", "year"))
            if fn == "hour":  # a timestamp only
                return call(fn, c.pick((name("t"), self.aggregate("temporal", sub))))
            return call(fn, self.value("temporal", sub))
        if kind == "aggregate":
            return self.aggregate("number", depth)
        if kind == "population":
            value = c.pick(
                (name("ltv"), name("n"), name("d"), name("f"), self.aggregate("number", 1))
            )
            return call(c.pick(("percentile", "cume_share")), value)
        if kind == "bucket":
            args: list[ast.Expr] = [integer(c.pick((1, 2, 10)))]
            if c.chance(0.5):
                args.append(string(c.pick(("", "ab", "q4"))))
            return call("bucket", *args)
        return call("count", name("tag"))


class PropertyGen(RuleGen):
    """Conditions inside an event filter: names are the stream's properties."""

    PROPERTIES: ClassVar[dict[str, dict[str, tuple[str, ...]]]] = {
        "events": {"string": ("p",), "number": ("k",)},
        "purchase": {"string": ("cat",), "number": ("amount", "qty", "w")},
    }

    def __init__(self, c: Chooser, stream: str):
        super().__init__(c, AS_OFS[0], references=False)
        self.props = self.PROPERTIES[stream]

    def predicate(self, depth: int) -> ast.Expr:
        c = self.c
        kind = c.pick(("compare", "in", "null", "text", "between"))
        family = c.pick(("number", "string"))
        value = self.leaf(family) if c.chance(0.7) else self.value(family, 1)
        if kind == "compare":
            return ast.Compare(
                c.pick(("=", "!=", "<", ">=")), value, self.literal(family), span=SPAN
            )
        if kind == "in":
            items = tuple(self.literal(family) for _ in range(c.integer(0, 2)))
            return ast.In(value, ast.List(items, span=SPAN), c.chance(0.4), span=SPAN)
        if kind == "null":
            return (ast.IsNull if c.chance(0.5) else ast.IsSet)(value, c.chance(0.5), span=SPAN)
        if kind == "text":
            return self.text_test(self.leaf("string"))
        return ast.Between(
            value, self.literal(family), self.literal(family), c.chance(0.3), span=SPAN
        )

    def value(self, family: str, depth: int) -> ast.Expr:
        c = self.c
        if family == "number" and depth > 0 and c.chance(0.5):
            return ast.Arith(
                c.pick(("+", "*", "/")), self.leaf("number"), self.literal("number"), span=SPAN
            )
        if family == "string" and depth > 0 and c.chance(0.5):
            return call(c.pick(("lower", "upper")), self.leaf("string"))
        return self.leaf(family)

    def leaf(self, family: str) -> ast.Expr:
        if self.c.chance(0.2):
            return self.literal(family)
        return name(self.c.pick(self.props[family]))
