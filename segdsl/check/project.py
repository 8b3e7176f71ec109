"""A loaded project → checked trees of its segments and segmentations, with every problem.

Traits are bound once, on first use, and may not refer to segments; segments and
segmentations may refer to each other, so their references are collected while
checking and a cycle among them is reported where it closes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from segdsl.check import bound
from segdsl.check.checker import POISON, Checker
from segdsl.check.context import RuleContext
from segdsl.diagnostics import Diagnostic
from segdsl.document.environment import Environment
from segdsl.document.files import Loaded, SegmentationSource
from segdsl.document.source import Text
from segdsl.syntax import ast
from segdsl.syntax.parser import parse_rule
from segdsl.syntax.problems import RuleProblem

References = dict[str, list[tuple[str, Text, RuleProblem]]]
"""Each segment's or segmentation's references to others, placed for an E204."""


@dataclass
class Checked:
    """Checked trees of every segment, segmentation and trait that checked cleanly."""

    segments: dict[str, bound.Expr] = field(default_factory=dict)
    segmentations: dict[str, tuple[tuple[tuple[str, bound.Expr], ...], str | None]] = field(
        default_factory=dict
    )
    diagnostics: list[Diagnostic] = field(default_factory=list)


def check_project(loaded: Loaded) -> Checked:
    """Every segment and segmentation checked against the environment, with every problem
    of the project's files (none checked when the environment could not be read)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))  # the checker recurses once per nesting level
    try:
        if loaded.environment is None:
            return Checked(diagnostics=list(loaded.diagnostics))
        return _ProjectChecks(loaded, loaded.environment).run()
    finally:
        sys.setrecursionlimit(limit)


class _ProjectChecks:
    """One run over a loaded project: the traits bound so far and the references found."""

    def __init__(self, loaded: Loaded, env: Environment):
        self.loaded = loaded
        self.env = env
        self.checked = Checked(diagnostics=list(loaded.diagnostics))
        self.traits: dict[str, bound.Expr | None] = {}
        self.references: References = {}
        buckets = {
            name: tuple(bk.name for bk in seg.buckets) for name, seg in loaded.segmentations.items()
        }
        self.checker = Checker(env, set(loaded.segments), buckets, self.trait_tree)

    def run(self) -> Checked:
        for name in self.env.traits:
            self.trait_tree(name)
        for name, segment in self.loaded.segments.items():
            tree = self.check_rule(name, segment.where)
            if tree is not None:
                self.checked.segments[name] = tree
        for name, segmentation in self.loaded.segmentations.items():
            self.check_segmentation(name, segmentation)
        self.checked.diagnostics.extend(_cycles(self.references))
        return self.checked

    def trait_tree(self, name: str) -> bound.Expr | None:
        if name in self.traits:
            return self.traits[name]
        self.traits[name] = None  # in progress: a use from inside is a cycle
        text = self.env.traits[name]
        ctx = RuleContext()
        tree = _parse(text, ctx)
        result = self.checker.check_value(tree, ctx) if tree is not None else POISON
        for _reference, span in ctx.references:
            ctx.report(
                "E211",
                "a trait cannot refer to segments or segmentations",
                span,
                "use the segment in the rule instead",
            )
        self.report(text, ctx)
        self.traits[name] = POISON if ctx.problems else result
        return self.traits[name]

    def check_rule(self, owner: str, text: Text) -> bound.Expr | None:
        ctx = RuleContext()
        tree = _parse(text, ctx)
        try:
            result = self.checker.check_condition(tree, ctx) if tree is not None else None
        except RecursionError:
            result = ctx.report(
                "E107",
                "the rule nests too deeply",
                ast.Span(0, len(text.value)),
                "split it into segments and combine them with `in segment`",
            )
        self.report(text, ctx)
        self.references.setdefault(owner, []).extend(
            (ref, text, RuleProblem("E204", "", span)) for ref, span in ctx.references
        )
        return None if ctx.problems else result

    def check_segmentation(self, name: str, segmentation: SegmentationSource) -> None:
        rules: list[tuple[str, bound.Expr]] = []
        otherwise = None
        for bucket in segmentation.buckets:
            if bucket.rule is None:
                otherwise = bucket.name
                continue
            tree = self.check_rule(name, bucket.rule)
            if tree is not None:
                rules.append((bucket.name, tree))
        if len(rules) == sum(bk.rule is not None for bk in segmentation.buckets):
            self.checked.segmentations[name] = (tuple(rules), otherwise)

    def report(self, text: Text, ctx: RuleContext) -> None:
        self.checked.diagnostics.extend(
            Diagnostic(problem.code, problem.message, text.location(problem.span), problem.hint)
            for problem in ctx.problems
        )


def _parse(text: Text, ctx: RuleContext) -> ast.Expr | None:
    try:
        return parse_rule(text.value)
    except RuleProblem as problem:
        ctx.problems.append(problem)
        return None


def _cycles(references: References) -> list[Diagnostic]:
    """E204 at every reference that closes a cycle of segments and segmentations."""
    found: list[Diagnostic] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for ref, text, problem in references.get(name, []):
            if state.get(ref) == 1:
                loop = stack[stack.index(ref) :] + [ref]
                found.append(
                    Diagnostic(
                        "E204",
                        f"`{name}` refers to itself: {' → '.join(loop)}",
                        text.location(problem.span),
                        "break the cycle: a segment cannot depend on itself",
                    )
                )
            elif ref not in state:
                visit(ref)
        stack.pop()
        state[name] = 2

    for name in references:
        if name not in state:
            visit(name)
    return found
