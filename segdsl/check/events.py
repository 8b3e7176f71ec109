"""Checking behaviour: `did`, aggregates over events, population functions, `bucket`.

A mixin of the Checker (segdsl/check.py): the same dispatch, with a property scope
while an event filter is bound. Every event set is capped at *as of* in lowering,
so events after it are ignored everywhere.
"""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from typing import TYPE_CHECKING, TypeGuard, get_args

from segdsl.check import bound
from segdsl.check.meaning import compare
from segdsl.diagnostics import Suggestions, article
from segdsl.document.environment import Event, Property, Stream
from segdsl.syntax import ast
from segdsl.syntax.printer import print_rule
from segdsl.types import Type

if TYPE_CHECKING:
    from segdsl.check.context import RuleContext


POPULATION = ("percentile", "cume_share")
_ONE = bound.Const(Type.INTEGER, 1)
_NUMERIC = (Type.INTEGER, Type.DECIMAL, Type.FLOAT)
_ORDERED = (*_NUMERIC, Type.DATE, Type.TIMESTAMP, Type.STRING)


class EventChecks:
    """Binding of behaviour; `self` is a Checker."""

    scope: Stream | None = None
    filtered_did: ast.Did | None = None  # the `did` whose filter is being bound, for hints

    if TYPE_CHECKING:
        from segdsl.document.environment import Environment

        env: Environment
        suggestions: Suggestions

        def bind(self, node: ast.Expr, ctx: RuleContext) -> bound.Expr: ...

        def window(
            self, node: ast.Window, of: Type, ctx: RuleContext
        ) -> bound.TimeRange | None: ...

    def _property_hint(self, name: str, stream: Stream) -> str:
        return self.suggestions.hint(
            name, "properties", lambda: stream.properties, f"properties of {stream.name}"
        )

    def _did(self, node: ast.Did, ctx: RuleContext) -> bound.Expr:
        freq = node.frequency
        if node.steps:
            if freq is not None:
                steps = print_rule(replace(node, frequency=None)).removeprefix("did ")
                return ctx.report(
                    "E332",
                    "a sequence does not take a frequency",
                    freq.span,
                    "count the first events the steps follow: "
                    f"`count({steps}) {freq.op} {freq.count}`",
                )
            first = self.event_set(node.event, node.event_span, node.filter, node.window, ctx)
            found = self._sequence(first, node.steps, node.span, ctx)
            return found if found is bound.POISON else compare(">=", found, _ONE)
        outer, self.filtered_did = self.filtered_did, node
        try:
            events = self.event_set(
                node.event, node.event_span, node.filter, node.window, ctx, freq is None
            )
        finally:
            self.filtered_did = outer
        if events is None:
            return _poison()
        if _reads_customer(events.window):
            return _against_own_time(events, node.span)
        count = bound.Aggregate(Type.INTEGER, "count", events, None, node.span)
        if freq is None:
            return compare(">=", count, bound.Const(Type.INTEGER, 1))
        return compare(freq.op, count, bound.Const(Type.INTEGER, freq.count))

    def event_set(
        self,
        name: str,
        span: ast.Span,
        condition: ast.Expr | None,
        window: ast.Window | None,
        ctx: RuleContext,
        own_time: bool = False,
    ) -> bound.EventSet | None:
        """The events of `name` that pass `condition` inside `window`. With `own_time` (a
        plain `did`), a window open on one side may end at a time of the customer's own
        (`after signup_at + 7 days`): `_did` reads it as the customer's first or last such
        event against that time; anywhere else a window or filter reading the customer is
        E314."""
        event = self._event(name, span, ctx)
        if event is None:
            return None
        bound_filter = None
        if condition is not None:
            outer, self.scope = self.scope, event.stream
            try:
                bound_filter = self.bind(condition, ctx)
            finally:
                self.scope = outer
            if bound_filter.type not in (Type.BOOLEAN, Type.NULL):
                ctx.report(
                    "E302",
                    f"an event filter is a condition, not {article(bound_filter.type)}",
                    condition.span,
                    'e.g. `purchase(amount > 50 and category = "shoes")`',
                )
                return None
            if not self._same_for_everyone(bound_filter, "filter", condition.span, ctx):
                return None
        time_range = bound.EVERYTHING
        if window is not None:
            if isinstance(window, ast.WithinNext):
                ctx.report(
                    "E309",
                    "events after *as of* are ignored, so `within next` never matches an event",
                    window.span,
                    "use `within 7 days` (the past)",
                )
                return None
            found = self.window(window, Type.TIMESTAMP, ctx)
            if found is None:
                return None
            one_sided = found.low is None or found.high is None
            for side in (found.low, found.high):
                if (
                    side is not None
                    and not (own_time and one_sided)
                    and not self._same_for_everyone(side, "window", window.span, ctx)
                ):
                    return None
            time_range = found
        return bound.EventSet(event, bound_filter, time_range)

    def _same_for_everyone(
        self, expr: bound.Expr, part: str, span: ast.Span, ctx: RuleContext
    ) -> bool:
        """An event set's filter and window are read event by event, with no customer at
        hand (lowering groups the events per customer before it meets the customers), so
        they may not read a customer: E314 rather than SQL that cannot run."""
        found = next((n for n in bound.descendants(expr) if _per_customer(n)), None)
        if found is None:
            return True
        what = next(
            (w for kind, w in _PER_CUSTOMER_WORDS.items() if isinstance(found, kind)),
            "the customer's key",  # bucket
        )
        if part == "window":
            hint = (
                "only a plain `did E after X` or `did E before X` may end at the customer's "
                "own time (`did purchase after signup_at + 7 days`); the window of a count, "
                "an aggregate, `N times` or `between` is the same for every customer "
                "(`2025-12-01`, `30 days ago`)"
            )
        else:
            hint = (
                "inside a filter only the event's properties can be read; "
                'test the customer outside: `country = "DE" and did purchase(amount > 50)`'
            )
        ctx.report("E314", f"an event {part} cannot depend on the customer ({what})", span, hint)
        return False

    def _event(self, name: str, span: ast.Span, ctx: RuleContext) -> Event | None:
        events = self.env.events()
        if name in events:
            return events[name]
        stream = self.env.streams.get(name)
        if stream is not None:  # a named stream itself: all its events
            return Event(name, stream, None)
        hint = self.suggestions.hint(name, "events", lambda: [*events, *self.env.streams])
        if name in self.env.entity.fields:
            hint = f"`{name}` is a field, not an event; {hint}"
        ctx.report("E206", f"unknown event `{name}`", span, hint)
        return None

    def property_value(self, name: str, span: ast.Span, ctx: RuleContext) -> bound.Expr | None:
        """A name inside an event filter: a property of the event's stream."""
        stream = self.scope
        if stream is None:
            return None
        prop = stream.properties.get(name)
        if prop is None:
            customer = name in self.env.entity.fields or name in self.env.traits
            ctx.report(
                "E207",
                f"`{stream.name}` events have no property `{name}`",
                span,
                self._customer_in_filter_hint(name, stream)
                if customer
                else self._property_hint(name, stream),
            )
            return _poison()
        return bound.PropertyValue(prop.type, prop)

    def _customer_in_filter_hint(self, name: str, stream: Stream) -> str:
        """For a customer field (or trait) inside an event filter, `did purchase(country =
        "DE")`: the filter reads only the event's properties (docs/language.md#did), so
        the test on the customer moves before the `did`, joined with `and`."""
        said = f"`{name}` is a customer field, not a property of `{stream.name}` events"
        did = self.filtered_did
        if did is None or did.filter is None:
            return f"{said}; test it outside the event's parentheses, joined with `and`"
        items = did.filter.items if isinstance(did.filter, ast.And) else (did.filter,)
        on_event = [_names(i) <= set(stream.properties) for i in items]
        customer = [i for i, ok in zip(items, on_event, strict=True) if not ok]
        rest = [i for i, ok in zip(items, on_event, strict=True) if ok]
        kept = rest[0] if len(rest) == 1 else ast.And(tuple(rest), span=did.filter.span)
        moved = replace(did, filter=kept if rest else None)
        fixed = ast.And((*customer, moved), span=did.span)
        return f"{said}; write `{print_rule(fixed)}`"

    # ---- sequences -----------------------------------------------------------------------

    def _sequence(
        self,
        first: bound.EventSet | None,
        steps: tuple[ast.Step, ...],
        span: ast.Span,
        ctx: RuleContext,
    ) -> bound.Expr:
        """The first event set, then each step strictly later (docs/semantics.md#sequences);
        every step is checked, also after one with a problem."""
        bound_steps: list[bound.Step] = []
        ok = first is not None
        for index, step in enumerate(steps):
            events = self.event_set(step.event, step.event_span, step.filter, None, ctx)
            within = step.within
            if step.negated and index < len(steps) - 1:
                ok = False
                ctx.report(
                    "E330",
                    "`then not` can only be the last step of a sequence",
                    step.span,
                    "a step after an event that did not happen has nothing to follow; "
                    "move the `then not` step to the end",
                )
            elif step.negated and within is None:
                ok = False
                ctx.report(
                    "E331",
                    f"`then not {step.event}` needs `within`",
                    step.span,
                    f"say how long to wait: `then not {step.event} within 1 day`",
                )
            if within is not None and within.amount == 0:
                ok = False
                ctx.report(
                    "E334",
                    f"no event follows within {within.amount} {within.unit}s",
                    within.span,
                    "a step is strictly later than the step before it; "
                    f"write at least `within 1 {within.unit}`",
                )
            if events is None:
                ok = False
                continue
            interval = (
                None
                if within is None
                else bound.Interval(Type.DURATION, within.amount, within.unit)
            )
            bound_steps.append(bound.Step(events, interval, step.negated))
        if not ok or first is None:
            return _poison()
        return bound.Sequence(Type.INTEGER, first, tuple(bound_steps), span)

    def sequence_elsewhere(self, node: ast.Sequence, ctx: RuleContext) -> bound.Expr:
        """A sequence outside `did` and `count`: E333."""
        return ctx.report(
            "E333",
            "only `did` and `count` take a sequence",
            node.span,
            "write `did A then B` or `count(A then B) >= 2`",
        )

    def _count_sequence(self, node: ast.Call, arg: ast.Sequence, ctx: RuleContext) -> bound.Expr:
        """`count(A(f) WINDOW then B ...)`: the events of A that the steps follow."""
        if node.name != "count":
            return ctx.report(
                "E333",
                f"`{node.name}` cannot take a sequence",
                arg.span,
                "only `count` does: the number of first events the steps follow, "
                "`count(A then B within 1 day)`",
            )
        target, window = _split_window(arg.first)
        named = _event_named(target)
        if named is None:
            return ctx.report(
                "E333",
                "a sequence starts with an event, not a property or a value",
                arg.first.span,
                "`count` of a sequence counts its first events: `count(A then B within 1 day)`",
            )
        first = self.event_set(*named, window, ctx)
        return self._sequence(first, arg.steps, arg.span, ctx)

    # ---- aggregates ----------------------------------------------------------------------

    def aggregate(self, node: ast.Call, ctx: RuleContext) -> bound.Expr:
        if len(node.args) != 1:
            return ctx.report(
                "E303",
                f"`{node.name}` takes one argument, not {len(node.args)}",
                node.span,
                f"e.g. `{node.name}(purchase within 90 days)`",
            )
        if isinstance(node.args[0], ast.Sequence):
            return self._count_sequence(node, node.args[0], ctx)
        target, window = _split_window(node.args[0])
        prop_name, prop_span = None, None
        if isinstance(target, ast.Attribute):
            prop_name, prop_span, target = target.name, target.name_span, target.base
        named = _event_named(target)
        if named is None:
            return ctx.report(
                "E302",
                f"`{node.name}` takes an event, e.g. `{node.name}(purchase.amount within 1 year)`",
                node.args[0].span,
            )
        events = self.event_set(*named, window, ctx)
        if events is None:
            return _poison()
        prop = None
        if prop_name is not None:
            prop = events.event.stream.properties.get(prop_name)
            if prop is None:
                return ctx.report(
                    "E207",
                    f"`{events.event.stream.name}` events have no property `{prop_name}`",
                    prop_span or node.span,
                    self._property_hint(prop_name, events.event.stream),
                )
        return self._aggregate_of(node, events, prop, ctx)

    def _aggregate_of(
        self, node: ast.Call, events: bound.EventSet, prop: Property | None, ctx: RuleContext
    ) -> bound.Expr:
        kind = node.name
        assert _is_aggregate_kind(kind)  # callers pass only the aggregate functions' names
        if kind in ("first", "last"):
            if prop is None:
                return bound.Aggregate(Type.TIMESTAMP, kind, events, None, node.span)
            return bound.Aggregate(
                prop.type,
                "last_value" if kind == "last" else "first_value",
                events,
                prop,
                node.span,
            )
        if kind == "count":
            return bound.Aggregate(Type.INTEGER, "count", events, prop, node.span)
        if prop is None:
            return ctx.report(
                "E303",
                f"`{kind}` needs a property",
                node.span,
                f"e.g. `{kind}({events.event.name}.amount)`",
            )
        if kind == "count_distinct":
            return bound.Aggregate(Type.INTEGER, kind, events, prop, node.span)
        allowed = _NUMERIC if kind in ("sum", "avg") else _ORDERED
        if prop.type not in allowed:
            return ctx.report(
                "E308",
                f"`{kind}` cannot aggregate the {prop.type} property `{prop.name}`",
                node.span,
                "sum and avg take numbers; count_distinct counts any values",
            )
        result = Type.FLOAT if kind == "avg" and prop.type != Type.DECIMAL else prop.type
        return bound.Aggregate(result, kind, events, prop, node.span)

    def population(self, node: ast.Call, ctx: RuleContext) -> bound.Expr:
        if len(node.args) != 1:
            return ctx.report("E303", f"`{node.name}` takes one argument", node.span)
        value = self.bind(node.args[0], ctx)
        if value.type == Type.NULL:
            return _poison()
        if value.type not in _NUMERIC:
            return ctx.report(
                "E302",
                f"`{node.name}` takes a number, not {article(value.type)}",
                node.args[0].span,
                "e.g. `percentile(ltv) >= 80`",
            )
        if _contains_population(value):
            return ctx.report(
                "E310",
                f"`{node.name}` cannot contain another population function",
                node.args[0].span,
            )
        kind = node.name
        assert _is_population_kind(kind)  # callers pass only `percentile` and `cume_share`
        return bound.Population(Type.FLOAT, kind, value)

    def bucket(self, node: ast.Call, ctx: RuleContext) -> bound.Expr:
        args = node.args
        if not 1 <= len(args) <= 2:
            return ctx.report(
                "E303",
                "`bucket` takes a count and an optional salt",
                node.span,
                'e.g. `bucket(100, "q4-holdout") < 5`',
            )
        count = args[0]
        if not isinstance(count, ast.Integer) or count.value < 1:
            return ctx.report(
                "E302",
                "`bucket` takes a whole number of buckets, at least 1",
                count.span,
                "e.g. `bucket(100)`",
            )
        salt = args[1] if len(args) == 2 else ast.String("", span=node.span)
        if not isinstance(salt, ast.String):
            return ctx.report(
                "E302",
                "the salt of `bucket` is a string literal",
                salt.span,
                'e.g. `bucket(100, "q4-holdout")`',
            )
        return bound.Apply(
            Type.INTEGER,
            "bucket",
            (bound.Const(Type.INTEGER, count.value), bound.Const(Type.STRING, salt.value)),
            node.span,
        )


