"""`segdsl demo`: write an example project with a generated warehouse."""

from __future__ import annotations

import argparse
from pathlib import Path

from segdsl.cli.options import EXIT_CLEAN, parse_seed
from segdsl.cli.output import say
from segdsl.diagnostics import Diagnostic, SegdslError, shown

NAME = "demo"
HELP = "write an example project with a generated warehouse"


def arguments(demo: argparse.ArgumentParser) -> None:
    demo.add_argument("directory", nargs="?", type=Path, default=Path("segdsl-demo"), metavar="DIR")
    demo.add_argument("--customers", type=int, default=10_000, metavar="N")
    demo.add_argument("--seed", type=parse_seed, default=42, metavar="S")


def command(args: argparse.Namespace) -> int:
    from segdsl.demo import DemoRefused, write_demo

    try:
        summary = write_demo(args.directory, customers=args.customers, seed=args.seed)
    except DemoRefused as refused:
        hint = {
            "E416": "choose another folder",
            "E417": "e.g. --customers 10000 (docs/security.md#limits)",
            "E429": "choose a folder you can write to, with room for the warehouse",
        }[refused.code]
        raise SegdslError([Diagnostic(refused.code, str(refused), hint=hint)]) from None
    folder = shown(str(summary.directory))
    say(f"wrote a demo project to {folder} ({summary.customers:,} customers)")
    say(f"next: cd {folder} && segdsl run --as-of 2025-12-31T12:00:00")
    return EXIT_CLEAN
