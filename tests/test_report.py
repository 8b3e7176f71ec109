"""`segdsl report`: the page holds every segment's and bucket's size, proven against DuckDB
counts of each segment's own compiled SQL and of hand-written SQL; hostile text from the
files is shown as text; nothing on the page loads from elsewhere; the file is written as
`run --out` writes; and headless Chromium renders the tables and the heatmap.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import struct
import subprocess
import zlib
from collections.abc import Iterator
from html import escape
from html.parser import HTMLParser
from itertools import takewhile
from pathlib import Path

import duckdb
import numpy as np
import pytest

import segdsl
from segdsl import cli
from segdsl.demo import write_demo
from segdsl.review.report import BAR_COLOUR, Report, Section, sizes_section

AS_OF = dt.datetime(2025, 12, 31, 12)
AS_OF_TEXT = "2025-12-31T12:00:00"
HOSTILE = """\
segments:
  hostile:
    description: "<script>alert('description')</script> & friends"
    owner: "<img src=http://evil.example/x.png>"
    labels: ["<b>bold</b>", "right\\u202eto left"]
    min_size: 1000000
    where: email = "</pre><script>alert('rule')</script>"
"""
SHOWN = [  # a few segments and a segmentation: a page short enough for one screenshot
    "gold",
    "abandoned_cart",
    "with_email",
    "german_phone_numbers",
    "hostile",
    "lifecycle",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report") / "demo"
    write_demo(folder, customers=1000, seed=7)
    (folder / "segments" / "hostile.yaml").write_text(HOSTILE, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def project(demo: Path) -> segdsl.Project:
    return segdsl.load(demo)


@pytest.fixture(scope="module")
def warehouse(demo: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The demo's warehouse, read-only, for the independent counts."""
    with duckdb.connect(str(demo / "warehouse.duckdb"), read_only=True) as connection:
        yield connection


@pytest.fixture(scope="module")
def page(project: segdsl.Project) -> str:
    return project.report(as_of=AS_OF).html


