"""`segdsl overlap`: how many members each pair of segments shares, as a table or a heatmap."""

from __future__ import annotations

import argparse
from pathlib import Path

from segdsl.cli.options import (
    EXIT_CLEAN,
    as_of_argument,
    load,
    selector_arguments,
    warehouse_argument,
    warehouse_given,
)
from segdsl.cli.output import say, tell
from segdsl.diagnostics import shown

NAME = "overlap"
HELP = "members that segments share"


def arguments(overlap: argparse.ArgumentParser) -> None:
    selector_arguments(overlap)
    as_of_argument(overlap)
    warehouse_argument(overlap)
    overlap.add_argument("--format", choices=["text", "json"], default="text")
    overlap.add_argument(
        "--plot", type=Path, default=None, metavar="FILE.svg", help="draw the heatmap to FILE.svg"
    )


def command(args: argparse.Namespace) -> int:
    from segdsl.review.heatmap import check_plot, write_svg
    from segdsl.review.overlap import render

    warehouse_given(args)
    project = load(args)
    files = list(project.resolve_warehouse(args.warehouse).files()) if args.plot else []
    if args.plot:
        check_plot(args.plot, files)
    found = project.overlap(args.names, args.as_of, args.warehouse, args.exclude)
    say(render(found, args.format))
    if args.plot:
        write_svg(found, args.plot, files)
        (tell if args.format == "json" else say)(f"wrote {shown(str(args.plot))}")
    return EXIT_CLEAN
