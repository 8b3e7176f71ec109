"""The event groups a member of a single segment must have a row in, one at least.

What a rule says of a customer who has no events in some groups decides it.

A single segment's statement joins every customer to each event group it reads. When
the rule cannot hold for a customer without a row in those groups (`lead_score >= 20`,
where the score of someone without opens, clicks or pricing views is 0), only the
customers with a row can be members: the statement then starts from those rows instead
of computing the rule for every customer (docs/performance.md#passes).

`AbsentGroups` evaluates the bound tree with the aggregates of the absent groups at
their value over nothing (count and sum 0, the others missing) and everything else
unknown; it answers only where every unknown input would give the same answer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from segdsl.check import bound
from segdsl.operators import AGGREGATES, COMPARISONS, OPERATORS

UNKNOWN: Any = object()  # depends on what is not known

_ARITHMETIC = ("add", "sub", "mul")  # the same on every engine where it gives anything


class AbsentGroups:
    """The evaluation for one set of absent aggregates (see the module's docstring)."""

    def __init__(
        self,
        absent: Callable[[bound.Aggregate | bound.Sequence], bool],
        segments: Mapping[str, bound.Expr],
    ):
        self.absent = absent
        self.segments = segments

    def holds(self, node: bound.Expr) -> bool | Any:
        """True, False (false or missing: not a member), or UNKNOWN."""
        value = self.value(node)
        if value is UNKNOWN:
            return UNKNOWN
        return value is True

    def value(self, node: bound.Expr) -> Any:
        if isinstance(node, bound.Const):
            return node.value
        if isinstance(node, bound.Did):
            return False if self.absent(node.count) else UNKNOWN
        if isinstance(node, bound.Never):
            return True if self.absent(node.count) else UNKNOWN
        if isinstance(node, bound.Aggregate):
            if not self.absent(node):
                return UNKNOWN
            return AGGREGATES[node.kind].over_no_events
        if isinstance(node, bound.Sequence):  # a customer without a row has no first event
            return 0 if self.absent(node) else UNKNOWN
        if isinstance(node, bound.And):
            found = [self.holds(item) for item in node.items]
            if False in found:
                return False
            return True if all(f is True for f in found) else UNKNOWN
        if isinstance(node, bound.Or):
            found = [self.holds(item) for item in node.items]
            if True in found:
                return True
            return False if all(f is False for f in found) else UNKNOWN
        if isinstance(node, bound.Not):
            inner = self.holds(node.operand)
            return UNKNOWN if inner is UNKNOWN else not inner
        if isinstance(node, bound.SegmentRef):
            return self.holds(self.segments[node.name])
        if isinstance(node, bound.Apply):
            return self._apply(node)
        return UNKNOWN

    def argument(self, node: bound.Apply, index: int) -> Any:
        """An argument's value as the SQL sees it: a yes/no used as a value is never missing
        there (`definite`), except as the test of an `if`, where missing means no."""
        arg = node.args[index]
        if bound.is_condition(arg) and not (node.op == "if" and index == 0):
            return self.holds(arg)
        return self.value(arg)

    def _apply(self, node: bound.Apply) -> Any:
        op, args = node.op, node.args
        if op == "if":
            test = self.holds(args[0])
            if test is UNKNOWN:
                then, otherwise = self.argument(node, 1), self.argument(node, 2)
                same = then is not UNKNOWN and otherwise is not UNKNOWN and then == otherwise
                return then if same else UNKNOWN
            return self.argument(node, 1 if test else 2)
        if op == "coalesce":
            for index in range(len(args)):
                value = self.argument(node, index)
                if value is UNKNOWN or value is not None:
                    return value
            return None
        if op in COMPARISONS or op in _ARITHMETIC or op in ("div", "neg", "in_list"):
            values = [self.argument(node, index) for index in range(len(args))]
            if any(v is None for v in values):
                return None  # SQL's NULL: missing in, missing (or not true) out
            if any(v is UNKNOWN for v in values):
                return UNKNOWN
            return _compute(op, values)
        return UNKNOWN


def _compute(op: str, values: list[Any]) -> Any:
    try:
        if op in COMPARISONS:
            return COMPARISONS[op](values[0], values[1])
        if op == "in_list":
            return values[0] in values[1:]
        if op == "neg":
            return -values[0]
        if op == "div":  # only where no engine's rounding can differ
            if values[1] == 0:
                return None
            return 0 if values[0] == 0 else UNKNOWN
        evaluate = cast("Callable[[Any, Any], Any]", OPERATORS[op].evaluate)
        return evaluate(values[0], values[1])
    except (TypeError, ArithmeticError):
        return UNKNOWN
