"""`segdsl history SEGMENT`: one segment's snapshots, in the order of their *as of*, each
with its size, the members that entered and left since the previous snapshot, and whether
the rule (its hash, segdsl/review/fingerprint.py) changed between the two.

Everything is read from the state database, which is opened read-only; neither the
warehouse nor the rules' files are read, so the history of a segment that the project no
longer has is still there. The chart is an SVG file, drawn here as the overlap heatmap is
(segdsl/review/heatmap.py), with the same checks on the file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from segdsl.diagnostics import Diagnostic, NameIndex, SegdslError, columns, json_text, padded, shown
from segdsl.execute.state import open_state
from segdsl.review.protocol import Reviewed
from segdsl.review.state import StoredRow, latest, stored_rows


@dataclass(frozen=True)
class Step:
    """One snapshot of the segment, or of one bucket of the segmentation. The first
    snapshot of each is measured against nobody: all its members entered."""

    as_of: dt.datetime
    bucket: str | None
    members: int
    entered: int
    left: int
    rule_changed: bool  # the rule's hash differs from the previous snapshot's
    revision: str | None  # the project's git commit at the snapshot


@dataclass(frozen=True)
class History:
    segment: str
    segmentation: bool
    snapshots: tuple[Step, ...]

    def to_json(self) -> dict[str, Any]:
        """`{"segment": S, "snapshots": [...]}` (docs/cli.md#segdsl-history); a
        segmentation's rows carry their "bucket"."""
        rows = []
        for s in self.snapshots:
            row: dict[str, Any] = {"as_of": s.as_of.isoformat()}
            if self.segmentation:
                row["bucket"] = s.bucket
            row |= {
                "members": s.members,
                "entered": s.entered,
                "left": s.left,
                "rule_changed": s.rule_changed,
            }
            rows.append(row)
        return {"segment": self.segment, "snapshots": rows}


def history(project: Reviewed, segment: str) -> History:
    """The snapshots of `segment` in the project's state database; E203 for a name that
    neither the project nor the database knows."""
    files = project.resolve_warehouse().files() if project.warehouse is not None else ()
    state = open_state(project.state, files, write=False)
    try:
        rows = stored_rows(state, segment)
    finally:
        state.close()
    known = segment in project.segments or segment in project.segmentations
    if not rows and not known:
        index = NameIndex([*project.segments, *project.segmentations], "segments")
        raise SegdslError(
            [Diagnostic("E203", f"unknown segment `{segment}`", hint=index.hint(segment))]
        )
    bucketed = any(r.bucket is not None for r in rows) or segment in project.segmentations
    return History(segment, bucketed, tuple(_steps(rows)))


def last_snapshot(project: Reviewed, segment: str) -> tuple[dt.datetime, int] | None:
    """When `segment` was last snapshotted and its members then; None when the state
    database has no snapshot of it (or no file yet)."""
    files = project.resolve_warehouse().files() if project.warehouse is not None else ()
    state = open_state(project.state, files, write=False)
    try:
        return latest(state, segment)
    finally:
        state.close()


def _steps(rows: list[StoredRow]) -> list[Step]:
    """Each row with `rule_changed`: its hash against the previous *as of*'s."""
    hashes: dict[dt.datetime, str] = {}
    for row in rows:
        hashes.setdefault(row.as_of, row.rule_hash)
    order = list(hashes)
    steps = []
    for row in rows:
        at = order.index(row.as_of)
        changed = at > 0 and hashes[order[at - 1]] != row.rule_hash
        steps.append(
            Step(row.as_of, row.bucket, row.members, row.entered, row.left, changed, row.revision)
        )
    return steps


# ---- output -----------------------------------------------------------------------------


def render(found: History, form: str, state: Path) -> str:
    """The text (for people) or JSON (for scripts) of `segdsl history`."""
    if form == "json":
        return json_text(found.to_json())
    if not found.snapshots:
        return (
            f"no snapshot of `{shown(found.segment)}` in {shown(str(state))} yet: "
            "`segdsl snapshot` takes one"
        )
    header = ["as of", *(["bucket"] if found.segmentation else []), "members", "entered"]
    header += ["left", "rule", "revision"]
    rows = [header]
    for s in found.snapshots:
        rows.append(
            [
                s.as_of.isoformat(sep=" "),
                *([shown(s.bucket or "")] if found.segmentation else []),
                f"{s.members:,}",
                f"+{s.entered:,}" if s.entered else "0",
                f"-{s.left:,}" if s.left else "0",
                "changed" if s.rule_changed else "",
                (s.revision or "")[:12],
            ]
        )
    widths = [max(columns(r[i]) for r in rows) for i in range(len(header))]
    numbers = {header.index(h) for h in ("members", "entered", "left")}

    def line(cells: list[str]) -> str:
        return "  ".join(
            padded(c, w, right=i in numbers)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    lines = [line(header), "  ".join("-" * w for w in widths)]
    lines += [line(r) for r in rows[1:]]
    instants = len({s.as_of for s in found.snapshots})
    lines += ["", f"{instants} snapshot(s) of `{shown(found.segment)}` in {shown(str(state))}"]
    return "\n".join(lines)


WIDTH, HEIGHT, MARGIN, LEGEND, FONT = 720, 320, 64, 140, 12
COLOURS = ("#08306b", "#d94801", "#238b45", "#6a51a3", "#cb181d", "#525252")


def svg(found: History) -> str:
    """A line of members per snapshot (one per bucket of a segmentation), a dashed line
    where the rule changed, the *as of* of each snapshot along the bottom."""
    instants = sorted({s.as_of for s in found.snapshots})
    largest = max((s.members for s in found.snapshots), default=0) or 1
    inner_w, inner_h = WIDTH - MARGIN - LEGEND, HEIGHT - 2 * MARGIN

    def x(at: dt.datetime) -> float:
        return MARGIN + (
            inner_w * instants.index(at) / (len(instants) - 1) if len(instants) > 1 else inner_w / 2
        )

    def y(members: int) -> float:
        return MARGIN + inner_h * (1 - members / largest)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="{FONT}">',
        f"<title>history of {escape(shown(found.segment))}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<line x1="{MARGIN}" y1="{MARGIN + inner_h}" x2="{MARGIN + inner_w}" '
        f'y2="{MARGIN + inner_h}" stroke="black"/>',
        f'<text x="{MARGIN - 6}" y="{MARGIN + FONT / 3:.1f}" text-anchor="end">{largest:,}</text>',
        f'<text x="{MARGIN - 6}" y="{MARGIN + inner_h + FONT / 3:.1f}" text-anchor="end">0</text>',
    ]
    for at in instants:
        parts.append(
            f'<text x="{x(at):.1f}" y="{MARGIN + inner_h + 18}" text-anchor="middle">'
            f"{escape(at.isoformat(sep=' '))}</text>"
        )
    changed = sorted({s.as_of for s in found.snapshots if s.rule_changed})
    for at in changed:
        parts.append(
            f'<line x1="{x(at):.1f}" y1="{MARGIN}" x2="{x(at):.1f}" y2="{MARGIN + inner_h}" '
            'stroke="#888" stroke-dasharray="4 3"><title>rule changed</title></line>'
        )
    lines: dict[str | None, list[Step]] = {}
    for s in found.snapshots:
        lines.setdefault(s.bucket, []).append(s)
    for i, (bucket, steps) in enumerate(lines.items()):
        colour = COLOURS[i % len(COLOURS)]
        points = " ".join(f"{x(s.as_of):.1f},{y(s.members):.1f}" for s in steps)
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        for s in steps:
            parts.append(
                f'<circle cx="{x(s.as_of):.1f}" cy="{y(s.members):.1f}" r="3" fill="{colour}">'
                f"<title>{escape(shown(bucket or found.segment))}: {s.members:,} "
                f"(+{s.entered:,} -{s.left:,})</title></circle>"
            )
        if bucket is not None:
            parts.append(
                f'<text x="{MARGIN + inner_w + 6}" y="{MARGIN + FONT * (i + 1)}" '
                f'fill="{colour}">{escape(shown(bucket))}</text>'
            )
    caption = f"members of {shown(found.segment)} per snapshot; dashed: the rule changed"
    parts.append(f'<text x="8" y="{FONT + 8}">{escape(caption)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
