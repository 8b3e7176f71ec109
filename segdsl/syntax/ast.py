"""The rule language's syntax tree: frozen dataclasses, each carrying its span in the rule text.

Later stages never see a Lark tree. Node names follow the grammar's aliases
(grammar/segdsl.lark), so a new construct is one grammar line plus one class here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal as Lit

from segdsl.diagnostics import Span as Span  # re-exported: every node carries one


@dataclass(frozen=True)
class Node:
    span: Span = field(compare=False, kw_only=True)


# ---- literals ---------------------------------------------------------------


@dataclass(frozen=True)
class String(Node):
    value: str


@dataclass(frozen=True)
class Integer(Node):
    value: int


@dataclass(frozen=True)
class Decimal_(Node):
    value: Decimal


@dataclass(frozen=True)
class Boolean(Node):
    value: bool


@dataclass(frozen=True)
class Null(Node):
    pass


@dataclass(frozen=True)
class Date(Node):
    value: dt.date


@dataclass(frozen=True)
class Timestamp(Node):
    value: dt.datetime


@dataclass(frozen=True)
class Now(Node):
    pass


@dataclass(frozen=True)
class Today(Node):
    pass


@dataclass(frozen=True)
class List(Node):
    items: tuple[Expr, ...]


Unit = Lit["minute", "hour", "day", "week", "month", "year"]


@dataclass(frozen=True)
class Duration(Node):
    amount: int
    unit: Unit


@dataclass(frozen=True)
class Ago(Node):
    """`30 days ago`: the instant *as of* minus the duration."""

    duration: Duration


# ---- names and calls --------------------------------------------------------


@dataclass(frozen=True)
class Name(Node):
    name: str


@dataclass(frozen=True)
class Attribute(Node):
    """`purchase.amount`, `purchase(category = "shoes").amount`."""

    base: Expr
    name: str
    name_span: Span = field(compare=False)


@dataclass(frozen=True)
class Call(Node):
    name: str
    args: tuple[Expr, ...]
    name_span: Span = field(compare=False)


@dataclass(frozen=True)
class Neg(Node):
    operand: Expr


ArithOp = Lit["+", "-", "*", "/"]


@dataclass(frozen=True)
class Arith(Node):
    op: ArithOp
    left: Expr
    right: Expr


# ---- boolean structure --------------------------------------------------------


@dataclass(frozen=True)
class And(Node):
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Or(Node):
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Not(Node):
    operand: Expr


# ---- predicates -------------------------------------------------------------


@dataclass(frozen=True)
class Predicate(Node):
    """A node of the grammar's `predicate` level: a yes or no for everyone."""


CompareOp = Lit["=", "!=", "<", "<=", ">", ">="]
TextOp = Lit[
    "contains",
    "starts_with",
    "ends_with",
    "matches",
    "like",
    "contains_any_of",
    "starts_with_any_of",
    "ends_with_any_of",
]


@dataclass(frozen=True)
class Compare(Predicate):
    op: CompareOp
    left: Expr
    right: Expr


@dataclass(frozen=True)
class In(Predicate):
    value: Expr
    collection: Expr  # a List, or a Name naming a set
    negated: bool


@dataclass(frozen=True)
class Between(Predicate):
    value: Expr
    low: Expr
    high: Expr
    negated: bool


@dataclass(frozen=True)
class IsNull(Predicate):
    value: Expr
    negated: bool


@dataclass(frozen=True)
class IsSet(Predicate):
    value: Expr
    negated: bool


@dataclass(frozen=True)
class TextTest(Predicate):
    """`value op pattern`; for the `... any of` ops the pattern is a List or names a set."""

    op: TextOp
    value: Expr
    pattern: Expr
    ignore_case: bool
    negated: bool


@dataclass(frozen=True)
class WithinLast(Node):
    duration: Duration


@dataclass(frozen=True)
class WithinNext(Node):
    duration: Duration


@dataclass(frozen=True)
class Before(Node):
    bound: Expr


@dataclass(frozen=True)
class After(Node):
    bound: Expr


@dataclass(frozen=True)
class BetweenWindow(Node):
    low: Expr
    high: Expr


Window = WithinLast | WithinNext | Before | After | BetweenWindow


@dataclass(frozen=True)
class TimeTest(Predicate):
    """`t within 30 days`, `t before 2025-01-01`, `t after 30 days ago`."""

    value: Expr
    window: Window


@dataclass(frozen=True)
class Frequency(Node):
    op: Lit[">=", "<=", "="]
    count: int


@dataclass(frozen=True)
class Step(Node):
    """`then B(g) within 1 day` (`negated`: `then not B ...`), a step of a sequence after its
    first event (docs/semantics.md#sequences)."""

    event: str
    event_span: Span = field(compare=False)
    filter: Expr | None
    within: Duration | None
    negated: bool


@dataclass(frozen=True)
class Did(Predicate):
    """`did E ...`; with `steps`, a sequence: E, then each step strictly later."""

    event: str
    event_span: Span = field(compare=False)
    filter: Expr | None
    frequency: Frequency | None
    window: Window | None
    steps: tuple[Step, ...] = ()


@dataclass(frozen=True)
class Sequence(Node):
    """`add_to_cart within 30 days then checkout within 1 day` as the argument of `count`:
    `first` is written as an aggregate's argument is (event, filter, window)."""

    first: Expr
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class InSegment(Predicate):
    name: str
    name_span: Span = field(compare=False)


@dataclass(frozen=True)
class SegmentHistory(Predicate):
    """`entered segment S within D` (`entered`) or `left segment S within D` (`left`):
    answered from the snapshots of S in the state database (docs/semantics.md#history)."""

    moved: Lit["entered", "left"]
    name: str
    name_span: Span = field(compare=False)
    within: Duration | None


Expr = (
    String
    | Integer
    | Decimal_
    | Boolean
    | Null
    | Date
    | Timestamp
    | Now
    | Today
    | List
    | Duration
    | Ago
    | Name
    | Attribute
    | Call
    | Neg
    | Arith
    | And
    | Or
    | Not
    | Compare
    | In
    | Between
    | IsNull
    | IsSet
    | TextTest
    | TimeTest
    | Did
    | InSegment
    | SegmentHistory
    | Sequence
)
