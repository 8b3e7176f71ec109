"""A segdsl project: its files loaded and checked, ready to compile and run.

This is the Python API (`segdsl.load`). It drives the stages in order — document,
syntax, check, then on demand lower/emit/execute — and turns every problem into a
`Diagnostic` placed in its file. Lowering and execution are imported only when
used, so `check` loads neither sqlglot nor duckdb.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from segdsl.check import bound
from segdsl.check.checker import POISON, Checker
from segdsl.check.context import RuleContext
from segdsl.diagnostics import Diagnostic, SegdslError, did_you_mean
from segdsl.document.environment import Entity, Environment
from segdsl.document.files import (
    PROJECT_FILE,
    Loaded,
    SegmentationSource,
    SegmentSource,
    find_project,
    load_project,
)
from segdsl.document.source import Text
from segdsl.optimize import RULES_SET, RULES_SINGLE, Pass, Program, optimize
from segdsl.syntax import ast
from segdsl.syntax.parser import parse_rule
from segdsl.syntax.problems import RuleProblem
from segdsl.types import Type

if TYPE_CHECKING:
    from sqlglot.expressions import Query

    from segdsl.execute import Result
    from segdsl.lower.statement import Lowering


@dataclass
class Checked:
    """Checked trees of every segment, segmentation and trait that checked cleanly."""

    segments: dict[str, bound.Expr] = field(default_factory=dict)
    segmentations: dict[str, tuple[tuple[tuple[str, bound.Expr], ...], str | None]] = field(
        default_factory=dict
    )
    diagnostics: list[Diagnostic] = field(default_factory=list)


class Project:
    def __init__(self, loaded: Loaded):
        self._loaded = loaded
        self.root = loaded.root
        self._checked: Checked | None = None

    # ---- what the project holds -------------------------------------------------------

    @property
    def segments(self) -> dict[str, SegmentSource]:
        return self._loaded.segments

    @property
    def segmentations(self) -> dict[str, SegmentationSource]:
        return self._loaded.segmentations

    @property
    def environment(self) -> Environment | None:
        """The schema environment (None when schema.yaml could not be read)."""
        return self._loaded.environment

    @property
    def warehouse(self) -> Path | None:
        project = self._loaded.project
        return self.root / project.warehouse if project and project.warehouse else None

    @property
    def dialect(self) -> str:
        return self._loaded.project.dialect if self._loaded.project else "duckdb"

    # ---- stages -----------------------------------------------------------------------

    def check(self) -> list[Diagnostic]:
        """Every problem in the project's files, sorted by file and position."""
        return sorted(self._check().diagnostics, key=Diagnostic.sort_key)

    def compile(
        self,
        names: Sequence[str] | None = None,
        dialect: str | None = None,
        as_of: dt.datetime | None = None,
        pretty: bool = True,
        optimized: bool = True,
        rules: Sequence[Pass] | None = None,
    ) -> str:
        """SQL for one segment (its members) or several (key + one column each); with
        `optimized` False, the plain translation of the checked rules (no optimizer pass)."""
        from segdsl.emit import to_sql

        query = self.select(names, dialect, as_of, optimized, rules)
        return to_sql(query, dialect or self.dialect, pretty)

    def select(
        self,
        names: Sequence[str] | None = None,
        dialect: str | None = None,
        as_of: dt.datetime | None = None,
        optimized: bool = True,
        rules: Sequence[Pass] | None = None,
    ) -> Query:
        """The sqlglot SELECT behind `compile`: one named segment gives its members, anything
        else the key plus one column per segment and segmentation. `rules` picks the
        optimizer's passes (default: all that apply to the statement's kind)."""
        segments, segmentations = self._select_names(names)
        own = self._members_of(names, segments)
        if rules is None:
            rules = (RULES_SET if own is None else RULES_SINGLE) if optimized else ()
        lowering = self._lowering(dialect or self.dialect, as_of, rules, own)
        if own is not None:
            return lowering.select_members(own)
        return lowering.select_columns(segments, segmentations)

    def run(
        self,
        names: Sequence[str] | None = None,
        as_of: dt.datetime | None = None,
        warehouse: Path | None = None,
        optimized: bool = True,
        rules: Sequence[Pass] | None = None,
    ) -> Result:
        """Members of the segments on DuckDB, as of `as_of` (default: the start of the run).

        The one statement run is the one `select`/`compile` give for the same names with
        dialect duckdb: for one segment its members, else one row per customer."""
        from segdsl.execute import execute

        as_of = as_of or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        path = warehouse or self.warehouse
        if path is None:
            raise SegdslError(
                [
                    Diagnostic(
                        "E413", "no warehouse to run on", hint="set `warehouse:` in segdsl.yaml"
                    )
                ]
            )
        segments, segmentations = self._select_names(names)
        query = self.select(names, "duckdb", as_of, optimized, rules)
        return execute(
            path,
            query,
            self._entity().key,
            segments,
            segmentations,
            as_of,
            {n: self.segments[n].min_size for n in segments},
            self._members_of(names, segments),
        )

    # ---- internals ----------------------------------------------------------------------

    @staticmethod
    def _members_of(names: Sequence[str] | None, segments: Sequence[str]) -> str | None:
        """The segment whose members the statement lists: the only name, when it is a
        segment; None for the one-row-per-customer statement."""
        return segments[0] if names and len(names) == 1 and segments else None

    def _entity(self) -> Entity:
        assert self._loaded.environment is not None
        return self._loaded.environment.entity

    def _lowering(
        self,
        dialect: str,
        as_of: dt.datetime | None,
        rules: Sequence[Pass],
        own: str | None = None,
    ) -> Lowering:
        from segdsl.emit.dialects import dialect_named
        from segdsl.lower.statement import Lowering

        checked = self._require_clean()
        program = Program(
            checked.segments,
            {n: bound.Segmentation(*v) for n, v in checked.segmentations.items()},
        )
        program = optimize(program, rules, own, as_of)
        return Lowering(
            self._entity(),
            program.segments,
            program.segmentations,
            dialect_named(dialect),
            as_of,
            program.shapes,
        )

    def _require_clean(self) -> Checked:
        checked = self._check()
        errors = [d for d in checked.diagnostics if d.severity == "error"]
        if errors:
            raise SegdslError(sorted(errors, key=Diagnostic.sort_key))
        return checked

    def _select_names(self, names: Sequence[str] | None) -> tuple[list[str], list[str]]:
        if not names:
            return list(self.segments), list(self.segmentations)
        unknown = [n for n in names if n not in self.segments and n not in self.segmentations]
        if unknown:
            known = [*self.segments, *self.segmentations]
            raise SegdslError(
                [
                    Diagnostic(
                        "E203", f"unknown segment `{n}`", hint=did_you_mean(n, known, "segments")
                    )
                    for n in unknown
                ]
            )
        return (
            [n for n in names if n in self.segments],
            [n for n in names if n in self.segmentations],
        )

    def _check(self) -> Checked:
        if self._checked is None:
            self._checked = _check_loaded(self._loaded)
        return self._checked


