"""AST → checked tree. Resolves names against the schema environment, types every node,
and collects every problem of a rule instead of stopping at the first.

Semantics that docs/semantics.md states precisely are settled here (see segdsl/check/bound.py), so
that lowering and any other back end translate without deciding anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from segdsl.check import bound
from segdsl.check.context import RuleContext
from segdsl.check.events import POPULATION, EventChecks
from segdsl.check.meaning import negate, to_date
from segdsl.check.predicates import _ERROR, PredicateChecks
from segdsl.diagnostics import Suggestions, article
from segdsl.document.environment import Environment
from segdsl.operators import FUNCTIONS, RULE_AGGREGATES, Signature
from segdsl.syntax import ast
from segdsl.syntax.printer import print_rule
from segdsl.types import Type, common, comparable

POISON = bound.POISON


class Checker(EventChecks, PredicateChecks):
    """Binds rules of one project. Traits are bound once, on first use, through `trait_tree`."""

    def __init__(
        self,
        env: Environment,
        segment_names: set[str],
        segmentation_buckets: dict[str, tuple[str, ...]],
        trait_tree: Callable[[str], bound.Expr | None],
    ):
        self.env = env
        self.segment_names = segment_names
        self.segmentations = segmentation_buckets
        self.trait_tree = trait_tree
        self.in_trait = False  # binding a trait: spans are placed where a rule uses it
        self.suggestions = Suggestions()  # "did you mean": one index per kind, one budget

    # ---- entry points ---------------------------------------------------------

    def check_condition(self, tree: ast.Expr, ctx: RuleContext) -> bound.Expr:
        result = self.bind(tree, ctx)
        if result.type not in (Type.BOOLEAN, _ERROR):
            ctx.report(
                "E304",
                f"the rule is {article(result.type)} value, not a condition",
                tree.span,
                'compare it with something, e.g. `... > 0` or `... = "x"`',
            )
        return result

    def check_value(self, tree: ast.Expr, ctx: RuleContext) -> bound.Expr:
        return self.bind(tree, ctx)

    # ---- dispatch -------------------------------------------------------------

    def bind(self, node: ast.Expr, ctx: RuleContext) -> bound.Expr:
        return _BINDERS[type(node)](self, node, ctx)

    # ---- literals ---------------------------------------------------------------

    def _string(self, node: ast.String, ctx: RuleContext) -> bound.Expr:
        return bound.Const(Type.STRING, node.value)

    def _integer(self, node: ast.Integer, ctx: RuleContext) -> bound.Expr:
        return bound.Const(Type.INTEGER, node.value)

    def _decimal(self, node: ast.Decimal_, ctx: RuleContext) -> bound.Expr:
        return bound.Const(Type.DECIMAL, node.value)

    def _boolean(self, node: ast.Boolean, ctx: RuleContext) -> bound.Expr:
        return bound.TRUE if node.value else bound.FALSE

    def _null(self, node: ast.Null, ctx: RuleContext) -> bound.Expr:
        return bound.Const(Type.NULL, None)

    def _date(self, node: ast.Date, ctx: RuleContext) -> bound.Expr:
        return bound.Const(Type.DATE, node.value)

    def _timestamp(self, node: ast.Timestamp, ctx: RuleContext) -> bound.Expr:
        return bound.Const(Type.TIMESTAMP, node.value)

    def _now(self, node: ast.Now, ctx: RuleContext) -> bound.Expr:
        return bound.AsOf(Type.TIMESTAMP, node.span)

    def _today(self, node: ast.Today, ctx: RuleContext) -> bound.Expr:
        return bound.Apply(Type.DATE, "today", (), node.span)

    def _duration(self, node: ast.Duration, ctx: RuleContext) -> bound.Expr:
        return bound.Interval(Type.DURATION, node.amount, node.unit)

    def _ago(self, node: ast.Ago, ctx: RuleContext) -> bound.Expr:
        d = node.duration
        return bound.Apply(
            Type.TIMESTAMP,
            "sub",
            (
                bound.AsOf(Type.TIMESTAMP, node.span),
                bound.Interval(Type.DURATION, d.amount, d.unit),
            ),
        )

    def _list(self, node: ast.List, ctx: RuleContext) -> bound.Expr:
        return ctx.report(
            "E302", "a list can only follow `in` or `not in`", node.span, "write `x in [...]`"
        )

    # ---- names --------------------------------------------------------------------

    def _name(self, node: ast.Name, ctx: RuleContext) -> bound.Expr:
        name, entity = node.name, self.env.entity
        if self.scope is not None:
            return self.property_value(name, node.span, ctx) or POISON
        if name in entity.fields:
            fld = entity.fields[name]
            return bound.ManyValue(fld.type, fld) if fld.many else bound.Column(fld.type, fld)
        if name in self.env.traits:
            tree = self.trait_tree(name)
            if tree is bound.TOO_DEEP:
                return ctx.report(
                    "E311",
                    f"traits refer to traits more than {bound.MAX_TRAIT_DEPTH} deep here "
                    f"(through `{name}`)",
                    node.span,
                    "compute the inner traits in the warehouse, or write shorter chains",
                )
            if tree is None:
                return ctx.report(
                    "E210",
                    f"trait `{name}` refers to itself",
                    node.span,
                    "a trait cannot use itself, directly or through others",
                )
            return tree if self.in_trait else bound.placed(tree, node.span)
        if name in self.segmentations:
            ctx.references.append((name, node.span))
            return bound.SegmentationRef(Type.STRING, name)
        if name in self.env.sets:
            return ctx.report(
                "E302", f"`{name}` is a set, not a value", node.span, f"write `x in {name}`"
            )
        if name in self.segment_names:
            return ctx.report(
                "E201",
                f"`{name}` is a segment, not a field",
                node.span,
                f"write `in segment {name}`",
            )
        hint = self.suggestions.hint(
            name, "fields", lambda: [*entity.fields, *self.env.traits, *self.segmentations]
        )
        return ctx.report("E201", f"unknown field `{name}`", node.span, hint)

    def _insegment(self, node: ast.InSegment, ctx: RuleContext) -> bound.Expr:
        if node.name not in self.segment_names and node.name in self.segmentations:
            return self._in_segmentation(node, ctx)
        if node.name not in self.segment_names:
            return ctx.report(
                "E203",
                f"unknown segment `{node.name}`",
                node.name_span,
                self.suggestions.hint(node.name, "segments", lambda: self.segment_names),
            )
        ctx.references.append((node.name, node.name_span))
        return bound.SegmentRef(Type.BOOLEAN, node.name)

    def _in_segmentation(self, node: ast.InSegment, ctx: RuleContext) -> bound.Expr:
        """E203 for `in segment S` where S is a segmentation: a customer is in one of its
        buckets, which a rule tests as `S = "bucket"`
        (docs/language.md#traits-segments-and-segmentations)."""
        buckets = self.segmentations[node.name]
        first = buckets[0] if buckets else "bucket"
        names = ", ".join(f"`{b}`" for b in buckets)
        return ctx.report(
            "E203",
            f"`{node.name}` is a segmentation, not a segment",
            node.name_span,
            f'test its bucket: write `{node.name} = "{first}"` (its buckets: {names})',
        )

    def _segmenthistory(self, node: ast.SegmentHistory, ctx: RuleContext) -> bound.Expr:
        """`entered/left segment S within D` (docs/semantics.md#history): S a segment of
        the project (E203, E486 for a segmentation), a window of at least one unit (E486),
        and a customer key declared as an integer or string field (E487), since the
        snapshots keep keys as text and the answer compares them with the key. Not a
        reference: it reads stored snapshots, never S's rule, so S may be the segment
        itself (a welcome segment is `entered segment vip within 1 day`)."""
        if node.name not in self.segment_names:
            if node.name in self.segmentations:
                return ctx.report(
                    "E486",
                    f"`{node.name}` is a segmentation; `{node.moved} segment` takes a segment",
                    node.name_span,
                    "write the bucket's rule as a segment, snapshot it, and name that",
                )
            return ctx.report(
                "E203",
                f"unknown segment `{node.name}`",
                node.name_span,
                self.suggestions.hint(node.name, "segments", lambda: self.segment_names),
            )
        if node.within is None or node.within.amount == 0:
            return ctx.report(
                "E486",
                f"`{node.moved} segment {node.name}` needs a window of at least one unit",
                node.span,
                f"`{node.moved} segment {node.name} within 7 days`: the snapshots of the last "
                "7 days, from the state database",
            )
        entity = self.env.entity
        key = entity.fields.get(entity.key)
        if key is None or key.many or key.type not in (Type.INTEGER, Type.STRING):
            return ctx.report(
                "E487",
                f"`{node.moved} segment` compares customer keys, and the key "
                f"`{entity.key}` is not an integer or string field",
                node.span,
                f"declare it under `customers: fields:` in schema.yaml, e.g. "
                f"`{entity.key}: integer`",
            )
        within = bound.Interval(Type.DURATION, node.within.amount, node.within.unit)
        return bound.SegmentHistory(Type.BOOLEAN, node.moved, node.name, within, node.span)

    # ---- boolean structure ----------------------------------------------------------

    def _and(self, node: ast.And, ctx: RuleContext) -> bound.Expr:
        return bound.And(Type.BOOLEAN, tuple(self._condition(i, ctx) for i in node.items))

    def _or(self, node: ast.Or, ctx: RuleContext) -> bound.Expr:
        return bound.Or(Type.BOOLEAN, tuple(self._condition(i, ctx) for i in node.items))

    def _not(self, node: ast.Not, ctx: RuleContext) -> bound.Expr:
        return negate(self._condition(node.operand, ctx))

    def _condition(self, node: ast.Expr, ctx: RuleContext) -> bound.Expr:
        result = self.bind(node, ctx)
        if result.type not in (Type.BOOLEAN, _ERROR):
            return ctx.report(
                "E302",
                f"expected a condition, found {article(result.type)} value",
                node.span,
                "`and`, `or` and `not` combine conditions",
            )
        return result

    # ---- values -----------------------------------------------------------------------

    def _neg(self, node: ast.Neg, ctx: RuleContext) -> bound.Expr:
        operand = self.bind(node.operand, ctx)
        if operand.type not in (Type.INTEGER, Type.DECIMAL, Type.FLOAT, _ERROR):
            return ctx.report("E302", f"cannot negate {article(operand.type)}", node.span)
        return bound.Apply(operand.type, "neg", (operand,))

    def _arith(self, node: ast.Arith, ctx: RuleContext) -> bound.Expr:
        left, right = self.bind(node.left, ctx), self.bind(node.right, ctx)
        lt, rt = left.type, right.type
        if _ERROR in (lt, rt):
            return POISON
        op = {"+": "add", "-": "sub", "*": "mul", "/": "div"}[node.op]
        if lt.numeric and rt.numeric:
            result = Type.FLOAT if op == "div" else common(lt, rt)
            return bound.Apply(result, op, (left, right))
        if lt.temporal and rt == Type.DURATION and op in ("add", "sub"):
            assert isinstance(right, bound.Interval)
            shifted = bound.Apply(Type.TIMESTAMP, op, (left, right))
            by_day = right.unit not in ("hour", "minute")
            return to_date(shifted) if lt == Type.DATE and by_day else shifted
        if lt == Type.DURATION and rt.temporal and op == "add":
            return self._arith(ast.Arith("+", node.right, node.left, span=node.span), ctx)
        hint = _arith_hint(node, lt, rt)
        return ctx.report("E302", f"cannot apply `{node.op}` to {lt} and {rt}", node.span, hint)

    def _call(self, node: ast.Call, ctx: RuleContext) -> bound.Expr:
        if node.name == "count" and len(node.args) == 1 and isinstance(node.args[0], ast.Name):
            fld = self.env.entity.fields.get(node.args[0].name)
            if fld is not None and fld.many:
                return bound.CountValues(Type.INTEGER, fld)
        if node.name in RULE_AGGREGATES:
            return self.aggregate(node, ctx)
        if node.name in POPULATION:
            return self.population(node, ctx)
        if node.name == "bucket":
            return self.bucket(node, ctx)
        op = FUNCTIONS.get(node.name)
        if op is None or op.signature is None:
            return ctx.report(
                "E205",
                f"unknown function `{node.name}`",
                node.name_span,
                self.suggestions.hint(
                    node.name,
                    "functions",
                    lambda: [*FUNCTIONS, *RULE_AGGREGATES, *POPULATION, "bucket"],
                ),
            )
        args = [self.bind(a, ctx) for a in node.args]
        return self._apply(node, op.name, op.signature, args, ctx)

    def _apply(
        self, node: ast.Call, name: str, sig: Signature, args: list[bound.Expr], ctx: RuleContext
    ) -> bound.Expr:
        if not sig.accepts(len(args)):
            count = len(sig.params) - sig.optional
            want = f"{count}" + (
                " or more" if sig.variadic else f" to {len(sig.params)}" if sig.optional else ""
            )
            return ctx.report(
                "E303",
                f"`{name}` takes {want} arguments, not {len(args)}",
                node.span,
                f"{name}({', '.join(_param_text(p) for p in sig.params)})",
            )
        types = [a.type for a in args]
        for i, (arg, t) in enumerate(zip(node.args, types, strict=True)):
            allowed = sig.param(i)
            if t != Type.NULL and t not in allowed:
                return ctx.report(
                    "E302",
                    f"`{name}` takes {_param_text(allowed)} here, not {article(t)}",
                    arg.span,
                    _call_hint(name, t),
                )
        if any(a is POISON for a in args):
            return POISON
        if name in ("if", "coalesce"):
            values = types[1:] if name == "if" else types
            first = next((t for t in values if t != Type.NULL), Type.NULL)
            for arg, t in zip(node.args[len(types) - len(values) :], values, strict=True):
                if not comparable(first, t):
                    return ctx.report(
                        "E301",
                        f"`{name}` mixes {first} and {t}",
                        arg.span,
                        "all its values must have one type",
                    )
        return bound.Apply(sig.result_type(types), name, tuple(args), node.span)

    def _attribute(self, node: ast.Attribute, ctx: RuleContext) -> bound.Expr:
        return ctx.report(
            "E205",
            "`.` is only for event properties inside aggregates",
            node.span,
            "e.g. `sum(purchase.amount)`",
        )


def _arith_hint(node: ast.Arith, lt: Type, rt: Type) -> str:
    """What to write instead of arithmetic the types refuse. A time shifted by a bare
    number (`today - 30`) lacks the number's unit: durations are `30 days`
    (docs/language.md#time-arithmetic)."""
    if lt.temporal and node.op in "+-" and isinstance(node.right, ast.Integer):
        amount = node.right.value
        days = ast.Duration(amount, "day", span=node.right.span)
        shifted = ast.Arith(node.op, node.left, days, span=node.span)
        return f"a number of days needs its unit: write `{print_rule(shifted)}`"
    if lt.temporal:
        return "use days_since(t) for the days between two times"
    return "arithmetic takes numbers, or a date/timestamp plus or minus a duration"


def _param_text(types: frozenset[Type]) -> str:
    names = sorted(str(t) for t in types)
    if len(names) > 4:
        return "a value"
    return " or ".join(names)


def _call_hint(name: str, t: Type) -> str | None:
    if name in ("hour",) and t == Type.DATE:
        return "a date has no hour"
    return None


# which method binds each kind of node
_BINDERS: dict[type[ast.Node], Callable[[Checker, Any, RuleContext], bound.Expr]] = {
    ast.String: Checker._string,
    ast.Integer: Checker._integer,
    ast.Decimal_: Checker._decimal,
    ast.Boolean: Checker._boolean,
    ast.Null: Checker._null,
    ast.Date: Checker._date,
    ast.Timestamp: Checker._timestamp,
    ast.Now: Checker._now,
    ast.Today: Checker._today,
    ast.List: Checker._list,
    ast.Duration: Checker._duration,
    ast.Ago: Checker._ago,
    ast.Name: Checker._name,
    ast.Attribute: Checker._attribute,
    ast.Call: Checker._call,
    ast.Neg: Checker._neg,
    ast.Arith: Checker._arith,
    ast.And: Checker._and,
    ast.Or: Checker._or,
    ast.Not: Checker._not,
    ast.Compare: Checker._compare,
    ast.In: Checker._in,
    ast.Between: Checker._between,
    ast.IsNull: Checker._isnull,
    ast.IsSet: Checker._isset,
    ast.TextTest: Checker._texttest,
    ast.TimeTest: Checker._timetest,
    ast.Did: Checker._did,
    ast.InSegment: Checker._insegment,
    ast.SegmentHistory: Checker._segmenthistory,
    ast.Sequence: Checker.sequence_elsewhere,
}
