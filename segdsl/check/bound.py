"""The bound tree: every name resolved against the schema, every node typed.

The checker settles the language's meaning in this form (docs/semantics.md), so that
lowering is a plain translation: date-granular comparisons become ranges of instants,
`!=` becomes `not =`, predicates over many-valued fields become `Any` (some value
matches), `did E` is a `Did`, segment and trait references point at their own trees.
The optimizer (segdsl/optimize/) rewrites this form into this form; its own nodes
(`Never`, `PercentileCut`) are defined here too, so that every stage after the
checker reads one tree language.
"""

from __future__ import annotations

from collections import abc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
from typing import Any as PyAny
from typing import Literal as Lit

from segdsl.diagnostics import Span
from segdsl.document.environment import Event, Field, Property
from segdsl.operators import OPERATORS
from segdsl.types import Type

Unit = Lit["minute", "hour", "day", "week", "month", "year"]


@dataclass(frozen=True)
class Expr:
    """A node of the bound tree. Those a dialect may refuse (an operator, an aggregate, a
    read of the clock) keep the `span` of their construct in the rule's text, for the
    problems found after checking (emit/refusals.py); a span is no part of a node's value."""

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

    span: Span | None = field(default=None, compare=False, repr=False)


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
    """An entry of the operator table (segdsl/operators/) applied to arguments."""

    op: str
    args: tuple[Expr, ...]
    span: Span | None = field(default=None, compare=False, repr=False)


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
class SegmentHistory(Expr):
    """`entered segment S within D` or `left segment S within D`, which the project layer
    answers from the state database before lowering (docs/semantics.md#history): it
    becomes the customers whose keys moved so (`key in [...]`), or `Const(False)`. Lowering
    and the optimizer never see one."""

    moved: Lit["entered", "left"]
    name: str
    within: Interval
    span: Span | None = field(default=None, compare=False, repr=False)


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


@dataclass(frozen=True)
class Step:
    """A step of a sequence after its first: an event of `events` strictly later than the
    step before it, and at most `within` later when given; `absent` (`then not`): no such
    event up to *as of* (docs/semantics.md#sequences)."""

    events: EventSet
    within: Interval | None
    absent: bool = False


@dataclass(frozen=True)
class Sequence(Expr):
    """How many events of `first` each step follows in turn: `count(A then B within 1 day)`;
    `did A then B` is it >= 1 (docs/semantics.md#sequences)."""

    first: EventSet
    steps: tuple[Step, ...]
    span: Span | None = field(default=None, compare=False, repr=False)


PopulationKind = Lit["percentile", "cume_share"]
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
    span: Span | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Population(Expr):
    """`percentile(x)` or `cume_share(x)`: a value relative to all customers."""

    kind: PopulationKind
    value: Expr


@dataclass(frozen=True)
class EventTest(Expr):
    """Whether some event of `events` happened, defined as `count(E) >= 1`."""

    events: EventSet
    span: Span | None = field(default=None, compare=False, repr=False)

    @property
    def count(self) -> Aggregate:
        """`count(E)`, which the test is lowered through."""
        return Aggregate(Type.INTEGER, "count", self.events, None)


@dataclass(frozen=True)
class Did(EventTest):
    """Some event of `events` happened: `did E`, and `count(E) >= 1` (its definition)."""


@dataclass(frozen=True)
class Never(EventTest):
    """No event of `events` happened: `not did E`, written by the optimizer where a single
    segment's statement answers it with an anti-join (optimize/never.py)."""


@dataclass(frozen=True)
class PercentileCut(Expr):
    """`percentile(x) op c` with a constant c, answered by comparing x with the least x
    whose percentile passes (optimize/percentile_cuts.py). `op` is ge, gt, lt or le."""

    population: Population
    op: str
    bound: object


@dataclass(frozen=True)
class Segmentation:
    """Checked buckets in order; `otherwise` is the `else` bucket's name (None: missing)."""

    buckets: tuple[tuple[str, Expr], ...]
    otherwise: str | None


class Poison(Expr):
    """A node whose problem is already reported; checks around it stay quiet."""


POISON = Poison(Type.NULL)
TOO_DEEP = Poison(Type.NULL)  # a trait past MAX_TRAIT_DEPTH, reported where it is used

# What one rule may become once its traits and `in segment` references are written out
# (docs/performance.md#supported-sizes): every later stage, and the SQL, is bounded by these.
MAX_TRAIT_DEPTH = 100  # traits inside traits
MAX_EXPANDED_NODES = 100_000  # nodes of a rule with its traits and segments written out
MAX_EXPANDED_DEPTH = 120  # nesting of the same
TRUE = Const(Type.BOOLEAN, True)
FALSE = Const(Type.BOOLEAN, False)
EVERYTHING = TimeRange(None, None)  # a window over all history (up to *as of*)


