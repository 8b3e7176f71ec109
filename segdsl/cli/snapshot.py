"""`segdsl snapshot`: store the members of segments at *as of* in the state database."""

from __future__ import annotations

import argparse

from segdsl.cli.options import (
    EXIT_CLEAN,
    as_of_argument,
    load,
    selected,
    selector_arguments,
    shown_path,
    warehouse_argument,
    warehouse_given,
)
from segdsl.cli.output import say
from segdsl.diagnostics import columns, json_text, padded, shown

NAME = "snapshot"
HELP = "store the members of segments at *as of*, for `history`"


def arguments(snapshot: argparse.ArgumentParser) -> None:
    selector_arguments(snapshot)
    as_of_argument(snapshot)
    warehouse_argument(snapshot)
    snapshot.add_argument("--format", choices=["text", "json"], default="text")


def command(args: argparse.Namespace) -> int:
    warehouse_given(args)
    project = load(args)
    taken = project.snapshot(selected(project, args), args.as_of, args.warehouse)
    if args.format == "json":
        say(json_text(taken.to_json()))
        return EXIT_CLEAN
    rows: list[tuple[str, ...]] = [("segment", "bucket", "members")]
    rows += [(shown(t.name), shown(t.bucket or ""), f"{t.members:,}") for t in taken.segments]
    if not any(r[1] for r in rows[1:]):
        rows = [(r[0], r[2]) for r in rows]
    widths = [max(columns(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        cells = zip(row, widths, strict=True)
        say("  ".join(padded(c, w, right=j == len(row) - 1) for j, (c, w) in enumerate(cells)))
        if i == 0:
            say("  ".join("-" * w for w in widths))
    verb = "replaced" if taken.replaced else "stored"
    revision = f", revision {taken.revision[:12]}" if taken.revision else ", outside git"
    say(
        f"\n{verb} the snapshot as of {taken.as_of.isoformat(sep=' ')} in "
        f"{shown(str(shown_path(taken.state, project.root)))}{revision}"
    )
    return EXIT_CLEAN
