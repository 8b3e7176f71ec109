"""The checked tree: every name resolved against the schema, every node typed.

The checker also settles the language's semantics here, so that lowering is a plain
translation: date-granular comparisons become ranges of instants, `!=` becomes
`not =`, predicates over many-valued fields become `Any` (some value matches),
segment and trait references point at their own checked trees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal as Lit

from segdsl.document.environment import Event, Field, Property
from segdsl.types import Type

Unit = Lit["minute", "hour", "day", "week", "month", "year"]


@dataclass(frozen=True)
class Expr:
    type: Type


@dataclass(frozen=True)
class Const(Expr):
    """A literal value (str, int, Decimal, float, bool, date, datetime, or None)."""

    value: object


@dataclass(frozen=True)
class ConstList(Expr):
    """A list literal or a named set; `type` is the element type."""

    values: tuple[object, ...]


@dataclass(frozen=True)
class AsOf(Expr):
    """The instant every relative time is measured from (`now`)."""


@dataclass(frozen=True)
class Interval(Expr):
    amount: int
    unit: Unit


@dataclass(frozen=True)
class Column(Expr):
    """A single-valued customer field."""

    field: Field


@dataclass(frozen=True)
class ManyValue(Expr):
    """One value of a many-valued field, inside the `Any` that ranges over its values."""

    field: Field


@dataclass(frozen=True)
class PropertyValue(Expr):
    """A property of one event, inside an event filter or aggregate."""

    property: Property


@dataclass(frozen=True)
class Apply(Expr):
    """An entry of the operator table (segdsl/operators.py) applied to arguments."""

    op: str
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class And(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Or(Expr):
    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Not(Expr):
    """Two-valued negation: true exactly where the operand is not true."""

    operand: Expr


@dataclass(frozen=True)
class Any(Expr):
    """Some value of a many-valued field satisfies `condition` (over `ManyValue`)."""

    field: Field
    condition: Expr


@dataclass(frozen=True)
class CountValues(Expr):
    """Distinct non-missing values of a many-valued field."""

    field: Field


@dataclass(frozen=True)
class SegmentRef(Expr):
    name: str


@dataclass(frozen=True)
class SegmentationRef(Expr):
    name: str


@dataclass(frozen=True)
class TimeRange:
    """Event times `low <= t <= high` (either side open when None); `low_strict` for `after`."""

    low: Expr | None
    high: Expr | None
    low_strict: bool = False
    high_strict: bool = False


@dataclass(frozen=True)
class EventSet:
    """The events an aggregate or `did` ranges over: one event, a filter, a window."""

    event: Event
    filter: Expr | None
    window: TimeRange


AggregateKind = Lit[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "count_distinct",
    "first",
    "last",
    "first_value",
    "last_value",
]


@dataclass(frozen=True)
class Aggregate(Expr):
    """An aggregate of one customer's events; over no events count/sum are 0, the rest missing."""

    kind: AggregateKind
    events: EventSet
    property: Property | None


@dataclass(frozen=True)
class Population(Expr):
    """`percentile(x)` or `cume_share(x)`: a value relative to all customers."""

    kind: Lit["percentile", "cume_share"]
    value: Expr


class Poison(Expr):
    """A node whose problem is already reported; checks around it stay quiet."""


POISON = Poison(Type.NULL)
TRUE = Const(Type.BOOLEAN, True)
FALSE = Const(Type.BOOLEAN, False)
EVERYTHING = TimeRange(None, None)  # a window over all history (up to *as of*)


def operands(node: Expr) -> tuple[Expr, ...]:
    """The nodes a condition or value is built from directly: arguments, items, the
    operand of `not` (not through segment references, nor into aggregates' events)."""
    if isinstance(node, Apply):
        return node.args
    if isinstance(node, And | Or):
        return node.items
    if isinstance(node, Not):
        return (node.operand,)
    return ()


def conjuncts(node: Expr) -> tuple[Expr, ...]:
    """The items of an `and`; any other node is its own single item."""
    return node.items if isinstance(node, And) else (node,)
