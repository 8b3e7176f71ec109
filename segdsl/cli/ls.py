"""`segdsl ls`: the segments and segmentations a selection picks, one row each."""

from __future__ import annotations

import argparse
import dataclasses

from segdsl.cli.options import EXIT_CLEAN, load, selector_arguments
from segdsl.cli.output import say
from segdsl.diagnostics import columns, json_text, padded, shown

NAME = "ls"
HELP = "list segments and segmentations: description, owner, labels, file, references"


def arguments(ls: argparse.ArgumentParser) -> None:
    selector_arguments(ls)
    ls.add_argument("--format", choices=["text", "json"], default="text")


def command(args: argparse.Namespace) -> int:
    project = load(args)
    rows = project.ls(args.names, args.exclude)
    if args.format == "json":
        say(json_text([dataclasses.asdict(row) for row in rows]))
        return EXIT_CLEAN
    table: list[tuple[str, ...]] = [
        ("name", "kind", "labels", "owner", "file", "refers to", "min_size", "description")
    ]
    for row in rows:
        place = row.path if row.line is None else f"{row.path}:{row.line}"
        size = "" if row.min_size is None else f"{row.min_size:,}"
        cells = (
            row.name,
            row.kind,
            ", ".join(row.labels),
            row.owner or "",
            place,
            ", ".join(row.refers_to),
            size,
            row.description or "",
        )
        table.append(tuple(shown(c) for c in cells))
    widths = [max(columns(r[i]) for r in table) for i in range(len(table[0]))]
    for i, line in enumerate(table):
        say("  ".join(padded(c, w) for c, w in zip(line, widths, strict=True)).rstrip())
        if i == 0:
            say("  ".join("-" * w for w in widths).rstrip())
    return EXIT_CLEAN
