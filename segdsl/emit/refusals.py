"""What a dialect refuses in a checked rule, found in the bound tree before any SQL exists.

The dialect classes state their refusals once, as data (`Dialect.refuses`); the SQL
builders consult that table while writing SQL, and this walk consults it over the bound
tree, whose refusable nodes keep the span of their construct in the rule's text; a
`matches` pattern is tried in the dialect's regular expressions, as the builder does. So
`segdsl check --dialect D` reports every construct that `compile --dialect D` would
refuse, each where it stands. One refusal stays the builders' alone: on MySQL, an
aggregate over some events that takes more than one argument, which it cannot write
without FILTER.
"""

from __future__ import annotations

from dataclasses import dataclass

from segdsl.check import bound
from segdsl.diagnostics import Span
from segdsl.emit.dialects.base import Dialect, Refusal
from segdsl.operators import OPERATORS


@dataclass(frozen=True)
class Found:
    """A construct of a rule that the dialect refuses: where it stands, and why."""

    span: Span | None
    feature: str  # an operator's name, "pick" or "clock" (base.FEATURES)
    refusal: Refusal

    def message(self, dialect: Dialect, owner: str) -> str:
        """`owner` names the rule's segment or segmentation: "segment `vip`"."""
        why = self.refusal.why.format(dialect=dialect.name)
        return f"the {dialect.name} dialect cannot express {self.refusal.feature} in {owner}: {why}"


def refusals(tree: bound.Expr, dialect: Dialect) -> list[Found]:
    """Every construct of `tree` that `dialect` refuses, in the rule's order, once each; a
    read of the clock once per rule, at its first. Segment references are not followed:
    the segment referred to is checked on its own."""
    found: list[Found] = []
    seen: set[tuple[Span | None, str]] = set()

    def add(span: Span | None, feature: str) -> None:
        refusal = dialect.refusal(feature)
        if refusal is None or (span, feature) in seen:
            return
        if feature == "clock" and any(f.feature == "clock" for f in found):
            return
        seen.add((span, feature))
        found.append(Found(span, feature, refusal))

    for node in bound.descendants(tree):
        if isinstance(node, bound.Apply):
            add(node.span, node.op)
            if node.op == "matches" and isinstance(node.args[1], bound.Const):
                refusal = dialect.pattern_refusal(str(node.args[1].value))
                if refusal is not None:
                    found.append(Found(node.span, "matches", refusal))
        if isinstance(node, bound.Aggregate) and node.kind in ("first_value", "last_value"):
            add(node.span, "pick")
        if reads_clock(node):
            add(getattr(node, "span", None), "clock")
    return sorted(found, key=lambda f: (f.span.start, f.span.end) if f.span else (-1, -1))


def reads_clock(node: bound.Expr) -> bool:
    """Whether the SQL of `node` reads *as of*: `now`, relative times, `today` and the
    functions of it, and every aggregate of events (events after *as of* are ignored)."""
    if isinstance(node, bound.Apply):
        return node.op == "today" or OPERATORS[node.op].reads_as_of
    return isinstance(node, bound.AsOf | bound.Aggregate | bound.EventTest | bound.Sequence)
