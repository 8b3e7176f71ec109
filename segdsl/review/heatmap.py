"""The heatmap of `segdsl overlap --plot FILE.svg`, as an SVG file written by this module.

SVG is text, so it needs no drawing library: one square per pair, its colour the Jaccard
index (white 0 to dark blue 1), the value written in it, the segment names along both
edges. Every name is escaped as XML text; nothing in the file is a script, a link or
another file's content. A PNG would need a rasteriser, which segdsl does not depend on:
`.png` is refused (E469), pointing to `.svg`. The file is checked like `run --out` (never
the warehouse, never a link or a FIFO) and appears complete or not at all.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from segdsl.diagnostics import Diagnostic, SegdslError, shown
from segdsl.execute import check_output
from segdsl.execute.output import write_text
from segdsl.review.overlap import Overlap

CELL = 44
FONT = 12


def check_plot(path: Path, warehouse_files: list[Path]) -> None:
    """Refuse a plot that is not .svg (E469), or a path `run --out` would refuse."""
    if path.suffix.lower() != ".svg":
        raise SegdslError(
            [
                Diagnostic(
                    "E469",
                    f"cannot draw `{path.name}`: segdsl draws SVG only",
                    hint="name a .svg file (a browser shows it; any SVG tool converts it to "
                    "PNG); a PNG would need a rasteriser segdsl does not depend on",
                )
            ]
        )
    check_output(path, warehouse_files)


def svg(found: Overlap) -> str:
    """The heatmap: one square per pair of segments, the diagonal 1."""
    names = list(found.segments)
    jaccard = {(n, n): 1.0 for n in names}
    for p in found.pairs:
        jaccard[(p.a, p.b)] = jaccard[(p.b, p.a)] = p.jaccard
    label = FONT * 0.62 * max(len(shown(n)) for n in names) + 16
    size = CELL * len(names)
    width, height = int(label * 1.5 + size), int(label + size + 40)  # the top names lean right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="{FONT}">',
        "<title>segment overlap (Jaccard index)</title>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    for i, name in enumerate(names):
        text = escape(shown(name))
        y = label + CELL * i + CELL / 2 + FONT / 3
        parts.append(f'<text x="{label - 6:.1f}" y="{y:.1f}" text-anchor="end">{text}</text>')
        x = label + CELL * i + CELL / 2 + FONT / 3
        parts.append(
            f'<text x="{x:.1f}" y="{label - 6:.1f}" transform="rotate(-60 {x:.1f} '
            f'{label - 6:.1f})">{text}</text>'
        )
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            value = jaccard[(a, b)]
            x, y = label + CELL * j, label + CELL * i
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{CELL}" height="{CELL}" '
                f'fill="{_colour(value)}" stroke="white"><title>{escape(shown(a))} / '
                f"{escape(shown(b))}: {value:.3f}</title></rect>"
            )
            ink = "white" if value > 0.5 else "black"
            parts.append(
                f'<text x="{x + CELL / 2:.1f}" y="{y + CELL / 2 + FONT / 3:.1f}" '
                f'text-anchor="middle" fill="{ink}">{value:.2f}</text>'
            )
    caption = (
        f"Jaccard index (both / either), {found.customers:,} customers, "
        f"as of {found.as_of.isoformat(sep=' ')}"
    )
    parts.append(f'<text x="8" y="{height - 14}">{escape(caption)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write_svg(found: Overlap, path: Path, warehouse_files: list[Path]) -> None:
    """The heatmap to `path`, complete or not at all."""
    write_plot(svg(found), path, warehouse_files)


def write_plot(text: str, path: Path, warehouse_files: list[Path]) -> None:
    """An SVG drawing to `path`, checked as `check_plot` does, complete or not at all (a
    rename of a file beside it): the heatmap, and the chart of `segdsl history`."""
    check_plot(path, warehouse_files)
    write_text(path, text, warehouse_files)


def _colour(value: float) -> str:
    """White at 0 to #08306b (dark blue) at 1."""
    value = min(1.0, max(0.0, value))
    low, high = (255, 255, 255), (8, 48, 107)
    red, green, blue = (round(a + (b - a) * value) for a, b in zip(low, high, strict=True))
    return f"#{red:02x}{green:02x}{blue:02x}"