def _event_named(target: ast.Expr) -> tuple[str, ast.Span, ast.Expr | None] | None:
    """The event's name, its place and its filter, in `E` or `E(filter)`; None otherwise."""
    if isinstance(target, ast.Name):
        return target.name, target.span, None
    if isinstance(target, ast.Call) and len(target.args) == 1:
        return target.name, target.name_span, target.args[0]
    return None


def _split_window(arg: ast.Expr) -> tuple[ast.Expr, ast.Window | None]:
    """`purchase.amount within 1 year` parses as a time test; inside an aggregate it is a window."""
    if isinstance(arg, ast.TimeTest):
        return arg.value, arg.window
    if isinstance(arg, ast.Between) and not arg.negated:
        return arg.value, ast.BetweenWindow(arg.low, arg.high, span=arg.span)
    return arg, None


def _contains_population(expr: bound.Expr) -> bool:
    if isinstance(expr, bound.Population):
        return True
    if isinstance(expr, bound.Apply):
        return any(_contains_population(a) for a in expr.args)
    return False


_PER_CUSTOMER_WORDS: dict[type, str] = {
    bound.Column: "a customer field",
    bound.ManyValue: "a customer field",
    bound.Any: "a customer field",
    bound.CountValues: "a customer field",
    bound.Aggregate: "an aggregate of the customer's events",
    bound.EventTest: "the customer's events",
    bound.Sequence: "the customer's events",
    bound.SegmentRef: "a segment",
    bound.SegmentationRef: "a segmentation",
    bound.SegmentHistory: "a segment's history",
    bound.Population: "a population function",
}


