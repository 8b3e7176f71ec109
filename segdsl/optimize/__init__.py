"""Bound tree in, bound tree out: every rewrite that exists for speed, as a named pass.

The checker (segdsl/check/) settles what a rule means; a pass keeps the members of every
rule and changes only how the statement computes them. Two lists name the passes that
run: `RULES_SET` for a statement of several segments (a column each) and `RULES_SINGLE`
for one segment's members. Most passes rewrite the tree node by node; a *shape* rewrites
nothing and tells lowering to build the statement in a faster form (`SHAPES`). With no
pass (`segdsl compile --no-optimize`), the statement is the plain translation of the
checked tree, which tells an optimizer bug from a semantic one. docs/performance.md#passes
says what each pass does and when it applies; tests/test_optimize.py runs every case with
no pass, each pass alone and all passes, and expects the same members.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from segdsl.check import bound
from segdsl.optimize import (
    anniversary,
    bounding_box,
    choices,
    existence,
    first_last,
    integer_runs,
    never,
    percentile_cuts,
    time_ranges,
)
from segdsl.optimize.walk import Rewrite, bottom_up


@dataclass(frozen=True)
class Context:
    """What a pass may read besides the tree: the statement's optimised segmentations, and
    *as of* when it is pinned (None: the clock at run time)."""

    segmentations: Mapping[str, bound.Segmentation]
    as_of: dt.datetime | None


@dataclass(frozen=True)
class Pass:
    name: str
    summary: str
    rewrite: Callable[[bound.Expr, Context], bound.Expr] | None  # None: a statement shape
    own_rule_only: bool = False  # only the single segment's own rule, not what it refers to


def _nodes(
    rewrite: Rewrite, fold_negation: bool = True
) -> Callable[[bound.Expr, Context], bound.Expr]:
    return lambda tree, context: bottom_up(tree, rewrite, fold_negation)


def _buckets(tree: bound.Expr, context: Context) -> bound.Expr:
    return bottom_up(
        tree, lambda node: choices.bucket_test(node, context.segmentations), fold_negation=False
    )


def _anniversaries(tree: bound.Expr, context: Context) -> bound.Expr:
    as_of = context.as_of
    if as_of is None:
        return tree
    return bottom_up(
        tree, lambda node: anniversary.anniversary_test(node, as_of), fold_negation=False
    )


TIME_RANGES = Pass(
    "time_ranges",
    "year(t) and days_since(t) against a whole number as a range of t",
    _nodes(time_ranges.as_range),
)
BOUNDING_BOX = Pass(
    "bounding_box",
    "distance_km(...) <= r behind a latitude/longitude box",
    _nodes(bounding_box.box),
)
EXISTENCE = Pass(
    "existence",
    "max/min against a constant, and count of a many-valued field "
    "against 0 or 1, as the existence test they are",
    _nodes(existence.as_existence),
)
CHOICES = Pass(
    "choices",
    "an if-chain of constants compared with constants as the conditions that lead there",
    _nodes(choices.choice_test),
)
INTEGER_RUNS = Pass(
    "integer_runs", "`in` a run of whole numbers as a range", _nodes(integer_runs.as_range)
)
SEGMENTATION_BUCKETS = Pass(
    "segmentation_buckets",
    "a segmentation compared with bucket names as the buckets' rules",
    _buckets,
)
ANNIVERSARIES = Pass(
    "anniversaries",
    "next_anniversary(x) against a date, with *as of* pinned, as tests of x's month and day",
    _anniversaries,
)
FALSE_OVER_NO_EVENTS = Pass(
    "false_over_no_events",
    "no 0 default for a count or sum whose comparison is false at 0 (a missing value fails alike)",
    None,
)
FIRST_LAST = Pass(
    "first_last",
    "first(E)/last(E) against a time that is the same for everyone as did E from then on",
    lambda tree, context: first_last.since(tree),
    own_rule_only=True,
)
NEVER = Pass(
    "never",
    "not did E, an item of the rule, as an anti-join",
    lambda tree, context: never.never(tree),
    own_rule_only=True,
)
PERCENTILE_CUTS = Pass(
    "percentile_cuts",
    "percentile(x) against a constant as x against the least x that passes",
    _nodes(percentile_cuts.cut),
)
CORRELATED_VALUES = Pass(
    "correlated_values",
    "tests on a many-valued field as EXISTS "
    "subqueries (a semi-join) instead of a grouped side table",
    None,
)
ONE_SCAN_PER_STREAM = Pass(
    "one_scan_per_stream",
    "a stream read over all its history computes its windowed aggregates in the same scan",
    None,
)
UNION_BRANCHES = Pass(
    "union_branches",
    "an `or` that asks about a many-valued field as a UNION ALL of its branches",
    None,
)
DRIVING_GROUPS = Pass(
    "driving_groups", "start from the event rows without which the rule cannot hold", None
)

RULES_SET: tuple[Pass, ...] = (
    TIME_RANGES,
    BOUNDING_BOX,
    EXISTENCE,
    CHOICES,
    INTEGER_RUNS,
    SEGMENTATION_BUCKETS,
    ANNIVERSARIES,
    FALSE_OVER_NO_EVENTS,
)
RULES_SINGLE: tuple[Pass, ...] = (
    TIME_RANGES,
    BOUNDING_BOX,
    EXISTENCE,
    CHOICES,
    INTEGER_RUNS,
    FIRST_LAST,
    NEVER,
    PERCENTILE_CUTS,
    SEGMENTATION_BUCKETS,
    ANNIVERSARIES,
    FALSE_OVER_NO_EVENTS,
    CORRELATED_VALUES,
    ONE_SCAN_PER_STREAM,
    UNION_BRANCHES,
    DRIVING_GROUPS,
)
PASSES: Mapping[str, Pass] = {p.name: p for p in RULES_SINGLE}
SHAPES = frozenset(p.name for p in RULES_SINGLE if p.rewrite is None)


@dataclass(frozen=True)
class Program:
    """The checked segments and segmentations of a project, or one statement's optimised
    form of them; `shapes` are the statement shapes lowering may use."""

    segments: Mapping[str, bound.Expr]
    segmentations: Mapping[str, bound.Segmentation]
    shapes: frozenset[str] = field(default=frozenset())


def optimize(
    program: Program,
    rules: Sequence[Pass],
    own: str | None = None,
    as_of: dt.datetime | None = None,
) -> Program:
    """`program` with `rules` applied, in their order, to every segment's rule and every
    bucket's rule; passes marked `own_rule_only` apply to the rule of segment `own` only."""
    rewrites = [p for p in rules if p.rewrite is not None]
    done: dict[str, bound.Segmentation] = {}
    context = Context(done, as_of)

    def run(tree: bound.Expr, own_rule: bool) -> bound.Expr:
        for rule in rewrites:
            if rule.rewrite is not None and (own_rule or not rule.own_rule_only):
                tree = rule.rewrite(tree, context)
        return tree

    for name in _in_order(program.segmentations):
        segmentation = program.segmentations[name]
        done[name] = bound.Segmentation(
            tuple((bucket, run(rule, False)) for bucket, rule in segmentation.buckets),
            segmentation.otherwise,
        )
    segments = {name: run(tree, name == own) for name, tree in program.segments.items()}
    return Program(segments, done, frozenset(p.name for p in rules if p.rewrite is None))


def _in_order(segmentations: Mapping[str, bound.Segmentation]) -> list[str]:
    """The segmentations, each after those its rules compare with bucket names."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen:
            return
        seen.add(name)  # the checker has refused cycles
        for _, rule in segmentations[name].buckets:
            for ref in _segmentation_refs(rule):
                if ref in segmentations:
                    visit(ref)
        order.append(name)

    for name in segmentations:
        visit(name)
    return order


def _segmentation_refs(node: bound.Expr) -> list[str]:
    found: list[str] = []

    def walk(child: bound.Expr) -> bound.Expr:
        if isinstance(child, bound.SegmentationRef):
            found.append(child.name)
        return bound.map_children(child, walk)

    walk(node)
    return found
