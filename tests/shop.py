"""A tiny shop warehouse and project, written from data in this file, for semantic tests.

Every row is chosen to sit on an edge: missing values, empty strings, unicode,
strings with quotes and SQL comment markers, times on window boundaries around
AS_OF. Tests ask `Shop.members(rule)` and compare with hand-computed keys.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

import segdsl

AS_OF = dt.datetime(2025, 12, 31, 12, 0, 0)

SCHEMA = """\
customers:
  table: customers
  key: customer_id
  fields:
    country: {column: country_code, type: string}
    city: string
    name: string
    email: string
    age: integer
    income: decimal
    score: float
    consent: boolean
    birth_date: date
    signup_at: timestamp
    last_seen_at: timestamp
    location: {type: geo, lat: latitude, lon: longitude}
    tag: {type: string, many: true, table: customer_tags, column: tag, key: customer_id}
sets:
  EU: [AT, BE, DE, FR, IT, NL, ES, PL]
  SMALL: [1, 2, 3]
  NONE: []
traits:
  inactive_days: days_since(last_seen_at)
  adult: age >= 18
"""

PROJECT = """\
name: shop
schema: schema.yaml
segments: [segments/]
warehouse: warehouse.duckdb
dialect: duckdb
"""

COLUMNS = (
    "customer_id",
    "country_code",
    "city",
    "name",
    "email",
    "age",
    "income",
    "score",
    "consent",
    "birth_date",
    "signup_at",
    "last_seen_at",
    "latitude",
    "longitude",
)
TYPES = (
    "BIGINT",
    "VARCHAR",
    "VARCHAR",
    "VARCHAR",
    "VARCHAR",
    "INTEGER",
    "DECIMAL(12,2)",
    "DOUBLE",
    "BOOLEAN",
    "DATE",
    "TIMESTAMP",
    "TIMESTAMP",
    "DOUBLE",
    "DOUBLE",
)

D, T = dt.date, dt.datetime
CUSTOMERS: list[tuple[Any, ...]] = [
    # id country city       name              email            age  income   score consent birth          signup                   last_seen                      lat      lon  # noqa: E501
    (
        1,
        "DE",
        "Berlin",
        "Anna",
        "anna@example.com",
        34,
        52000.50,
        7.5,
        True,
        D(1991, 1, 5),
        T(2023, 3, 1, 9, 0),
        T(2025, 12, 30, 18, 0),
        52.52,
        13.405,
    ),
    (
        2,
        "FR",
        "Paris",
        "Émile",
        "",
        17,
        0.00,
        0.0,
        False,
        D(2008, 2, 29),
        T(2025, 12, 1, 0, 0),
        T(2025, 12, 1, 12, 0),
        48.8566,
        2.3522,
    ),
    (
        3,
        "US",
        "New York",
        'O\'Brien "Bob"',
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ),
    (
        4,
        "AT",
        "Wien",
        "Zoë -- ; /* x */",
        "zoe@EXAMPLE.org",
        65,
        120000.00,
        -1.25,
        True,
        D(1960, 1, 3),
        T(2020, 1, 1, 0, 0),
        T(2024, 12, 31, 12, 0),
        48.2082,
        16.3738,
    ),
    (
        5,
        "GB",
        "London",
        "back\\slash",
        "B@x.co.uk",
        30,
        30000.00,
        3.0,
        None,
        D(1995, 12, 31),
        T(2025, 12, 31, 12, 0),
        T(2025, 12, 1, 12, 0),
        51.5074,
        -0.1278,
    ),
    (
        6,
        "",
        "",
        "",
        "  ",
        0,
        -10.00,
        10.0,
        False,
        D(2000, 1, 7),
        T(2025, 11, 30, 23, 59, 59, 999999),
        T(2025, 10, 31, 12, 0),
        None,
        None,
    ),
    (
        7,
        "de",
        "München",
        "名前",
        "ming@example.cn",
        45,
        75000.25,
        5.5,
        True,
        D(1980, 6, 15),
        T(2025, 12, 24, 0, 0),
        T(2025, 12, 24, 23, 59, 59),
        48.1351,
        11.582,
    ),
]
TAGS = [
    (1, "awaits-sale"),
    (1, "vip"),
    (2, "awaits-sale"),
    (4, "vip"),
    (4, ""),
    (5, "Awaits-Sale"),
    (7, "newsletter"),
    (7, "student"),
    (7, "student"),
    (6, None),
]  # a repeated value (count(tag) counts distinct values) and a
#                                    NULL value (6 still has no tag)


def compiled_alone(root: Path, names: Iterable[str], as_of: dt.datetime) -> dict[str, set[Any]]:
    """Members of each segment from the SQL `segdsl compile NAME` gives for it alone, run on
    the project's DuckDB warehouse. A single segment compiles to a shape of its own (EXISTS
    and NOT EXISTS, UNION ALL of an OR's branches, one scan per stream), so every semantic
    case checks that it finds the members of the set's statement too."""
    project = segdsl.load(root)
    connection = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
    try:
        found = {
            name: [
                row[0]
                for row in connection.execute(
                    project.compile([name], as_of=as_of, pretty=False)
                ).fetchall()
            ]
            for name in names
        }
        for name, keys in found.items():
            assert len(keys) == len(set(keys)), f"{name}: a member twice in {sorted(keys)}"
        return {name: set(keys) for name, keys in found.items()}
    finally:
        connection.close()


