"""The hash of a rule that `segdsl history` compares between snapshots: has the rule changed?

A rule's meaning is its text and the definitions of the names it uses, so the hash is the
SHA-256 of the canonical text of the rule (segdsl/syntax/printer.py: a new line, a comment
or another quoting is no change) together with the definition of each trait, named set,
field, stream, segment and segmentation it refers to, directly or through one of those.
Editing a trait that a segment uses is then a change of that segment, and of every
segment that refers to it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator

from segdsl.document.source import Text
from segdsl.review.protocol import Reviewed
from segdsl.syntax import ast
from segdsl.syntax.parser import parse_rule
from segdsl.syntax.printer import print_rule


def rule_hash(project: Reviewed, name: str) -> str:
    """The hash of segment or segmentation `name` and all it refers to (hex digits)."""
    entries: dict[str, str] = {}
    todo = [name]
    while todo:
        current = todo.pop()
        if current in entries:
            continue
        entry, texts = _definition(project, current)
        entries[current] = entry
        todo.extend(used for text in texts for used in _names(parse_rule(text.value)))
    digest = hashlib.sha256()
    for key in sorted(entries):
        digest.update(f"{entries[key]}\n".encode())
    return digest.hexdigest()


def _definition(project: Reviewed, name: str) -> tuple[str, list[Text]]:
    """The canonical text of what `name` is in the project ("" for a name it does not
    define: a word of a rule that is no name of the schema), and the rules to follow."""
    environment = project.environment
    if name in project.segments:
        where = project.segments[name].where
        return f"segment {name}: {_canonical(where)}", [where]
    if name in project.segmentations:
        buckets = project.segmentations[name].buckets
        rules = [b.rule for b in buckets if b.rule is not None]
        spelled = [f"{b.name}: {'else' if b.rule is None else _canonical(b.rule)}" for b in buckets]
        return f"segmentation {name}: " + "; ".join(spelled), rules
    if environment is None:
        return "", []
    if name in environment.traits:
        text = environment.traits[name]
        return f"trait {name}: {_canonical(text)}", [text]
    found: object = (
        environment.sets.get(name)
        or environment.entity.fields.get(name)
        or environment.events().get(name)
    )
    return ("" if found is None else repr(found)), []


def _canonical(text: Text) -> str:
    return print_rule(parse_rule(text.value))


def _names(tree: ast.Expr) -> Iterator[str]:
    """Every name the rule uses: words, events of `did`, segments of `in segment`."""
    todo: list[object] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, ast.Name | ast.InSegment):
            yield node.name
        elif isinstance(node, ast.Did | ast.Step):
            yield node.event
        if isinstance(node, tuple):
            todo.extend(node)
        elif dataclasses.is_dataclass(node):
            todo.extend(getattr(node, f.name) for f in dataclasses.fields(node))
