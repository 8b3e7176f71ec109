"""The compiled statement's CTE names never hide a warehouse table it reads.

A warehouse may well have tables called `events_1` or `population`; segdsl names its
CTEs after streams and fields (`events_1`, `tag_values_2`, `population`), so it renames
any that would shadow a table of the statement.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb

import segdsl

AS_OF = dt.datetime(2025, 12, 31, 12, 0, 0)

SCHEMA = """\
customers:
  table: events_1
  key: id
  fields:
    tag: {type: string, many: true, table: population, column: tag, key: id}
events:
  events:
    table: events
    key: id
    time: ts
    name: event_name
    names: [visit]
"""

SEGMENTS = """\
segments:
  recent_x:
    where: did visit within 7 days and tag = "x"
  many_or_top:
    where: count(tag) >= 2 or percentile(count(visit)) > 50
"""


def make_project(root: Path) -> Path:
    (root / "segments").mkdir(parents=True)
    (root / "segdsl.yaml").write_text(
        "name: clash\nschema: schema.yaml\nsegments: [segments/]\nwarehouse: w.duckdb\n"
    )
    (root / "schema.yaml").write_text(SCHEMA)
    (root / "segments" / "s.yaml").write_text(SEGMENTS)
    with duckdb.connect(str(root / "w.duckdb")) as c:
        c.execute("CREATE TABLE events_1 (id INTEGER)")
        c.execute("INSERT INTO events_1 VALUES (1), (2), (3)")
        c.execute("CREATE TABLE population (id INTEGER, tag VARCHAR)")
        c.execute("INSERT INTO population VALUES (1, 'x'), (1, 'y'), (2, 'x')")
        c.execute("CREATE TABLE events (id INTEGER, ts TIMESTAMP, event_name VARCHAR)")
        c.execute(
            "INSERT INTO events VALUES (1, '2025-12-30', 'visit'), "
            "(3, '2025-12-30', 'visit'), (3, '2025-12-29', 'visit')"
        )
    return root


def test_members_are_right_when_tables_look_like_cte_names(tmp_path: Path) -> None:
    project = segdsl.load(make_project(tmp_path / "p"))
    result = project.run(as_of=AS_OF)
    # recent_x: 1 visited on 12-30 and has tag x (2 has x but no visit)
    assert result.members("recent_x") == [1]
    # many_or_top: 1 has two tags; visits 1: 1, 2: 0, 3: 2, so only 3 has percentile > 50
    assert result.members("many_or_top") == [1, 3]
    for names in (["recent_x"], ["many_or_top"], None):
        sql = project.compile(names, "duckdb", AS_OF)
        ctes = set(re.findall(r"(\w+) AS \(\n", sql))
        assert not ctes & {"events_1", "events", "population"}, sql
