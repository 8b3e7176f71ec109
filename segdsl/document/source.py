"""YAML with positions: every value keeps where it stands in its file.

PyYAML's composer gives each node its start and end marks; from those we map a
character of a scalar's *value* back to a line and column of the *file*, for every
scalar style (plain, single- and double-quoted, literal `|` and folded `>` blocks,
flow mappings). That is what lets a rule error point into the YAML file.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from segdsl.diagnostics import Diagnostic, Location, Span

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml is optional
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]  # another class than CSafeLoader, same use

Path_ = tuple[str | int, ...]

MAX_ALIAS_NODES = 10_000
"""Nodes that YAML aliases may add to a file beyond those written (docs/security.md#limits)."""
MAX_DEPTH = 200
"""Nesting of a file's values, aliases expanded (docs/security.md#limits)."""


class _TooLarge(Exception):
    """The document, its aliases expanded, is past MAX_ALIAS_NODES or MAX_DEPTH."""


class _Budget:
    """Counts the nodes constructed: an alias that is expanded costs its whole subtree
    again, so a billion-laughs document stops after MAX_ALIAS_NODES, not a billion."""

    def __init__(self, root: Node):
        self.left = _distinct_nodes(root) + MAX_ALIAS_NODES

    def spend(self, depth: int) -> None:
        self.left -= 1
        if self.left < 0 or depth > MAX_DEPTH:
            raise _TooLarge


def _distinct_nodes(root: Node) -> int:
    seen: set[int] = set()
    todo = [root]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            todo.extend(n for pair in node.value for n in pair)
        elif isinstance(node, SequenceNode):
            todo.extend(node.value)
    return len(seen)


class SourceFile:
    """A file's text with line starts, to turn character indexes into lines and columns."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self._starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def position(self, index: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, index)
        return line, index - self._starts[line - 1] + 1

    def location(self, start: int, end: int) -> Location:
        line, column = self.position(start)
        end_line, end_column = self.position(max(start, end))
        return Location(self.path, line, column, end_line, end_column)


@dataclass(frozen=True)
class Text:
    """A string value from a YAML file, with the file index of each of its characters."""

    value: str
    source: SourceFile
    offsets: tuple[int, ...]
    node_start: int
    node_end: int

    def location(self, span: Span | None = None) -> Location:
        if span is None or not self.offsets:
            return self.source.location(self.node_start, self.node_end)
        start = self.offsets[min(span.start, len(self.offsets) - 1)]
        last = self.offsets[min(max(span.end - 1, span.start), len(self.offsets) - 1)]
        return self.source.location(start, last + 1)


@dataclass
class Document:
    """A parsed YAML file: plain Python data plus the node of every path, for positions."""

    source: SourceFile
    data: Any
    nodes: dict[Path_, Node]

    def location(self, path: Path_, key: bool = False) -> Location:
        """Where the value at `path` stands (or its key, when `key`)."""
        while path and path not in self.nodes:
            path = path[:-1]
        node = self.nodes.get(path)
        if node is None:
            return self.source.location(0, 0)
        if key and path:
            parent = self.nodes.get(path[:-1])
            if isinstance(parent, MappingNode):
                for k, _ in parent.value:
                    if isinstance(k, ScalarNode) and k.value == path[-1]:
                        node = k
        return self.source.location(node.start_mark.index, node.end_mark.index)

    def text(self, path: Path_) -> Text | None:
        node = self.nodes.get(path)
        if not isinstance(node, ScalarNode) or not isinstance(self.data_at(path), str):
            return None
        offsets = _value_offsets(self.source.text, node)
        source = self.source.text
        # YAML folds line breaks into spaces (`>` and plain scalars); put them back, so that
        # a `#` comment in a rule ends at its line as the writer sees it. Same length: spans hold.
        value = "".join(
            "\n" if char == " " and source[i] == "\n" else char
            for char, i in zip(node.value, offsets, strict=True)
        )
        return Text(value, self.source, offsets, node.start_mark.index, node.end_mark.index)

    def data_at(self, path: Path_) -> Any:
        value = self.data
        for part in path:
            value = value[part]
        return value


def load_document(path: str, raw: bytes) -> tuple[Document | None, list[Diagnostic]]:
    """Parse a YAML file; duplicate keys, bad UTF-8 and syntax errors become diagnostics."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        column = len(raw[line_start : error.start].decode("utf-8", "replace")) + 1
        return None, [
            Diagnostic(
                "E406",
                "the file is not valid UTF-8",
                Location(path, line, column, line, column + 1),
                f"byte {error.start} cannot be decoded; save the file as UTF-8",
            )
        ]
    source = SourceFile(path, text.removeprefix("\ufeff"))
    try:
        root = yaml.compose(source.text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        if error.context_mark and "end of stream" in (error.problem or ""):
            mark = error.context_mark  # an unclosed quote: point where it opens
        index = mark.index if mark else 0
        loc = source.location(index, index + 1)
        problem = (error.problem or error.context or "invalid YAML").strip()
        text_problem = _colon_in_text(source.text, index, problem)
        if text_problem is not None:
            return None, [Diagnostic("E402", text_problem[0], loc, text_problem[1])]
        return None, [
            Diagnostic(
                "E402",
                f"YAML syntax error: {problem}",
                loc,
                'a rule with `:` or starting with `"` or `[` needs quoting '
                "or a block scalar (`where: >`)",
            )
        ]
    except yaml.YAMLError as error:
        return None, [Diagnostic("E402", f"YAML error: {error}", source.location(0, 0))]
    if root is None:
        return None, [
            Diagnostic(
                "E407",
                "the file is empty",
                source.location(0, 0),
                "see docs/files.md for what the file holds",
            )
        ]
    nodes: dict[Path_, Node] = {}
    problems: list[Diagnostic] = []
    try:
        data = _construct(root, (), nodes, problems, source, _Budget(root))
    except _TooLarge:
        return None, [
            Diagnostic(
                "E428",
                f"the file's aliases expand past {MAX_ALIAS_NODES:,} values "
                f"or {MAX_DEPTH} levels of nesting",
                source.location(0, 0),
                "write the values out, or use fewer `*` aliases (docs/security.md#limits)",
            )
        ]
    except (ConstructorError, ValueError) as error:
        mark = getattr(error, "problem_mark", None)
        index = mark.index if mark else 0
        return None, [
            Diagnostic("E402", f"YAML value error: {error}", source.location(index, index + 1))
        ]
    return Document(source, data, nodes), problems


# the keys whose values are words for people, not rules (docs/files.md#segments)
_TEXT_KEYS = ("description", "owner")
_KEY_AND_VALUE = re.compile(r"^(\s*(?:-\s+)?)([\w-]+):\s+(.*?)\s*$")


def _colon_in_text(text: str, index: int, problem: str) -> tuple[str, str] | None:
    """(message, hint) for `description: Note: this ...`: YAML reads the second `: ` as
    a new key, on a line whose value is text for people, not a rule, so the usual hint
    about quoting rules would mislead."""
    if not problem.startswith("mapping values are not allowed"):
        return None
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    line = _KEY_AND_VALUE.match(text[start : end if end >= 0 else len(text)])
    if line is None or line.group(2) not in _TEXT_KEYS:
        return None
    key, value = line.group(2), line.group(3)
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return (
        f"the `{key}` holds `: `, which YAML reads as the start of another key",
        f"quote the {key}: `{key}: {quoted}`",
    )


def _construct(
    node: Node,
    path: Path_,
    nodes: dict[Path_, Node],
    problems: list[Diagnostic],
    source: SourceFile,
    budget: _Budget,
) -> Any:
    budget.spend(len(path))
    nodes[path] = node
    if isinstance(node, MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):  # `? [a, *b]`: counted, then shown as text
                _construct(key_node, (*path, "?"), {}, [], source, budget)
            key = _key(key_node)
            if key in result:
                problems.append(
                    Diagnostic(
                        "E403",
                        f"duplicate key `{key}`",
                        source.location(key_node.start_mark.index, key_node.end_mark.index),
                        "a later key would silently replace the earlier one; rename or remove it",
                    )
                )
                continue
            result[key] = _construct(value_node, (*path, key), nodes, problems, source, budget)
        return result
    if isinstance(node, SequenceNode):
        return [
            _construct(item, (*path, i), nodes, problems, source, budget)
            for i, item in enumerate(node.value)
        ]
    return SafeConstructor().construct_object(node, deep=True)


# the scalar tags a plain key resolves to (YAML 1.1, as PyYAML reads it)
_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{kind}" for kind in ("str", "bool", "null", "int", "float", "timestamp")
}


def _key(node: Node) -> str:
    """A key is the text written (docs/files.md#keys): YAML 1.1 would read `on:`, `no:`,
    `yes:`, `null:` or `~:` as a boolean or null and rename the segment, bucket, field or
    set to `True`, `False` or `None`. A merge key (`<<`) or another tag is constructed, and
    fails as before."""
    if isinstance(node, ScalarNode) and node.tag in _PLAIN_TAGS:
        return str(node.value)
    key = SafeConstructor().construct_object(node, deep=True)
    return key if isinstance(key, str) else str(key)


def _value_offsets(text: str, node: ScalarNode) -> tuple[int, ...]:
    """File index of every character of the scalar's value, whatever its style."""
    value = node.value
    start, end = node.start_mark.index, node.end_mark.index
    style = node.style
    pos = start + (1 if style in ('"', "'") else 0)
    if style in ("|", ">"):
        pos = text.find("\n", start) + 1
    offsets: list[int] = []
    for char in value:
        while pos < end:
            here = text[pos]
            if style == '"' and here == "\\":
                width = _escape_width(text, pos)
                if width:
                    offsets.append(pos)
                    pos += width
                    break
            if here == char or (char == " " and here == "\n"):
                offsets.append(pos)
                pos += 1
                break
            if char == "\n" and here == "\n" and style == ">":
                offsets.append(pos)
                pos += 1
                break
            pos += 1
        else:
            offsets.append(max(start, min(pos, end - 1)))
    return tuple(offsets)


def _escape_width(text: str, pos: int) -> int:
    nxt = text[pos + 1] if pos + 1 < len(text) else ""
    if nxt == "\n":
        return 0
    return {"x": 4, "u": 6, "U": 10}.get(nxt, 2)
