"""A reference evaluator: what a rule means, computed in plain Python over rows in memory.

It exists to be compared with the SQL path (tests/test_reference.py, tests/test_properties.py),
so it shares nothing with it that could carry a mistake into both: it imports neither
sqlglot nor duckdb, nor segdsl.check or segdsl.lower. Of the operator table
(segdsl/operators/) it reads the rows' spellings and their meaning on Python values
(`evaluate`, segdsl/python_values.py), which the SQL path does not run on data; never
their SQL builders. Predicates are in segdsl/reference/predicates.py, behaviour (events,
aggregates, population) in segdsl/reference/events.py and the values it computes with in
segdsl/reference/values.py.

**It interprets the AST, not the bound tree.** The bound tree (segdsl/check/bound.py) is more
than names and types: the checker settles semantics there — `!=` becomes `not =`, a
timestamp against a date becomes a range of instants, a window becomes a `TimeRange`
with strict and non-strict ends, a predicate over a many-valued field becomes `Any`,
`ignoring case` becomes `lower(...)` on both sides, `did` becomes `count(...) >= 1`.
Lowering translates those shapes as they are, so a wrong shape would be wrong in both.
Here every rule of docs/semantics.md and docs/language.md is written again from the text:
names are resolved against the schema environment (the checker's input, not its
output), and the rule is assumed to check cleanly (the caller runs `check`).

Values are Python values: str, bool, int (integer), Fraction (decimal: exact),
float (float: IEEE double, as the type says), datetime.date, datetime.datetime
(naive, UTC), a (lat, lon) pair for geo, and None for missing. A condition is
always True or False (two-valued logic); a value may be None.

Where the language leaves a result undefined — `first(E.p)`/`last(E.p)` when events
tie on the time and disagree on `p` — evaluation raises `Undefined`, and
`evaluate` reports that customer as None rather than guessing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Protocol

from segdsl.document.environment import Environment, Field
from segdsl.document.files import SegmentationSource, SegmentSource
from segdsl.operators import FUNCTIONS, RULE_AGGREGATES, SPELLED
from segdsl.reference.events import BehaviourEvaluation
from segdsl.reference.predicates import operands, positive_test
from segdsl.reference.values import (
    Customer,
    Scope,
    Undefined,
    common_numbers,
    convert,
    shift,
)
from segdsl.syntax import ast
from segdsl.syntax.parser import parse_rule
from segdsl.types import Type


class Project(Protocol):
    """What the evaluator reads of a project (segdsl.project.Project has it): the schema
    environment and the rules as written."""

    @property
    def environment(self) -> Environment | None: ...
    @property
    def segments(self) -> Mapping[str, SegmentSource]: ...
    @property
    def segmentations(self) -> Mapping[str, SegmentationSource]: ...


Rows = Sequence[Mapping[str, Any]]
Data = Mapping[str, Rows]
Moves = Callable[[str, str, int, str], Collection[str]]
"""(`entered` or `left`, segment, amount, unit) → the keys, as text, that moved so in the
window: how the evaluator answers `entered`/`left segment` (docs/semantics.md#history)."""
"""The warehouse in memory: table name → rows, each a mapping of column name → value."""


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str


class Rules:
    """A project's rules as ASTs: segments, segmentations (buckets, else) and traits, each
    parsed on first use."""

    def __init__(
        self,
        env: Environment,
        segments: Mapping[str, str],
        segmentations: Mapping[str, tuple[tuple[tuple[str, str], ...], str | None]],
        traits: Mapping[str, str],
    ):
        self.env = env
        self.texts = segments
        self.segmentation_texts = segmentations
        self.trait_texts = traits
        self._parsed: dict[str, ast.Expr] = {}

    @classmethod
    def of(cls, project: Project) -> Rules:
        env = project.environment
        if env is None:
            raise ValueError("the project has no schema environment")
        segmentations = {}
        for name, source in project.segmentations.items():
            buckets = tuple(
                (bk.name, bk.rule.value) for bk in source.buckets if bk.rule is not None
            )
            otherwise = next((bk.name for bk in source.buckets if bk.rule is None), None)
            segmentations[name] = (buckets, otherwise)
        return cls(
            env,
            {n: s.where.value for n, s in project.segments.items()},
            segmentations,
            {n: t.value for n, t in env.traits.items()},
        )

    def parse(self, text: str) -> ast.Expr:
        if text not in self._parsed:
            self._parsed[text] = parse_rule(text)
        return self._parsed[text]

    def segment(self, name: str) -> ast.Expr:
        return self.parse(self.texts[name])

    def trait(self, name: str) -> ast.Expr:
        return self.parse(self.trait_texts[name])

    def buckets(self, name: str) -> tuple[list[tuple[str, ast.Expr]], str | None]:
        rules, otherwise = self.segmentation_texts[name]
        return [(bucket, self.parse(text)) for bucket, text in rules], otherwise


# ---- the public API ---------------------------------------------------------------------


def evaluate(
    project: Project | Rules, rule: str | ast.Expr, data: Data, as_of: dt.datetime
) -> dict[Any, bool | None]:
    """Customer key → whether the rule (its text or AST, or the named segment) holds; None
    where the language leaves it undefined."""
    rules = project if isinstance(project, Rules) else Rules.of(project)
    if isinstance(rule, str):
        rule = rules.segment(rule) if rule in rules.texts else rules.parse(rule)
    return Evaluator(rules, data, as_of).evaluate(rule)


def members(
    project: Project | Rules, rule_or_segment: str | ast.Expr, data: Data, as_of: dt.datetime
) -> set[Any]:
    """Keys of the customers for whom the rule (or the named segment) holds."""
    found = evaluate(project, rule_or_segment, data, as_of)
    undefined = [k for k, v in found.items() if v is None]
    if undefined:
        raise Undefined(f"the rule is undefined for customers {undefined}")
    return {key for key, holds in found.items() if holds}


def buckets(
    project: Project | Rules, segmentation: str, data: Data, as_of: dt.datetime
) -> dict[Any, str | None]:
    """Customer key → the segmentation's bucket (None: no bucket and no `else`)."""
    rules = project if isinstance(project, Rules) else Rules.of(project)
    evaluator = Evaluator(rules, data, as_of)
    return {c.key: evaluator.bucket_of(segmentation, c) for c in evaluator.customers}


class Evaluator(BehaviourEvaluation):
    """Evaluates rules of one project over one in-memory warehouse, as of one instant."""

    def __init__(self, rules: Rules, data: Data, as_of: dt.datetime, moves: Moves | None = None):
        self.rules = rules
        self.moves = moves
        self._moved: dict[ast.SegmentHistory, frozenset[str]] = {}
        self.env = rules.env
        self.as_of = as_of
        self.population_cache: dict[ast.Expr, dict[Any, Any]] = {}
        entity = self.env.entity
        self.customers = [self._customer(row) for row in data.get(entity.table, ())]
        by_key = {c.key: c for c in self.customers}
        for fld in entity.fields.values():
            if fld.many:
                for row in data.get(fld.table or "", ()):
                    owner = by_key.get(row.get(fld.key or ""))
                    value = convert(row.get(fld.column), fld.type)
                    if owner is not None and value is not None:  # a NULL value is no value
                        owner.values[fld.name].append(value)
        for stream in self.env.streams.values():
            for row in data.get(stream.table, ()):
                owner = by_key.get(row.get(stream.key))
                time = row.get(stream.time)
                if owner is not None and time is not None and time <= as_of:
                    owner.events[stream.name].append(row)
            for customer in self.customers:
                customer.events[stream.name].sort(key=operator.itemgetter(stream.time))

    def _customer(self, row: Mapping[str, Any]) -> Customer:
        many = [f.name for f in self.env.entity.fields.values() if f.many]
        return Customer(
            row[self.env.entity.key], row, {n: [] for n in many}, {s: [] for s in self.env.streams}
        )

    def evaluate(self, tree: ast.Expr) -> dict[Any, bool | None]:
        found: dict[Any, bool | None] = {}
        for customer in self.customers:
            try:
                found[customer.key] = self.truth(tree, Scope(customer))
            except Undefined:
                found[customer.key] = None
        return found

    # ---- conditions --------------------------------------------------------------------

    def truth(self, node: ast.Expr, scope: Scope) -> bool:
        """Two-valued: True exactly where the condition holds."""
        if isinstance(node, ast.And):
            return all(self.truth(item, scope) for item in node.items)
        if isinstance(node, ast.Or):
            return any(self.truth(item, scope) for item in node.items)
        if isinstance(node, ast.Not):
            return not self.truth(node.operand, scope)
        if isinstance(node, ast.InSegment):
            return self._segment(node.name, scope.customer)
        if isinstance(node, ast.SegmentHistory):
            return str(scope.customer.key) in self._moves(node)
        if isinstance(node, ast.Did):
            return self._did(node, scope)
        if isinstance(node, ast.Predicate):
            return self._predicate(node, scope)
        return self.value(node, scope) is True

    def _moves(self, node: ast.SegmentHistory) -> frozenset[str]:
        """The keys, as text, that moved so in the snapshots (docs/semantics.md#history):
        what `moves` says, asked once per clause."""
        if node not in self._moved:
            if self.moves is None or node.within is None:
                raise ValueError(f"`{node.moved} segment` needs the snapshots (`moves`)")
            within = node.within
            self._moved[node] = frozenset(
                self.moves(node.moved, node.name, within.amount, within.unit)
            )
        return self._moved[node]

    def _predicate(self, node: ast.Predicate, scope: Scope) -> bool:
        """Over a many-valued field a predicate holds when *some* value passes, and its negated
        form (`!=`, `not in`, `is not set`, ...) when *no* value does
        (docs/semantics.md#many-valued-fields)."""
        positive, negated = positive_test(self, node)
        fields = sorted({f.name for f in self._many_fields(node, scope)})
        if not fields:
            holds = positive(scope)
        else:
            (name,) = fields  # E307: one condition ranges over one many-valued field
            holds = any(
                positive(
                    Scope(scope.customer, scope.stream, scope.event, ((name, v), *scope.bound))
                )
                for v in scope.customer.values[name]
            )
        return not holds if negated else holds

    def _many_fields(self, node: ast.Predicate, scope: Scope) -> Iterable[Field]:
        """Many-valued fields a predicate's operands read, outside nested conditions."""
        if scope.stream is not None:
            return
        for child in operands(node):
            yield from self._fields_read(child)

    def _fields_read(self, node: ast.Expr) -> Iterable[Field]:
        if isinstance(node, ast.Name):
            fld = self.env.entity.fields.get(node.name)
            if fld is not None and fld.many:
                yield fld
        elif isinstance(node, ast.Call) and node.name not in (
            *RULE_AGGREGATES,
            "percentile",
            "cume_share",
        ):
            for arg in node.args:
                yield from self._fields_read(arg)
        elif isinstance(node, ast.Arith):
            yield from self._fields_read(node.left)
            yield from self._fields_read(node.right)
        elif isinstance(node, ast.Neg):
            yield from self._fields_read(node.operand)

    # ---- values ------------------------------------------------------------------------

    def value(self, node: ast.Expr, scope: Scope) -> Any:
        if isinstance(node, ast.String | ast.Boolean | ast.Integer | ast.Date | ast.Timestamp):
            return node.value
        if isinstance(node, ast.Decimal_):
            return Fraction(node.value)
        if isinstance(node, ast.Null):
            return None
        if isinstance(node, ast.Now):
            return self.as_of
        if isinstance(node, ast.Today):
            return self.as_of.date()
        if isinstance(node, ast.Duration):
            return Duration(node.amount, node.unit)
        if isinstance(node, ast.Ago):
            return shift(self.as_of, -node.duration.amount, node.duration.unit)
        if isinstance(node, ast.Name):
            return self._name(node.name, scope)
        if isinstance(node, ast.Neg):
            operand = self.value(node.operand, scope)
            return None if operand is None else -operand
        if isinstance(node, ast.Arith):
            return self._arith(node, scope)
        if isinstance(node, ast.Call):
            return self._call(node, scope)
        return self.truth(node, scope)  # a condition used as a value: yes or no, never missing

    def _name(self, name: str, scope: Scope) -> Any:
        if scope.stream is not None:  # inside an event filter every name is a property
            prop = scope.stream.properties[name]
            assert scope.event is not None
            return convert(scope.event.get(prop.column), prop.type)
        customer = scope.customer
        fld = self.env.entity.fields.get(name)
        if fld is not None:
            if fld.many:
                found, value = scope.binding(name)
                assert found, f"`{name}` outside a predicate"
                return value
            if fld.type == Type.GEO:
                lat, lon = customer.row.get(fld.lat or ""), customer.row.get(fld.lon or "")
                return None if lat is None or lon is None else (float(lat), float(lon))
            return convert(customer.row.get(fld.column), fld.type)
        if name in self.rules.trait_texts:
            key = ("trait", name)
            if key not in customer.cache:
                customer.cache[key] = self.value(self.rules.trait(name), Scope(customer))
            return customer.cache[key]
        if name in self.rules.segmentation_texts:
            return self.bucket_of(name, customer)
        raise KeyError(f"unknown name `{name}`")

    def _segment(self, name: str, customer: Customer) -> bool:
        key = ("segment", name)
        if key not in customer.cache:
            customer.cache[key] = self.truth(self.rules.segment(name), Scope(customer))
        result: bool = customer.cache[key]
        return result

    def bucket_of(self, name: str, customer: Customer) -> str | None:
        """The first bucket whose rule holds, else the `else` bucket (or missing)."""
        rules, otherwise = self.rules.buckets(name)
        for bucket, rule in rules:
            if self.truth(rule, Scope(customer)):
                return bucket
        return otherwise

    def _arith(self, node: ast.Arith, scope: Scope) -> Any:
        left, right = self.value(node.left, scope), self.value(node.right, scope)
        if left is None or right is None:
            return None
        if isinstance(right, Duration):
            return shift(left, right.amount if node.op == "+" else -right.amount, right.unit)
        if isinstance(left, Duration):
            return shift(right, left.amount, left.unit)
        if node.op == "/":  # always a float; by zero: missing (decision 8)
            return None if right == 0 else float(left) / float(right)
        left, right = common_numbers(left, right)
        evaluate = SPELLED[node.op].evaluate
        assert evaluate is not None
        return evaluate(left, right)

    # ---- functions -----------------------------------------------------------------------

    def _call(self, node: ast.Call, scope: Scope) -> Any:
        name, args = node.name, node.args
        if name == "count" and len(args) == 1 and isinstance(args[0], ast.Name):
            fld = self.env.entity.fields.get(args[0].name)
            if fld is not None and fld.many:  # distinct values, missing not counted
                return len(set(scope.customer.values[fld.name]))
        if name in RULE_AGGREGATES:
            return self._aggregate(node, scope.customer)
        if name in ("percentile", "cume_share"):
            return self._population(node, scope.customer)
        if name == "bucket":
            count = args[0]
            salt = args[1] if len(args) > 1 else ast.String("", span=node.span)
            assert isinstance(count, ast.Integer) and isinstance(salt, ast.String)
            text = f"{salt.value}:{scope.customer.key}"
            return int(hashlib.md5(text.encode()).hexdigest()[:8], 16) % count.value
        if name == "if":
            chosen = args[1] if self.truth(args[0], scope) else args[2]
            return self.value(chosen, scope)
        if name == "coalesce":
            for arg in args:
                found = self.value(arg, scope)
                if found is not None:
                    return found
            return None
        values = [self.value(a, scope) for a in args]
        if None in values:  # a function of a missing value is missing
            return None
        row = FUNCTIONS[name]
        assert row.evaluate is not None
        return row.evaluate(self.as_of, *values) if row.reads_as_of else row.evaluate(*values)
