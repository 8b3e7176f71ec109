"""A segment file's text with every rule in its canonical spelling (`segdsl fmt`).

The YAML is not dumped again: each rule's printed text (printer.py) is spliced into the
characters its scalar takes in the file, so comments, key order, quoting and blank lines
stay as written. The scalar keeps its style when that style can hold the printed rule:
a plain scalar stays plain when YAML reads it back as the same text (else it is quoted
in `'…'`, which needs no escape for the rule's `"` strings), a quoted one stays quoted,
and a rule written on several lines stays a block (`>`, or its own `|`/`>` header), one
top-level `and`/`or` operand per line. Every splice is verified by loading the new text
again: the file must hold the same data, and each rule must print as the one it replaces.
A rule holding a `#` comment is left as written, since the printer has no place for it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from yaml.nodes import ScalarNode

from segdsl.diagnostics import Diagnostic
from segdsl.document.source import Document, Path_, load_document
from segdsl.syntax import ast
from segdsl.syntax.parser import has_comment, parse_rule
from segdsl.syntax.printer import print_lines, print_rule


class Unformattable(Exception):
    """No spelling of a rule splices into the file and loads back to the same data."""


@dataclass(frozen=True)
class _Rule:
    path: Path_
    node: ScalarNode
    tree: ast.Expr


def rule_paths(data: object) -> Iterator[Path_]:
    """Where a segment file's rules are: each segment's `where`, each bucket's rule but `else`."""
    if not isinstance(data, dict):
        return
    segments = data.get("segments")
    for key, segment in segments.items() if isinstance(segments, dict) else ():
        if isinstance(segment, dict) and isinstance(segment.get("where"), str):
            yield ("segments", key, "where")
    segmentations = data.get("segmentations")
    for key, buckets in segmentations.items() if isinstance(segmentations, dict) else ():
        for index, bucket in enumerate(buckets if isinstance(buckets, list) else ()):
            for name, rule in bucket.items() if isinstance(bucket, dict) else ():
                if name != "else" and isinstance(rule, str):
                    yield ("segmentations", key, index, name)


def format_text(name: str, text: str) -> str:
    """`text` (a segment file that loads and parses cleanly) with its rules canonical;
    Unformattable when a rule cannot be spliced back (never so far, kept as a guard)."""
    document = _load(name, text)
    rules = [rule for path in rule_paths(document.data) if (rule := _rule(document, path))]
    current = document
    # from the last rule to the first: a splice moves only the characters after it
    for rule in sorted(rules, key=lambda r: r.node.start_mark.index, reverse=True):
        spliced = _splice_rule(name, text, current, rule)
        if spliced != text:
            text, current = spliced, _load(name, spliced)
    return text


def _load(name: str, text: str) -> Document:
    document, problems = load_document(name, text.encode("utf-8"))
    if document is None or problems:
        raise Unformattable(f"{name} does not load as YAML")
    return document


def _rule(document: Document, path: Path_) -> _Rule | None:
    """The rule at `path`, or None when it is left as written (a comment in it)."""
    node = document.nodes[path]
    text = document.text(path)
    if not isinstance(node, ScalarNode) or text is None or has_comment(text.value):
        return None
    return _Rule(path, node, parse_rule(text.value))


def _splice_rule(name: str, text: str, before: Document, rule: _Rule) -> str:
    """`text` with `rule` in the first spelling that loads back to the same data."""
    value = before.text(rule.path)
    assert value is not None
    lines = print_lines(rule.tree) if "\n" in value.value.strip() else [print_rule(rule.tree)]
    if [line.strip() for line in value.value.strip().split("\n")] == lines:
        return text  # already canonical: not one character changes
    for start, end, written in _spellings(text, rule.node, value.offsets, lines):
        candidate = text[:start] + written + text[end:]
        if _same(name, candidate, before, rule):
            return candidate
    raise Unformattable(f"{name}: the rule at {'.'.join(map(str, rule.path))} cannot be spliced")


def _spellings(
    text: str, node: ScalarNode, offsets: tuple[int, ...], lines: list[str]
) -> Iterator[tuple[int, int, str]]:
    """(start, end, new text) of each way to write `lines` in the scalar's place, best first."""
    start, end = node.start_mark.index, node.end_mark.index
    newline = "\r\n" if "\r\n" in text else "\n"
    if node.style in ("|", ">") and offsets:  # the content, its header and chomping kept
        first = text.rfind("\n", 0, offsets[0]) + 1
        indent = text[first : offsets[0]]
        yield first, _content_end(text, offsets), newline.join(indent + line for line in lines)
    elif len(lines) > 1:
        indent = " " * (_key_column(text, start) + 2)
        yield start, end, ">" + newline + newline.join(indent + line for line in lines)
    one = " ".join(lines)
    if not node.style:  # plain: None, or '' from libyaml
        yield start, end, one
    if node.style != '"':
        yield start, end, "'" + one.replace("'", "''") + "'"
    yield start, end, json.dumps(one, ensure_ascii=False)


def _content_end(text: str, offsets: tuple[int, ...]) -> int:
    """Just past the last character of a block scalar's content that is not a line break."""
    for index in reversed(offsets):
        if text[index] not in "\r\n":
            return index + 1
    return offsets[0]


def _key_column(text: str, index: int) -> int:
    """The column where the key of the value at `index` starts (after any `- ` of a list)."""
    line = text[text.rfind("\n", 0, index) + 1 : index]
    return len(line) - len(line.lstrip(" -"))


def _same(name: str, candidate: str, before: Document, rule: _Rule) -> bool:
    """Whether `candidate` loads to the data of `before`, the rule at `rule.path` aside,
    and that rule is the same tree spelled canonically."""
    try:
        after = _load(name, candidate)
        text = after.text(rule.path)
        if text is None or print_rule(parse_rule(text.value)) != print_rule(rule.tree):
            return False
    except Exception:  # any failure to load or parse is a spelling that does not fit
        return False
    return _without(after.data, rule.path) == _without(before.data, rule.path)


def _without(data: object, path: Path_) -> object:
    """`data` with the value at `path` blanked, to compare the rest of two files."""
    if not path:
        return None
    if isinstance(data, dict):
        return {k: _without(v, path[1:]) if k == path[0] else v for k, v in data.items()}
    if isinstance(data, list):
        return [_without(v, path[1:]) if i == path[0] else v for i, v in enumerate(data)]
    return data


@dataclass(frozen=True)
class Change:
    """One file `fmt` rewrites (or, with `check`, would): its text before and after."""

    path: str  # as the project names it, relative to its folder
    before: str
    after: str


@dataclass(frozen=True)
class Formatted:
    """What `Project.fmt` did: the files it looked at, those it changed, and the errors
    that kept files as they were."""

    files: tuple[str, ...]
    changes: tuple[Change, ...]
    diagnostics: tuple[Diagnostic, ...]
