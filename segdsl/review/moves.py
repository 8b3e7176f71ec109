"""`entered segment S within D` and `left segment S within D`, answered from the state
database before a statement is lowered (docs/semantics.md#history).

The checker leaves a `bound.SegmentHistory` where a rule asks about history; the
compiler's stages after it never see one. Here each becomes what the snapshots say at
*as of*: `key in [k1, k2, ...]` over the keys that moved so (or no, when none did), so
that the statement that runs on the warehouse reads nothing but the warehouse, on every
engine alike, and the state database is read once per distinct question, here, never by
the warehouse's engine. The list is as long as the customers who moved in the window
(the optimizer folds runs of consecutive integer keys into ranges).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping

from segdsl.check import bound
from segdsl.diagnostics import Diagnostic, Location, SegdslError
from segdsl.document.environment import Entity
from segdsl.execute.state import StateDatabase
from segdsl.optimize import Program
from segdsl.optimize.walk import bottom_up
from segdsl.reference.values import shift
from segdsl.review.state import moved_keys
from segdsl.types import Type

Locate = Callable[[bound.SegmentHistory], Location | None]


def asks_history(program: Program) -> list[bound.SegmentHistory]:
    """Every `entered`/`left segment` clause of the program, each once."""
    trees = [*program.segments.values()]
    trees += [tree for s in program.segmentations.values() for _, tree in s.buckets]
    found: dict[bound.SegmentHistory, None] = {}
    for tree in trees:
        for node in bound.descendants(tree):
            if isinstance(node, bound.SegmentHistory):
                found.setdefault(node)
    return list(found)


Source = Callable[[str, str, dt.datetime, dt.datetime], list[str] | None]
"""(segment, `entered` or `left`, low, high) → the keys that moved so at a snapshot in
[low, high], sorted; None when no snapshot of the segment is at or before `high`."""


def answer(
    program: Program,
    as_of: dt.datetime | None,
    source: Source,
    entity: Entity,
    locate: Locate,
    given_in_test: bool = False,
) -> Program:
    """`program` with each `entered`/`left segment` clause replaced by its answer at
    `as_of`, as `source` gives it: E489 when *as of* is not pinned (the keys are read
    now, the SQL would run later), E488 when the source holds no snapshot of the segment
    at or before *as of* (a test's `snapshots:` when `given_in_test`)."""
    questions = asks_history(program)
    if not questions:
        return program
    if as_of is None:
        raise SegdslError(
            [
                Diagnostic(
                    "E489",
                    f"`{q.moved} segment {q.name}` is answered from snapshots, and *as of* "
                    "is not pinned",
                    locate(q),
                    "give --as-of T: the snapshots up to T are read when the SQL is made",
                )
                for q in questions
            ]
        )
    answers = {q: _answer(q, as_of, source, entity, locate, given_in_test) for q in questions}

    def rewrite(node: bound.Expr) -> bound.Expr | None:
        return answers.get(node) if isinstance(node, bound.SegmentHistory) else None

    return Program(
        {n: bottom_up(t, rewrite) for n, t in program.segments.items()},
        {
            n: bound.Segmentation(
                tuple((b, bottom_up(t, rewrite)) for b, t in s.buckets), s.otherwise
            )
            for n, s in program.segmentations.items()
        },
        program.shapes,
    )


def stored(state: StateDatabase) -> Source:
    """The state database's snapshots as a source."""
    return lambda name, moved, low, high: moved_keys(state, name, moved, low, high)


def given(snapshots: Mapping[str, Mapping[dt.datetime, Collection[str]]]) -> Source:
    """Snapshots given by value (a test's `snapshots:`) as a source, moving as the state
    database's do (`moved_keys`)."""

    def source(name: str, moved: str, low: dt.datetime, high: dt.datetime) -> list[str] | None:
        held = snapshots.get(name, {})
        times = sorted(t for t in held if t <= high)
        if not times:
            return None
        keys: set[str] = set()
        for before, now in zip(times, times[1:], strict=False):
            if now >= low:
                a, b = set(held[before]), set(held[now])
                keys |= (b - a) if moved == "entered" else (a - b)
        return sorted(keys)

    return source


def _answer(
    question: bound.SegmentHistory,
    as_of: dt.datetime,
    source: Source,
    entity: Entity,
    locate: Locate,
    given_in_test: bool,
) -> bound.Expr:
    within = question.within
    low = window_start(as_of, within.amount, within.unit)
    keys = source(question.name, question.moved, low, as_of)
    if keys is None:
        raise SegdslError([no_snapshot(question.name, as_of, locate(question), given_in_test)])
    key = entity.fields[entity.key]
    values = sorted(int(k) for k in keys if _is_integer(k)) if key.type is Type.INTEGER else keys
    if not values:
        return bound.FALSE
    column = bound.Column(key.type, key)
    return bound.Apply(
        Type.BOOLEAN, "in_list", (column, *(bound.Const(key.type, v) for v in values))
    )


def window_start(as_of: dt.datetime, amount: int, unit: str) -> dt.datetime:
    """*as of* − N units, the first instant of the window (docs/semantics.md#time-arithmetic)."""
    low = shift(as_of, -amount, unit)
    assert isinstance(low, dt.datetime)
    return low


def no_snapshot(
    name: str, as_of: dt.datetime, location: Location | None, given_in_test: bool
) -> Diagnostic:
    """E488: no snapshot of segment `name` at or before `as_of` answers a history rule."""
    where = "the test gives" if given_in_test else "the state database has"
    return Diagnostic(
        "E488",
        f"{where} no snapshot of `{name}` at or before {as_of.isoformat(sep=' ')}",
        location,
        snapshot_hint(name, given_in_test),
    )


def snapshot_hint(name: str, given_in_test: bool = False) -> str:
    """How a snapshot of segment `name` comes to be: E488's hint, the error's and the
    warning's of `check`."""
    if given_in_test:
        return (
            f"give the test `snapshots: {{{name}: [{{as_of: ..., members: [...]}}]}}`: a "
            "test never reads the state database"
        )
    return (
        f"`segdsl snapshot {name}` stores one (take them on a schedule: history starts at "
        "the first)"
    )


def _is_integer(text: str) -> bool:
    return text.lstrip("-").isdigit()
