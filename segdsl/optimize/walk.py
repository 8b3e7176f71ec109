"""Bottom-up rewriting of a bound tree, shared by the node-by-node passes."""

from __future__ import annotations

from collections.abc import Callable

from segdsl.check import bound
from segdsl.check.meaning import negate

Rewrite = Callable[[bound.Expr], bound.Expr | None]


def bottom_up(tree: bound.Expr, rewrite: Rewrite, fold_negation: bool = True) -> bound.Expr:
    """`tree` with `rewrite` applied to every node, children first; a node the rewrite
    returns None for stays. With `fold_negation`, a `not` whose operand was rewritten is
    built again by `negate` (`not` of a constant is a constant, `not not x` is x), as the
    checker builds it."""

    def visit(node: bound.Expr) -> bound.Expr:
        changed = bound.map_children(node, visit)
        if fold_negation and isinstance(changed, bound.Not) and changed is not node:
            changed = negate(changed.operand)
        rewritten = rewrite(changed)
        return changed if rewritten is None else rewritten

    return visit(tree)
