"""A checked (or optimised) tree as indented text, one node a line, for people to read.

    Apply ge : boolean
      Aggregate count : integer
        EventSet purchase
          TimeRange high_strict=True
            high: AsOf : timestamp
      Const 3 : integer

Schema objects (fields, events, properties) appear by name; a node's scalar attributes on
its line (what is missing or off left out), its children below it, labelled when the node
has more than one kind of child.
tests/golden/trees/ holds the optimised tree of every golden case in this form, so that a
change to an optimizer pass shows as a diff.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterator

from segdsl.check import bound
from segdsl.document import environment

_NAMED = (environment.Field, environment.Event, environment.Property, environment.Stream)
_TREE = (bound.Expr, bound.EventSet, bound.TimeRange, bound.Step, bound.Segmentation)


def outline(node: bound.Expr | bound.Segmentation) -> str:
    """The tree under `node` as indented lines."""
    return "\n".join(_lines(node, 0, "")) + "\n"


def _lines(node: object, depth: int, label: str) -> Iterator[str]:
    pad = "  " * depth + (f"{label}: " if label else "")
    if not isinstance(node, _TREE):
        yield pad + _scalar(node)
        return
    inline: list[str] = []
    children: list[tuple[str, object]] = []
    for item in dataclasses.fields(node):
        value = getattr(node, item.name)
        if item.name == "type" or not item.compare:  # a span is no part of a node's value
            continue
        if isinstance(value, _TREE):
            children.append((item.name, value))
        elif isinstance(value, tuple) and any(_is_tree(v) for v in value):
            children += [(item.name, v) for v in value]
        elif value is not None and value is not False:  # missing parts and off flags: unsaid
            inline.append(_inline(item.name, value))
    kind = getattr(node, "type", None)
    typed = f" : {kind.value}" if isinstance(kind, enum.Enum) else ""
    yield pad + " ".join([type(node).__name__, *inline]) + typed
    labelled = len({name for name, _ in children}) > 1
    for name, child in children:
        if isinstance(child, tuple):  # a bucket of a segmentation: (name, rule)
            yield "  " * (depth + 1) + f"bucket {child[0]}"
            yield from _lines(child[1], depth + 2, "")
        else:
            yield from _lines(child, depth + 1, name if labelled else "")


def _is_tree(value: object) -> bool:
    return isinstance(value, _TREE) or (
        isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], _TREE)
    )


def _inline(name: str, value: object) -> str:
    if name in ("op", "kind", "name", "unit") and isinstance(value, str):
        return value
    text = _scalar(value)
    return text if name in ("value", "values", "field", "event", "property") else f"{name}={text}"


def _scalar(value: object) -> str:
    if isinstance(value, _NAMED):
        return value.name
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return repr(value) if isinstance(value, str) else str(value)
