"""`segdsl test`: run the fixture tests of the rules, or write a starter test."""

from __future__ import annotations

import argparse

from segdsl.cli.options import (
    EXIT_CLEAN,
    EXIT_ERRORS,
    as_of_argument,
    exit_status,
    load,
    warehouse_argument,
)
from segdsl.cli.output import print_diagnostics, say
from segdsl.diagnostics import SegdslError, shown

NAME = "test"
HELP = "run the fixture tests of the rules"


def arguments(test: argparse.ArgumentParser) -> None:
    test.add_argument("names", nargs="*", metavar="NAMES", help="tests to run (default: all)")
    test.add_argument("--format", choices=["text", "json", "github"], default="text")
    test.add_argument("--engine", choices=["duckdb", "reference"], default="duckdb")
    test.add_argument(
        "--init",
        default=None,
        metavar="SEGMENT",
        help="write tests/SEGMENT.yaml from a sample of the warehouse's members and others",
    )
    as_of_argument(test, help="for --init")
    warehouse_argument(test, help="for --init")


def command(args: argparse.Namespace) -> int:
    from segdsl.review.test_output import render

    project = load(args)
    if args.init:
        from segdsl.review.test_init import write_starter

        path = write_starter(project, args.init, args.as_of, args.warehouse)
        say(f"wrote {shown(str(path.relative_to(project.root)))}")
        return EXIT_CLEAN
    try:
        report = project.test(args.names or None, args.engine)
    except SegdslError as error:
        if args.format == "text":
            raise
        print_diagnostics(error.diagnostics, args.format, project.root)
        return exit_status(error.diagnostics)
    say(render(report, args.format))
    return EXIT_ERRORS if report.failed else EXIT_CLEAN