def alone_differs(rule: str, together: set[Any], alone: set[Any]) -> AssertionError:
    return AssertionError(
        f"compiled alone, `{rule}` has the members {sorted(alone)}; in a set {sorted(together)}"
    )


class Shop:
    """The project on disk, plus `members(rule)` for one-off rules."""

    def __init__(self, root: Path):
        self.root = root
        (root / "segments").mkdir(parents=True, exist_ok=True)
        (root / "segdsl.yaml").write_text(PROJECT)
        (root / "schema.yaml").write_text(SCHEMA)
        connection = duckdb.connect(str(root / "warehouse.duckdb"))
        columns = ", ".join(f"{c} {t}" for c, t in zip(COLUMNS, TYPES, strict=True))
        connection.execute(f"CREATE TABLE customers ({columns})")
        # rows go in reverse key order, so that output "sorted by key" is sorted by segdsl
        connection.executemany(
            f"INSERT INTO customers VALUES ({', '.join('?' * len(COLUMNS))})", CUSTOMERS[::-1]
        )
        connection.execute("CREATE TABLE customer_tags (customer_id BIGINT, tag VARCHAR)")
        connection.executemany("INSERT INTO customer_tags VALUES (?, ?)", TAGS[::-1])
        connection.close()
        self.everyone = {row[0] for row in CUSTOMERS}

    def write_segments(self, text: str, name: str = "segments.yaml") -> Path:
        path = self.root / "segments" / name
        path.write_text(text)
        return path

    def members(self, rule: str, as_of: dt.datetime = AS_OF) -> set[int]:
        """Keys of the customers for whom `rule` holds (the rule must check cleanly)."""
        quoted = rule.replace("\\", "\\\\").replace('"', '\\"')
        self.write_segments(f'segments:\n  probe:\n    where: "{quoted}"\n')
        result = segdsl.load(self.root).run(["probe"], as_of=as_of)
        return set(result.members("probe"))

    def members_many(
        self, rules: Iterable[str], as_of: dt.datetime = AS_OF, chunk: int = 50
    ) -> dict[str, set[int] | Exception]:
        """Members of many rules, `chunk` rules to a segment file and a run (fast). A rule that
        does not check maps to a SegdslError with its diagnostics; one that the warehouse rejects
        or that crashes segdsl maps to its exception (the batch is halved until it stands alone).
        Rules are written as literal YAML blocks, so their text (backslashes, quotes, `#`
        comments, newlines) reaches segdsl unchanged."""
        found: dict[str, set[int] | Exception] = {}

        def write(batch: list[str]) -> tuple[list[str], list[range]]:
            names, lines, text = [], [], ["segments:"]
            for index, rule in enumerate(batch):
                names.append(f"r{index}")
                text += [f"  r{index}:", "    where: |-"]
                start = len(text) + 1
                text += [f"      {line}" for line in rule.splitlines()]
                lines.append(range(start - 2, len(text) + 1))
            self.write_segments("\n".join(text) + "\n")
            return names, lines

        def run(batch: list[str]) -> None:
            if not batch:
                return
            names, _ = write(batch)
            try:
                table = segdsl.load(self.root).run(names, as_of=as_of).to_arrow()
                columns = (table.read_all() if hasattr(table, "read_all") else table).to_pydict()
                keys = columns["customer_id"]
                found.update(
                    {
                        rule: {k for k, v in zip(keys, columns[name], strict=True) if v is True}
                        for name, rule in zip(names, batch, strict=True)
                    }
                )
                alone = compiled_alone(self.root, names, as_of)
                for name, rule in zip(names, batch, strict=True):
                    if alone[name] != found[rule]:
                        found[rule] = alone_differs(rule, found[rule], alone[name])  # type: ignore[arg-type]
            except Exception as error:  # noqa: BLE001 - reported per rule by the caller
                if len(batch) == 1:
                    found[batch[0]] = error
                else:
                    run(batch[: len(batch) // 2])
                    run(batch[len(batch) // 2 :])

        unique = list(dict.fromkeys(rules))
        # DuckDB's time grows faster than the number of columns: 50 rules a run is quickest
        for batch in (unique[i : i + chunk] for i in range(0, len(unique), chunk)):
            _, lines = write(batch)
            errors = [d for d in segdsl.load(self.root).check() if d.severity == "error"]
            for rule, span in zip(batch, lines, strict=True):
                own = [d for d in errors if d.location is not None and d.location.line in span]
                if own:
                    found[rule] = segdsl.SegdslError(own)
            run([rule for rule in batch if rule not in found])
        return found
