"""`segdsl explain`: count a segment's clauses, or trace one customer through it."""

from __future__ import annotations

import argparse

from segdsl.cli.options import EXIT_CLEAN, as_of_argument, load, warehouse_argument
from segdsl.cli.output import say

NAME = "explain"
HELP = "count a segment's clauses, or trace one customer"


def arguments(explain: argparse.ArgumentParser) -> None:
    explain.add_argument("segment", metavar="SEGMENT")
    explain.add_argument(
        "--customer", default=None, metavar="KEY", help="trace this customer through the rule"
    )
    as_of_argument(explain)
    warehouse_argument(explain)
    explain.add_argument("--format", choices=["text", "json"], default="text")


def command(args: argparse.Namespace) -> int:
    from segdsl.review.explain import render

    project = load(args)
    explanation = project.explain(args.segment, args.customer, args.as_of, args.warehouse)
    say(render(explanation, args.format))
    return EXIT_CLEAN
