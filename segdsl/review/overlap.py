"""`segdsl overlap`: for each pair of segments, the customers in both, the share of each
that is in the other, and their Jaccard index (both / either).

The segments run as any run does, as ONE statement with one column per segment; all the
pairs are then counted in ONE aggregate over its result (`Result.conjunctions`, a COUNT_IF
per segment and per pair), so the warehouse is read once and the result once, however
many pairs there are. The heatmap is an SVG file written by segdsl/review/heatmap.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from segdsl.diagnostics import Diagnostic, SegdslError, json_text, shown
from segdsl.review.protocol import Reviewed

MAX_SEGMENTS = 200
"""Segments one overlap compares: 19,900 pairs, each a column of the aggregate."""


@dataclass(frozen=True)
class Pair:
    """Two segments and the customers they share."""

    a: str
    b: str
    both: int
    a_in_b: float  # share of a's members that are in b (0 when a is empty)
    b_in_a: float
    jaccard: float  # both / members of either (0 when both are empty)


@dataclass(frozen=True)
class Overlap:
    """What `segdsl overlap` reports: each segment's size and each pair, in the order the
    segments were named (or the project's)."""

    as_of: dt.datetime
    customers: int
    segments: dict[str, int]
    pairs: tuple[Pair, ...]

    def pair(self, a: str, b: str) -> Pair:
        """The pair of `a` and `b`, in either order."""
        for p in self.pairs:
            if {p.a, p.b} == {a, b}:
                return p
        raise KeyError((a, b))

    def to_json(self) -> dict[str, Any]:
        """The JSON document of `--format json` (docs/cli.md#segdsl-overlap)."""
        return {
            "as_of": self.as_of.isoformat(),
            "customers": self.customers,
            "segments": self.segments,
            "pairs": [
                {
                    "a": p.a,
                    "b": p.b,
                    "both": p.both,
                    "a_in_b": p.a_in_b,  # unrounded: the same on every run and engine
                    "b_in_a": p.b_in_a,
                    "jaccard": p.jaccard,
                }
                for p in self.pairs
            ],
        }


def overlap(
    project: Reviewed,
    names: Sequence[str] | None,
    as_of: dt.datetime | None = None,
    warehouse: Path | str | Any = None,
    exclude: Sequence[str] = (),
) -> Overlap:
    segments = _segments(project, names, exclude)
    result = project.run(segments, as_of, warehouse)
    pairs = list(combinations(segments, 2))
    counts = result.conjunctions([[s] for s in segments] + [list(p) for p in pairs])
    sizes = dict(zip(segments, counts[: len(segments)], strict=True))
    found = []
    for (a, b), both in zip(pairs, counts[len(segments) :], strict=True):
        either = sizes[a] + sizes[b] - both
        found.append(
            Pair(
                a,
                b,
                both,
                both / sizes[a] if sizes[a] else 0.0,
                both / sizes[b] if sizes[b] else 0.0,
                both / either if either else 0.0,
            )
        )
    total = result.total()
    assert total is not None  # two segments or more: one row per customer
    return Overlap(result.as_of, total, sizes, tuple(found))


def _segments(project: Reviewed, names: Sequence[str] | None, exclude: Sequence[str]) -> list[str]:
    """The segments to compare: those selected (each once), or all; E470, E472 for a
    segmentation named, and the selectors' own errors. A segmentation that a glob, label,
    file or `+` picks is passed over: only a name asks for it."""
    if not names and not exclude:
        chosen = list(project.segments)
    else:
        bucketed = [n for n in names or () if n in project.segmentations]
        if bucketed:
            raise SegdslError(
                [
                    Diagnostic(
                        "E472",
                        f"`{n}` is a segmentation; overlap compares segments",
                        hint="its buckets never overlap; write a bucket's rule as a segment "
                        "(`in segment` keeps it in one place) to compare it with others",
                    )
                    for n in bucketed
                ]
            )
        chosen = [n for n in project.select_names(names, exclude) if n in project.segments]
    if not 2 <= len(chosen) <= MAX_SEGMENTS:
        raise SegdslError(
            [
                Diagnostic(
                    "E470",
                    f"overlap compares 2 to {MAX_SEGMENTS} segments, not {len(chosen)}",
                    hint="name at least two segments (or none, for all of the project's)",
                )
            ]
        )
    return chosen


# ---- output -----------------------------------------------------------------------------


def render(found: Overlap, form: str) -> str:
    """The text (for people) or JSON (for scripts) of `segdsl overlap`."""
    if form == "json":
        return json_text(found.to_json())
    header = ["a", "b", "members a", "members b", "both", "a in b", "b in a", "jaccard"]
    rows = [header]
    for p in found.pairs:
        rows.append(
            [
                shown(p.a),
                shown(p.b),
                f"{found.segments[p.a]:,}",
                f"{found.segments[p.b]:,}",
                f"{p.both:,}",
                f"{100 * p.a_in_b:.1f}%",
                f"{100 * p.b_in_a:.1f}%",
                f"{p.jaccard:.3f}",
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < 2 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    lines = [line(header), "  ".join("-" * w for w in widths)]
    lines += [line(r) for r in rows[1:]]
    lines += [
        "",
        f"{len(found.segments)} segments, {len(found.pairs):,} pairs; "
        f"{found.customers:,} customers, as of {found.as_of.isoformat(sep=' ')}",
    ]
    return "\n".join(lines)
