"""What the language server answers, from the project as the editor holds it.

An `Edited` project is loaded and checked with the editor's open buffers in place of the
files on disk (segdsl/document/overlay.py), once per change; its diagnostics, completions,
hovers and definitions are plain data placed by file offsets and `Location`s, so that
server.py only translates them into the protocol's types (and its UTF-16 columns).

A place in a rule is found from the rules the project loaded (a segment's `where`, a
bucket's rule, a trait), which know their span in the file; a rule being typed may not
load (`where:` with nothing after it yet), so completion falls back on the line's text.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from segdsl.diagnostics import (
    MAX_FILE_BYTES,
    Diagnostic,
    Location,
    Refused,
    SegdslError,
    read_confined,
)
from segdsl.document.environment import Environment, Event, Stream
from segdsl.document.files import PROJECT_FILE
from segdsl.document.formats import normal_name
from segdsl.document.source import Document, Path_, Text, load_document
from segdsl.operators import FUNCTIONS, RULE_AGGREGATES
from segdsl.project import Project, load
from segdsl.syntax.keywords import keywords

_WORD = re.compile(r"\w+")
_PARTIAL_WORD = re.compile(r"\w*$")
_LAST_WORDS = re.compile(r"(?:(\w+)\s+)?(\w+)\s+$")
_OPEN_FILTER = re.compile(r"\bdid\s+(\w+)\s*\($", re.IGNORECASE)
_WHERE = re.compile(r"^(\s*)where:")
_COMMENT = re.compile(r"\s#\s?(.*)$")


@dataclass(frozen=True)
class Completion:
    label: str
    kind: str  # field, trait, event, property, set, segment, segmentation, function, keyword
    detail: str


@dataclass(frozen=True)
class Hover:
    markdown: str
    start: int  # the name's span in the file, as offsets of its text
    end: int


@dataclass(frozen=True)
class _Name:
    """The name at a place of a rule, and what comes before it there."""

    word: str
    start: int
    end: int
    before: str  # the rule's text before the name


class Edited:
    """The project at `root` with `texts` (paths from the project's folder → the editor's
    text) read in place of those files, loaded and checked once."""

    def __init__(self, root: Path, texts: dict[str, str]):
        self.root = root
        self.texts = texts
        self.project: Project = load(root, texts=texts)
        self.diagnostics = self.project.check()
        self._documents: dict[str, Document | None] = {}

    # ---- diagnostics -------------------------------------------------------------------

    def diagnostics_of(self, path: str) -> list[Diagnostic]:
        """The problems in the file `path`; segdsl.yaml gets those placed in no file too
        (a missing segment folder), at its first line."""
        return [d for d in self.diagnostics if _file_of(d) == path]

    # ---- completion ----------------------------------------------------------------------

    def completions(self, path: str, offset: int) -> list[Completion]:
        """What may stand at `offset` of a rule in `path`: the names the context allows
        (`in segment`, `entered segment` and `left segment` a segment, `did` an event, `in`
        a set, a filter of `did E(...)` E's properties first), else fields, traits,
        segmentations, functions and keywords."""
        before = self._rule_before(path, offset)
        env = self.project.environment
        if before is None or env is None:
            return []
        before = _PARTIAL_WORD.sub("", before, count=1)  # what the editor will filter by
        last = _LAST_WORDS.search(before)
        previous, word = (last.group(1) or "", last.group(2)) if last else ("", "")
        if word.lower() == "segment" and previous.lower() in ("in", "entered", "left"):
            return self._segments()
        if word.lower() == "did":
            return [Completion(n, "event", _event_detail(e.stream, n)) for n, e in _events(env)]
        if word.lower() == "in":
            sets = [Completion(n, "set", _set_detail(env, n)) for n in sorted(env.sets)]
            return [*sets, Completion("segment", "keyword", "in segment NAME")]
        stream = _open_filter(env, before)
        own = [] if stream is None else _properties(stream)
        return [*own, *self._values(env)]

    def _segments(self) -> list[Completion]:
        return [
            Completion(name, "segment", segment.description or f"segment in {segment.path}")
            for name, segment in sorted(self.project.segments.items())
        ]

    def _values(self, env: Environment) -> list[Completion]:
        fields = [
            Completion(n, "field", f"{f.type.value} field") for n, f in env.entity.fields.items()
        ]
        traits = [Completion(n, "trait", f"trait: {t.value}") for n, t in env.traits.items()]
        segmentations = [
            Completion(n, "segmentation", "segmentation: " + ", ".join(b.name for b in s.buckets))
            for n, s in self.project.segmentations.items()
        ]
        functions = [Completion(n, "function", op.doc or "function") for n, op in FUNCTIONS.items()]
        aggregates = [Completion(n, "function", "aggregate over events") for n in RULE_AGGREGATES]
        words = [Completion(w, "keyword", "keyword") for w in keywords()]
        return [*fields, *traits, *segmentations, *functions, *aggregates, *words]

    def _rule_before(self, path: str, offset: int) -> str | None:
        """The text of the rule at `offset` up to it, or None when it is in no rule."""
        text = self._rule_at(path, offset)
        if text is not None:
            return self.text_of(path)[text.node_start : offset]
        return _where_before(self.text_of(path), offset)

    # ---- hover and definition --------------------------------------------------------------

    def hover(self, path: str, offset: int) -> Hover | None:
        """What the name at `offset` of a rule is: a field's or property's type, a trait's
        rule, a segment's description and owner, a set's values, an event's stream."""
        name = self._name_at(path, offset)
        env = self.project.environment
        if name is None or env is None:
            return None
        text = self._describe(env, name)
        return None if text is None else Hover(text, name.start, name.end)

    def definition(self, path: str, offset: int) -> Location | None:
        """Where the segment, segmentation, trait, set, field or event named at `offset` of
        a rule is defined: its key in its file."""
        name = self._name_at(path, offset)
        env = self.project.environment
        if name is None or env is None:
            return None
        kind = _kind(env, self.project, name)
        if kind in ("segment", "segmentation"):
            owners = self.project.segments if kind == "segment" else self.project.segmentations
            return self._key_location(owners[name.word].path, f"{kind}s", name.word)
        place = _schema_place(env, kind, name.word)
        schema = self.project.schema_file
        if place is None or schema is None:
            return None
        document = self._document(os.path.normpath(schema))
        return None if document is None else document.location(place, key=True)

    def _describe(self, env: Environment, name: _Name) -> str | None:
        kind, word = _kind(env, self.project, name), name.word
        if kind == "property":
            stream = _open_filter(env, name.before)
            assert stream is not None
            found = stream.properties[word]
            return f"`{word}`: {found.type.value} — property of `{stream.name}`" + self._note(
                ("events", stream.name, "properties", word)
            )
        if kind == "field":
            field = env.entity.fields[word]
            column = f"column `{field.column}`" if not field.many else f"many, from `{field.table}`"
            return f"`{word}`: {field.type.value} — customer field ({column})" + self._note(
                ("customers", "fields", word)
            )
        if kind == "trait":
            return f"`{word}`: trait\n\n```\n{env.traits[word].value}\n```" + self._note(
                ("traits", word)
            )
        if kind == "segment":
            segment = self.project.segments[word]
            lines = [f"segment `{word}` ({segment.path})"]
            lines += [segment.description] if segment.description else []
            lines += [f"owner: {segment.owner}"] if segment.owner else []
            lines += [f"labels: {', '.join(segment.labels)}"] if segment.labels else []
            lines += [f"min_size: {segment.min_size:,}"] if segment.min_size is not None else []
            return "\n\n".join([*lines, *self._size(word)])
        if kind == "segmentation":
            buckets = self.project.segmentations[word].buckets
            text = f"`{word}`: segmentation — " + ", ".join(f"`{b.name}`" for b in buckets)
            return "\n\n".join([text, *self._size(word)])
        if kind == "set":
            return f"set `{word}`: {_set_detail(env, word)}" + self._note(("sets", word))
        if kind == "event":
            stream = env.events()[word].stream
            return f"event `{word}`: {_event_detail(stream, word)}"
        if kind == "function":
            return f"`{word}(…)`: {FUNCTIONS[word].doc or 'function'}"
        return None

    def _size(self, name: str) -> list[str]:
        """The members at the last snapshot (`segdsl snapshot`), as one line; none without
        a snapshot, or when the state database cannot be read (a hover never fails)."""
        try:
            last = self.project.last_snapshot(name)
        except SegdslError:
            return []
        if last is None:
            return []
        as_of, members = last
        return [f"{members:,} members at the last snapshot (as of {as_of:%Y-%m-%d %H:%M:%S})"]

    def _note(self, place: Path_) -> str:
        """The comment written after a schema entry (`email: string  # missing for
        some`), with the comment lines under it at the same column: its description."""
        schema = self.project.schema_file
        document = None if schema is None else self._document(os.path.normpath(schema))
        if document is None or place not in document.nodes:
            return ""
        lines = document.source.text.split("\n")
        line = document.location(place, key=True).line - 1
        found = _COMMENT.search(lines[line])
        if found is None:
            return ""
        column, notes = lines[line].index("#", found.start()), [found.group(1).strip()]
        for below in lines[line + 1 :]:
            if below[:column].strip() or below[column : column + 1] != "#":
                break
            notes.append(below[column + 1 :].strip())
        return "\n\n" + " ".join(notes)

    def _name_at(self, path: str, offset: int) -> _Name | None:
        rule = self._rule_at(path, offset)
        if rule is None:
            return None
        text = self.text_of(path)
        for word in _WORD.finditer(text, rule.node_start, rule.node_end):
            if word.start() <= offset <= word.end():
                before = text[rule.node_start : word.start()]
                return _Name(normal_name(word.group()), word.start(), word.end(), before)
        return None

    def _rule_at(self, path: str, offset: int) -> Text | None:
        """The loaded rule of `path` whose text holds `offset`."""
        env = self.project.environment
        rules = [s.where for s in self.project.segments.values()]
        rules += [b.rule for s in self.project.segmentations.values() for b in s.buckets if b.rule]
        rules += list(env.traits.values()) if env else []
        for rule in rules:
            same = os.path.normpath(rule.source.path) == path
            if same and rule.node_start <= offset <= rule.node_end:
                return rule
        return None

    # ---- files -------------------------------------------------------------------------------

    def text_of(self, path: str) -> str:
        """The editor's text of `path`, else the file's on disk ("" when unreadable)."""
        if path in self.texts:
            return self.texts[path]
        try:
            return read_confined(self.root, path, MAX_FILE_BYTES).decode("utf-8", "replace")
        except Refused:
            return ""

    def _document(self, path: str) -> Document | None:
        """The file `path` as YAML with positions, read once per change."""
        if path not in self._documents:
            raw = self.text_of(path).encode("utf-8", "replace")
            self._documents[path] = load_document(path, raw)[0]
        return self._documents[path]

    def _key_location(self, path: str, section: str, name: str) -> Location | None:
        document = self._document(os.path.normpath(path))
        if document is None or not isinstance(document.data, dict):
            return None
        keys = document.data.get(section)
        key = next((k for k in keys or {} if normal_name(str(k)) == name), name)
        return document.location((section, key), key=True)


def _file_of(diagnostic: Diagnostic) -> str:
    place = diagnostic.location
    return os.path.normpath(place.path) if place else PROJECT_FILE


def _kind(env: Environment, project: Project, name: _Name) -> str | None:
    """What `name` refers to where it stands (docs/language.md#names)."""
    word, before = name.word, name.before.rstrip().lower()
    if before.endswith("segment") and re.search(r"\bin\s+segment$", before):
        return "segment" if word in project.segments else None
    if re.search(r"\bdid$", before):
        return "event" if word in env.events() else None
    if re.search(r"\bin$", before) and word in env.sets:
        return "set"
    stream = _open_filter(env, name.before)
    if stream is not None and word in stream.properties:
        return "property"
    for kind, names in (
        ("field", env.entity.fields),
        ("trait", env.traits),
        ("segmentation", project.segmentations),
        ("set", env.sets),
        ("segment", project.segments),
    ):
        if word in names:
            return kind
    return "function" if word in FUNCTIONS else None


def _open_filter(env: Environment, before: str) -> Stream | None:
    """The stream of `did E(` when `before` ends inside that filter's parentheses."""
    depth = 0
    for index in range(len(before) - 1, -1, -1):
        char = before[index]
        if char == ")":
            depth += 1
        elif char == "(":
            if depth == 0:
                found = _OPEN_FILTER.search(before[: index + 1])
                event = env.events().get(found.group(1)) if found else None
                return event.stream if event else None
            depth -= 1
    return None


def _events(env: Environment) -> list[tuple[str, Event]]:
    return sorted(env.events().items())


def _properties(stream: Stream) -> list[Completion]:
    return [
        Completion(n, "property", f"{p.type.value} property of `{stream.name}`")
        for n, p in stream.properties.items()
    ]


def _event_detail(stream: Stream, name: str) -> str:
    if stream.name_column is None:
        return f"rows of `{stream.table}`"
    return f"rows of `{stream.table}` with {stream.name_column} = '{name}'"


def _set_detail(env: Environment, name: str) -> str:
    values = env.sets[name].values
    shown = ", ".join(str(v) for v in values[:12]) + (", …" if len(values) > 12 else "")
    return f"{env.sets[name].type.value}, {len(values)} values: {shown}"


def _schema_place(env: Environment, kind: str | None, name: str) -> Path_ | None:
    """The path of a schema entry in schema.yaml."""
    if kind == "field":
        return ("customers", "fields", name)
    if kind in ("trait", "set"):
        return (f"{kind}s", name)
    if kind == "event":
        stream = env.events()[name].stream
        if stream.name_column is None:
            return ("events", stream.name)
        return ("events", stream.name, "names", stream.names.index(name))
    return None


def _where_before(text: str, offset: int) -> str | None:
    """The text after `where:` up to `offset`, when `offset` is on that line or on a line
    of its block below it (indented deeper than the key); None otherwise."""
    lines = text[:offset].split("\n")
    current = lines[-1]
    found = _WHERE.match(current)
    if found:
        return current[found.end() :]
    indent = len(current) - len(current.lstrip())
    for index in range(len(lines) - 2, -1, -1):
        line = lines[index]
        if not line.strip():
            continue
        depth = len(line) - len(line.lstrip())
        if depth >= indent:
            continue
        found = _WHERE.match(line)
        if found is None:
            return None
        return "\n".join([line[found.end() :], *lines[index + 1 :]]).lstrip(" >|-")
    return None
