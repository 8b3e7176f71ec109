"""`segdsl compile`: print the SQL of segments."""

from __future__ import annotations

import argparse

from segdsl.cli.options import (
    as_of_argument,
    load,
    no_optimize_argument,
    selected,
    selector_arguments,
    unrelated,
)
from segdsl.cli.output import say, terminal
from segdsl.diagnostics import shown

NAME = "compile"
HELP = "print the SQL of segments"


def arguments(compile_: argparse.ArgumentParser) -> None:
    selector_arguments(compile_)
    compile_.add_argument(
        "--dialect", default=None, help="target SQL dialect (default: the project's)"
    )
    as_of_argument(compile_, "pin *as of* (default: the engine's current time)")
    no_optimize_argument(compile_)


def command(args: argparse.Namespace) -> int:
    project = load(args)
    names = selected(project, args)
    sql = project.compile(names, args.dialect, args.as_of, optimized=args.optimized)
    say(shown(sql, newlines=True) + ";" if terminal() else sql + ";")
    return unrelated(project, names)
