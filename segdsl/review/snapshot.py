"""`segdsl snapshot`: the members of segments and buckets at one *as of*, kept in the state
database (segdsl/review/state.py) for `segdsl history`.

The members come from one ordinary run (`project.run`), on whatever engine the warehouse
is; the warehouse is only read. The state database is checked before the run (never the
warehouse, E430) and written after it, in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from segdsl.document.stored import head_commit
from segdsl.execute.state import check_state, open_state
from segdsl.review.fingerprint import rule_hash
from segdsl.review.protocol import Reviewed
from segdsl.review.state import Unit, store


@dataclass(frozen=True)
class Taken:
    """One segment, or one bucket of a segmentation, as the snapshot stored it."""

    name: str
    bucket: str | None
    members: int
    rule_hash: str


@dataclass(frozen=True)
class SnapshotSummary:
    """What `segdsl snapshot` did: where, at which instant and git revision, replacing
    what that instant held of these segments or not, and each segment's size."""

    state: Path
    as_of: dt.datetime
    revision: str | None
    replaced: bool
    segments: tuple[Taken, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "state": str(self.state),
            "as_of": self.as_of.isoformat(),
            "revision": self.revision,
            "replaced": self.replaced,
            "segments": [
                {"name": t.name, "bucket": t.bucket, "members": t.members, "rule_hash": t.rule_hash}
                for t in self.segments
            ],
        }


def snapshot(
    project: Reviewed,
    names: Sequence[str] | None,
    as_of: dt.datetime | None,
    warehouse: Path | str | Any = None,
) -> SnapshotSummary:
    """Run `names` (all when None) at `as_of` and store their members (docs/cli.md)."""
    files = project.resolve_warehouse(warehouse).files()
    if warehouse is not None and project.warehouse is not None:  # nor the project's own
        files += project.resolve_warehouse().files()
    check_state(project.state, files)
    result = project.run(names or None, as_of, warehouse)
    units: list[Unit] = []
    for name in result.segments:
        units.append(Unit(name, None, rule_hash(project, name), _keys(result.members(name))))
    for name in result.segmentations:
        hashed = rule_hash(project, name)
        for bucket in project.segmentations[name].buckets:
            keys = _keys(result.members(name, bucket.name))
            units.append(Unit(name, bucket.name, hashed, keys))
    revision = head_commit(project.root)
    state = open_state(project.state, files, write=True)
    try:
        replaced = store(state, result.as_of, revision, units)
    finally:
        state.close()
    taken = tuple(Taken(u.name, u.bucket, len(u.keys), u.rule_hash) for u in units)
    return SnapshotSummary(project.state, result.as_of, revision, replaced, taken)


def _keys(members: Sequence[Any]) -> tuple[str, ...]:
    """Members as the state database keeps them: text, each once (a repeated key of the
    warehouse is one customer here, E439), a missing key left out."""
    return tuple(dict.fromkeys(str(k) for k in members if k is not None))
