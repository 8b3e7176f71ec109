"""`segdsl history`: one segment's snapshots, as a table, JSON or a chart."""

from __future__ import annotations

import argparse
from pathlib import Path

from segdsl.cli.options import EXIT_CLEAN, load, shown_path
from segdsl.cli.output import say, tell
from segdsl.diagnostics import shown

NAME = "history"
HELP = "a segment's size, entered and left per snapshot"


def arguments(history: argparse.ArgumentParser) -> None:
    history.add_argument("segment", metavar="SEGMENT")
    history.add_argument("--format", choices=["text", "json"], default="text")
    history.add_argument(
        "--plot", type=Path, default=None, metavar="FILE.svg", help="draw the chart to FILE.svg"
    )


def command(args: argparse.Namespace) -> int:
    from segdsl.review.heatmap import check_plot, write_plot
    from segdsl.review.history import render, svg

    project = load(args)
    files = list(project.resolve_warehouse().files()) if project.warehouse is not None else []
    if args.plot:
        check_plot(args.plot, [*files, project.state])
    found = project.history(args.segment)
    say(render(found, args.format, shown_path(project.state, project.root)))
    if args.plot:
        write_plot(svg(found), args.plot, [*files, project.state])
        (tell if args.format == "json" else say)(f"wrote {shown(str(args.plot))}")
    return EXIT_CLEAN
