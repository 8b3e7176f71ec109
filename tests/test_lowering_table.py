"""Lowering dispatches on the bound node's class through one table: every node has a row."""

from segdsl.check import bound
from segdsl.lower.expressions import _LOWERINGS

# an EventTest is only ever a Did or a Never; a Poison never passes the checker; a
# SegmentHistory is answered from the snapshots before lowering (segdsl/review/moves.py)
NOT_LOWERED = {bound.Expr, bound.EventTest, bound.Poison, bound.SegmentHistory}


def test_every_kind_of_bound_node_has_a_lowering() -> None:
    kinds = {
        value
        for value in vars(bound).values()
        if isinstance(value, type) and issubclass(value, bound.Expr)
    }
    assert kinds - NOT_LOWERED == set(_LOWERINGS)
