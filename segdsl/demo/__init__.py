"""`segdsl demo`: write a complete example project with a generated warehouse.

A new user should be able to run ``segdsl check``, ``compile`` and ``run`` within a
minute of installing, on data that makes segments non-trivial. The warehouse is
simulated in DuckDB (see ``segdsl/demo/data.py``) and is the same for the same seed, and all
of its history ends at ``DEMO_AS_OF`` so that sizes are reproducible with
``--as-of 2025-12-31T12:00:00``. The YAML files are package data in
``segdsl/demo/files/``, comments included, because they are what a new user reads first.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

import duckdb

from segdsl.demo.data import build_warehouse
from segdsl.diagnostics import json_text
from segdsl.project import load, schema_json

DEMO_AS_OF = datetime(2025, 12, 31, 12, 0, 0)
"""The demo's "now": no event, order or signup is later than this instant."""

WAREHOUSE = "warehouse.duckdb"
MAX_CUSTOMERS = 2_000_000
"""The largest demo (about 700 MB and two minutes; docs/security.md#limits)."""
BYTES_PER_CUSTOMER = 1_500
"""Free space a demo needs per customer: the warehouse takes about 350 bytes, DuckDB's
write-ahead log and spill files the rest while it is built."""


class DemoRefused(Exception):
    """The demo cannot be written: `code` (E416, E417, E429) and why."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class DemoSummary:
    """What `write_demo` wrote, for the command line to report."""

    directory: Path
    customers: int
    events: int
    orders: int
    tags: int


# The files a new user reads first, kept as package data (segdsl/demo/files/) with their
# comments. Segment files go to segments/; they are written first and the project file
# last, so that a folder with a segdsl.yaml is complete.
_SEGMENT_FILES = (
    "demographic",
    "geographic",
    "contact",
    "reactivation",
    "occasions",
    "behavioural",
    "lifecycle",
    "value",
    "engagement",
    "experiments",
)
_FILES: dict[str, str] = {
    **{f"segments/{name}.yaml": f"{name}.yaml" for name in _SEGMENT_FILES},
    "tests/behaviour.yaml": "tests_behaviour.yaml",
    "schema.yaml": "schema.yaml",
    "segdsl.yaml": "segdsl.yaml",
}


SCHEMA_FOLDER = ".segdsl/schema"
"""Where the demo writes the JSON Schema of its files, which each file names in its first
line (`# yaml-language-server: $schema=...`) so that an editor completes and checks it."""
_SCHEMAS = ("segdsl", "schema", "segments", "tests")


def _template(name: str) -> str:
    return (resources.files("segdsl.demo") / "files" / name).read_text(encoding="utf-8")


def write_demo(directory: Path, customers: int = 10_000, seed: int = 42) -> DemoSummary:
    """Write the demo project into ``directory`` (created if needed).

    Refuses (DemoRefused) a size outside 1..MAX_CUSTOMERS or one the disk has no room
    for (E417), a ``directory`` that holds a project, any file the demo would write or a
    symbolic link in their place (E416), so that a user's work is never overwritten and
    nothing is written through a link. The warehouse is built under a temporary name and
    renamed into place; a failed or interrupted run removes everything it wrote (E429
    when it failed), the folder too when it made it.
    """
    if not 1 <= customers <= MAX_CUSTOMERS:
        raise DemoRefused(
            "E417", f"customers must be between 1 and {MAX_CUSTOMERS:,}, not {customers:,}"
        )
    directory = Path(directory)
    texts = {name: _template(template) for name, template in _FILES.items()}
    texts = {**_schema_files(texts), **texts}  # the project file still last
    if directory.is_symlink():
        raise DemoRefused(
            "E416", f"{directory} is a symbolic link; the demo never writes through one"
        )
    folders = ("segments", "tests", ".segdsl", SCHEMA_FOLDER)
    for name in (*reversed(texts), WAREHOUSE, *folders):  # the project file first
        target = directory / name
        if target.is_symlink():
            raise DemoRefused(
                "E416", f"{target} is a symbolic link; the demo never writes through one"
            )
        if name not in folders and target.exists():
            raise DemoRefused("E416", f"{target} exists; the demo never overwrites files")
    _check_room(directory, customers)
    made: list[Path] = []
    try:
        _make_folders(directory, made)
        rows = _write(directory, customers, seed, texts, made)
    except (OSError, duckdb.Error) as error:
        _remove(made)
        reason = getattr(error, "strerror", None) or str(error)
        raise DemoRefused("E429", f"cannot write the demo to {directory}: {reason}") from None
    except BaseException:
        _remove(made)
        raise
    return DemoSummary(
        directory=directory,
        customers=rows["customers"],
        events=rows["events"],
        orders=rows["orders"],
        tags=rows["customer_tags"],
    )


def _check_room(directory: Path, customers: int) -> None:
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    try:
        free = shutil.disk_usage(existing).free
    except OSError:
        return  # not a folder: making it fails, and says why
    needed = customers * BYTES_PER_CUSTOMER
    if needed > free:
        raise DemoRefused(
            "E417",
            f"{customers:,} customers need about {needed:,} bytes; {existing} has {free:,} free",
        )


def _make_folders(directory: Path, made: list[Path]) -> None:
    missing = []
    for folder in [directory, *directory.parents]:
        if folder.exists() or folder.is_symlink():
            break
        missing.append(folder)
    for folder in reversed(missing):
        folder.mkdir()
        made.append(folder)


def _write(
    directory: Path, customers: int, seed: int, texts: dict[str, str], made: list[Path]
) -> dict[str, int]:
    """Writes the warehouse, then the files; `made` lists each thing as it appears."""
    temporary = directory / f".{WAREHOUSE}.{os.getpid()}.tmp"
    scratch = (
        temporary.with_name(temporary.name + ".wal"),
        temporary.with_name(temporary.name + ".tmp"),
    )
    made.extend((temporary, *scratch))
    rows = build_warehouse(temporary, customers, seed, DEMO_AS_OF)
    made.append(directory / WAREHOUSE)
    os.replace(temporary, directory / WAREHOUSE)
    _remove(list(scratch))
    for folder in (directory / name for name in ("segments", "tests", ".segdsl", SCHEMA_FOLDER)):
        if not folder.exists():
            made.append(folder)
            folder.mkdir()
    for name, text in texts.items():
        made.append(directory / name)
        with open(directory / name, "x", encoding="utf-8") as handle:  # never through a link
            handle.write(text)
    for path in (temporary, *scratch):
        made.remove(path)
    return rows


def _schema_files(texts: dict[str, str]) -> dict[str, str]:
    """`.segdsl/schema/KIND.json` for each kind of file, the segment files' with the demo's
    own names: read from a copy of the files in a temporary folder, before anything is
    written where the user asked."""
    with tempfile.TemporaryDirectory(prefix="segdsl-demo-") as scratch:
        for name, text in texts.items():
            os.makedirs(os.path.join(scratch, os.path.dirname(name)), exist_ok=True)
            with open(os.path.join(scratch, name), "w", encoding="utf-8") as handle:
                handle.write(text)
        project = load(scratch)
        return {
            f"{SCHEMA_FOLDER}/{kind}.json": json_text(schema_json(kind, project)) + "\n"
            for kind in _SCHEMAS
        }


def _remove(made: list[Path]) -> None:
    """Removes what a run made, newest first; what is not there was never made."""
    for path in reversed(made):
        try:
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path) if path.name.endswith(".tmp") else path.rmdir()
            else:
                path.unlink(missing_ok=True)
        except OSError:
            pass  # a folder the user filled meanwhile stays