def map_children(node: Expr, change: Callable[[Expr], Expr]) -> Expr:
    """`node` with `change` applied to each direct child expression: operands, the
    condition of `Any`, the value of a population, and an event set's filter and window
    bounds (not through segment references). The node itself when nothing changed."""
    if isinstance(node, Apply):
        args = tuple(change(arg) for arg in node.args)
        return node if args == node.args else replace(node, args=args)
    if isinstance(node, And | Or):
        items = tuple(change(item) for item in node.items)
        return node if items == node.items else replace(node, items=items)
    if isinstance(node, Not):
        operand = change(node.operand)
        return node if operand == node.operand else replace(node, operand=operand)
    if isinstance(node, Any):
        condition = change(node.condition)
        return node if condition == node.condition else replace(node, condition=condition)
    if isinstance(node, Population):
        value = change(node.value)
        return node if value == node.value else replace(node, value=value)
    if isinstance(node, Aggregate | EventTest):
        events = map_events(node.events, change)
        return node if events == node.events else replace(node, events=events)
    if isinstance(node, Sequence):
        first = map_events(node.first, change)
        steps = tuple(replace(s, events=map_events(s.events, change)) for s in node.steps)
        if first == node.first and steps == node.steps:
            return node
        return replace(node, first=first, steps=steps)
    if isinstance(node, PercentileCut):
        population = change(node.population)
        assert isinstance(population, Population)
        return node if population == node.population else replace(node, population=population)
    return node


def map_events(events: EventSet, change: Callable[[Expr], Expr]) -> EventSet:
    """An event set with `change` applied to its filter and window bounds."""
    window = events.window

    def bound_(value: Expr | None) -> Expr | None:
        return None if value is None else change(value)

    changed = EventSet(
        events.event,
        bound_(events.filter),
        TimeRange(bound_(window.low), bound_(window.high), window.low_strict, window.high_strict),
    )
    return events if changed == events else changed


def descendants(node: Expr) -> Iterator[Expr]:
    """`node` and every node below it that `map_children` reaches, parents first, without
    recursion (a rule may nest deeper than Python's stack)."""
    todo = [node]
    while todo:
        current = todo.pop()
        yield current
        todo.extend(reversed(children(current)))


def children(node: Expr) -> list[Expr]:
    """The direct children of `node` that `map_children` reaches, in order."""
    found: list[Expr] = []

    def collect(child: Expr) -> Expr:
        found.append(child)
        return child

    map_children(node, collect)
    return found


def placed(node: Expr, span: Span) -> Expr:
    """`node` with every span in it set to `span`: a trait's tree, where a rule uses it, is
    placed at the trait's name there (its own spans are places in the trait's text). The
    tree is rebuilt node by node, since spans are no part of a node's value; a node used
    several times (a trait used twice by another) is rebuilt once and stays shared, so the
    work is linear in the distinct nodes (docs/performance.md#supported-sizes)."""
    if node is POISON:
        return node
    done: dict[int, object] = {}
    order = [value for value in _post_order(node) if id(value) not in done]
    for value in order:
        if id(value) in done:
            continue
        if isinstance(value, tuple):
            done[id(value)] = tuple(done.get(id(item), item) for item in value)
            continue
        assert isinstance(value, Expr | EventSet | TimeRange | Step)
        changes: dict[str, PyAny] = {
            f.name: done.get(id(getattr(value, f.name)), getattr(value, f.name))
            for f in fields(value)
        }
        if isinstance(value, Expr) and "span" in changes:
            changes["span"] = span
        done[id(value)] = value if value is POISON else replace(value, **changes)
    result = done[id(node)]
    assert isinstance(result, Expr)
    return result


def _post_order(node: object) -> list[object]:
    """The nodes, event sets, windows and tuples under `node`, each after its parts, each
    once (by identity), without recursion."""
    found: list[object] = []
    seen: set[int] = set()
    todo: list[tuple[object, bool]] = [(node, False)]
    while todo:
        value, expanded = todo.pop()
        if expanded:
            found.append(value)
            continue
        if id(value) in seen:
            continue
        if isinstance(value, tuple):
            parts: list[object] = list(value)
        elif isinstance(value, Expr | EventSet | TimeRange | Step):
            parts = [getattr(value, f.name) for f in fields(value)]
        else:
            continue
        seen.add(id(value))
        todo.append((value, True))
        todo.extend(
            (part, False)
            for part in reversed(parts)
            if isinstance(part, tuple | Expr | EventSet | TimeRange | Step)
        )
    return found


def expanded(
    node: Expr,
    target: Callable[[Expr], abc.Sequence[Expr]],
    memo: dict[int, tuple[int, int]],
) -> tuple[int, int]:
    """(nodes, depth) of `node` with what `target` names written out in place (the trees of
    a segment or segmentation reference): a shared node counts once per use, as in the SQL,
    yet is measured once (`memo`, by identity), so this takes time linear in the distinct
    nodes. A reference back to a node being measured (a cycle, reported as E204) counts 0."""
    todo: list[tuple[Expr, bool]] = [(node, False)]
    started: set[int] = set()
    while todo:
        current, ready = todo.pop()
        key = id(current)
        if key in memo:
            continue
        parts = [*children(current), *target(current)]
        if not ready:
            if key in started:
                continue
            started.add(key)
            todo.append((current, True))
            todo.extend((part, False) for part in parts if id(part) not in memo)
            continue
        sizes = [memo.get(id(part), (0, 0)) for part in parts]
        memo[key] = (1 + sum(n for n, _ in sizes), 1 + max((d for _, d in sizes), default=0))
    return memo.get(id(node), (0, 0))


def is_condition(node: Expr) -> bool:
    """A rule-shaped node (yes or no for everyone), unlike a boolean field, which may be missing."""
    if isinstance(node, Apply):
        return OPERATORS[node.op].predicate
    return isinstance(
        node, And | Or | Not | Any | SegmentRef | SegmentHistory | EventTest | PercentileCut
    )


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