def load(path: str | Path = ".", only: Iterable[str | Path] | None = None) -> Project:
    """Load the project at `path` (or the nearest folder above with a segdsl.yaml)."""
    start = Path(path).resolve()
    root = find_project(start if start.is_dir() else start.parent)
    if root is None:
        raise SegdslError(
            [
                Diagnostic(
                    "E408",
                    f"no {PROJECT_FILE} found in {start} or above",
                    hint="run `segdsl demo` for an example project, or pass --project DIR",
                )
            ]
        )
    files = [Path(p).resolve() for p in only] if only is not None else None
    return Project(load_project(root, files))


def _check_loaded(loaded: Loaded) -> Checked:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))  # the checker recurses once per nesting level
    try:
        return _check_all(loaded)
    finally:
        sys.setrecursionlimit(limit)


def _check_all(loaded: Loaded) -> Checked:
    checked = Checked(diagnostics=list(loaded.diagnostics))
    env = loaded.environment
    if env is None:
        return checked
    report = checked.diagnostics.append
    buckets = {
        name: tuple(bk.name for bk in seg.buckets) for name, seg in loaded.segmentations.items()
    }
    traits: dict[str, bound.Expr | None] = {}

    def place(text: Text, problem: RuleProblem) -> Diagnostic:
        return Diagnostic(problem.code, problem.message, text.location(problem.span), problem.hint)

    def trait_tree(name: str) -> bound.Expr | None:
        if name in traits:
            return traits[name]
        traits[name] = None  # in progress: a use from inside is a cycle
        text = env.traits[name]
        ctx = RuleContext()
        tree = _parse(text, ctx)
        result = checker.check_value(tree, ctx) if tree is not None else POISON
        for _reference, span in ctx.references:
            ctx.report(
                "E211",
                "a trait cannot refer to segments or segmentations",
                span,
                "use the segment in the rule instead",
            )
        for problem in ctx.problems:
            report(place(text, problem))
        traits[name] = POISON if ctx.problems else result
        return traits[name]

    checker = Checker(env, set(loaded.segments), buckets, trait_tree)
    for name in env.traits:
        trait_tree(name)
    graph: dict[str, list[tuple[str, Text, RuleProblem]]] = {}

    def check_rule(owner: str, text: Text) -> bound.Expr | None:
        ctx = RuleContext()
        tree = _parse(text, ctx)
        try:
            result = checker.check_condition(tree, ctx) if tree is not None else None
        except RecursionError:
            result = ctx.report(
                "E107",
                "the rule nests too deeply",
                ast.Span(0, len(text.value)),
                "split it into segments and combine them with `in segment`",
            )
        for problem in ctx.problems:
            report(place(text, problem))
        graph.setdefault(owner, []).extend(
            (ref, text, RuleProblem("E204", "", span)) for ref, span in ctx.references
        )
        return None if ctx.problems else result

    for name, segment in loaded.segments.items():
        tree = check_rule(name, segment.where)
        if tree is not None:
            checked.segments[name] = tree
    for name, segmentation in loaded.segmentations.items():
        rules: list[tuple[str, bound.Expr]] = []
        otherwise = None
        for bucket in segmentation.buckets:
            if bucket.rule is None:
                otherwise = bucket.name
                continue
            tree = check_rule(name, bucket.rule)
            if tree is not None:
                rules.append((bucket.name, tree))
        if len(rules) == sum(bk.rule is not None for bk in segmentation.buckets):
            checked.segmentations[name] = (tuple(rules), otherwise)
    for diagnostic in _cycles(graph):
        report(diagnostic)
    return checked


def _parse(text: Text, ctx: RuleContext) -> ast.Expr | None:
    try:
        return parse_rule(text.value)
    except RuleProblem as problem:
        ctx.problems.append(problem)
        return None


def _cycles(graph: dict[str, list[tuple[str, Text, RuleProblem]]]) -> list[Diagnostic]:
    """E204 at every reference that closes a cycle of segments and segmentations."""
    found: list[Diagnostic] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done
    stack: list[str] = []

    def visit(name: str) -> None:
        state[name] = 1
        stack.append(name)
        for ref, text, problem in graph.get(name, []):
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

    for name in graph:
        if name not in state:
            visit(name)
    return found


__all__ = ["Project", "load", "Type"]
