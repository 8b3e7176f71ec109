"""What every command writes: its output on stdout, messages for the person on stderr,
and diagnostics in the form asked for."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from segdsl.diagnostics import (
    Diagnostic,
    SourceCache,
    render_github,
    render_json,
    render_text,
)


class StdoutLost(Exception):
    """stdout is closed or cannot take the output (a full disk, /dev/full)."""


def say(text: str) -> None:
    """One line of the command's output, on stdout."""
    if sys.stdout is None:  # started with stdout closed (`segdsl check >&-`)
        raise StdoutLost("stdout is closed")
    try:
        print(text)
    except BrokenPipeError:
        raise
    except OSError as error:
        raise StdoutLost(error.strerror or str(error)) from None


def tell(text: str) -> None:
    """One line for the person at the terminal, on stderr; lost if stderr is (the exit
    status still says what happened)."""
    try:
        print(text, file=sys.stderr)
        sys.stderr.flush()
    except (OSError, AttributeError):
        silence(2)


def silence(fd: int) -> None:
    """Points fd at /dev/null, so that Python's final flush of what is still buffered
    neither fails nor prints "Exception ignored"."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
    except OSError:
        pass


def flush_stdout() -> None:
    """Writes what print() buffered: a full disk shows here, not in print()."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise StdoutLost(error.strerror or str(error)) from None


def print_diagnostics(
    diagnostics: Sequence[Diagnostic], form: str, root: Path | None = None
) -> None:
    if form == "json":
        say(render_json(diagnostics))
        return
    if form == "github":
        for d in diagnostics:
            say(render_github(d))
        return
    sources = SourceCache(root)
    for d in diagnostics:
        tell(render_text(d, sources) + "\n")


def terminal() -> bool:
    """Whether stdout is a terminal, where SQL text shows its control characters escaped
    (docs/cli.md#control-characters); into a file or a pipe it goes as it is."""
    try:
        return sys.stdout is not None and sys.stdout.isatty()
    except (OSError, ValueError):
        return False
