"""The `segdsl` command. Nothing imports this package; it only calls the Python API.

One module per command, each with its `NAME`, `HELP`, `arguments(parser)` and
`command(args) -> int`; `main` builds the parser from them and turns what goes wrong
into diagnostics and exit statuses (docs/cli.md#exit-codes).

argparse (stdlib) rather than a CLI framework keeps start-up short: `segdsl check`
runs in CI on every change, and its time is mostly process start.
"""

from __future__ import annotations

import argparse
import io
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from segdsl.cli import (
    check,
    compile,
    completion,
    demo,
    diff,
    explain,
    fmt,
    history,
    ls,
    lsp,
    output,
    overlap,
    report,
    run,
    schema,
    snapshot,
    test,
)
from segdsl.cli.options import EXIT_CLEAN, EXIT_ERRORS, exit_status, root
from segdsl.cli.output import StdoutLost, flush_stdout, print_diagnostics, silence, tell
from segdsl.diagnostics import Diagnostic, SegdslError

COMMANDS: tuple[ModuleType, ...] = (
    check,
    ls,
    compile,
    run,
    explain,
    test,
    diff,
    overlap,
    snapshot,
    history,
    report,
    fmt,
    schema,
    demo,
    completion,
    lsp,
)


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="segdsl", description="Customer segments as plain rules: check, compile, run."
    )
    parser.add_argument(
        "--project",
        type=Path,
        default=None,
        metavar="DIR",
        help="the project folder (default: the current folder or above)",
    )
    parser.add_argument("--version", action="version", version=f"segdsl {_version()}")
    parser.add_argument(
        "--color",
        choices=["auto", "always", "never"],
        default="auto",
        metavar="WHEN",
        help="colour the problems shown: auto (on a terminal, unless NO_COLOR is set), "
        "always or never",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.arguments(commands.add_parser(module.NAME, help=module.HELP))
    return parser


def _version() -> str:
    """The installed distribution's version (pyproject.toml), as pip knows it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("segdsl")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    for fd, stream in ((1, sys.stdout), (2, sys.stderr)):
        if stream is None:  # closed: hold the number, or the next file opened would get it
            silence(fd)
    for stream in (sys.stdout, sys.stderr):  # a lone surrogate from argv has no UTF-8
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    whole = parser()
    args = whole.parse_args(argv)
    args.parser = whole  # `completion` writes its script from the parser
    output.COLOUR = args.color
    by_name = {module.NAME: module for module in COMMANDS}
    received: list[int] = []
    restore = _on_signals(received)
    try:
        output.start_progress(f"segdsl {args.command}")
        status = int(by_name[args.command].command(args))
        flush_stdout()
        return status
    except StdoutLost as lost:
        silence(1)
        print_diagnostics(
            [
                Diagnostic(
                    "E445",
                    f"cannot write the output: {lost}",
                    hint="give segdsl a stdout that takes its output (a file, a pipe)",
                )
            ],
            "text",
        )
        return EXIT_ERRORS
    except SegdslError as error:
        if received:  # DuckDB's interrupt, reported by execute as the query's failure
            return _interrupted(received)
        print_diagnostics(error.diagnostics, "text", root(args))
        return exit_status(error.diagnostics)
    except KeyboardInterrupt:
        return _interrupted(received)
    except BrokenPipeError:  # `segdsl compile | head`: the reader has all it wanted
        silence(1)
        return EXIT_CLEAN
    except Exception:
        if received:  # DuckDB turns the interrupt into its own error ("Query interrupted")
            return _interrupted(received)
        raise
    finally:
        output.stop_progress()
        restore()


def _on_signals(received: list[int]) -> Callable[[], None]:
    """SIGINT and SIGTERM raise KeyboardInterrupt, so that every `finally` runs and a
    half-written file is removed; the signal is remembered for the exit status (128 + N)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # signal handlers belong to the main thread (tests call main)

    def interrupt(number: int, frame: object) -> None:
        received.append(number)
        if len(received) == 1:  # a second Ctrl-C must not break off the clean-up
            raise KeyboardInterrupt

    previous = {n: signal.signal(n, interrupt) for n in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for number, handler in previous.items():
            signal.signal(number, handler)

    return restore


def _interrupted(received: Sequence[int]) -> int:
    number = received[0] if received else signal.SIGINT
    tell(f"interrupted ({signal.Signals(number).name})")
    return 128 + number
