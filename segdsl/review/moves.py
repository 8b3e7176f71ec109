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
from collections.abc import Callable, Iterable
from pathlib import Path

from segdsl.check import bound
from segdsl.diagnostics import Diagnostic, Location, SegdslError
from segdsl.document.environment import Entity
from segdsl.execute.state import StateDatabase, open_state
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


def answer(
    program: Program,
    as_of: dt.datetime | None,
    state: Path,
    warehouse: Iterable[Path],
    entity: Entity,
    locate: Locate,
) -> Program:
    """`program` with each `entered`/`left segment` clause replaced by its answer at
    `as_of`: E489 when *as of* is not pinned (the keys are read now, the SQL would run
    later), E488 when the state database holds no snapshot of the segment at or before
    *as of*. The state database is opened read-only."""
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
    database = open_state(state, warehouse, write=False)
    try:
        answers = {q: _answer(q, as_of, database, entity, locate) for q in questions}
    finally:
        database.close()

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


def _answer(
    question: bound.SegmentHistory,
    as_of: dt.datetime,
    database: StateDatabase,
    entity: Entity,
    locate: Locate,
) -> bound.Expr:
    low = shift(as_of, -question.within.amount, question.within.unit)
    assert isinstance(low, dt.datetime)
    keys = moved_keys(database, question.name, question.moved, low, as_of)
    if keys is None:
        raise SegdslError(
            [
                Diagnostic(
                    "E488",
                    f"the state database has no snapshot of `{question.name}` at or before "
                    f"{as_of.isoformat(sep=' ')}",
                    locate(question),
                    f"`segdsl snapshot {question.name}` stores one (take them on a schedule: "
                    "history starts at the first)",
                )
            ]
        )
    key = entity.fields[entity.key]
    values = [int(k) for k in keys if _is_integer(k)] if key.type is Type.INTEGER else keys
    if not values:
        return bound.FALSE
    column = bound.Column(key.type, key)
    return bound.Apply(
        Type.BOOLEAN, "in_list", (column, *(bound.Const(key.type, v) for v in values))
    )


def _is_integer(text: str) -> bool:
    return text.lstrip("-").isdigit()
