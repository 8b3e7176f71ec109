"""Parentheses where an operand binds more loosely than its place, for every dialect's builder."""

from __future__ import annotations

from segdsl.operators.build import SQL, Build, Builder

# Operand kinds (sqlglot class names) that bind more loosely than the left / right place of
# an operator. A condition used as a value (`grown >= (b is not set)`) is one of the last.
_CONDITION = ("Predicate", "Not", "Connector")  # comparisons, IS, LIKE, IN, EXISTS; NOT; AND, OR
_LOOSER: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "add": ((), ("Add", "Sub")),
    "sub": ((), ("Add", "Sub")),
    "mul": (("Add", "Sub"), ("Add", "Sub", "Mul", "Div", "Mod")),
    "div": (("Add", "Sub", "Div"), ("Add", "Sub", "Mul", "Div", "Mod")),
    **{op: (_CONDITION, _CONDITION) for op in ("eq", "lt", "le", "gt", "ge", "in_list", "is_null")},
}


def parenthesized(op: str, build: Builder) -> Builder:
    """sqlglot writes a tree as it is built, with no parentheses for precedence:
    `n * (n + 1)` came out as `n * n + 1`, `d / 0 / n` as a flat chain whose inner
    division lost its NULLIF (infinity, not missing), and `grown >= (b is not set)` as
    `... >= c.b IS NULL`, which SQL reads as `(... >= c.b) IS NULL`. So an operand that binds
    more loosely than its place gets parentheses here, for every dialect's builder."""
    left_kinds, right_kinds = _LOOSER[op]

    def build_parenthesized(b: Build, x: SQL, *rest: SQL) -> SQL:
        def wrap(operand: SQL, kinds: tuple[str, ...]) -> SQL:
            loose = isinstance(operand, tuple(getattr(b.exp, k) for k in kinds))
            return b.exp.Paren(this=operand) if loose else operand

        return build(b, wrap(x, left_kinds), *(wrap(y, right_kinds) for y in rest))

    return build_parenthesized