class Tables(HTMLParser):
    """The text of every table cell, row by row, and the tags seen."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parsed(html: str) -> Tables:
    tables = Tables()
    tables.feed(html)
    return tables


def size_rows(html: str) -> dict[tuple[str, str], int]:
    """(segment, bucket) -> members, from the sizes table (the first table of the page)."""
    rows = parsed(html).rows
    table = takewhile(lambda row: len(row) == 6 and row[0] != "segment", rows[1:])
    return {(r[0], r[1]): int(r[2].replace(",", "")) for r in table}


def count(warehouse: duckdb.DuckDBPyConnection, query: str) -> int:
    row = warehouse.execute(query).fetchone()
    assert row is not None
    return int(row[0])


def test_every_size_is_a_count_of_its_own_sql(
    project: segdsl.Project, warehouse: duckdb.DuckDBPyConnection, page: str
) -> None:
    sizes = size_rows(page)
    assert {n for n, b in sizes if not b} == set(project.segments)
    for name in project.segments:
        sql = project.compile([name], as_of=AS_OF)
        assert sizes[(name, "")] == count(warehouse, f"SELECT count(*) FROM ({sql})"), name
    for name, segmentation in project.segmentations.items():
        declared = {b.name for b in segmentation.buckets}
        assert declared <= {b for n, b in sizes if n == name}, name  # empty buckets too
        sql = project.compile([name], as_of=AS_OF)
        for bucket in declared:
            held = count(warehouse, f"SELECT count(*) FROM ({sql}) WHERE \"{name}\" = '{bucket}'")
            assert sizes[(name, bucket)] == held, (name, bucket)


def test_sizes_match_hand_written_sql(warehouse: duckdb.DuckDBPyConnection, page: str) -> None:
    sizes = size_rows(page)
    customers = "FROM customers WHERE"
    assert sizes[("with_email", "")] == count(
        warehouse, f"SELECT count(*) {customers} email IS NOT NULL AND email <> ''"
    )
    assert sizes[("german_phone_numbers", "")] == count(
        warehouse, f"SELECT count(*) {customers} starts_with(phone, '+49')"
    )
    assert f"{count(warehouse, 'SELECT count(*) FROM customers'):,} customers" in page


def test_the_page_describes_each_segment_and_flags_min_size(
    project: segdsl.Project, page: str
) -> None:
    gold = project.segments["gold"]
    assert gold.description and gold.owner
    for text in (gold.description, gold.owner, *gold.labels, gold.where.value):
        assert escape(text) in page
    assert page.count('<span class="flag">below min_size 1,000,000</span>') == 2  # table, card
    assert page.count("<details><summary>compiled SQL (duckdb)</summary>") == len(
        project.segments
    ) + len(project.segmentations)
    assert "<svg" in page and 'fill="#08306b"' in page  # the heatmap's diagonal


def test_hostile_text_is_shown_as_text(page: str) -> None:
    assert "<script" not in page.lower()
    assert "<img" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert(&#x27;description&#x27;)&lt;/script&gt; &amp; friends" in page
    assert "&lt;/pre&gt;&lt;script&gt;alert(&#x27;rule&#x27;)" in page  # the rule and its SQL
    assert "&lt;img src=http://evil.example/x.png&gt;" in page
    assert "\u202e" not in page and "right\\u202eto left" in page  # shown, as on a terminal


def test_nothing_loads_from_elsewhere(page: str) -> None:
    tags = parsed(page).tags
    assert not [t for t, a in tags if t in ("script", "link", "img", "iframe", "object")]
    assert not [a for _, a in tags if "src" in a]
    assert {a["href"][:1] for _, a in tags if "href" in a} == {"#"}
    assert "url(" not in page and "@import" not in page
    policy = next(a for t, a in tags if t == "meta" and a.get("http-equiv"))
    assert policy["content"] == "default-src 'none'; style-src 'unsafe-inline'"


def test_a_section_is_one_function(project: segdsl.Project) -> None:
    extra = project.report(
        ["gold", "lifecycle"],
        AS_OF,
        sections=[sizes_section, lambda facts: Section("more", "More", "<p>x</p>")],
    )
    assert isinstance(extra, Report)
    assert [s.anchor for s in extra.sections] == ["sizes", "more"]
    assert '<a href="#more">More</a>' in extra.html


def test_one_segment_alone_has_no_share(
    project: segdsl.Project, warehouse: duckdb.DuckDBPyConnection
) -> None:
    alone = project.report(["gold"], AS_OF).html
    assert [s.split('"')[0] for s in alone.split('<section id="')[1:]] == ["sizes", "segments"]
    sql = project.compile(["gold"], as_of=AS_OF)
    assert size_rows(alone) == {("gold", ""): count(warehouse, f"SELECT count(*) FROM ({sql})")}
    assert "No share" in alone


def test_the_history_of_snapshotted_segments_is_charted(demo: Path, tmp_path: Path) -> None:
    """After two snapshots of `gold`, the page charts its members at each, as `run` counts
    them; a segment never snapshotted has no chart, and without a state database the page
    has no history section at all."""
    copy = tmp_path / "demo"
    shutil.copytree(demo, copy)
    project = segdsl.load(copy)
    names = ["gold", "abandoned_cart"]
    assert "history" not in [s.anchor for s in project.report(names, AS_OF).sections]
    earlier = dt.datetime(2025, 6, 30)
    for at in (earlier, AS_OF):
        project.snapshot(["gold"], at)
    page = project.report(names, AS_OF)
    assert "history" in [s.anchor for s in page.sections]
    charted = page.html.split('<section id="history">')[1].split("</section>")[0]
    assert charted.count("<figure>") == 1 and "<figcaption>gold</figcaption>" in charted
    for at in (earlier, AS_OF):
        members = len(project.run(["gold"], as_of=at).members("gold"))
        assert f"gold: {members:,} (" in charted


def main(demo: Path, *args: str) -> int:
    return cli.main(["--project", str(demo), "report", *args, "--as-of", AS_OF_TEXT])


def test_the_command_writes_the_page_whole(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "report.html").write_text("old", encoding="utf-8")
    assert main(demo, "gold", "abandoned_cart") == 0
    assert capsys.readouterr().out == "wrote report.html\n"
    written = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert written.startswith("<!DOCTYPE html>") and "abandoned_cart" in written
    assert os.listdir(tmp_path) == ["report.html"]  # nothing staged is left behind
    assert main(demo, "gold", "abandoned_cart", "--out", "-") == 0
    assert capsys.readouterr().out == written


def test_the_command_refuses_other_files(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(demo, "--out", str(tmp_path / "report.pdf")) == 2
    assert "error[E458]: cannot write the report to `report.pdf`" in capsys.readouterr().err
    target = tmp_path / "target.html"
    target.write_text("mine", encoding="utf-8")
    (tmp_path / "link.html").symlink_to(target)
    assert main(demo, "--out", str(tmp_path / "link.html")) == 2
    assert "error[E421]" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "mine"
    (tmp_path / "copy.html").hardlink_to(demo / "warehouse.duckdb")
    assert main(demo, "--out", str(tmp_path / "copy.html")) == 2
    assert "error[E418]" in capsys.readouterr().err
    assert main(demo, "gold", "vips", "--out", str(tmp_path / "r.html")) == 1
    assert "error[E203]: unknown segment `vips`" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


# ---- in a browser -------------------------------------------------------------------------


def _chromium() -> str:
    """Skipped where Chromium is missing, but with CI set (as .ci/run sets it) a failure."""
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it)")
        pytest.skip("chromium is not installed")
    return found


def pixels(png: bytes) -> np.ndarray:
    """The pixels (height x width x RGB) of an 8-bit, non-interlaced PNG, decoded by the
    PNG specification's filter rules: no imaging library is a dependency of segdsl."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    at, header, data = 8, b"", b""
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind, body = png[at + 4 : at + 8], png[at + 8 : at + 8 + length]
        header = body if kind == b"IHDR" else header
        data += body if kind == b"IDAT" else b""
        at += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, interlace) == (8, 0) and colour in (2, 6)  # RGB or RGBA
    step = 3 if colour == 2 else 4
    raw = np.frombuffer(zlib.decompress(data), np.uint8).reshape(height, width * step + 1)
    image = np.zeros((height, width * step), np.uint8)
    previous = np.zeros(width * step, np.uint8)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:]
        if kind == 0:
            row = line.copy()
        elif kind == 1:  # Sub: plus the byte one pixel left, reconstructed
            row = np.cumsum(line.reshape(width, step), axis=0, dtype=np.uint8).reshape(-1)
        elif kind == 2:  # Up: plus the byte above (uint8 wraps modulo 256)
            row = line + previous
        else:  # Average (3) and Paeth (4) depend on the byte left: byte by byte
            row = np.array(_unfilter(int(kind), line.tolist(), previous.tolist(), step), np.uint8)
        image[y] = previous = row
    return image.reshape(height, width, step)[:, :, :3]


