"""E311 (traits nested more than 100 deep) does not depend on the order traits are listed
in: a chain listed innermost first is refused as one listed outermost first, and the
longest accepted chain is accepted in both orders (docs/errors.md#e311)."""

from __future__ import annotations

from pathlib import Path

import pytest

import segdsl
from segdsl.check.bound import MAX_TRAIT_DEPTH


def _chain(root: Path, traits: int, innermost_first: bool) -> Path:
    """`t0: t1 + 1`, ..., `t{n-2}: t{n-1} + 1`, `t{n-1}: age`: a chain of `traits` traits."""
    (root / "segments").mkdir(parents=True)
    (root / "segdsl.yaml").write_text(
        "name: t\nschema: schema.yaml\nsegments: [segments/]\n", encoding="utf-8"
    )
    order = list(range(traits - 1))
    if innermost_first:
        order.reverse()
    lines = [f"  t{i}: t{i + 1} + 1\n" for i in order] + [f"  t{traits - 1}: age\n"]
    if innermost_first:
        lines.insert(0, lines.pop())
    (root / "schema.yaml").write_text(
        "customers:\n  table: c\n  key: id\n  fields:\n    age: integer\ntraits:\n"
        + "".join(lines),
        encoding="utf-8",
    )
    (root / "segments" / "s.yaml").write_text(
        "segments:\n  s:\n    where: t0 > 1\n", encoding="utf-8"
    )
    return root


@pytest.mark.parametrize(
    "innermost_first", [False, True], ids=["outermost-first", "innermost-first"]
)
@pytest.mark.parametrize("traits", [MAX_TRAIT_DEPTH, MAX_TRAIT_DEPTH + 1, 3 * MAX_TRAIT_DEPTH])
def test_the_limit_holds_in_either_order(
    tmp_path: Path, traits: int, innermost_first: bool
) -> None:
    project = segdsl.load(_chain(tmp_path / "p", traits, innermost_first))
    codes = [d.code for d in project.check()]
    assert codes == ([] if traits <= MAX_TRAIT_DEPTH else ["E311"])
