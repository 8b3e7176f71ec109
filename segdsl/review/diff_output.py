"""The text, JSON and Markdown of `segdsl diff`: a table for people, a document for
scripts, and a comment for a pull request."""

from __future__ import annotations

from typing import Any

from segdsl.diagnostics import json_text, shown
from segdsl.review.diff import Change, Diff


def render(found: Diff, form: str, unchanged: bool = True) -> str:
    """`unchanged` False leaves the unchanged segments out of the text's table (the CLI's
    choice when no segment is named); JSON and Markdown always have every one."""
    if form == "json":
        return json_text(found.to_json())
    if form == "markdown":
        return _markdown(found)
    return _text(found, unchanged)


def _against(found: Diff) -> str:
    as_of = found.as_of.isoformat(sep=" ")
    if "revision" in found.base:
        return (
            f"the working tree against {shown(found.base['revision'])} "
            f"({found.base['commit'][:12]}), as of {as_of}"
        )
    return f"as of {as_of} against as of {found.base['as_of'].replace('T', ' ')}"


def _text(found: Diff, unchanged: bool) -> str:
    header = ["segment", "bucket", "before", "after", "entered", "left", "samples"]
    rows = [header]
    for c in found.changes:
        if not (unchanged or c.changed):
            continue
        samples = [f"+{_keys(c.entered_sample)}"] if c.entered_sample else []
        samples += [f"−{_keys(c.left_sample)}"] if c.left_sample else []
        rows.append(
            [
                shown(c.name),
                shown(c.bucket or ""),
                "new" if c.before is None else f"{c.before:,}",
                "removed" if c.after is None else f"{c.after:,}",
                f"+{c.entered:,}" if c.entered else "0",
                f"−{c.left:,}" if c.left else "0",
                "  ".join(samples),
            ]
        )
    if not any(r[1] for r in rows[1:]):
        rows = [[cell for i, cell in enumerate(r) if i != 1] for r in rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    left = {0, 1} if len(widths) == 7 else {0}

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i in left or i == len(cells) - 1 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    changed = sum(c.changed for c in found.changes)
    lines = [f"{_against(found)}; {found.customers:,} customers", ""]
    lines += [line(rows[0]), "  ".join("-" * w for w in widths).rstrip()]
    lines += [line(r) for r in rows[1:]]
    if len(rows) == 1:
        lines = lines[:1]  # no row: no table
    total = len(found.changes)
    lines += ["", f"{changed} of {total} segments and buckets changed"]
    if not unchanged and changed < total:
        lines[-1] += (
            f"; the {total - changed} unchanged are not shown (name them, or --format json)"
        )
    return "\n".join(lines)


def _markdown(found: Diff) -> str:
    """A pull-request comment: one line per changed segment or bucket, the rest folded."""
    as_of = found.as_of.isoformat(sep=" ")
    if "revision" in found.base:
        title = (
            f"**segdsl diff** against `{_code(found.base['revision'])}` "
            f"(`{found.base['commit'][:12]}`), as of {as_of}"
        )
    else:
        title = f"**segdsl diff**: as of {as_of} against {found.base['as_of'].replace('T', ' ')}"
    changed = [c for c in found.changes if c.changed]
    same = [c for c in found.changes if not c.changed]
    lines = [title, ""]
    lines += [f"- {_line(c)}" for c in changed] or ["No segment changes."]
    if same:
        lines += ["", f"<details><summary>{len(same)} unchanged</summary>", ""]
        lines += [f"- {_name(c)}: {c.after:,}" for c in same]
        lines += ["", "</details>"]
    return "\n".join(lines)


def _line(c: Change) -> str:
    if c.before is None:
        return f"{_name(c)} (new): {c.after or 0:,}"
    if c.after is None:
        return f"{_name(c)} (removed): {c.before:,}"
    return f"{_name(c)}: {c.before:,} → {c.after:,} (+{c.entered:,}, −{c.left:,})"


def _name(c: Change) -> str:
    name = f"`{_code(c.name)}`"
    return f"{name} / `{_code(c.bucket)}`" if c.bucket is not None else name


def _code(text: str) -> str:
    """Text inside a Markdown code span: shown, and without a backtick to end it early."""
    return shown(text).replace("`", "'")


def _keys(keys: tuple[Any, ...]) -> str:
    return ", ".join(shown(str(k)) for k in keys)
