"""A problem inside one rule's text, before it is placed in a file.

Syntax and check report `RuleProblem`s with a span in the rule text; the project
layer turns each into a `Diagnostic` at the right line and column of the YAML file.
"""

from __future__ import annotations

from segdsl.diagnostics import Span


class RuleProblem(Exception):
    def __init__(self, code: str, message: str, span: Span, hint: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.span = span
        self.hint = hint

    def __repr__(self) -> str:
        return f"RuleProblem({self.code!r}, {self.message!r}, {self.span!r}, {self.hint!r})"
