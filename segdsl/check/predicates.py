"""Checking predicates: comparisons, membership, `between`, `is null`/`is set`, string and
time tests, the bounds of time windows, and tests over the values of many-valued fields.

A mixin of the Checker (segdsl/check.py), like check_events.EventChecks; the rules of
meaning it applies live in segdsl/semantics.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import re2

from segdsl.check import bound
from segdsl.check.meaning import (
    after_bound,
    compare,
    end_bound,
    many_fields,
    membership,
    negate,
    some_value,
    start_bound,
    to_date,
    window_test,
)
from segdsl.diagnostics import Suggestions, article
from segdsl.operators import OPERATORS, Op
from segdsl.syntax import ast
from segdsl.syntax.printer import print_rule
from segdsl.types import Type, common, comparable

if TYPE_CHECKING:
    from segdsl.check.context import RuleContext
    from segdsl.document.environment import Environment

_ERROR = Type.NULL  # the type of a node that already has a problem: accepted everywhere


class PredicateChecks:
    """Binding of predicates and windows; `self` is a Checker."""

    if TYPE_CHECKING:
        env: Environment
        segmentations: dict[str, tuple[str, ...]]
        suggestions: Suggestions

        def bind(self, node: ast.Expr, ctx: RuleContext) -> bound.Expr: ...

    def _compare(self, node: ast.Compare, ctx: RuleContext) -> bound.Expr:
        left, right = self.bind(node.left, ctx), self.bind(node.right, ctx)
        if Type.NULL in (left.type, right.type) and (
            isinstance(node.left, ast.Null) or isinstance(node.right, ast.Null)
        ):
            negated = "not " if node.op == "!=" else ""
            return ctx.report(
                "E305",
                "a comparison with `null` is never true",
                node.span,
                f"write `x is {negated}null`",
            )
        if _ERROR in (left.type, right.type):
            return bound.POISON
        if Type.DURATION in (left.type, right.type):
            return ctx.report(
                "E301",
                "a duration is not a point in time",
                node.span,
                "write `30 days ago`, or use `within 30 days`",
            )
        if not comparable(left.type, right.type) or Type.GEO in (left.type, right.type):
            return ctx.report(
                "E301",
                f"cannot compare {left.type} with {right.type}",
                node.span,
                _mismatch_hint(left.type, right.type, node.right),
            )
        for one, other in ((left, right), (right, left)):
            if isinstance(one, bound.SegmentationRef) and isinstance(other, bound.Const):
                self._known_buckets(one.name, (other.value,), node.span, ctx)
        if node.op == "!=":
            return self._over_values(compare("=", left, right), ctx, node.span, negated=True)
        return self._over_values(compare(node.op, left, right), ctx, node.span)

    def _in(self, node: ast.In, ctx: RuleContext) -> bound.Expr:
        value = self.bind(node.value, ctx)
        items = self._collection(node.collection, ctx)
        if items is None or value.type == _ERROR:
            return bound.POISON
        if items.values and not comparable(value.type, items.type):
            return ctx.report(
                "E301",
                f"cannot look for {article(value.type)} in a list of {items.type}",
                node.span,
                _mismatch_hint(value.type, items.type, node.collection),
            )
        if isinstance(value, bound.SegmentationRef):
            self._known_buckets(value.name, items.values, node.collection.span, ctx)
        test = membership(value, items)
        return self._over_values(test, ctx, node.span, node.negated)

    def _collection(self, node: ast.Expr, ctx: RuleContext) -> bound.ConstList | None:
        if isinstance(node, ast.Name):
            named = self.env.sets.get(node.name)
            if named is None:
                ctx.report(
                    "E202",
                    f"unknown set `{node.name}`",
                    node.span,
                    self.suggestions.hint(node.name, "sets", lambda: self.env.sets),
                )
                return None
            return bound.ConstList(named.type, named.values)
        assert isinstance(node, ast.List)
        values: list[object] = []
        item_type = Type.NULL
        for item in node.items:
            bound_item = self.bind(item, ctx)
            if not isinstance(bound_item, bound.Const):
                ctx.report(
                    "E302",
                    "list items are literal values",
                    item.span,
                    'e.g. ["DE", "AT"] or [1, 2, 3]',
                )
                return None
            if not comparable(item_type, bound_item.type):
                ctx.report("E301", f"the list mixes {item_type} and {bound_item.type}", item.span)
                return None
            item_type = common(item_type, bound_item.type)
            values.append(bound_item.value)
        return bound.ConstList(item_type, tuple(values))

    def _between(self, node: ast.Between, ctx: RuleContext) -> bound.Expr:
        value = self.bind(node.value, ctx)
        low, high = self.bind(node.low, ctx), self.bind(node.high, ctx)
        if _ERROR in (value.type, low.type, high.type):
            return bound.POISON
        for bound_node, end in ((node.low, low), (node.high, high)):
            if not comparable(value.type, end.type) or Type.BOOLEAN in (value.type, end.type):
                return ctx.report(
                    "E301",
                    f"cannot compare {value.type} with {end.type}",
                    bound_node.span,
                    _between_hint(node, value.type)
                    or _mismatch_hint(value.type, end.type, bound_node),
                )
        test = bound.And(Type.BOOLEAN, (compare(">=", value, low), compare("<=", value, high)))
        return self._over_values(test, ctx, node.span, node.negated)

    def _isnull(self, node: ast.IsNull, ctx: RuleContext) -> bound.Expr:
        value = self.bind(node.value, ctx)
        if value.type == _ERROR:
            return bound.POISON
        present = negate(bound.Apply(Type.BOOLEAN, "is_null", (value,)))
        return self._over_values(present, ctx, node.span, negated=not node.negated)

    def _isset(self, node: ast.IsSet, ctx: RuleContext) -> bound.Expr:
        value = self.bind(node.value, ctx)
        if value.type == _ERROR:
            return bound.POISON
        op = "is_set" if value.type == Type.STRING else None
        present = (
            bound.Apply(Type.BOOLEAN, op, (value,))
            if op
            else negate(bound.Apply(Type.BOOLEAN, "is_null", (value,)))
        )
        return self._over_values(present, ctx, node.span, negated=node.negated)

    def _texttest(self, node: ast.TextTest, ctx: RuleContext) -> bound.Expr:
        row = OPERATORS[node.op]
        value, patterns = self.bind(node.value, ctx), self._patterns(node, row, ctx)
        if patterns is None or _ERROR in (value.type, *(p.type for p in patterns)):
            return bound.POISON
        parts = [(node.value, value.type), *((node.pattern, p.type) for p in patterns)]
        for part, t in parts:
            if t != Type.STRING:
                return ctx.report(
                    "E302",
                    f"`{row.spelling}` takes strings, not {article(t)}",
                    part.span,
                    "convert first, e.g. `lower(x)`" if t != Type.NULL else None,
                )
        if node.op == "matches":
            (pattern,) = patterns
            return self._matches(node, value, pattern, ctx)
        if not patterns:
            test: bound.Expr = bound.FALSE  # no pattern: none matches
        elif node.ignore_case:
            lowered = (
                bound.Apply(Type.STRING, "lower", (arg,), node.span) for arg in (value, *patterns)
            )
            test = bound.Apply(Type.BOOLEAN, node.op, tuple(lowered))
        else:
            test = bound.Apply(Type.BOOLEAN, node.op, (value, *patterns))
        return self._over_values(test, ctx, node.span, node.negated)

    def _patterns(
        self, node: ast.TextTest, row: Op, ctx: RuleContext
    ) -> tuple[bound.Expr, ...] | None:
        """The pattern; for a test of a list of patterns (`row.pattern_list`), its items,
        as a list or the name of a set (as `in` takes them), each a string."""
        if not row.pattern_list:
            return (self.bind(node.pattern, ctx),)
        if not isinstance(node.pattern, ast.List | ast.Name):
            ctx.report(
                "E302",
                f"`{row.spelling}` takes a list of strings",
                node.pattern.span,
                'e.g. `["gmail", "yahoo"]`, or the name of a set',
            )
            return None
        items = self._collection(node.pattern, ctx)
        if items is None:
            return None
        return tuple(bound.Const(Type.NULL if v is None else items.type, v) for v in items.values)

    def _matches(
        self, node: ast.TextTest, value: bound.Expr, pattern: bound.Expr, ctx: RuleContext
    ) -> bound.Expr:
        """`matches` takes a literal RE2 pattern; `ignoring case` is its `(?i)` flag."""
        if not isinstance(pattern, bound.Const):
            return ctx.report(
                "E302",
                "`matches` takes a literal pattern",
                node.pattern.span,
                'e.g. `email matches "@(gmail|yahoo)\\\\."`',
            )
        text = ("(?i)" if node.ignore_case else "") + str(pattern.value)
        problem = regex_problem(text)
        if problem:
            return ctx.report(
                "E306",
                f"invalid regular expression: {problem}",
                node.pattern.span,
                "patterns use RE2 syntax (no lookaround or backreferences); see docs/language.md",
            )
        test = bound.Apply(
            Type.BOOLEAN, "matches", (value, bound.Const(Type.STRING, text)), node.span
        )
        return self._over_values(test, ctx, node.span, node.negated)

    def _timetest(self, node: ast.TimeTest, ctx: RuleContext) -> bound.Expr:
        value = self.bind(node.value, ctx)
        if value.type == _ERROR:
            return bound.POISON
        if not value.type.temporal:
            return ctx.report(
                "E302",
                f"a time window needs a date or timestamp, not {article(value.type)}",
                node.value.span,
                _time_hint(value),
            )
        window = self.window(node.window, value.type, ctx)
        if window is None:
            return bound.POISON
        return self._over_values(window_test(value, window), ctx, node.span)

    def _known_buckets(
        self, name: str, values: tuple[object, ...], span: ast.Span, ctx: RuleContext
    ) -> None:
        buckets = self.segmentations[name]
        for value in values:
            if value not in buckets:
                ctx.report(
                    "E212",
                    f"segmentation `{name}` has no bucket `{value}`",
                    span,
                    self.suggestions.hint(
                        str(value), "buckets", lambda: buckets, f"buckets of {name}"
                    ),
                )

    # ---- windows --------------------------------------------------------------------------

    def window(self, node: ast.Window, of: Type, ctx: RuleContext) -> bound.TimeRange | None:
        """The bounds of a window for values of type `of` (dates compare by dates)."""
        if isinstance(node, ast.WithinLast | ast.WithinNext):
            d = node.duration
            start: bound.Expr = bound.AsOf(Type.TIMESTAMP, node.span)
            shifted = bound.Apply(
                Type.TIMESTAMP,
                "sub" if isinstance(node, ast.WithinLast) else "add",
                (start, bound.Interval(Type.DURATION, d.amount, d.unit)),
            )
            low, high = (shifted, start) if isinstance(node, ast.WithinLast) else (start, shifted)
            if of == Type.DATE:
                low, high = to_date(low), to_date(high)
            return bound.TimeRange(low, high)
        if isinstance(node, ast.BetweenWindow):
            low, high = self.bind(node.low, ctx), self.bind(node.high, ctx)
            if not (
                self._time_bound(node.low, low, ctx) and self._time_bound(node.high, high, ctx)
            ):
                return None
            end, strict = end_bound(high, of)
            return bound.TimeRange(start_bound(low, of), end, high_strict=strict)
        bound_value = self.bind(node.bound, ctx)
        if not self._time_bound(node.bound, bound_value, ctx):
            return None
        if isinstance(node, ast.Before):
            return bound.TimeRange(None, start_bound(bound_value, of), high_strict=True)
        low, strict = after_bound(bound_value, of)
        return bound.TimeRange(low, None, low_strict=strict)

    def _time_bound(self, node: ast.Expr, value: bound.Expr, ctx: RuleContext) -> bool:
        if value.type == _ERROR:
            return False
        if not value.type.temporal:
            ctx.report(
                "E302",
                f"a time bound must be a date or timestamp, not {article(value.type)}",
                node.span,
                "e.g. `2025-12-24`, `2025-12-24T18:00`, `30 days ago`, `today`",
            )
            return False
        return True

    # ---- many-valued fields -----------------------------------------------------------------

    def _over_values(
        self, test: bound.Expr, ctx: RuleContext, span: ast.Span, negated: bool = False
    ) -> bound.Expr:
        """`test` holds per value; over a many-valued field the predicate holds when some value
        passes, and its negation (`!=`, `not in`, `is not set`, ...) when none does."""
        fields = {f.name: f for f in many_fields(test)}
        if len(fields) > 1:
            return ctx.report(
                "E307",
                "one condition can range over one many-valued field",
                span,
                f"split it: {' and '.join(f'`{n} ...`' for n in fields)}",
            )
        if fields:
            (fld,) = fields.values()
            test = some_value(fld, test)
        return negate(test) if negated else test


def regex_problem(pattern: str) -> str | None:
    options = re2.Options()
    options.log_errors = False  # the library would print its own log lines to stderr
    try:
        re2.compile(pattern, options)
    except re2.error as error:
        detail = error.args[0] if error.args else b""
        text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
        return text or "not valid RE2"
    return None


def _time_hint(value: bound.Expr) -> str | None:
    if value.type.numeric:
        return "for numbers use `between` or `<`/`>`"
    return None


def _between_hint(node: ast.Between, value: Type) -> str | None:
    """For a time between a bare number and `N days ago` (`between 30 and 90 days ago`):
    both ends need their unit and `ago`, the earlier (more units ago) first, since
    `between` takes its low end first (docs/language.md#ranges)."""
    ends = (node.low, node.high)
    ago = next((e for e in ends if isinstance(e, ast.Ago)), None)
    number = next((e for e in ends if isinstance(e, ast.Integer)), None)
    if not value.temporal or number is None:
        return None
    if ago is None:
        return f"a time ago is written with its unit: `{number.value} days ago`"
    unit = ago.duration.unit
    amounts = sorted((number.value, ago.duration.amount), reverse=True)
    low, high = (
        ast.Ago(ast.Duration(amount, unit, span=number.span), span=number.span)
        for amount in amounts
    )
    fixed = ast.Between(node.value, low, high, node.negated, span=node.span)
    return f"each end needs its unit and `ago`, the earlier first: write `{print_rule(fixed)}`"


def _mismatch_hint(left: Type, right: Type, right_node: ast.Expr) -> str | None:
    if left.numeric and right == Type.STRING and isinstance(right_node, ast.String):
        return f"`{right_node.value}` is a string; write numbers without quotes"
    if left == Type.STRING and right.numeric:
        return "the field is a string; put the value in double quotes"
    if left.temporal and right == Type.STRING:
        return "write dates without quotes: 2025-12-24, timestamps as 2025-12-24T18:00"
    if left == Type.BOOLEAN:
        return "write `true` or `false` without quotes"
    return None
