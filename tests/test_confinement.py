"""Confined reads (docs/security.md#confined-reads): no line of a file outside the project
is ever printed, whichever output format and whichever way the file is named."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from segdsl.diagnostics import MAX_FILE_BYTES, Refused, SourceCache, read_confined
from segdsl.document.source import load_document

REPO = Path(__file__).resolve().parent.parent
SECRET = "SECRET_TOKEN_abc123"
PROJECT = "name: p\nschema: schema.yaml\nsegments: [segments/]\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "outside.yaml").write_text(f"segments:\n  x: {{where: '{SECRET} and and'}}\n")
    root = tmp_path / "p"
    (root / "segments").mkdir(parents=True)
    (root / "segdsl.yaml").write_text(PROJECT)
    (root / "schema.yaml").write_text("entities:\n  customer: {table: c, key: id}\n")
    return root


def segdsl(root: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "segdsl.cli", "--project", str(root), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=30,
    )
    return done.stdout + done.stderr


@pytest.mark.parametrize("form", ["text", "json", "github"])
@pytest.mark.parametrize(
    "how", ["link", "segments-entry", "schema-entry", "absolute-schema"], ids=str
)
def test_no_line_of_an_outside_file_is_shown(project: Path, form: str, how: str) -> None:
    outside = project.parent / "outside.yaml"
    if how == "link":
        (project / "segments/leak.yaml").symlink_to(outside)
    elif how == "segments-entry":
        (project / "segdsl.yaml").write_text(PROJECT.replace("segments/", "../outside.yaml"))
    elif how == "schema-entry":
        (project / "segdsl.yaml").write_text(PROJECT.replace("schema.yaml", "../outside.yaml"))
    else:
        (project / "segdsl.yaml").write_text(PROJECT.replace("schema.yaml", str(outside)))
    shown = segdsl(project, "check", "--format", form)
    assert "E425" in shown
    assert SECRET not in shown


def test_the_snippet_reader_refuses_outside_files(project: Path) -> None:
    cache = SourceCache(project)
    assert cache.line("../outside.yaml", 2) is None
    assert cache.line(str(project.parent / "outside.yaml"), 2) is None
    assert cache.line("schema.yaml", 1) == "entities:"


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    started = time.monotonic()
    with pytest.raises(Refused) as refused:
        read_confined(tmp_path, "pipe")
    assert refused.value.code == "E426" and time.monotonic() - started < 1


def test_a_file_past_the_limit_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "big.yaml").write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    with pytest.raises(Refused) as refused:
        read_confined(tmp_path, "big.yaml")
    assert refused.value.code == "E427"


def test_a_billion_laughs_stops_quickly() -> None:
    laughs = "a: &a [1,1,1,1,1,1,1,1,1]\n" + "".join(
        f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
    started = time.monotonic()
    document, problems = load_document("lol.yaml", laughs.encode())
    assert document is None and [p.code for p in problems] == ["E428"]
    assert time.monotonic() - started < 0.5


def test_aliases_within_the_limit_still_work() -> None:
    document, problems = load_document("ok.yaml", b"a: &a [1, 2]\nb: *a\nc: *a\n")
    assert document is not None and not problems
    assert document.data == {"a": [1, 2], "b": [1, 2], "c": [1, 2]}
