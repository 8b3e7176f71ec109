"""Selectors: which segments and segmentations a command takes (docs/cli.md#selecting-segments).

A selector is a name, a glob of names (`eu_*`, as fnmatch reads it), `label:X`,
`owner:X` or `file:PATH` (X and PATH globs too, PATH relative to the project's folder);
a `+` before any of them adds everything its matches refer to, transitively, as dbt's
`+model` does. Selection reads only what the files say of each definition and the
references the checker found, broken rules' included, so that it works in a project with
errors: Project.select then decides which of them block (`blocking`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from segdsl.diagnostics import Diagnostic, Location, NameIndex, SegdslError
from segdsl.document.files import SegmentationSource, SegmentSource
from segdsl.document.formats import normal_name

METHODS = ("label", "owner", "file")
_GLOB = frozenset("*?[")
_FORMS = "a name, a glob (`eu_*`), label:X, owner:X, file:PATH, each with an optional `+` before it"


@dataclass(frozen=True)
class Definition:
    """What selectors read of one segment or segmentation (a segmentation has no labels
    and no owner: its file gives it only buckets)."""

    name: str
    kind: str  # "segment" or "segmentation"
    path: str
    labels: tuple[str, ...] = ()
    owner: str | None = None


def definitions(
    segments: Mapping[str, SegmentSource], segmentations: Mapping[str, SegmentationSource]
) -> list[Definition]:
    """The project's definitions in its order: segments, then segmentations."""
    return [
        *(Definition(s.name, "segment", s.path, s.labels, s.owner) for s in segments.values()),
        *(Definition(s.name, "segmentation", s.path) for s in segmentations.values()),
    ]


@dataclass(frozen=True)
class Listed:
    """One row of `segdsl ls`: a definition, where it is, and what it refers to."""

    name: str
    kind: str  # "segment" or "segmentation"
    description: str | None
    owner: str | None
    labels: tuple[str, ...]
    path: str
    line: int | None
    refers_to: tuple[str, ...]  # directly; `+NAME` takes these and theirs
    min_size: int | None


def listing(
    names: Sequence[str],
    segments: Mapping[str, SegmentSource],
    segmentations: Mapping[str, SegmentationSource],
    references: Mapping[str, Sequence[str]],
) -> list[Listed]:
    """A row for each of `names`, in their order."""
    rows: list[Listed] = []
    for name in names:
        refers_to = tuple(references.get(name, ()))
        if name in segments:
            s = segments[name]
            line = s.defined.line if s.defined else None
            rows.append(
                Listed(
                    name,
                    "segment",
                    s.description,
                    s.owner,
                    s.labels,
                    s.path,
                    line,
                    refers_to,
                    s.min_size,
                )
            )
        else:
            g = segmentations[name]
            line = g.defined.line if g.defined else None
            rows.append(Listed(name, "segmentation", None, None, (), g.path, line, refers_to, None))
    return rows


def select(
    selectors: Sequence[str],
    exclude: Sequence[str],
    defined: Sequence[Definition],
    references: Mapping[str, Sequence[str]],
) -> list[str]:
    """The names `selectors` pick (every definition when there are none) less those
    `exclude` picks: in the order of the selectors, each one's matches in the project's
    order, each name once. Every selector must match something (E203 for a name, E473
    for the other forms), be well formed (E474), and leave something selected (E475)."""
    index = _Index(defined)
    if not selectors and not exclude:
        return list(index.names)
    problems: list[Diagnostic] = []
    chosen = _union(selectors, index, references, problems) if selectors else list(index.names)
    dropped = set(_union(exclude, index, references, problems))
    if problems:
        raise SegdslError(problems)
    kept = [n for n in chosen if n not in dropped]
    if not kept:
        raise SegdslError([nothing_left(selectors, exclude)])
    return kept


def nothing_left(selectors: Sequence[str], exclude: Sequence[str]) -> Diagnostic:
    """E475: `exclude` leaves out everything that `selectors` pick."""
    asked = " ".join(f"`{s}`" for s in selectors) or "the project's segments"
    dropped = " ".join(f"`--exclude {s}`" for s in exclude)
    return Diagnostic(
        "E475",
        f"nothing is left of {asked} after {dropped}",
        hint="exclude less; `segdsl ls SELECTOR` lists what a selector picks",
    )


def closure(names: Iterable[str], references: Mapping[str, Sequence[str]]) -> list[str]:
    """`names` and every name they refer to, directly or through others, each once:
    `names` first, then what they refer to, breadth first."""
    found = list(dict.fromkeys(names))
    seen = set(found)
    for name in found:  # grows while it is walked
        for ref in references.get(name, ()):
            if ref not in seen:
                seen.add(ref)
                found.append(ref)
    return found


