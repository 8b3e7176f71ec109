"""Behaviour for the reference evaluator (segdsl/reference/): a customer's events of one
name, through a filter and a window, their aggregates, and the population values
`percentile` and `cume_share` (docs/semantics.md#events to #percentile-and-cume_share).
A mixin of the Evaluator, as segdsl/check/events.py is of the Checker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from segdsl.document.environment import Environment, Event, Stream
from segdsl.python_values import day_of
from segdsl.reference.values import (
    Customer,
    Descending,
    Scope,
    Undefined,
    compare,
    convert,
    shift,
    sum_numbers,
    sum_values,
)
from segdsl.syntax import ast
from segdsl.types import Type


class BehaviourEvaluation:
    """Evaluation of `did`, aggregates and population functions; `self` is an Evaluator."""

    if TYPE_CHECKING:
        env: Environment
        as_of: dt.datetime
        customers: list[Customer]
        population_cache: dict[ast.Expr, dict[Any, Any]]

        def truth(self, node: ast.Expr, scope: Scope) -> bool: ...

        def value(self, node: ast.Expr, scope: Scope) -> Any: ...

    # ---- behaviour -------------------------------------------------------------------------

    def _events(
        self,
        event_name: str,
        condition: ast.Expr | None,
        window: ast.Window | None,
        customer: Customer,
    ) -> tuple[Stream, list[Mapping[str, Any]]]:
        """The customer's events of that name, passing the filter, inside the window (and never
        after as of: those were dropped when the rows were loaded)."""
        event = self._event(event_name)
        stream = event.stream
        chosen = []
        for row in customer.events[stream.name]:
            if event.value is not None and row.get(stream.name_column or "") != event.value:
                continue
            if window is not None and not self._in_window(
                row[stream.time], window, Scope(customer)
            ):
                continue
            if condition is not None and not self.truth(condition, Scope(customer, stream, row)):
                continue
            chosen.append(row)
        return stream, chosen

    def _event(self, name: str) -> Event:
        events = self.env.events()
        if name in events:
            return events[name]
        return Event(name, self.env.streams[name], None)  # a stream's own name: all its rows

    def _in_window(self, t: Any, window: ast.Window, scope: Scope) -> bool:
        """`within` and `between` include both ends; `before` and `after` are strict; a date
        bound takes its whole day; a date value compares by dates everywhere
        (docs/semantics.md#time-windows)."""
        if t is None:
            return False
        if isinstance(window, ast.WithinLast | ast.WithinNext):
            d = window.duration
            sign = -1 if isinstance(window, ast.WithinLast) else 1
            edge = shift(self.as_of, sign * d.amount, d.unit)
            low, high = (edge, self.as_of) if sign < 0 else (self.as_of, edge)
            if not isinstance(t, dt.datetime):  # a date: from one date to the other
                low, high = day_of(low), day_of(high)
            return bool(low <= t <= high)
        if isinstance(window, ast.Before):
            return compare("<", t, self.value(window.bound, scope))
        if isinstance(window, ast.After):
            return compare(">", t, self.value(window.bound, scope))
        return compare(">=", t, self.value(window.low, scope)) and compare(
            "<=", t, self.value(window.high, scope)
        )

    def _did(self, node: ast.Did, scope: Scope) -> bool:
        if node.steps:
            return self._followed(node.event, node.filter, node.window, node.steps, scope) >= 1
        _, events = self._events(node.event, node.filter, node.window, scope.customer)
        if node.frequency is None:
            return len(events) >= 1
        return compare(node.frequency.op, len(events), node.frequency.count)

    def _followed(
        self,
        event_name: str,
        condition: ast.Expr | None,
        window: ast.Window | None,
        steps: tuple[ast.Step, ...],
        scope: Scope,
    ) -> int:
        """How many of the customer's events of the first step are followed by every step in
        turn: some event of the step strictly later than the one before and, with `within D`,
        at most D later; for `then not`, none such (docs/semantics.md#sequences)."""
        customer = scope.customer
        stream, firsts = self._events(event_name, condition, window, customer)
        later = [self._events(s.event, s.filter, None, customer) for s in steps]

        def follows(index: int, before: Any) -> bool:
            if index == len(steps):
                return True
            step = steps[index]
            step_stream, rows = later[index]
            latest = None
            if step.within is not None:
                latest = shift(before, step.within.amount, step.within.unit)
            found = any(
                row[step_stream.time] > before
                and (latest is None or row[step_stream.time] <= latest)
                and follows(index + 1, row[step_stream.time])
                for row in rows
            )
            return not found if step.negated else found

        return sum(1 for row in firsts if follows(0, row[stream.time]))

    def _aggregate(self, node: ast.Call, customer: Customer) -> Any:
        if isinstance(node.args[0], ast.Sequence):  # `count(A then B ...)`
            sequence = node.args[0]
            target, window = _split_window(sequence.first)
            if isinstance(target, ast.Name):
                name, condition = target.name, None
            else:
                assert isinstance(target, ast.Call)
                name, condition = target.name, target.args[0]
            return self._followed(name, condition, window, sequence.steps, Scope(customer))
        target, window = _split_window(node.args[0])
        prop_name = None
        if isinstance(target, ast.Attribute):
            prop_name, target = target.name, target.base
        if isinstance(target, ast.Name):
            event_name, condition = target.name, None
        else:
            assert isinstance(target, ast.Call)
            event_name, condition = target.name, target.args[0]
        stream, events = self._events(event_name, condition, window, customer)
        kind = node.name
        times = [row[stream.time] for row in events]
        if prop_name is None:
            if kind == "count":
                return len(events)
            if kind in ("first", "last"):
                return (min if kind == "first" else max)(times, default=None)
            raise AssertionError(f"`{kind}` needs a property")
        prop = stream.properties[prop_name]
        values = [convert(row.get(prop.column), prop.type) for row in events]
        present = [v for v in values if v is not None]
        if kind in ("first", "last"):  # the property on that event, even when missing there
            if not events:
                return None
            edge = (min if kind == "first" else max)(times)
            candidates = {v for v, t in zip(values, times, strict=True) if t == edge}
            if len(candidates) > 1:
                raise Undefined(f"{kind}({event_name}.{prop_name}): events tie at {edge}")
            return values[times.index(edge)]
        if kind == "count":
            return len(present)
        if kind == "count_distinct":
            return len(set(present))
        if kind == "sum":
            return sum_values(present, prop.type)
        if not present:
            return None
        if kind == "avg":  # of a decimal, a decimal; of an integer or float, a float
            total = sum_values(present, prop.type)
            return (
                Fraction(total) / len(present)
                if prop.type == Type.DECIMAL
                else float(total) / len(present)
                if prop.type == Type.FLOAT
                else float(Fraction(total, len(present)))
            )
        return (min if kind == "min" else max)(present)

    # ---- population ------------------------------------------------------------------------

    def _population(self, node: ast.Call, customer: Customer) -> Any:
        values = self.population_cache.get(node)
        if values is None:
            values = self._population_values(node)
            self.population_cache[node] = values
        return values[customer.key]

    def _population_values(self, node: ast.Call) -> dict[Any, Any]:
        """percentile: 100 × (customers with a smaller x) / (customers with any x);
        cume_share: x descending, ties by key ascending, 100 × running total / total;
        a missing x gives a missing value, and a total of 0 gives missing for everyone."""
        xs = {c.key: self.value(node.args[0], Scope(c)) for c in self.customers}
        present = {k: x for k, x in xs.items() if x is not None}
        found: dict[Any, Any] = dict.fromkeys(xs)
        if node.name == "percentile":
            for key, x in present.items():
                smaller = sum(1 for y in present.values() if compare("<", y, x))
                found[key] = float(Fraction(100 * smaller, len(present)))
            return found
        total = sum_numbers(present.values())
        if total == 0:
            return found
        ranked = sorted(present, key=lambda k: (Descending(present[k]), k))
        running: Any = 0
        for key in ranked:
            running = sum_numbers([running, present[key]])
            found[key] = (
                float(100 * Fraction(running) / Fraction(total))
                if not isinstance(total, float)
                else 100.0 * running / total
            )
        return found


def _split_window(arg: ast.Expr) -> tuple[ast.Expr, ast.Window | None]:
    """`purchase.amount within 1 year` reads as a time test; inside an aggregate, a window."""
    if isinstance(arg, ast.TimeTest):
        return arg.value, arg.window
    if isinstance(arg, ast.Between) and not arg.negated:
        return arg.value, ast.BetweenWindow(arg.low, arg.high, span=arg.span)
    return arg, None
