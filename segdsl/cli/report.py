"""`segdsl report`: one self-contained HTML page of the segments, written to a file."""

from __future__ import annotations

import argparse
from pathlib import Path

from segdsl.cli.options import (
    EXIT_CLEAN,
    as_of_argument,
    load,
    selected,
    selector_arguments,
    warehouse_argument,
    warehouse_given,
)
from segdsl.cli.output import say
from segdsl.diagnostics import shown

NAME = "report"
HELP = "write one HTML page of the segments: sizes, overlap, rules, SQL"
DEFAULT_OUT = Path("report.html")


def arguments(report: argparse.ArgumentParser) -> None:
    selector_arguments(report)
    as_of_argument(report)
    warehouse_argument(report)
    report.add_argument(
        "--measure",
        action="append",
        default=[],
        metavar="NAME",
        help="a Measures table: the sum and average of a numeric field or trait per segment "
        "and bucket, as run --measure (repeatable, or comma-separated)",
    )
    report.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="FILE.html",
        help="the page to write (default: report.html in the current folder; - for stdout)",
    )


def command(args: argparse.Namespace) -> int:
    from segdsl.execute.output import write_text
    from segdsl.review.report import check_page

    warehouse_given(args)
    project = load(args)
    to_stdout = str(args.out) == "-"
    files = [] if to_stdout else list(project.resolve_warehouse(args.warehouse).files())
    if not to_stdout:
        check_page(args.out, files)
    measures = [n.strip() for text in args.measure for n in text.split(",") if n.strip()]
    page = project.report(
        selected(project, args), args.as_of, args.warehouse, measures=measures
    ).html
    if to_stdout:
        say(page.rstrip("\n"))
        return EXIT_CLEAN
    write_text(args.out, page, files)
    say(f"wrote {shown(str(args.out))}")
    return EXIT_CLEAN