def _reads_customer(window: bound.TimeRange) -> bool:
    return any(
        side is not None and any(_per_customer(n) for n in bound.descendants(side))
        for side in (window.low, window.high)
    )


def _against_own_time(events: bound.EventSet, span: ast.Span | None) -> bound.Expr:
    """`did E(f) after X`, X the customer's own time: some E(f) event at or before *as of*
    is later than X, which is to say the last one is (`before X`: the first one is
    earlier). A missing X, or no such event, gives a missing side: the rule does not hold,
    as `t > X` holds for no event then (docs/semantics.md#events)."""
    window = events.window
    every = bound.EventSet(events.event, events.filter, bound.EVERYTHING)
    if window.low is not None:
        last = bound.Aggregate(Type.TIMESTAMP, "last", every, None, span)
        return compare(">" if window.low_strict else ">=", last, window.low)
    assert window.high is not None  # a one-sided window: `before X`
    first = bound.Aggregate(Type.TIMESTAMP, "first", every, None, span)
    return compare("<" if window.high_strict else "<=", first, window.high)


def _per_customer(node: bound.Expr) -> bool:
    """A node whose value differs from customer to customer (the customer's key in `bucket`)."""
    if isinstance(node, bound.Apply):
        return node.op == "bucket"
    return isinstance(node, tuple(_PER_CUSTOMER_WORDS))


def _poison() -> bound.Expr:
    return bound.POISON


def _is_aggregate_kind(name: str) -> TypeGuard[bound.AggregateKind]:
    return name in get_args(bound.AggregateKind)


def _is_population_kind(name: str) -> TypeGuard[bound.PopulationKind]:
    return name in get_args(bound.PopulationKind)


def _names(tree: ast.Expr) -> set[str]:
    """The plain names a condition reads (its fields, traits or properties)."""
    found: set[str] = set()
    todo: list[object] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Name):
            found.add(node.name)
        if isinstance(node, tuple):
            todo.extend(node)
        elif dataclasses.is_dataclass(node):
            todo.extend(getattr(node, f.name) for f in dataclasses.fields(node))
    return found
