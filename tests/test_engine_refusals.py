"""The engine's refusals that have codes of their own (docs/errors.md#e435 to #e437): a
warehouse locked by another program, a damaged warehouse file, a query nested deeper than
the engine parses. Each is a coded error with its hint and exit 1, never a traceback and
never E415's "does schema.yaml match?". Golden cases cannot lay these out (another
process, a damaged binary file, an engine's depth), so they are tested here."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import engines

from segdsl import cli
from segdsl.demo import write_demo

AS_OF = "2025-12-31T12:00:00"
BLOCK = 262_144  # DuckDB's block size: each block starts with its checksum
HEADERS = 12_288  # the file's three header blocks, before the first data block


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo(tmp_path_factory.mktemp("refusals") / "demo", customers=500).directory


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(list(args))
    return status, out.getvalue(), err.getvalue()


def _refused(demo: Path, code: str, *args: str) -> str:
    status, out, err = _cli("--project", str(demo), "run", "--as-of", AS_OF, *args)
    assert status == 1 and out == "", err
    assert f"error[{code}]" in err and "Traceback" not in err, err
    assert "does schema.yaml match" not in err, err
    return err


@contextlib.contextmanager
def _held_open(path: Path) -> Iterator[None]:
    """Another process holds the DuckDB file open for writing meanwhile."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True);"
            " time.sleep(120)",
            str(path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()


def test_a_warehouse_held_open_for_writing_is_e435(demo: Path) -> None:
    with _held_open(demo / "warehouse.duckdb"):
        err = _refused(demo, "E435")
    assert "close the program that holds it open for writing" in err
    status, _, _ = _cli("--project", str(demo), "run", "--as-of", AS_OF)
    assert status == 0  # released: the same run answers


def _damaged(demo: Path, name: str) -> Path:
    copy = demo / name
    shutil.copyfile(demo / "warehouse.duckdb", copy)
    return copy


def test_a_warehouse_with_a_bad_checksum_is_e436(demo: Path) -> None:
    damaged = _damaged(demo, "scribbled.duckdb")
    size = damaged.stat().st_size
    with damaged.open("r+b") as file:
        for offset in range(HEADERS + 64, size, BLOCK):  # inside each block, past its checksum
            file.seek(offset)
            file.write(b"\xa5" * 64)
    err = _refused(demo, "E436", "--warehouse", str(damaged))
    assert "checksum" in err and "restore the warehouse from a backup" in err


def test_a_warehouse_cut_short_is_e436(demo: Path) -> None:
    damaged = _damaged(demo, "cut.duckdb")
    os.truncate(damaged, damaged.stat().st_size // 3)
    err = _refused(demo, "E436", "--warehouse", str(damaged))
    assert "restore the warehouse from a backup" in err


def test_a_query_past_sqlites_expression_depth_is_e437(demo: Path, tmp_path: Path) -> None:
    """1,100 `or` terms pass the checker (they nest one level, as a list) but SQLite parses
    `a OR b OR ...` as a tree of depth 1,100, past its limit of 1,000."""
    path = engines.sqlite_copy(demo / "warehouse.duckdb", tmp_path / "warehouse.sqlite")
    rule = " or ".join(f'(age > {i} and city = "c{i}")' for i in range(1_100))
    segments = demo / "segments" / "deep.yaml"
    segments.write_text(f"segments:\n  deep:\n    where: {rule}\n", encoding="utf-8")
    try:
        err = _refused(demo, "E437", "deep", "--warehouse", f"sqlite:///{path}")
        status, out, _ = _cli("--project", str(demo), "run", "deep", "--as-of", AS_OF)
    finally:
        segments.unlink()
    assert "Expression tree is too large" in err and "split the rule" in err
    assert status == 0 and "deep" in out  # DuckDB parses the same rule
