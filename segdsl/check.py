"""AST → checked tree. Resolves names against the schema environment, types every node,
and collects every problem of a rule instead of stopping at the first.

Semantics that SPEC states precisely are settled here (see segdsl/bound.py), so
that lowering and any other back end translate without deciding anything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import re2

from . import ast
from . import bound as b
from .check_events import AGGREGATES, POPULATION, EventChecks
from .diagnostics import a, did_you_mean
from .operators import FUNCTIONS, Signature
from .problems import RuleProblem
from .schema import Environment
from .semantics import (after_bound, compare, end_bound, many_fields, membership, negate,
                        some_value, start_bound, to_date, window_test)
from .types import Type, comparable, common

_ERROR = Type.NULL  # the type of a node that already has a problem: accepted everywhere


POISON = b.POISON


@dataclass
class RuleContext:
    """Per-rule state: problems found and segments referenced (for cycle detection)."""

    problems: list[RuleProblem] = field(default_factory=list)
    references: list[tuple[str, ast.Span]] = field(default_factory=list)

    def report(self, code: str, message: str, span: ast.Span, hint: str | None = None) -> b.Expr:
        self.problems.append(RuleProblem(code, message, span, hint))
        return POISON


class Checker(EventChecks):
    """Binds rules of one project. Traits are bound once, on first use, through `trait_tree`."""

    def __init__(self, env: Environment, segment_names: set[str],
                 segmentation_buckets: dict[str, tuple[str, ...]],
                 trait_tree: Callable[[str], b.Expr | None]):
        self.env = env
        self.segment_names = segment_names
        self.segmentations = segmentation_buckets
        self.trait_tree = trait_tree

    # ---- entry points ---------------------------------------------------------

    def check_condition(self, tree: ast.Expr, ctx: RuleContext) -> b.Expr:
        result = self.bind(tree, ctx)
        if result.type not in (Type.BOOLEAN, _ERROR):
            ctx.report("E304", f"the rule is {a(result.type)} value, not a condition", tree.span,
                       "compare it with something, e.g. `... > 0` or `... = \"x\"`")
        return result

    def check_value(self, tree: ast.Expr, ctx: RuleContext) -> b.Expr:
        return self.bind(tree, ctx)

    # ---- dispatch -------------------------------------------------------------

    def bind(self, node: ast.Expr, ctx: RuleContext) -> b.Expr:
        method = getattr(self, "_" + type(node).__name__.lower().rstrip("_"))
        result: b.Expr = method(node, ctx)
        return result

    # ---- literals ---------------------------------------------------------------

    def _string(self, node: ast.String, ctx: RuleContext) -> b.Expr:
        return b.Const(Type.STRING, node.value)

    def _integer(self, node: ast.Integer, ctx: RuleContext) -> b.Expr:
        return b.Const(Type.INTEGER, node.value)

    def _decimal(self, node: ast.Decimal_, ctx: RuleContext) -> b.Expr:
        return b.Const(Type.DECIMAL, node.value)

    def _boolean(self, node: ast.Boolean, ctx: RuleContext) -> b.Expr:
        return b.TRUE if node.value else b.FALSE

    def _null(self, node: ast.Null, ctx: RuleContext) -> b.Expr:
        return b.Const(Type.NULL, None)

    def _date(self, node: ast.Date, ctx: RuleContext) -> b.Expr:
        return b.Const(Type.DATE, node.value)

    def _timestamp(self, node: ast.Timestamp, ctx: RuleContext) -> b.Expr:
        return b.Const(Type.TIMESTAMP, node.value)

    def _now(self, node: ast.Now, ctx: RuleContext) -> b.Expr:
        return b.AsOf(Type.TIMESTAMP)

    def _today(self, node: ast.Today, ctx: RuleContext) -> b.Expr:
        return b.Apply(Type.DATE, "today", ())

    def _duration(self, node: ast.Duration, ctx: RuleContext) -> b.Expr:
        return b.Interval(Type.DURATION, node.amount, node.unit)

    def _ago(self, node: ast.Ago, ctx: RuleContext) -> b.Expr:
        d = node.duration
        return b.Apply(Type.TIMESTAMP, "sub",
                       (b.AsOf(Type.TIMESTAMP), b.Interval(Type.DURATION, d.amount, d.unit)))

    def _list(self, node: ast.List, ctx: RuleContext) -> b.Expr:
        return ctx.report("E302", "a list can only follow `in` or `not in`", node.span,
                          "write `x in [...]`")

    # ---- names --------------------------------------------------------------------

    def _name(self, node: ast.Name, ctx: RuleContext) -> b.Expr:
        name, entity = node.name, self.env.entity
        if self.scope is not None:
            return self.property_value(name, node.span, ctx) or POISON
        if name in entity.fields:
            fld = entity.fields[name]
            return b.ManyValue(fld.type, fld) if fld.many else b.Column(fld.type, fld)
        if name in self.env.traits:
            tree = self.trait_tree(name)
            if tree is None:
                return ctx.report("E210", f"trait `{name}` refers to itself", node.span,
                                  "a trait cannot use itself, directly or through others")
            return tree
        if name in self.segmentations:
            ctx.references.append((name, node.span))
            return b.SegmentationRef(Type.STRING, name)
        if name in self.env.sets:
            return ctx.report("E302", f"`{name}` is a set, not a value", node.span,
                              f"write `x in {name}`")
        if name in self.segment_names:
            return ctx.report("E201", f"`{name}` is a segment, not a field", node.span,
                              f"write `in segment {name}`")
        known = [*entity.fields, *self.env.traits, *self.segmentations]
        return ctx.report("E201", f"unknown field `{name}`", node.span,
                          did_you_mean(name, known, "fields"))

    def _insegment(self, node: ast.InSegment, ctx: RuleContext) -> b.Expr:
        if node.name not in self.segment_names:
            return ctx.report("E203", f"unknown segment `{node.name}`", node.name_span,
                              did_you_mean(node.name, self.segment_names, "segments"))
        ctx.references.append((node.name, node.name_span))
        return b.SegmentRef(Type.BOOLEAN, node.name)

    # ---- boolean structure ----------------------------------------------------------

    def _and(self, node: ast.And, ctx: RuleContext) -> b.Expr:
        return b.And(Type.BOOLEAN, tuple(self._condition(i, ctx) for i in node.items))

    def _or(self, node: ast.Or, ctx: RuleContext) -> b.Expr:
        return b.Or(Type.BOOLEAN, tuple(self._condition(i, ctx) for i in node.items))

    def _not(self, node: ast.Not, ctx: RuleContext) -> b.Expr:
        return negate(self._condition(node.operand, ctx))

    def _condition(self, node: ast.Expr, ctx: RuleContext) -> b.Expr:
        result = self.bind(node, ctx)
        if result.type not in (Type.BOOLEAN, _ERROR):
            return ctx.report("E302", f"expected a condition, found {a(result.type)} value",
                              node.span, "`and`, `or` and `not` combine conditions")
        return result

    # ---- values -----------------------------------------------------------------------

    def _neg(self, node: ast.Neg, ctx: RuleContext) -> b.Expr:
        operand = self.bind(node.operand, ctx)
        if operand.type not in (Type.INTEGER, Type.DECIMAL, Type.FLOAT, _ERROR):
            return ctx.report("E302", f"cannot negate {a(operand.type)}", node.span)
        return b.Apply(operand.type, "neg", (operand,))

    def _arith(self, node: ast.Arith, ctx: RuleContext) -> b.Expr:
        left, right = self.bind(node.left, ctx), self.bind(node.right, ctx)
        lt, rt = left.type, right.type
        if _ERROR in (lt, rt):
            return POISON
        op = {"+": "add", "-": "sub", "*": "mul", "/": "div"}[node.op]
        if lt.numeric and rt.numeric:
            result = Type.FLOAT if op == "div" else common(lt, rt)
            return b.Apply(result, op, (left, right))
        if lt.temporal and rt == Type.DURATION and op in ("add", "sub"):
            assert isinstance(right, b.Interval)
            shifted = b.Apply(Type.TIMESTAMP, op, (left, right))
            by_day = right.unit not in ("hour", "minute")
            return to_date(shifted) if lt == Type.DATE and by_day else shifted
        if lt == Type.DURATION and rt.temporal and op == "add":
            return self._arith(ast.Arith("+", node.right, node.left, span=node.span), ctx)
        hint = "use days_since(t) for the days between two times" if lt.temporal else \
            "arithmetic takes numbers, or a date/timestamp plus or minus a duration"
        return ctx.report("E302", f"cannot apply `{node.op}` to {lt} and {rt}", node.span, hint)

    def _call(self, node: ast.Call, ctx: RuleContext) -> b.Expr:
        if node.name == "count" and len(node.args) == 1 and isinstance(node.args[0], ast.Name):
            fld = self.env.entity.fields.get(node.args[0].name)
            if fld is not None and fld.many:
                return b.CountValues(Type.INTEGER, fld)
        if node.name in AGGREGATES:
            return self.aggregate(node, ctx)
        if node.name in POPULATION:
            return self.population(node, ctx)
        if node.name == "bucket":
            return self.bucket(node, ctx)
        op = FUNCTIONS.get(node.name)
        if op is None or op.signature is None:
            return ctx.report("E205", f"unknown function `{node.name}`", node.name_span,
                              did_you_mean(node.name, [*FUNCTIONS, *AGGREGATES, *POPULATION,
                                                       "bucket"], "functions"))
        args = [self.bind(a, ctx) for a in node.args]
        return self._apply(node, op.name, op.signature, args, ctx)

    def _apply(self, node: ast.Call, name: str, sig: Signature, args: list[b.Expr],
               ctx: RuleContext) -> b.Expr:
        if not sig.accepts(len(args)):
            count = len(sig.params) - sig.optional
            want = f"{count}" + (" or more" if sig.variadic else
                                 f" to {len(sig.params)}" if sig.optional else "")
            return ctx.report("E303", f"`{name}` takes {want} arguments, not {len(args)}",
                              node.span, f"{name}({', '.join(_param_text(p) for p in sig.params)})")
        types = [a.type for a in args]
        for i, (arg, t) in enumerate(zip(node.args, types, strict=True)):
            allowed = sig.param(i)
            if t != Type.NULL and t not in allowed:
                return ctx.report("E302", f"`{name}` takes {_param_text(allowed)} here, "
                                  f"not {a(t)}", arg.span, _call_hint(name, t))
        if any(a is POISON for a in args):
            return POISON
        if name in ("if", "coalesce"):
            values = types[1:] if name == "if" else types
            first = next((t for t in values if t != Type.NULL), Type.NULL)
            for arg, t in zip(node.args[len(types) - len(values):], values, strict=True):
                if not comparable(first, t):
                    return ctx.report("E301", f"`{name}` mixes {first} and {t}", arg.span,
                                      "all its values must have one type")
        return b.Apply(sig.result_type(types), name, tuple(args))

    def _attribute(self, node: ast.Attribute, ctx: RuleContext) -> b.Expr:
        return ctx.report("E205", "`.` is only for event properties inside aggregates",
                          node.span, "e.g. `sum(purchase.amount)`")

    # ---- predicates --------------------------------------------------------------------

    def _compare(self, node: ast.Compare, ctx: RuleContext) -> b.Expr:
        left, right = self.bind(node.left, ctx), self.bind(node.right, ctx)
        if Type.NULL in (left.type, right.type) and (
                isinstance(node.left, ast.Null) or isinstance(node.right, ast.Null)):
            negated = "not " if node.op == "!=" else ""
            return ctx.report("E305", "a comparison with `null` is never true",
                              node.span, f"write `x is {negated}null`")
        if _ERROR in (left.type, right.type):
            return POISON
        if Type.DURATION in (left.type, right.type):
            return ctx.report("E301", "a duration is not a point in time", node.span,
                              "write `30 days ago`, or use `within 30 days`")
        if not comparable(left.type, right.type) or Type.GEO in (left.type, right.type):
            return ctx.report("E301", f"cannot compare {left.type} with {right.type}", node.span,
                              _mismatch_hint(left.type, right.type, node.right))
        for one, other in ((left, right), (right, left)):
            if isinstance(one, b.SegmentationRef) and isinstance(other, b.Const):
                self._known_buckets(one.name, (other.value,), node.span, ctx)
        if node.op == "!=":
            return self._over_values(compare("=", left, right), ctx, node.span, negated=True)
        return self._over_values(compare(node.op, left, right), ctx, node.span)

    def _in(self, node: ast.In, ctx: RuleContext) -> b.Expr:
        value = self.bind(node.value, ctx)
        items = self._collection(node.collection, ctx)
        if items is None or value.type == _ERROR:
            return POISON
        if items.values and not comparable(value.type, items.type):
            return ctx.report("E301", f"cannot look for {a(value.type)} in a list of {items.type}",
                              node.span, _mismatch_hint(value.type, items.type, node.collection))
        if isinstance(value, b.SegmentationRef):
            self._known_buckets(value.name, items.values, node.collection.span, ctx)
        test = membership(value, items)
        return self._over_values(test, ctx, node.span, node.negated)

    def _collection(self, node: ast.Expr, ctx: RuleContext) -> b.ConstList | None:
        if isinstance(node, ast.Name):
            named = self.env.sets.get(node.name)
            if named is None:
                ctx.report("E202", f"unknown set `{node.name}`", node.span,
                           did_you_mean(node.name, self.env.sets, "sets"))
                return None
            return b.ConstList(named.type, named.values)
        assert isinstance(node, ast.List)
        values: list[object] = []
        item_type = Type.NULL
        for item in node.items:
            bound_item = self.bind(item, ctx)
            if not isinstance(bound_item, b.Const):
                ctx.report("E302", "list items are literal values", item.span,
                           'e.g. ["DE", "AT"] or [1, 2, 3]')
                return None
            if not comparable(item_type, bound_item.type):
                ctx.report("E301", f"the list mixes {item_type} and {bound_item.type}", item.span)
                return None
            item_type = common(item_type, bound_item.type)
            values.append(bound_item.value)
        return b.ConstList(item_type, tuple(values))

    def _between(self, node: ast.Between, ctx: RuleContext) -> b.Expr:
        value = self.bind(node.value, ctx)
        low, high = self.bind(node.low, ctx), self.bind(node.high, ctx)
        if _ERROR in (value.type, low.type, high.type):
            return POISON
        for bound_node, end in ((node.low, low), (node.high, high)):
            if not comparable(value.type, end.type) or Type.BOOLEAN in (value.type, end.type):
                return ctx.report("E301", f"cannot compare {value.type} with {end.type}",
                                  bound_node.span, _mismatch_hint(value.type, end.type, bound_node))
        test = b.And(Type.BOOLEAN, (compare(">=", value, low), compare("<=", value, high)))
        return self._over_values(test, ctx, node.span, node.negated)

    def _isnull(self, node: ast.IsNull, ctx: RuleContext) -> b.Expr:
        value = self.bind(node.value, ctx)
        if value.type == _ERROR:
            return POISON
        present = negate(b.Apply(Type.BOOLEAN, "is_null", (value,)))
        return self._over_values(present, ctx, node.span, negated=not node.negated)

    def _isset(self, node: ast.IsSet, ctx: RuleContext) -> b.Expr:
        value = self.bind(node.value, ctx)
        if value.type == _ERROR:
            return POISON
        op = "is_set" if value.type == Type.STRING else None
        present = (b.Apply(Type.BOOLEAN, op, (value,)) if op
                   else negate(b.Apply(Type.BOOLEAN, "is_null", (value,))))
        return self._over_values(present, ctx, node.span, negated=node.negated)

    def _texttest(self, node: ast.TextTest, ctx: RuleContext) -> b.Expr:
        value, pattern = self.bind(node.value, ctx), self.bind(node.pattern, ctx)
        if _ERROR in (value.type, pattern.type):
            return POISON
        word = node.op.replace("_", " ")
        for part, t in ((node.value, value.type), (node.pattern, pattern.type)):
            if t != Type.STRING:
                return ctx.report("E302", f"`{word}` takes strings, not {a(t)}", part.span,
                                  "convert first, e.g. `lower(x)`" if t != Type.NULL else None)
        if node.op == "matches":
            if not isinstance(pattern, b.Const):
                return ctx.report("E302", "`matches` takes a literal pattern", node.pattern.span,
                                  'e.g. `email matches "@(gmail|yahoo)\\\\."`')
            text = ("(?i)" if node.ignore_case else "") + str(pattern.value)
            problem = regex_problem(text)
            if problem:
                return ctx.report("E306", f"invalid regular expression: {problem}",
                                  node.pattern.span, "patterns use RE2 syntax (no lookaround "
                                  "or backreferences); see docs/language.md")
            test = b.Apply(Type.BOOLEAN, "matches", (value, b.Const(Type.STRING, text)))
        elif node.ignore_case:
            test = b.Apply(Type.BOOLEAN, node.op, (b.Apply(Type.STRING, "lower", (value,)),
                                                   b.Apply(Type.STRING, "lower", (pattern,))))
        else:
            test = b.Apply(Type.BOOLEAN, node.op, (value, pattern))
        return self._over_values(test, ctx, node.span, node.negated)

    def _timetest(self, node: ast.TimeTest, ctx: RuleContext) -> b.Expr:
        value = self.bind(node.value, ctx)
        if value.type == _ERROR:
            return POISON
        if not value.type.temporal:
            return ctx.report("E302", f"a time window needs a date or timestamp, not "
                              f"{a(value.type)}", node.value.span, _time_hint(value))
        window = self.window(node.window, value.type, ctx)
        if window is None:
            return POISON
        return self._over_values(window_test(value, window), ctx, node.span)

    def _known_buckets(self, name: str, values: tuple[object, ...], span: ast.Span,
                       ctx: RuleContext) -> None:
        buckets = self.segmentations[name]
        for value in values:
            if value not in buckets:
                ctx.report("E212", f"segmentation `{name}` has no bucket `{value}`", span,
                           did_you_mean(str(value), buckets, "buckets"))

    # ---- windows --------------------------------------------------------------------------

    def window(self, node: ast.Window, of: Type, ctx: RuleContext) -> b.TimeRange | None:
        """The bounds of a window for values of type `of` (dates compare by dates)."""
        if isinstance(node, ast.WithinLast | ast.WithinNext):
            d = node.duration
            start: b.Expr = b.AsOf(Type.TIMESTAMP)
            shifted = b.Apply(Type.TIMESTAMP, "sub" if isinstance(node, ast.WithinLast) else "add",
                              (start, b.Interval(Type.DURATION, d.amount, d.unit)))
            low, high = (shifted, start) if isinstance(node, ast.WithinLast) else (start, shifted)
            if of == Type.DATE:
                low, high = to_date(low), to_date(high)
            return b.TimeRange(low, high)
        if isinstance(node, ast.BetweenWindow):
            low, high = self.bind(node.low, ctx), self.bind(node.high, ctx)
            if not (self._time_bound(node.low, low, ctx)
                    and self._time_bound(node.high, high, ctx)):
                return None
            end, strict = end_bound(high, of)
            return b.TimeRange(start_bound(low, of), end, high_strict=strict)
        bound_value = self.bind(node.bound, ctx)
        if not self._time_bound(node.bound, bound_value, ctx):
            return None
        if isinstance(node, ast.Before):
            return b.TimeRange(None, start_bound(bound_value, of), high_strict=True)
        low, strict = after_bound(bound_value, of)
        return b.TimeRange(low, None, low_strict=strict)

    def _time_bound(self, node: ast.Expr, value: b.Expr, ctx: RuleContext) -> bool:
        if value.type == _ERROR:
            return False
        if not value.type.temporal:
            ctx.report("E302", f"a time bound must be a date or timestamp, not {a(value.type)}",
                       node.span, "e.g. `2025-12-24`, `2025-12-24T18:00`, `30 days ago`, `today`")
            return False
        return True

    # ---- many-valued fields -----------------------------------------------------------------

    def _over_values(self, test: b.Expr, ctx: RuleContext, span: ast.Span,
                     negated: bool = False) -> b.Expr:
        """`test` holds per value; over a many-valued field the predicate holds when some value
        passes, and its negation (`!=`, `not in`, `is not set`, ...) when none does."""
        fields = {f.name: f for f in many_fields(test)}
        if len(fields) > 1:
            return ctx.report("E307", "one condition can range over one many-valued field",
                              span, f"split it: {' and '.join(f'`{n} ...`' for n in fields)}")
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


def _param_text(types: frozenset[Type]) -> str:
    names = sorted(str(t) for t in types)
    if len(names) > 4:
        return "a value"
    return " or ".join(names)


def _call_hint(name: str, t: Type) -> str | None:
    if name in ("hour",) and t == Type.DATE:
        return "a date has no hour"
    return None


def _time_hint(value: b.Expr) -> str | None:
    if value.type.numeric:
        return "for numbers use `between` or `<`/`>`"
    return None


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

