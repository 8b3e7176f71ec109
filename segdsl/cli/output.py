"""What every command writes: its output on stdout, messages for the person on stderr,
and diagnostics in the form asked for."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

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
    stop_progress()  # the answer is here: the line saying that segdsl works goes
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
    stop_progress()
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
    colour = colour_wanted(sys.stderr)
    for d in diagnostics:
        tell(render_text(d, sources, colour) + "\n")


def terminal() -> bool:
    """Whether stdout is a terminal, where SQL text shows its control characters escaped
    (docs/cli.md#control-characters); into a file or a pipe it goes as it is."""
    return _tty(sys.stdout)


# ---- colour and the progress line (docs/cli.md#colour-and-progress) ---------------------

COLOUR = "auto"  # `--color`: auto, always or never, set by main


def _tty(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):
        return False


def colour_wanted(stream: TextIO | None) -> bool:
    """`--color always`/`never` decide; `auto` colours a terminal unless NO_COLOR is set
    (no-color.org) or TERM is `dumb`; FORCE_COLOR colours even a pipe."""
    if COLOUR != "auto":
        return COLOUR == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return _tty(stream) and os.environ.get("TERM") != "dumb"


class Progress:
    """A line on stderr, after `delay` seconds of work, saying what runs and for how long,
    redrawn in place; gone when the command writes anything or ends. Only on a terminal,
    and never in CI (the CI variable set), where a log would keep every redraw."""

    def __init__(self, label: str, stream: TextIO, delay: float = 1.0, every: float = 0.25):
        self.label, self.stream, self.delay, self.every = label, stream, delay, every
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._shown = False
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._draw, daemon=True)

    @classmethod
    def wanted(cls, stream: TextIO | None) -> bool:
        return _tty(stream) and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"

    def start(self) -> Progress:
        self._thread.start()
        return self

    def _draw(self) -> None:
        if self._stop.wait(self.delay):
            return
        while True:
            with self._lock:
                if self._stop.is_set():
                    return
                elapsed = time.monotonic() - self._started
                self._write(f"\r\x1b[K{self.label} … {elapsed:.1f} s")
                self._shown = True
            if self._stop.wait(self.every):
                return

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            if self._shown:
                self._write("\r\x1b[K")
                self._shown = False

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            self._stop.set()


_PROGRESS: list[Progress] = []


def start_progress(label: str) -> None:
    """The progress line of this command, when stderr is a terminal (`Progress.wanted`)."""
    if Progress.wanted(sys.stderr):
        _PROGRESS.append(Progress(label, sys.stderr).start())


def stop_progress() -> None:
    while _PROGRESS:
        _PROGRESS.pop().stop()
