"""SQLite keeps times as text, written 'YYYY-MM-DD HH:MM:SS' by Python's sqlite3 and
'YYYY-MM-DDTHH:MM:SS.5' by other tools. Two time columns compared with each other (a field
with a field, an event's time with a field, the steps of a sequence) are compared in one
normal form, so that the answer does not depend on how each column was written
(docs/engines.md#notes-per-engine). The members are worked out by hand from the rows below."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

import segdsl

SCHEMA = """\
customers:
  table: customers
  key: id
  fields:
    id: integer
    t: timestamp
    u: timestamp
    born: date
events:
  visit:
    table: visits
    key: id
    time: ts
  order:
    table: orders
    key: id
    time: ts
"""

RULES = {
    "last_visit_after_t": "last(visit) > t",  # 1: 11:00 > 10:00; 2: 09:00 < 10:00
    "visited_after_t": "did visit after t",  # the same
    "t_before_u": "t < u",  # nobody: 10:00 > 09:00, 10:00 > 09:00.5, 10:00 = 10:00
    "t_is_u": "t = u",  # 3, written once with T and once with a space
    "u_after_born": "u >= born",  # 1, 2, 3: every u is on or after the birth day
    "born_after_t": "born > date(t)",  # 4: born 2025-12-02, t on 2025-12-01
    "visit_then_order": "did visit then order",  # 2: 09:00 then 10:00; 1's order is earlier
}
CUSTOMERS = [
    (1, "2025-12-01T10:00:00", "2025-12-01 09:00:00", "2025-12-01"),
    (2, "2025-12-01 10:00:00", "2025-12-01T09:00:00.5", "2025-12-01"),
    (3, "2025-12-01T10:00:00", "2025-12-01 10:00:00", "2025-11-30"),
    (4, "2025-12-01T23:59:59.999999", None, "2025-12-02"),
]
VISITS = [(1, "2025-12-01 11:00:00"), (2, "2025-12-01T09:00:00")]
ORDERS = [(1, "2025-12-01T10:30:00"), (2, "2025-12-01 10:00:00")]
EXPECTED = {
    "last_visit_after_t": [1],
    "visited_after_t": [1],
    "t_before_u": [],
    "t_is_u": [3],
    "u_after_born": [1, 2, 3],
    "born_after_t": [4],
    "visit_then_order": [2],
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[segdsl.Project, Path]:
    root = tmp_path_factory.mktemp("forms")
    (root / "segdsl.yaml").write_text("name: forms\nschema: schema.yaml\nsegments: [s.yaml]\n")
    (root / "schema.yaml").write_text(SCHEMA)
    lines = [f"  {name}:\n    where: {rule}\n" for name, rule in RULES.items()]
    (root / "s.yaml").write_text("segments:\n" + "".join(lines))
    db = root / "w.db"
    with sqlite3.connect(db) as c:
        c.execute("CREATE TABLE customers (id INTEGER, t TEXT, u TEXT, born TEXT)")
        c.execute("CREATE TABLE visits (id INTEGER, ts TEXT)")
        c.executemany("INSERT INTO customers VALUES (?, ?, ?, ?)", CUSTOMERS)
        c.executemany("INSERT INTO visits VALUES (?, ?)", VISITS)
        c.execute("CREATE TABLE orders (id INTEGER, ts TEXT)")
        c.executemany("INSERT INTO orders VALUES (?, ?)", ORDERS)
    c.close()
    return segdsl.load(root), db


def test_time_columns_written_differently_compare_as_times(
    project: tuple[segdsl.Project, Path],
) -> None:
    loaded, db = project
    result = loaded.run(None, dt.datetime(2025, 12, 31), f"sqlite://{db}")
    assert {n: sorted(result.members(n)) for n in RULES} == EXPECTED
