"""`first(E)` and `last(E)` compared with a time that is the same for everyone, as
`did E` over the events from that time on (docs/performance.md#passes).

A single segment's statement then reads the stream's latest rows instead of grouping
all of it; a set computes every aggregate for every customer anyway, so this pass is in
RULES_SINGLE only, and applies to the segment's own rule.
"""

from __future__ import annotations

from collections.abc import Iterable

from segdsl.check import bound
from segdsl.types import Type


def since(tree: bound.Expr) -> bound.Expr:
    """`first(E) >= t` and `last(E) >= t` (or `>`) for an E over all its history and a t
    that is the same for every customer, written with the events from t on:

    - `last(E) >= t` holds exactly when some event of E is at t or later: `did E` from t;
    - `first(E) >= t` when some is, and none is before t: `did E` from t and `not did E`
      before t (an anti-join where the `never` pass runs too).

    Over no events both sides are false; a missing t does not occur (t holds no field).
    Only where it takes the aggregate out of the tree: where `first(E)` is also compared
    otherwise (`last(purchase) < t1 and last(purchase) >= t2`), grouping all of E is
    needed anyway, and the events from t would be one more scan."""
    rewritten = _since(tree, frozenset())
    kept = frozenset(_times(rewritten))
    return _since(tree, kept) if kept else rewritten


def _times(node: bound.Expr) -> Iterable[bound.Aggregate]:
    """The `first(E)` and `last(E)` in `node` (not through references)."""
    if isinstance(node, bound.Aggregate) and node.kind in ("first", "last"):
        yield node
    for child in bound.operands(node):
        yield from _times(child)


def _since(node: bound.Expr, kept: frozenset[bound.Aggregate]) -> bound.Expr:
    """`since`, except for the aggregates in `kept`."""
    if (
        isinstance(node, bound.Apply)
        and node.op == "le"
        and len(node.args) == 2
        and isinstance(node.args[1], bound.AsOf)
        and isinstance(node.args[0], bound.Aggregate)
        and node.args[0].kind in ("first", "last")
        and node.args[0] not in kept
    ):
        return _did(node.args[0].events)  # no event counts after *as of*: some event exists
    if isinstance(node, bound.Apply) and node.op in ("ge", "gt") and len(node.args) == 2:
        time, bound_ = node.args
        if (
            isinstance(time, bound.Aggregate)
            and time.kind in ("first", "last")
            and time not in kept
            and time.events.window == bound.EVERYTHING
            and _same_for_everyone(bound_)
        ):
            strict = node.op == "gt"
            events = time.events
            later = bound.TimeRange(bound_, None, low_strict=strict)
            did_later = _did(bound.EventSet(events.event, events.filter, later))
            if time.kind == "last":
                return did_later
            earlier = bound.TimeRange(None, bound_, high_strict=not strict)
            return bound.And(
                Type.BOOLEAN,
                (
                    did_later,
                    bound.Not(
                        Type.BOOLEAN, _did(bound.EventSet(events.event, events.filter, earlier))
                    ),
                ),
            )
    if isinstance(node, bound.And):
        items = [i for item in node.items for i in bound.conjuncts(_since(item, kept))]
        done = {
            (e.event, e.filter)
            for e in map(_did_of, items)
            if e is not None and e.window != bound.EVERYTHING
        }

        def implied(item: bound.Expr) -> bool:  # `did E`, where `did E` within a window holds
            events = _did_of(item)
            return (
                events is not None
                and events.window == bound.EVERYTHING
                and (events.event, events.filter) in done
            )

        return bound.And(node.type, tuple(item for item in items if not implied(item)))
    if isinstance(node, bound.Or):
        return bound.Or(node.type, tuple(_since(item, kept) for item in node.items))
    if isinstance(node, bound.Not):
        return bound.Not(node.type, _since(node.operand, kept))
    return node


def _did_of(node: bound.Expr) -> bound.EventSet | None:
    """The events of `did E`."""
    return node.events if isinstance(node, bound.Did) else None


def _did(events: bound.EventSet) -> bound.Expr:
    return bound.Did(Type.BOOLEAN, events)


def _same_for_everyone(node: bound.Expr) -> bool:
    """Built from constants and *as of* alone (`30 days ago`, `2025-12-01`)."""
    if isinstance(node, bound.Const):
        return node.value is not None
    if isinstance(node, bound.AsOf | bound.Interval):
        return True
    return (
        isinstance(node, bound.Apply)
        and node.op in ("add", "sub", "to_date", "day_start", "next_day_start", "today")
        and all(_same_for_everyone(arg) for arg in node.args)
    )
