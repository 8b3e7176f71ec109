"""`segdsl diff`: the members a change of the rules, or of *as of*, adds and drops."""

from __future__ import annotations

import argparse

from segdsl.cli.options import (
    EXIT_CLEAN,
    as_of_argument,
    load,
    parse_as_of,
    selector_arguments,
    warehouse_argument,
    warehouse_given,
)
from segdsl.cli.output import say

NAME = "diff"
HELP = "members a change of the rules adds and drops"


def arguments(diff: argparse.ArgumentParser) -> None:
    selector_arguments(diff)
    diff.add_argument(
        "--base", default=None, metavar="REV", help="compare with the rules at git revision REV"
    )
    as_of_argument(diff)
    diff.add_argument(
        "--vs-as-of",
        type=parse_as_of,
        default=None,
        metavar="T2",
        help="compare with the same rules as of T2",
    )
    warehouse_argument(diff)
    diff.add_argument("--format", choices=["text", "json", "markdown"], default="text")


def command(args: argparse.Namespace) -> int:
    from segdsl.review.diff_output import render

    warehouse_given(args)
    project = load(args)
    found = project.diff(
        args.names, args.base, args.as_of, args.vs_as_of, args.warehouse, args.exclude
    )
    say(render(found, args.format, unchanged=bool(args.names)))
    return EXIT_CLEAN
