"""What several commands share: option types, exit codes, and loading the project."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from segdsl.diagnostics import Diagnostic, SegdslError

if TYPE_CHECKING:
    from segdsl.project import Project

EXIT_CLEAN, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2

# errors in how segdsl was called rather than in the project: exit 2 (docs/cli.md#exit-codes)
USAGE_CODES = {
    "E408",
    "E502",
    "E414",
    "E416",
    "E417",
    "E418",
    "E421",
    "E422",
    "E446",
    "E461",
    "E457",
    "E458",
    "E465",
    "E468",
    "E469",
    "E470",
    "E472",
    "E478",
    "E479",
    "E480",
    "E481",
    "E482",
    "E485",
    "E430",
    "E474",
}


def exit_status(diagnostics: list[Diagnostic]) -> int:
    """2 when any of the errors is in how segdsl was called, 1 otherwise."""
    return EXIT_USAGE if any(d.code in USAGE_CODES for d in diagnostics) else EXIT_ERRORS


# A year from either end of Python's calendar, so that the times a rule measures from
# *as of* (next week's birthdays, the end of its day) stay inside it (docs/cli.md#exit-codes).
AS_OF_RANGE = (dt.datetime(2, 1, 1), dt.datetime(9998, 12, 31, 23, 59, 59, 999999))


def parse_as_of(text: str) -> dt.datetime:
    """`2025-12-31`, `2025-12-31T12:00[:00]`, with an optional offset or Z (made UTC)."""
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"`{text}` is not a date or timestamp (e.g. 2025-12-31 or 2025-12-31T12:00:00)"
        ) from None
    try:
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
    except OverflowError:  # 9999-12-31T23:00-05:00 is in year 10000 in UTC
        value = dt.datetime.max
    if not AS_OF_RANGE[0] <= value <= AS_OF_RANGE[1]:
        raise argparse.ArgumentTypeError(
            f"`{text}` is outside the years {AS_OF_RANGE[0].year} to {AS_OF_RANGE[1].year} "
            "(in UTC) that --as-of takes"
        )
    return value


def parse_seed(text: str) -> int:
    """A whole number that fits the warehouse's BIGINT, where the demo's generator keeps it."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a whole number") from None
    if not -(2**63) <= value < 2**63:
        raise argparse.ArgumentTypeError(f"`{text}` is beyond 64 bits (-2^63 to 2^63-1)")
    return value


def as_of_argument(command: argparse.ArgumentParser, help: str | None = None) -> None:
    command.add_argument(
        "--as-of",
        type=parse_as_of,
        default=None,
        metavar="T",
        help=help or "measure relative times from T (default: the start of the run)",
    )


def warehouse_argument(command: argparse.ArgumentParser, help: str = "as for `run`") -> None:
    command.add_argument("--warehouse", default=None, metavar="WAREHOUSE", help=help)


def no_optimize_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--no-optimize",
        dest="optimized",
        action="store_false",
        help="no optimizer pass: the plain translation of the rules (docs/performance.md#passes)",
    )


def warehouse_given(args: argparse.Namespace) -> None:
    """`--warehouse ''` is E446, as for `run`: it would name an empty in-memory database."""
    if args.warehouse is not None and not args.warehouse.strip():
        raise SegdslError(
            [Diagnostic("E446", "`--warehouse` is empty", hint="give --warehouse a value")]
        )


def selector_arguments(command: argparse.ArgumentParser) -> None:
    """SELECTOR... and --exclude, as every command that takes segments has them
    (docs/cli.md#selecting-segments)."""
    command.add_argument(
        "names",
        nargs="*",
        metavar="SELECTOR",
        help="segments to take: NAME, a glob ('eu_*'), label:X, owner:X, file:PATH, "
        "+ before any for what it refers to too (default: all)",
    )
    command.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="SELECTOR",
        help="leave out what SELECTOR picks (repeatable)",
    )


def selected(project: Project, args: argparse.Namespace) -> list[str] | None:
    """The names the command's selectors pick; None, for all, when none are given."""
    if not args.names and not args.exclude:
        return None
    return project.select_names(args.names, args.exclude)


def unrelated(project: Project, names: list[str] | None) -> int:
    """After the output of `names`: the errors of the other segments, which did not stop
    it, on stderr, and 1 when there are any (docs/cli.md#selecting-segments)."""
    from segdsl.cli.output import print_diagnostics, tell

    others = project.unrelated_errors(names)
    if not others:
        return EXIT_CLEAN
    print_diagnostics(others, "text", project.root)
    count = len(others)
    they = "it does" if count == 1 else "they do"
    tell(f"{count} error{'s' * (count != 1)} outside the selection; {they} not affect the output")
    return EXIT_ERRORS


def load(args: argparse.Namespace) -> Project:
    from segdsl.project import load as load_project

    return load_project(args.project or Path.cwd())


def shown_path(path: Path, root: Path) -> Path:
    """`path` from the project's folder when it is inside it (`.segdsl/state.duckdb`)."""
    try:
        return path.relative_to(root)
    except ValueError:
        return path


def root(args: argparse.Namespace) -> Path:
    """The project folder for showing source lines, found as `load` finds it."""
    from segdsl.document.files import find_project

    start = (args.project or Path.cwd()).resolve()
    return find_project(start) or start
