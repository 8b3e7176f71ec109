"""`segdsl check`: parse and type-check the project's rules."""

from __future__ import annotations

import argparse
from pathlib import Path

from segdsl.cli.options import EXIT_CLEAN, EXIT_ERRORS, EXIT_USAGE, load
from segdsl.cli.output import print_diagnostics, say, tell
from segdsl.diagnostics import Diagnostic

NAME = "check"
HELP = "parse and type-check the project's rules"


def arguments(check: argparse.ArgumentParser) -> None:
    check.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATHS",
        help="segment files or folders to report on (default: all)",
    )
    check.add_argument("--format", choices=["text", "json", "github"], default="text")
    check.add_argument(
        "--dialect",
        action="append",
        default=[],
        metavar="D",
        help="check the rules against dialect D too (repeatable; the project's always)",
    )


def command(args: argparse.Namespace) -> int:
    project = load(args)
    diagnostics = project.check(args.dialect)
    if args.paths:
        missing = [str(p) for p in args.paths if not p.exists()]
        if missing:  # a usage error (2), where a path segdsl.yaml names is the project's (1)
            print_diagnostics(
                [
                    Diagnostic(
                        "E401",
                        f"`{m}` does not exist",
                        hint="paths are relative to the current folder",
                    )
                    for m in missing
                ],
                "text",
            )
            return EXIT_USAGE
        wanted = [p.resolve() for p in args.paths]
        diagnostics = [
            d
            for d in diagnostics
            if d.location is None or any(_within(project.root / d.location.path, w) for w in wanted)
        ]
    print_diagnostics(diagnostics, args.format, project.root)
    if args.format == "text":
        count = sum(d.severity == "error" for d in diagnostics)
        checked = len(project.segments) + len(project.segmentations)
        summary = (
            f"{count} error{'s' * (count != 1)}"
            if count
            else f"ok: {checked} segments and segmentations checked"
        )
        (tell if count else say)(summary)
    return EXIT_ERRORS if any(d.severity == "error" for d in diagnostics) else EXIT_CLEAN


def _within(path: Path, wanted: Path) -> bool:
    path = path.resolve()
    return path == wanted or wanted in path.parents
