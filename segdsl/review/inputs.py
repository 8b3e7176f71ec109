"""The values that decided a clause for one customer: the fields and traits it reads, its
aggregates (`count(add_to_cart within 7 days)` for a `did`), its window's bounds and the
bucket of a segmentation it names.

The lowering selects conditions, not values, so these come from the reference evaluator
(segdsl/reference), run over that customer's rows alone: one `SELECT * ... WHERE key = K`
per table that schema.yaml maps (the customers table, side tables, event tables), in the
warehouse's dialect and as read-only as a run. A population function (`percentile`,
`cume_share`) needs every customer, so neither it nor a trait that uses one is shown.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

from sqlglot import exp

from segdsl import reference
from segdsl.emit import to_sql
from segdsl.execute import read_rows
from segdsl.lower.groups import warehouse_table
from segdsl.operators import RULE_AGGREGATES
from segdsl.reference.values import Scope, shift
from segdsl.review.protocol import Reviewed
from segdsl.syntax import ast
from segdsl.syntax.parser import event_set_end, parse_rule

_POPULATION = ("percentile", "cume_share")


class CustomerInputs:
    """The reference evaluator over one customer's rows, as of the explanation's instant."""

    def __init__(
        self, project: Reviewed, warehouse: Path | str | Any, key: Any, as_of: dt.datetime
    ):
        env = project.environment
        assert env is not None  # the project checked cleanly
        tables = {env.entity.table: env.entity.key}
        tables |= {f.table: f.key for f in env.entity.fields.values() if f.table and f.key}
        tables |= {s.table: s.key for s in env.streams.values()}
        place = project.resolve_warehouse(warehouse)
        literal = (
            exp.Literal.number(key)
            if isinstance(key, int) and not isinstance(key, bool)
            else exp.Literal.string(str(key))
        )
        statements = [
            to_sql(
                exp.select(exp.Star())
                .from_(warehouse_table(table, "t"))
                .where(exp.EQ(this=exp.column(column, table="t"), expression=literal)),
                place.dialect,
                pretty=False,
            )
            for table, column in tables.items()
        ]
        data = {
            table: [dict(zip(names, row, strict=True)) for row in rows]
            for table, (names, rows) in zip(tables, read_rows(place, statements), strict=True)
        }
        self.rules = reference.Rules.of(project)
        self.evaluator = reference.Evaluator(self.rules, data, as_of)
        self.customer = self.evaluator.customers[0]  # the one whose row the result has
        self.as_of = as_of

    def of(self, clause: ast.Expr, text: str) -> dict[str, Any]:
        """Name (or the aggregate as written) → its value for the customer."""
        found: dict[str, Any] = {}
        for name, value in self._inputs(clause, text):
            found.setdefault(name, _plain(value))
        return found

    def _inputs(self, node: ast.Expr, text: str) -> Iterator[tuple[str, Any]]:
        scope = Scope(self.customer)
        env = self.evaluator.env
        if isinstance(node, ast.Name):
            field = env.entity.fields.get(node.name)
            if field is not None and field.many:
                yield node.name, sorted(self.customer.values[node.name], key=str)
            elif field is not None or (
                node.name in env.traits and not self._uses_population(self.rules.trait(node.name))
            ):
                yield node.name, self.evaluator.value(node, scope)
            elif node.name in self.rules.segmentation_texts:
                yield node.name, self.evaluator.bucket_of(node.name, self.customer)
        elif isinstance(node, ast.Call) and node.name in RULE_AGGREGATES:
            written = text[node.span.start : node.span.end]
            yield " ".join(written.split()), self.evaluator.value(node, scope)
        elif isinstance(node, ast.Did):
            yield from self._counts(node, text, scope)
            yield from self._window(node.window, scope)
        elif isinstance(node, ast.TimeTest):
            yield from self._inputs(node.value, text)
            yield from self._window(node.window, scope)
        elif isinstance(node, ast.SegmentHistory):  # the snapshots read: those in the window
            if node.within is not None:
                yield from self._window(ast.WithinLast(node.within, span=node.span), scope)
        elif not (isinstance(node, ast.Call) and node.name in _POPULATION) and not isinstance(
            node, ast.InSegment
        ):
            for child in _children(node):
                yield from self._inputs(child, text)

    def _counts(self, did: ast.Did, text: str, scope: Scope) -> Iterator[tuple[str, Any]]:
        """`did`'s events counted (its frequency aside), and for a sequence the count after
        each step, its reach: `count(view)`, `count(view then cart within 1 day)`, ...

        Each count is parsed from the text as written, its parts joined by line breaks (a
        `#` comment in a part ends at its line, not at the closing parenthesis); its name is
        that text on one line."""
        head = text[did.event_span.start : event_set_end(did, text)]
        if did.window is not None:
            head += "\n" + text[did.window.span.start : did.window.span.end]
        parts = [head, *(text[step.span.start : step.span.end] for step in did.steps)]
        for k in range(1, len(parts) + 1):
            written = "\n".join(parts[:k])
            counted = self.evaluator.value(parse_rule(f"count({written}\n)"), scope)
            yield f"count({' '.join(written.split())})", counted

    def _window(self, window: ast.Window | None, scope: Scope) -> Iterator[tuple[str, Any]]:
        """The window's ends, measured from *as of*; None where it is open."""
        if isinstance(window, ast.WithinLast):
            d = window.duration
            yield "window", [shift(self.as_of, -d.amount, d.unit), self.as_of]
        elif isinstance(window, ast.WithinNext):
            d = window.duration
            yield "window", [self.as_of, shift(self.as_of, d.amount, d.unit)]
        elif isinstance(window, ast.Before):
            yield "window", [None, self.evaluator.value(window.bound, scope)]
        elif isinstance(window, ast.After):
            yield "window", [self.evaluator.value(window.bound, scope), None]
        elif isinstance(window, ast.BetweenWindow):
            low, high = (self.evaluator.value(b, scope) for b in (window.low, window.high))
            yield "window", [low, high]

    def _uses_population(self, tree: ast.Expr) -> bool:
        if isinstance(tree, ast.Call) and tree.name in _POPULATION:
            return True
        if isinstance(tree, ast.Name) and tree.name in self.rules.trait_texts:
            return self._uses_population(self.rules.trait(tree.name))
        return any(self._uses_population(child) for child in _children(tree))


def _children(node: ast.Expr) -> Iterator[ast.Expr]:
    for item in dataclasses.fields(node):
        value = getattr(node, item.name)
        for child in value if isinstance(value, tuple) else (value,):
            if isinstance(child, ast.Node):
                yield child  # type: ignore[misc]  # every Node of a rule is an Expr or part of one


def _plain(value: Any) -> Any:
    """A value as JSON holds it: exact decimals as numbers, times as ISO text."""
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
