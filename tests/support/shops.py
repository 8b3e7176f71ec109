"""A shop of tests/cases/shops/ as a project on disk with its DuckDB warehouse, and the
runner that gives the members of many rules at once on DuckDB, through the product's own
path (`segdsl.load(root).run(...)`) and through each rule's statement compiled alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

import segdsl
from support import cases

RULES_FILE = "cases.yaml"  # segments/<this>: the rules of a run; fixed.yaml: the shop's own


def build(name: str, root: Path) -> Path:
    """The project of shop `name` in `root` (segdsl.yaml, schema.yaml, segments/, and the
    warehouse); returns `root`."""
    shop = cases.shop(name)
    (root / "segments").mkdir(parents=True, exist_ok=True)
    (root / "segdsl.yaml").write_text(shop.project, encoding="utf-8")
    (root / "schema.yaml").write_text(shop.schema, encoding="utf-8")
    if shop.segments:
        (root / "segments" / "fixed.yaml").write_text(shop.segments, encoding="utf-8")
    connection = duckdb.connect(str(root / "warehouse.duckdb"))
    try:
        for table in shop.tables:
            columns = ", ".join(f"{c} {t}" for c, t in table.columns)
            connection.execute(f"CREATE TABLE {table.name} ({columns})")
            # rows go in reverse order, so that nothing depends on insertion order, and
            # output "sorted by key" is sorted by segdsl
            marks = ", ".join("?" * len(table.columns))
            connection.executemany(
                f"INSERT INTO {table.name} VALUES ({marks})", list(table.rows[::-1])
            )
    finally:
        connection.close()
    return root


def compiled_alone(root: Path, names: Iterable[str], as_of: dt.datetime) -> dict[str, set[Any]]:
    """Members of each segment from the SQL `segdsl compile NAME` gives for it alone, run on
    the project's DuckDB warehouse. A single segment compiles to a shape of its own (EXISTS
    and NOT EXISTS, UNION ALL of an OR's branches, one scan per stream), so every case
    checks that it finds the members of the set's statement too."""
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


def rules_file(names: Iterable[str], rules: Iterable[str]) -> str:
    """Rules as literal YAML blocks, so their text (backslashes, quotes, `#` comments,
    newlines) reaches segdsl unchanged."""
    lines = ["segments:"]
    for name, rule in zip(names, rules, strict=True):
        lines += [f"  {name}:", "    where: |-", *(f"      {line}" for line in rule.splitlines())]
    return "\n".join(lines) + "\n"


class ShopProject:
    """A shop's project on disk, plus `members_many(rules)` to run many rules in one go."""

    def __init__(self, name: str, root: Path):
        self.name = name
        self.root = build(name, root)
        self.everyone = set(cases.shop(name).everyone)

    def write_segments(self, text: str, name: str = RULES_FILE) -> Path:
        path = self.root / "segments" / name
        path.write_text(text, encoding="utf-8")
        return path

    def members_many(
        self, rules: Iterable[str], as_of: dt.datetime, chunk: int = 50
    ) -> dict[str, set[Any] | Exception]:
        """Members of many rules, `chunk` rules to a segment file and a run (fast). A rule that
        does not check maps to a SegdslError with its diagnostics; one that the warehouse rejects
        or that crashes segdsl maps to its exception (the batch is halved until it stands alone),
        and so does one whose statement compiled alone has other members."""
        found: dict[str, set[Any] | Exception] = {}

        def write(batch: list[str]) -> tuple[list[str], list[range]]:
            names = [f"r{index}" for index in range(len(batch))]
            text, lines = ["segments:"], []
            for name, rule in zip(names, batch, strict=True):
                text += [f"  {name}:", "    where: |-"]
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
                result = segdsl.load(self.root).run(names, as_of=as_of)
                if result.members_of is not None:  # one rule: its members' statement
                    found[batch[0]] = set(result.members(names[0]))
                else:
                    table = result.to_arrow()
                    columns = (
                        table.read_all() if hasattr(table, "read_all") else table
                    ).to_pydict()
                    keys = columns["customer_id"]
                    found.update(
                        {
                            rule: {k for k, v in zip(keys, columns[name], strict=True) if v is True}
                            for name, rule in zip(names, batch, strict=True)
                        }
                    )
                alone = compiled_alone(self.root, names, as_of)
                for name, rule in zip(names, batch, strict=True):
                    together = found[rule]
                    if isinstance(together, set) and alone[name] != together:
                        found[rule] = alone_differs(rule, together, alone[name])
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
                own = [
                    d
                    for d in errors
                    if d.location is not None
                    and d.location.line in span
                    and Path(str(d.location.path)).name == RULES_FILE
                ]
                if own:
                    found[rule] = segdsl.SegdslError(own)
            run([rule for rule in batch if rule not in found])
        (self.root / "segments" / RULES_FILE).unlink(missing_ok=True)
        return found

    def segmentation_values(
        self, names: Iterable[str], as_of: dt.datetime
    ) -> dict[str, dict[Any, str | None]]:
        """Each segmentation's string column from one run: customer key → bucket."""
        wanted = list(names)
        result = segdsl.load(self.root).run(wanted, as_of=as_of)
        rows = result.relation.project(
            ", ".join(["customer_id", *(f'"{n}"' for n in wanted)])
        ).fetchall()
        return {name: {row[0]: row[1 + i] for row in rows} for i, name in enumerate(wanted)}
