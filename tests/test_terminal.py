"""Colour and the progress line: on a terminal only, never in a pipe or in CI
(docs/cli.md#colour-and-progress). The terminal is a real pseudo-terminal."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from segdsl.cli.output import Progress

BROKEN = {
    "segdsl.yaml": "name: t\nschema: schema.yaml\nsegments: [segments/]\n",
    "schema.yaml": (
        "entity:\n  name: customer\n  table: customers\n  key: customer_id\n"
        "fields:\n  age: {type: integer}\n"
    ),
    "segments/s.yaml": "segments:\n  old:\n    where: agee > 3\n",
}


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("terminal")
    for name, text in BROKEN.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def _on_a_terminal(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Runs segdsl with stderr on a pseudo-terminal; its exit status and what it showed."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "segdsl.cli", *args],
        stdout=subprocess.DEVNULL,
        stderr=slave,
        env=env,
    )
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    return process.wait(timeout=60), shown.decode("utf-8", "replace")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "FORCE_COLOR")}
    return {**env, "TERM": "xterm", **extra}


def test_problems_are_coloured_on_a_terminal_only(broken: Path) -> None:
    status, shown = _on_a_terminal(["--project", str(broken), "check"], _env())
    assert status == 1
    assert "\x1b[1;31merror[E" in shown and "\x1b[0m" in shown
    status, plain = _on_a_terminal(["--project", str(broken), "check"], _env(NO_COLOR="1"))
    assert status == 1 and "\x1b[" not in plain and "error[E" in plain
    status, never = _on_a_terminal(["--color", "never", "--project", str(broken), "check"], _env())
    assert "\x1b[" not in never
    # the same text as the plain one once the colour codes are taken out
    assert _without_sgr(shown) == plain


def test_no_colour_in_a_pipe_unless_asked(broken: Path) -> None:
    def stderr(*args: str, **extra: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "segdsl.cli", *args, "--project", str(broken), "check"],
            capture_output=True,
            text=True,
            env=_env(**extra),
            timeout=60,
        ).stderr

    assert "\x1b[" not in stderr()
    assert "\x1b[1;31m" in stderr("--color", "always")
    assert "\x1b[1;31m" in stderr(FORCE_COLOR="1")


def _without_sgr(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_line_comes_after_the_delay_and_is_wiped() -> None:
    screen = _Terminal()
    progress = Progress("segdsl run", screen, delay=0.05, every=0.02).start()
    time.sleep(0.2)
    progress.stop()
    drawn = screen.getvalue()
    assert drawn.startswith("\r\x1b[Ksegdsl run … ") and drawn.endswith("\r\x1b[K")
    assert drawn.count("\r\x1b[K") >= 3  # redrawn in place, then wiped

    quick = _Terminal()
    Progress("segdsl check", quick, delay=0.5).start().stop()
    time.sleep(0.05)
    assert quick.getvalue() == ""  # done within the delay: nothing drawn


def test_no_progress_line_in_ci_or_a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("CI", raising=False)
    assert Progress.wanted(_Terminal())
    assert not Progress.wanted(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not Progress.wanted(_Terminal())
