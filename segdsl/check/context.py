"""Per-rule state shared by every part of the checker."""

from __future__ import annotations

from dataclasses import dataclass, field

from segdsl.check import bound
from segdsl.diagnostics import Span
from segdsl.syntax.problems import RuleProblem


@dataclass
class RuleContext:
    """Per-rule state: problems found and segments referenced (for cycle detection)."""

    problems: list[RuleProblem] = field(default_factory=list)
    references: list[tuple[str, Span]] = field(default_factory=list)

    def report(self, code: str, message: str, span: Span, hint: str | None = None) -> bound.Expr:
        self.problems.append(RuleProblem(code, message, span, hint))
        return bound.POISON