def blocking(
    diagnostics: Iterable[Diagnostic],
    wanted: Iterable[str],
    defined: Mapping[str, Location | None],
) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """The errors that block a statement of the names `wanted` (already closed over their
    references), and the others. An error blocks when it stands in the definition of a
    wanted name or in none at all (schema.yaml, segdsl.yaml, a file that could not be read,
    a definition left out as a duplicate): only the others' definitions are left out."""
    wanted = set(wanted)
    places: dict[str, list[tuple[str, Location]]] = {}  # by file: a project has thousands
    for name, where in defined.items():
        if where is not None:
            places.setdefault(where.path, []).append((name, where))
    blocked: list[Diagnostic] = []
    others: list[Diagnostic] = []
    for d in diagnostics:
        if d.severity != "error":
            continue
        owner = _owner(d.location, places)
        (blocked if owner is None or owner in wanted else others).append(d)
    return blocked, others


def _owner(
    location: Location | None, places: Mapping[str, Sequence[tuple[str, Location]]]
) -> str | None:
    if location is None:
        return None
    at = (location.line, location.column)
    for name, where in places.get(location.path, ()):
        if (where.line, where.column) <= at < (where.end_line, where.end_column):
            return name
    return None


class _Index:
    """The definitions by name, and the values that selectors of each method compare."""

    def __init__(self, defined: Sequence[Definition]):
        self.by_name = {d.name: d for d in defined}
        self.names = list(self.by_name)

    def values(self, method: str, definition: Definition) -> tuple[str, ...]:
        if method == "label":
            return definition.labels
        if method == "owner":
            return () if definition.owner is None else (definition.owner,)
        return (os.path.normpath(definition.path),)

    def known(self, method: str) -> list[str]:
        return sorted({v for d in self.by_name.values() for v in self.values(method, d)})


def _union(
    selectors: Sequence[str],
    index: _Index,
    references: Mapping[str, Sequence[str]],
    problems: list[Diagnostic],
) -> list[str]:
    found: list[str] = []
    for selector in selectors:
        matches = _matches(selector.removeprefix("+"), selector, index, problems)
        if selector.startswith("+"):
            matches = closure(matches, references)
        found += matches
    return list(dict.fromkeys(found))


def _matches(pattern: str, selector: str, index: _Index, problems: list[Diagnostic]) -> list[str]:
    """The names one selector (without its `+`) picks, in the project's order; a problem
    added when it is malformed or picks nothing."""
    method, colon, value = pattern.partition(":")
    if not colon:
        return _by_name(normal_name(pattern), index, problems)
    if method not in METHODS or not value.strip():
        problems.append(
            Diagnostic(
                "E474",
                f"`{selector}` is not a selector"
                + (f": `{method}:` is not one of label:, owner:, file:" if value.strip() else ""),
                hint=f"a selector is {_FORMS}",
            )
        )
        return []
    if method == "file":
        value = os.path.normpath(value)
    picked = [
        d.name
        for d in index.by_name.values()
        if any(_fits(v, value, method) for v in index.values(method, d))
    ]
    if not picked:
        known = index.known(method)
        problems.append(
            Diagnostic(
                "E473",
                f"`{selector}` selects nothing: "
                + (
                    f"no segment or segmentation is defined in `{value}`"
                    if method == "file"
                    else f"no segment has the {method} `{value}`"
                ),
                hint=_hint(method, value, known),
            )
        )
    return picked


def _by_name(pattern: str, index: _Index, problems: list[Diagnostic]) -> list[str]:
    if not _is_glob(pattern):
        if pattern in index.by_name:
            return [pattern]
        hint = NameIndex(index.names, "segments").hint(pattern)
        problems.append(Diagnostic("E203", f"unknown segment `{pattern}`", hint=hint))
        return []
    picked = [n for n in index.names if fnmatchcase(n, pattern)]
    if not picked:
        problems.append(
            Diagnostic(
                "E473",
                f"`{pattern}` selects nothing: no segment or segmentation's name matches it",
                hint="globs match whole names, case and all (`eu_*`, `*_mailable`); "
                "`segdsl ls` lists the names",
            )
        )
    return picked


def _is_glob(pattern: str) -> bool:
    """A glob of names: glob characters among name characters only, so that a name with
    a stray `[` (an escape sequence pasted in) is an unknown name, E203."""
    return bool(_GLOB & set(pattern)) and all(c.isalnum() or c in "_*?[]!-" for c in pattern)


def _fits(value: str, pattern: str, method: str) -> bool:
    """Whether a definition's label, owner or file fits the selector's `pattern`; a file
    fits a folder too (`file:segments/` takes every file in it)."""
    if fnmatchcase(value, pattern):
        return True
    return method == "file" and fnmatchcase(value, pattern.rstrip("/") + "/*")


def _hint(method: str, value: str, known: list[str]) -> str:
    if not known:
        return f"no segment has a {method}" + ("" if method == "file" else f" (`{method}:`)")
    if _GLOB & set(value):  # no name is close to a glob
        shown = ", ".join(f"`{k}`" for k in known[:12])
        return f"known {method}s: {shown}" + (
            f" and {len(known) - 12} more" if len(known) > 12 else ""
        )
    hint = NameIndex(known, f"{method}s").hint(value)
    return hint + (" (paths are relative to the project's folder)" if method == "file" else "")