def _unfilter(kind: int, line: list[int], up: list[int], step: int) -> list[int]:
    out = [0] * len(line)
    for i, value in enumerate(line):
        left = out[i - step] if i >= step else 0
        corner = up[i - step] if i >= step else 0
        if kind == 3:
            guess = (left + up[i]) // 2
        else:
            p = left + up[i] - corner
            pa, pb, pc = abs(p - left), abs(p - up[i]), abs(p - corner)
            guess = left if pa <= pb and pa <= pc else up[i] if pb <= pc else corner
        out[i] = (value + guess) & 0xFF
    return out


def test_chromium_renders_the_tables_and_the_heatmap(
    project: segdsl.Project, tmp_path: Path
) -> None:
    chromium = _chromium()
    page = tmp_path / "report.html"
    page.write_text(project.report(SHOWN, AS_OF).html, encoding="utf-8")
    shot = tmp_path / "shot.png"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'p'}"]

    def browse(*args: str) -> subprocess.CompletedProcess[str]:
        command = [chromium, *flags, *args, page.as_uri()]
        return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path)

    dom = browse("--dump-dom")
    assert dom.returncode == 0, dom.stderr
    rendered = parsed(dom.stdout)
    assert sum(1 for t, _ in rendered.tags if t == "table") >= 2
    assert sum(1 for t, _ in rendered.tags if t == "svg") >= 1 + len(SHOWN)
    assert not [t for t, _ in rendered.tags if t in ("script", "img")]
    assert "&lt;script&gt;alert('description')&lt;/script&gt; &amp; friends" in dom.stdout  # text
    assert '<a href="#segment-0">gold</a>' in dom.stdout
    done = browse(f"--screenshot={shot}", "--window-size=1200,2000")
    assert done.returncode == 0 and shot.exists(), done.stderr
    image = pixels(shot.read_bytes())
    assert image.shape == (2000, 1200, 3)
    flat = image.reshape(-1, 3)

    def painted(colour: str) -> int:
        return int(np.count_nonzero((flat == list(bytes.fromhex(colour))).all(axis=1)))

    assert painted("ffffff") < 0.98 * len(flat)  # not blank
    assert painted("08306b") > 1000  # the heatmap's diagonal squares
    assert painted(BAR_COLOUR[1:]) > 100  # the bars of the sizes table


def test_measures_are_runs_sums_and_averages(project: segdsl.Project, demo: Path) -> None:
    """The Measures table holds run's sums and averages (proven against hand-written SQL in
    tests/test_run_output.py), per segment and per bucket; an unknown name is E478."""
    names = ["gold", "abandoned_cart", "lifecycle"]
    html = project.report(names, AS_OF, measures=["ltv", "age"]).html
    rows = parsed(html).rows
    start = next(i for i, r in enumerate(rows) if r[:3] == ["segment", "bucket", "ltv sum"])
    assert rows[start] == ["segment", "bucket", "ltv sum", "ltv avg", "age sum", "age avg"]
    table = {(r[0], r[1]): r[2:] for r in takewhile(lambda r: len(r) == 6, rows[start + 1 :])}
    expected: dict[tuple[str, str], list[str]] = {}
    for m in project.run(names, AS_OF, measures=["ltv", "age"]).measures():
        total = f"{m.sum:,}" if isinstance(m.sum, int) else f"{m.sum:,.2f}"
        average = "" if m.average is None else f"{m.average:,.2f}"
        expected.setdefault((m.name, m.bucket or ""), []).extend([total, average])
    assert table == expected and len(table) > len(names)  # the buckets too
    assert main(demo, "gold", "--measure", "ltvv", "--out", "-") == 2
    assert "Measures" not in project.report(["gold"], AS_OF).html
