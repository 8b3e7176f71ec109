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
    traits: dict[str, bound.Expr] = field(default_factory=dict)
    segmentations: dict[str, tuple[tuple[tuple[str, bound.Expr], ...], str | None]] = field(
        default_factory=dict
    )
    diagnostics: list[Diagnostic] = field(default_factory=list)
    references: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """The names each segment and segmentation refers to directly, each once, broken
    rules' too (`+NAME` selects them, `ls` lists them)."""


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
        self.trait_depth = 0  # traits being bound, one inside the other
        self.heights: dict[str, int] = {}  # a bound trait's chain: itself and the traits inside
        self.tallest: list[int] = []  # per trait being bound, the tallest trait it used so far
        self.beyond: set[str] = set()  # traits first met past MAX_TRAIT_DEPTH (E311)
        self.quiet_depth = False  # binding the rest of a chain already refused with E311
        self.texts: dict[str, list[Text]] = {}  # each segment's and segmentation's rules
        self.references: References = {}
        buckets = {
            name: tuple(bk.name for bk in seg.buckets) for name, seg in loaded.segmentations.items()
        }
        self.checker = Checker(env, set(loaded.segments), buckets, self.trait_tree)

    def run(self) -> Checked:
        for name in self.env.traits:
            self.quiet_depth = name in self.beyond
            tree = self.trait_tree(name)
            if tree is not None and tree is not POISON and tree is not bound.TOO_DEEP:
                self.checked.traits[name] = tree  # `run --measure`/`--with` read them
        self.quiet_depth = False
        for name, segment in self.loaded.segments.items():
            tree = self.check_rule(name, segment.where)
            if tree is not None:
                self.checked.segments[name] = tree
        for name, segmentation in self.loaded.segmentations.items():
            self.check_segmentation(name, segmentation)
        self.checked.references = {
            name: tuple(dict.fromkeys(ref for ref, _, _ in refs))
            for name, refs in self.references.items()
        }
        cycles = _cycles(self.references)
        self.checked.diagnostics.extend(cycles)
        if not cycles:
            self.refuse_oversized()
        return self.checked

    def refuse_oversized(self) -> None:
        """E312/E313 at each rule that, with its traits and `in segment` references written
        out, grows past what the later stages and the engines can take
        (docs/performance.md#supported-sizes); it is left out of the checked rules, so no
        stage after the checker ever walks it. A chain of such rules is reported once, at
        the rules that no other refused rule refers to: the others are inside them."""
        segments, segmentations = self.checked.segments, self.checked.segmentations

        def target(node: bound.Expr) -> list[bound.Expr]:
            if isinstance(node, bound.SegmentRef) and node.name in segments:
                return [segments[node.name]]
            if isinstance(node, bound.SegmentationRef) and node.name in segmentations:
                return [rule for _, rule in segmentations[node.name][0]]
            return []

        memo: dict[int, tuple[int, int]] = {}
        refused: dict[str, Diagnostic] = {}
        owned = [(name, [tree]) for name, tree in segments.items()] + [
            (name, [rule for _, rule in buckets]) for name, (buckets, _) in segmentations.items()
        ]
        for name, trees in owned:
            for tree, text in zip(trees, self.texts[name], strict=False):
                nodes, depth = bound.expanded(tree, target, memo)
                where = text.location(ast.Span(0, len(text.value)))
                if nodes > bound.MAX_EXPANDED_NODES:
                    message = (
                        f"`{name}` expands to {nodes:,} nodes with its traits and segments "
                        f"written out; the limit is {bound.MAX_EXPANDED_NODES:,}"
                    )
                    code, hint = (
                        "E312",
                        (
                            "a trait or segment used several times is written out at each use: "
                            "use it fewer times, or compute it in the warehouse"
                        ),
                    )
                elif depth > bound.MAX_EXPANDED_DEPTH:
                    message = (
                        f"`{name}` nests {depth} levels deep with its traits and segments "
                        f"written out; the limit is {bound.MAX_EXPANDED_DEPTH}"
                    )
                    code, hint = "E313", ("shorten the chain of `in segment` references and traits")
                else:
                    continue
                refused[name] = Diagnostic(code, message, where, hint)
                break
        inside = {ref for name in refused for ref, _, _ in self.references.get(name, [])}
        self.checked.diagnostics.extend(d for n, d in refused.items() if n not in inside)
        for name in refused:
            segments.pop(name, None)
            segmentations.pop(name, None)

    def trait_tree(self, name: str) -> bound.Expr | None:
        """The trait's bound tree, bound once. A chain deeper than MAX_TRAIT_DEPTH is E311
        wherever it is first met, whichever trait is listed first: binding stops that deep
        (the rest is bound later, quietly), and a trait bound earlier counts with its own
        height, so a chain listed innermost first is refused as one listed outermost first."""
        if name in self.traits:
            known = self.traits[name]
            height = self.heights.get(name, 0)  # none while in progress (a cycle)
            if known is not POISON and self.trait_depth + height > bound.MAX_TRAIT_DEPTH:
                return bound.TOO_DEEP
            self._used(height)
            return known
        if self.trait_depth >= bound.MAX_TRAIT_DEPTH:
            self.beyond.add(name)
            return bound.TOO_DEEP  # left unbound: the trait that uses it reports E311
        self.traits[name] = None  # in progress: a use from inside is a cycle
        text = self.env.traits[name]
        ctx = RuleContext()
        tree = _parse(text, ctx)
        self.trait_depth += 1
        self.checker.in_trait = True
        self.tallest.append(0)
        try:
            result = self.checker.check_value(tree, ctx) if tree is not None else POISON
        finally:
            self.trait_depth -= 1
            self.checker.in_trait = self.trait_depth > 0
            self.heights[name] = 1 + self.tallest.pop()
            self._used(self.heights[name])
        for _reference, span in ctx.references:
            ctx.report(
                "E211",
                "a trait cannot refer to segments or segmentations",
                span,
                "use the segment in the rule instead",
            )
        self.traits[name] = POISON if ctx.problems else result
        if self.quiet_depth:  # the rest of a chain: E311 was reported where it began
            ctx.problems = [p for p in ctx.problems if p.code != "E311"]
        self.report(text, ctx)
        return self.traits[name]

    def _used(self, height: int) -> None:
        if self.tallest:
            self.tallest[-1] = max(self.tallest[-1], height)

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
        self.texts.setdefault(owner, []).append(text)
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
