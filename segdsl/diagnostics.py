"""Diagnostics: a code, a place in a file, a message and a hint, rendered like a compiler's.

Every stage reports problems as `Diagnostic`s instead of raising, so that one run
shows all of them. Codes are stable and documented in docs/errors.md:
E1xx syntax, E2xx names and references, E3xx types, E4xx files and YAML, E5xx dialects.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import importlib.resources
import json
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

MAX_FILE_BYTES = 4 * 1024 * 1024
"""The largest project file segdsl reads (docs/security.md#limits)."""


@dataclass(frozen=True)
class Span:
    """Half-open character range [start, end) in a rule's text (a YAML scalar's value)."""

    start: int
    end: int


@dataclass(frozen=True)
class Location:
    """1-based line and column of a range inside a file; `end_*` is exclusive."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    location: Location | None = None
    hint: str | None = None
    severity: str = "error"

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code) if loc else ("", 0, 0, self.code)


class SegdslError(Exception):
    """Raised by the API when diagnostics make the asked-for work impossible."""

    def __init__(self, diagnostics: Sequence[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(f"{d.code}: {d.message}" for d in self.diagnostics))


# What a terminal would act on instead of showing: C0 and C1 controls (ANSI escapes, \r,
# \b), DEL, line and paragraph separators, bidirectional overrides and isolates, and
# lone surrogates, which have no UTF-8 (docs/cli.md#control-characters).
_UNSHOWABLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
    "\u2066-\u2069\ud800-\udfff]"
)
_UNSHOWABLE_OR_NEWLINE = re.compile(_UNSHOWABLE.pattern[:-1] + "\\n]")


def shown(text: str, newlines: bool = False) -> str:
    """`text` as text output shows it: every character a terminal would act on (or that
    a file name or YAML value could smuggle in) as an escape, `\x1b`, `\u202e`; tabs and,
    with `newlines`, line breaks are kept."""
    pattern = _UNSHOWABLE if newlines else _UNSHOWABLE_OR_NEWLINE
    return pattern.sub(_escape, text)


def columns(text: str) -> int:
    """Terminal columns of `text`: Hangul and CJK characters take two (`휴면고객` is 8)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def padded(text: str, width: int, right: bool = False) -> str:
    """`text` padded with spaces to `width` terminal columns, on the left when `right`."""
    pad = " " * (width - columns(text))
    return pad + text if right else text + pad


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def json_text(document: object, indent: int | None = 2) -> str:
    """`document` as JSON for stdout: UTF-8 text as it is, but every character `shown`
    escapes is a `\\uXXXX` escape (JSON escapes only C0 controls), so a bidirectional
    override or a lone surrogate from a YAML value neither reorders what a terminal or a
    PR comment shows nor fails to encode; parsed back, each string is what it was."""
    text = json.dumps(document, indent=indent, ensure_ascii=False)
    return _UNSHOWABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def article(noun: object) -> str:
    """`a string`, `an integer`: messages name types with their article."""
    word = str(noun)
    return ("an " if word[:1] in "aeiou" else "a ") + word


FUZZY_WORK = 8_000_000
"""Characters that the "did you mean" hints of one check may compare in all, about a
second of work (docs/performance.md#supported-sizes). Each unknown name is compared with
every known name of a length that could match, so 16,000 unknown names among 16,000
known ones would be quadratic: an unknown name whose comparisons no longer fit in what is
left is still reported, with the plain hint, which says why it suggests nothing."""


class FuzzyBudget:
    """What is left of `FUZZY_WORK` for one check, shared by all its name indexes."""

    def __init__(self, work: int = FUZZY_WORK):
        self.left = work


class NameIndex:
    """The candidate names of one kind, sorted and bucketed by length once, so that each
    "did you mean" compares an unknown name only with the names whose length lets
    difflib's ratio reach its cutoff (`real_quick_ratio`, the first test of
    `difflib.get_close_matches`), and asks about each unknown name once. The suggestion
    is the one `closest` would make over all candidates."""

    def __init__(self, candidates: Iterable[str], kind: str, budget: FuzzyBudget | None = None):
        self.names = sorted(set(candidates))
        self.kind = kind
        self.budget = budget or FuzzyBudget()
        self._by_case: dict[str, str] = {}
        self._by_length: dict[int, list[str]] = {}
        for candidate in self.names:
            self._by_case.setdefault(candidate.lower(), candidate)
            self._by_length.setdefault(len(candidate), []).append(candidate)
        self._hints: dict[str, str] = {}

    def hint(self, name: str) -> str:
        """`did you mean ...?`, or the known names when none is close."""
        found = self._hints.get(name)
        if found is None:
            found = self._hints[name] = self._hint(name)
        return found

    def _hint(self, name: str) -> str:
        if not self.names:
            return f"no {self.kind} are defined"
        match = self._by_case.get(name.lower())
        compared = True
        if match is None:
            compared, match = self._closest(name)
        if match:
            return f"did you mean `{match}`?"
        shown = ", ".join(f"`{n}`" for n in self.names[:12])
        more = f" and {len(self.names) - 12} more" if len(self.names) > 12 else ""
        unsought = "" if compared else " (too many unknown names to look for a close one)"
        return f"known {self.kind}: {shown}{more}{unsought}"

    def _closest(self, name: str) -> tuple[bool, str | None]:
        """Whether `name` was compared (the budget allowed it), and the candidate
        `difflib.get_close_matches(name, names, n=1, cutoff=0.6)` would pick: the
        highest ratio, the greatest name among equals."""
        size = len(name)
        window = [
            names
            for length, names in self._by_length.items()
            if _ratio(min(length, size), length + size) >= _CUTOFF
        ]
        cost = sum(len(names) * (len(names[0]) + size) for names in window)
        if cost > self.budget.left:  # a name with fewer look-alikes may still fit
            return False, None
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(name)
        best: tuple[float, str] | None = None
        for names in window:
            for candidate in names:
                matcher.set_seq1(candidate)
                if matcher.quick_ratio() >= _CUTOFF:
                    cost += len(candidate) * size
                    score = matcher.ratio()
                    if score >= _CUTOFF and (best is None or (score, candidate) > best):
                        best = (score, candidate)
        self.budget.left = max(0, self.budget.left - cost)
        return True, best[1] if best else None


_CUTOFF = 0.6  # difflib.get_close_matches's default, which the hints have always used


def _ratio(matches: int, length: int) -> float:
    """difflib's ratio of `matches` in sequences `length` long together."""
    return 2.0 * matches / length if length else 1.0


class Suggestions:
    """The "did you mean" hints of one check: each kind's candidates indexed once, on
    first use, and one `FuzzyBudget` for them all."""

    def __init__(self, work: int = FUZZY_WORK):
        self.budget = FuzzyBudget(work)
        self._indexes: dict[str, NameIndex] = {}

    def hint(
        self, name: str, kind: str, candidates: Callable[[], Iterable[str]], key: str = ""
    ) -> str:
        """The hint for `name` among `candidates()` (called only the first time `key`, by
        default `kind`, is asked about)."""
        index = self._indexes.get(key or kind)
        if index is None:
            index = self._indexes[key or kind] = NameIndex(candidates(), kind, self.budget)
        return index.hint(name)


def did_you_mean(name: str, candidates: Iterable[str], kind: str) -> str:
    """The hint for one unknown name; for many, build a `NameIndex` or `Suggestions` once."""
    return NameIndex(candidates, kind).hint(name)


class Refused(Exception):
    """A file that segdsl does not read: `code` and a reason that names no content."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


def read_confined(root: Path, path: Path | str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of `path` (relative to `root`, or absolute), if it is a regular file
    inside `root` once symbolic links are resolved and at most `limit` bytes long
    (docs/security.md#confined-reads). It lives here, not in document/, because the
    snippet of a diagnostic reads its file too, and must be held to the same rule.

    The file is opened without blocking and without following a link, then checked
    again through its descriptor, so a FIFO never hangs and a file swapped in between
    the check and the open is refused rather than read."""
    base = os.path.realpath(root)
    target = os.path.realpath(os.path.join(base, path))
    if os.path.commonpath([base, target]) != base:
        raise Refused("E425", "is outside the project")
    try:
        before = os.stat(target)
    except OSError as error:
        raise Refused("E401", error.strerror or "cannot be read") from None
    _require_regular(before)
    if before.st_size > limit:
        raise Refused("E427", f"is {before.st_size:,} bytes, over the limit of {limit:,}")
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC
    try:
        descriptor = os.open(target, flags)
    except OSError as error:
        raise Refused("E401", error.strerror or "cannot be read") from None
    try:
        opened = os.fstat(descriptor)
        _require_regular(opened)
        if (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino):
            raise Refused("E426", "changed while it was being opened")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(descriptor, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(descriptor)
    if size > limit:
        raise Refused("E427", f"grew past the limit of {limit:,} bytes while being read")
    return b"".join(chunks)


def _require_regular(status: os.stat_result) -> None:
    mode = status.st_mode
    if stat.S_ISREG(mode):
        return
    kind = (
        "a folder"
        if stat.S_ISDIR(mode)
        else "a FIFO"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a special file"
    )
    raise Refused("E426", f"is {kind}, not a regular file")


class SourceCache:
    """File texts for snippets, read once, and only the project's own (read_confined):
    a diagnostic never shows a line of a file outside the project."""

    def __init__(self, base: Path | None = None) -> None:
        self._lines: dict[str, list[str]] = {}
        self._base = base or Path.cwd()

    def add(self, path: str, text: str) -> None:
        self._lines[path] = text.splitlines()

    def line(self, path: str, number: int) -> str | None:
        if path not in self._lines:
            try:
                raw = read_confined(self._base, path)
                self.add(path, raw.decode("utf-8", errors="replace"))
            except Refused:
                self._lines[path] = []
        lines = self._lines[path]
        return lines[number - 1] if 0 < number <= len(lines) else None


# SGR colours of a diagnostic on a terminal (docs/cli.md#colour-and-progress)
_COLOUR = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m"}
_BOLD, _BLUE, _RESET = "\x1b[1m", "\x1b[1;34m", "\x1b[0m"


def render_text(diagnostic: Diagnostic, sources: SourceCache, colour: bool = False) -> str:
    """`path:line:col: error[CODE]: message`, then the numbered line with carets and the hint;
    with `colour`, the severity and carets in red or yellow, the gutter in blue (SGR codes
    only around segdsl's own text: file text and messages are escaped by `shown` first)."""

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if colour and text else text

    d, loc = diagnostic, diagnostic.location
    tone = _COLOUR.get(d.severity, _BOLD)
    message = shown(d.message, newlines=True)  # an engine's message has lines
    hint = shown(d.hint, newlines=True) if d.hint else None
    kind = paint(f"{d.severity}[{d.code}]", tone)
    if loc is None:
        head = f"{kind}: {paint(message, _BOLD)}"
        return head + (f"\n  {paint('=', _BLUE)} help: {hint}" if hint else "")
    place = f"{shown(loc.path)}:{loc.line}:{loc.column}:"
    head = f"{paint(place, _BOLD)} {kind}: {paint(message, _BOLD)}"
    text = sources.line(loc.path, loc.line)
    if text is None:
        return head + (f"\n  {paint('=', _BLUE)} help: {hint}" if hint else "")
    text, column, end_column = _shown_line(text.replace("\t", " "), loc)
    gutter = " " * len(str(loc.line))
    shown_width = columns(text)  # terminal columns: a Hangul or CJK character takes two
    end = end_column if loc.end_line == loc.line else shown_width + 1
    width = max(1, min(end, shown_width + 1) - column)
    carets = "^" * width + (f" {hint}" if hint else "")
    bar = paint("|", _BLUE)
    return "\n".join(
        [
            head,
            f"{gutter} {bar}",
            f"{paint(str(loc.line), _BLUE)} {bar} {text}",
            f"{gutter} {bar} {' ' * (column - 1)}{paint(carets, tone)}".rstrip(),
        ]
    )


def _shown_line(text: str, loc: Location) -> tuple[str, int, int]:
    """The source line as shown, and the location's columns moved past the escapes and
    counted in terminal columns, so that the carets stand under wide characters too."""

    def column(at: int) -> int:
        return columns(shown(text[: at - 1])) + 1

    end = loc.end_column if loc.end_line == loc.line else len(text) + 1
    return shown(text), column(loc.column), column(end)


def render_json(diagnostics: Sequence[Diagnostic]) -> str:
    rows = []
    for d in diagnostics:
        row: dict[str, object] = {"code": d.code, "severity": d.severity, "message": d.message}
        if d.location:
            loc = d.location
            row |= {
                "file": loc.path,
                "line": loc.line,
                "column": loc.column,
                "end_line": loc.end_line,
                "end_column": loc.end_column,
            }
        if d.hint:
            row["hint"] = d.hint
        rows.append(row)
    return json_text({"diagnostics": rows, "errors": len(rows)})


def _escape_github(text: str, property_value: bool = False) -> str:
    text = shown(text, newlines=True)  # the log shows the line to people too
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(diagnostic: Diagnostic) -> str:
    """A GitHub Actions workflow command: `::error file=...,line=...,col=...::message`."""
    d, loc = diagnostic, diagnostic.location
    message = f"[{d.code}] {d.message}" + (f" ({d.hint})" if d.hint else "")
    props = ""
    if loc:
        props = (
            f" file={_escape_github(loc.path, True)},line={loc.line},col={loc.column},"
            f"endLine={loc.end_line},endColumn={loc.end_column},"
            f"title={_escape_github('segdsl ' + d.code, True)}"
        )
    return f"::{d.severity}{props}::{_escape_github(message)}"


def rebased(diagnostics: Sequence[Diagnostic], folder: str) -> list[Diagnostic]:
    """The diagnostics with each file's path taken from the folder that holds the project
    (`folder`, a POSIX path, "" for the project's own): GitHub places an annotation or a
    code-scanning alert by its path from the repository's top, and a project may sit in a
    subfolder of its repository (docs/ci.md#paths)."""
    if not folder:
        return list(diagnostics)
    return [
        dataclasses.replace(
            d, location=dataclasses.replace(d.location, path=f"{folder}/{d.location.path}")
        )
        if d.location
        else d
        for d in diagnostics
    ]


ERRORS_DOC = "docs/errors.md"
"""Where each code is explained, from the top of segdsl's repository: the `helpUri` of a
SARIF rule is its heading there, a relative reference, as segdsl names no web site of its
own (docs/ci.md#sarif)."""


@functools.cache
def error_titles() -> Mapping[str, str]:
    """Each code's title, the words after it in its heading of docs/errors.md, which
    tests/golden/update.py copies into the package (error_titles.json) for SARIF's rules."""
    text = importlib.resources.files("segdsl").joinpath("error_titles.json").read_text("utf-8")
    titles: dict[str, str] = json.loads(text)
    return titles


def render_sarif(diagnostics: Sequence[Diagnostic], version: str, project_file: str) -> str:
    """A SARIF 2.1.0 log of one run, for GitHub code scanning: one rule per code that
    occurs, one result per diagnostic. Paths are relative to `%SRCROOT%`, the repository's
    top, which the reader supplies (an absolute path would differ on every runner); a
    diagnostic without a place is put on the project's file, `project_file`, since code
    scanning shows no result without a file. Columns count code points, as Python does."""
    titles = error_titles()
    codes = sorted({d.code for d in diagnostics})
    rules = [_sarif_rule(code, titles.get(code)) for code in codes]
    results = [_sarif_result(d, codes.index(d.code), project_file) for d in diagnostics]
    driver = {"name": "segdsl", "version": version, "rules": rules}
    run = {"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json_text(log)


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _sarif_rule(code: str, title: str | None) -> dict[str, object]:
    heading = f"{code} {title}" if title else code
    anchor = f"{ERRORS_DOC}#{_anchor(heading)}" if title else ERRORS_DOC
    rule: dict[str, object] = {"id": code, "helpUri": anchor}
    if title:  # a code added since error_titles.json was last generated has none yet
        rule["shortDescription"] = {"text": title}
    rule["help"] = {"text": f"{heading}: see {anchor} in segdsl's documentation"}
    return rule


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as `-`."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def _sarif_result(d: Diagnostic, index: int, project_file: str) -> dict[str, object]:
    text = d.message + (f" ({d.hint})" if d.hint else "")
    loc = d.location
    where: dict[str, object] = {
        "artifactLocation": {
            "uri": quote(loc.path if loc else project_file),
            "uriBaseId": "%SRCROOT%",
        }
    }
    if loc:
        where["region"] = {
            "startLine": loc.line,
            "startColumn": loc.column,
            "endLine": loc.end_line,
            "endColumn": loc.end_column,
        }
    return {
        "ruleId": d.code,
        "ruleIndex": index,
        "level": "warning" if d.severity == "warning" else "error",
        "message": {"text": text},
        "locations": [{"physicalLocation": where}],
    }
