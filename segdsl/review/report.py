"""`segdsl report`: one HTML page of a project's segments, to read in any browser offline.

The page is self-contained: its CSS is inline, its charts are inline SVG (the bars drawn
here, the overlap heatmap of segdsl/review/heatmap.py), it has no script, no font, no
image and no link to another file or site, and a Content-Security-Policy forbids loading
any. Every piece of text from the project's files (names, descriptions, owners, labels,
rules) and the SQL compiled from them is HTML-escaped, its control characters shown as
escapes as on a terminal (`shown`), so a description holding `<script>` is shown as text.

The page is a list of sections, each built by one function of `Facts` (what one run
gathered): `SECTIONS`. A new section is one more function in that list.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from segdsl.diagnostics import Diagnostic, SegdslError, shown
from segdsl.document.formats import normal_name
from segdsl.document.source import Text
from segdsl.execute import Size, check_output
from segdsl.execute.listing import Measure
from segdsl.review.heatmap import svg
from segdsl.review.history import history
from segdsl.review.history import svg as history_svg
from segdsl.review.overlap import MAX_SEGMENTS, overlap
from segdsl.review.protocol import Reviewed

BAR_WIDTH = 160
BAR_COLOUR = "#2171b5"


@dataclass(frozen=True)
class Facts:
    """What the sections draw from: the segments and segmentations reported, and the
    sizes of one run of them (`segdsl run`'s), at one instant on one warehouse."""

    project: Reviewed
    segments: tuple[str, ...]
    segmentations: tuple[str, ...]
    as_of: dt.datetime
    warehouse: Path | str | Any
    dialect: str  # the warehouse's: the SQL shown is the SQL that ran
    customers: int | None  # None when one segment alone ran (its statement lists members)
    sizes: tuple[Size, ...]
    measures: tuple[Measure, ...] = ()  # `report --measure`: run's sums and averages

    def size(self, name: str, bucket: str | None = None) -> Size | None:
        for s in self.sizes:
            if (s.name, s.bucket) == (name, bucket):
                return s
        return None


@dataclass(frozen=True)
class Section:
    """One part of the page: its anchor, its heading and its HTML (already escaped)."""

    anchor: str
    title: str
    body: str


SectionBuilder = Callable[[Facts], Section | None]


@dataclass(frozen=True)
class Report:
    """What `segdsl report` writes: `html` is the whole page."""

    as_of: dt.datetime
    customers: int | None
    dialect: str
    commit: str | None
    sections: tuple[Section, ...]

    @property
    def html(self) -> str:
        return _page(self)


def report(
    project: Reviewed,
    names: Sequence[str] | None = None,
    as_of: dt.datetime | None = None,
    warehouse: Path | str | Any = None,
    sections: Sequence[SectionBuilder] | None = None,
    measures: Sequence[str] = (),
) -> Report:
    chosen = list(dict.fromkeys(normal_name(n) for n in names or ()))
    # unknown names: E203; unknown or non-numeric measures: E478, E479
    result = project.run(chosen or None, as_of, warehouse, measures=measures)
    facts = Facts(
        project,
        tuple(n for n in chosen or project.segments if n in project.segments),
        tuple(n for n in chosen or project.segmentations if n in project.segmentations),
        result.as_of,
        warehouse,
        result.dialect,
        result.total(),
        tuple(result.sizes()),
        tuple(result.measures()),
    )
    built = [build(facts) for build in (SECTIONS if sections is None else sections)]
    return Report(
        facts.as_of,
        facts.customers,
        facts.dialect,
        project.commit,
        tuple(s for s in built if s is not None),
    )


def check_page(path: Path, warehouse_files: list[Path]) -> None:
    """Refuse a page that is not .html (E458), or a path `run --out` would refuse: never
    a file of the warehouse, a link, a folder or a FIFO."""
    if path.suffix.lower() not in (".html", ".htm"):
        raise SegdslError(
            [
                Diagnostic(
                    "E458",
                    f"cannot write the report to `{path.name}`: the report is an HTML page",
                    hint="name a .html file for --out (or `--out -` for stdout)",
                )
            ]
        )
    check_output(path, warehouse_files)


# ---- the sections -----------------------------------------------------------------------


def sizes_section(facts: Facts) -> Section:
    """Every segment's and every bucket's members and share, with a bar and its min_size."""
    rows = []
    for i, name in enumerate(facts.segments):
        size = facts.size(name)
        assert size is not None
        rows.append(_size_row(_link(f"segment-{i}", name), "", size))
    for i, name in enumerate(facts.segmentations):
        for bucket, size in _buckets(facts, name):
            rows.append(_size_row(_link(f"segmentation-{i}", name), _text(bucket), size))
    body = _table(["segment", "bucket", "members", "share", "", ""], rows)
    if facts.customers is None:
        body += (
            "<p>No share: the statement of one segment lists only its members "
            "(name two or more for shares).</p>"
        )
    return Section("sizes", "Sizes", body)


def measures_section(facts: Facts) -> Section | None:
    """`--measure`: the sum and average of each measure per segment and bucket, as `run`
    gives them (an average over no value is left empty)."""
    if not facts.measures:
        return None
    names = list(dict.fromkeys(m.measure for m in facts.measures))
    places = list(dict.fromkeys((m.name, m.bucket) for m in facts.measures))
    found = {(m.name, m.bucket, m.measure): m for m in facts.measures}
    rows = []
    for name, bucket in places:
        cells = [_text(name), _text(bucket or "")]
        for measure in names:
            m = found.get((name, bucket, measure))
            cells += ["", ""] if m is None else [_number(m.sum), _number(m.average)]
        rows.append(cells)
    heads = [_text(f"{n} {what}") for n in names for what in ("sum", "avg")]
    return Section("measures", "Measures", _table(["segment", "bucket", *heads], rows))


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def overlap_section(facts: Facts) -> Section | None:
    """The heatmap of `segdsl overlap --plot`, inline; a note where overlap cannot run."""
    count = len(facts.segments)
    if count < 2:
        return None
    if count > MAX_SEGMENTS:
        note = f"<p>{count} segments: the heatmap compares {MAX_SEGMENTS} at most.</p>"
        return Section("overlap", "Overlap", note)
    found = overlap(facts.project, facts.segments, facts.as_of, facts.warehouse)
    body = (
        "<p>Jaccard index of each pair (members of both / members of either): white 0, "
        "dark blue 1.</p>"
        f'<div class="heatmap">{svg(found)}</div>'
    )
    return Section("overlap", "Overlap", body)


def segments_section(facts: Facts) -> Section | None:
    """Each segment: what its file says of it, its rule and the SQL that counted it."""
    if not facts.segments:
        return None
    articles = []
    for i, name in enumerate(facts.segments):
        source = facts.project.segments[name]
        size = facts.size(name)
        assert size is not None
        about = [
            ("description", _text(source.description or "", newlines=True)),
            ("owner", _text(source.owner or "")),
            ("labels", " ".join(f'<span class="label">{_text(x)}</span>' for x in source.labels)),
            ("members", _members(size)),
        ]
        articles.append(
            f'<article id="segment-{i}"><h3>{_text(name)}</h3>\n'
            + _about(about)
            + f'\n<pre class="rule">{_text(source.where.value, newlines=True)}</pre>\n'
            + _sql(facts, name)
            + "\n</article>"
        )
    return Section("segments", "Segments", "\n".join(articles))


def segmentations_section(facts: Facts) -> Section | None:
    """Each segmentation: its buckets, their rules and members, and its SQL."""
    if not facts.segmentations:
        return None
    articles = []
    for i, name in enumerate(facts.segmentations):
        rules = {b.name: b.rule for b in facts.project.segmentations[name].buckets}
        rows = [
            [
                _text(bucket),
                _rule(rules.get(bucket), bucket in rules),
                f"{size.members:,}",
                _share(size),
            ]
            for bucket, size in _buckets(facts, name)
        ]
        articles.append(
            f'<article id="segmentation-{i}"><h3>{_text(name)}</h3>\n'
            + _table(["bucket", "rule", "members", "share"], rows)
            + "\n"
            + _sql(facts, name)
            + "\n</article>"
        )
    return Section("segmentations", "Segmentations", "\n".join(articles))


def history_section(facts: Facts) -> Section | None:
    """The chart of `segdsl history` for each segment reported that has snapshots; left out
    while the project has no state database (docs/cli.md#segdsl-snapshot)."""
    if not facts.project.state.is_file():
        return None
    charts = []
    for name in (*facts.segments, *facts.segmentations):
        found = history(facts.project, name)
        if found.snapshots:
            charts.append(
                f"<figure><figcaption>{_text(name)}</figcaption>"
                f'<div class="heatmap">{history_svg(found)}</div></figure>'
            )
    if not charts:
        return None
    body = (
        "<p>Members at each snapshot (<code>segdsl snapshot</code>); a dashed line where "
        "the rule changed since the snapshot before.</p>\n" + "\n".join(charts)
    )
    return Section("history", "History", body)


SECTIONS: list[SectionBuilder] = [
    sizes_section,
    measures_section,
    overlap_section,
    history_section,
    segments_section,
    segmentations_section,
]
"""The page's sections in order; a builder returning None leaves its section out."""


# ---- pieces -----------------------------------------------------------------------------


def _buckets(facts: Facts, name: str) -> list[tuple[str, Size]]:
    """Every bucket of a segmentation in its file's order, an empty one too, then the
    customers in none (when there are any: a segmentation without `else`)."""
    found: list[tuple[str, Size]] = []
    for bucket in facts.project.segmentations[name].buckets:
        size = facts.size(name, bucket.name)
        share = None if facts.customers is None else 0.0
        found.append((bucket.name, size or Size(name, bucket.name, 0, share, None)))
    if facts.customers is not None:
        rest = facts.customers - sum(s.members for _, s in found)
        if rest > 0:
            share = rest / facts.customers
            found.append(("(in no bucket)", Size(name, None, rest, share, None)))
    return found


def _text(value: str, newlines: bool = False) -> str:
    """Text from a file or the warehouse, as HTML text or an attribute's value."""
    return html.escape(shown(value, newlines=newlines), quote=True)


def _link(anchor: str, name: str) -> str:
    return f'<a href="#{anchor}">{_text(name)}</a>'


def _share(size: Size) -> str:
    return "" if size.share is None else f"{100 * size.share:.1f}%"


def _bar(size: Size) -> str:
    """The share as an inline SVG bar (none in a run of one segment, which has none)."""
    if size.share is None:
        return ""
    width = BAR_WIDTH * min(1.0, max(0.0, size.share))
    return (
        f'<svg class="bar" width="{BAR_WIDTH}" height="12" role="img" '
        f'aria-label="{_share(size)}"><rect width="{BAR_WIDTH}" height="12" fill="#e8eef6"/>'
        f'<rect width="{width:.1f}" height="12" fill="{BAR_COLOUR}"/></svg>'
    )


def _flag(size: Size) -> str:
    if not size.too_small:
        return ""
    return f'<span class="flag">below min_size {size.min_size:,}</span>'


def _members(size: Size) -> str:
    share = f" ({_share(size)})" if size.share is not None else ""
    minimum = "" if size.min_size is None else f", min_size {size.min_size:,}"
    return f"{size.members:,}{share}{minimum} {_flag(size)}".rstrip()


def _size_row(segment: str, bucket: str, size: Size) -> list[str]:
    return [segment, bucket, f"{size.members:,}", _share(size), _bar(size), _flag(size)]


def _rule(text: Text | None, declared: bool) -> str:
    if not declared:
        return ""
    if text is None:
        return "<code>else</code>"
    return f'<code class="rule">{_text(text.value, newlines=True)}</code>'


def _about(pairs: list[tuple[str, str]]) -> str:
    items = "".join(f"<dt>{key}</dt><dd>{value}</dd>" for key, value in pairs if value)
    return f"<dl>{items}</dl>"


def _sql(facts: Facts, name: str) -> str:
    """The statement of `name` alone, as `segdsl compile NAME` gives it for the warehouse's
    dialect at the report's instant, folded away."""
    sql = facts.project.compile([name], facts.dialect, facts.as_of)
    return (
        f"<details><summary>compiled SQL ({_text(facts.dialect)})</summary>"
        f'<pre class="sql">{_text(sql, newlines=True)}</pre></details>'
    )


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("\n<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}\n</tbody></table>"


# ---- the page ---------------------------------------------------------------------------

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1f24; max-width: 80rem; }
h1 { margin-bottom: 0.2rem; }
.meta { color: #57606a; margin-top: 0; }
nav a { margin-right: 1rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; }
th, td { padding: 0.2rem 0.6rem; border-bottom: 1px solid #d8dee4; text-align: left;
  vertical-align: top; }
td:nth-child(3), td:nth-child(4) { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f5f7; }
.flag { background: #ffebe9; color: #a40e26; border-radius: 3px; padding: 0 0.3rem; }
.label { background: #ddf4ff; border-radius: 3px; padding: 0 0.3rem; margin-right: 0.2rem; }
article { border-top: 1px solid #d8dee4; padding: 0.5rem 0 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dt { color: #57606a; }
dd { margin: 0; white-space: pre-wrap; }
pre { background: #f6f8fa; padding: 0.6rem; overflow-x: auto; white-space: pre-wrap; }
code.rule { white-space: pre-wrap; }
.heatmap { overflow: auto; max-height: 60rem; }
"""

POLICY = "default-src 'none'; style-src 'unsafe-inline'"
"""Nothing but the inline style may load: no script, font, image, frame or connection."""


def _page(found: Report) -> str:
    customers = "" if found.customers is None else f"{found.customers:,} customers, "
    commit = "" if found.commit is None else f", rules at commit {_text(found.commit)}"
    meta = (
        f"{customers}as of {found.as_of.isoformat(sep=' ')}, "
        f"on a {_text(found.dialect)} warehouse{commit}"
    )
    nav = "".join(f'<a href="#{s.anchor}">{s.title}</a>' for s in found.sections)
    sections = "\n".join(
        f'<section id="{s.anchor}"><h2>{s.title}</h2>\n{s.body}\n</section>' for s in found.sections
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>segdsl report</title>\n<style>{STYLE}</style></head>\n"
        f'<body><h1>Segment report</h1><p class="meta">{meta}</p><nav>{nav}</nav>\n'
        f"{sections}\n"
        "<footer><p>Written by segdsl report.</p></footer></body></html>\n"
    )
