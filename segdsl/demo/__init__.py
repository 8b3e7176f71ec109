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
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

from segdsl.demo.data import build_warehouse

DEMO_AS_OF = datetime(2025, 12, 31, 12, 0, 0)
"""The demo's "now": no event, order or signup is later than this instant."""

WAREHOUSE = "warehouse.duckdb"


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
    "schema.yaml": "schema.yaml",
    "segdsl.yaml": "segdsl.yaml",
}


def _template(name: str) -> str:
    return (resources.files("segdsl.demo") / "files" / name).read_text(encoding="utf-8")


def write_demo(directory: Path, customers: int = 10_000, seed: int = 42) -> DemoSummary:
    """Write the demo project into ``directory`` (created if needed).

    Refuses with ``FileExistsError`` when ``directory`` already holds a project or
    any file the demo would write, so a user's work is never overwritten. The
    warehouse is built under a temporary name and renamed into place, so an
    interrupted run never leaves a half-written database behind.
    """
    if customers < 1:
        raise ValueError(f"customers must be at least 1, not {customers}")
    directory = Path(directory)
    texts = {name: _template(template) for name, template in _FILES.items()}
    for name in (*reversed(_FILES), WAREHOUSE):  # the project file first
        if (directory / name).exists():
            raise FileExistsError(f"{directory / name} exists; the demo never overwrites files")
    directory.mkdir(parents=True, exist_ok=True)
    temporary = directory / f".{WAREHOUSE}.{os.getpid()}.tmp"
    leftovers = (temporary, temporary.with_name(temporary.name + ".wal"))
    try:
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
        rows = build_warehouse(temporary, customers, seed, DEMO_AS_OF)
        os.replace(temporary, directory / WAREHOUSE)
    finally:
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
    (directory / "segments").mkdir(exist_ok=True)
    for name, text in texts.items():
        (directory / name).write_text(text, encoding="utf-8")
    return DemoSummary(
        directory=directory,
        customers=rows["customers"],
        events=rows["events"],
        orders=rows["orders"],
        tags=rows["customer_tags"],
    )
