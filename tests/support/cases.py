"""The one loader of the case files in tests/cases/ (and of the golden cases in tests/golden/).

The DuckDB tests (test_semantics.py, test_behaviour.py), the reference evaluator's tests
(test_reference.py) and the engine matrix (test_engines.py, support/matrix.py) all read
their cases here, so that they hold segdsl to the same data. The format is described in
docs/testing.md:

    tests/cases/shops/<shop>.yaml   a shop: its project and schema files, any fixed segment
                                    file, *as of*, and the rows of every table
    tests/cases/<shop>/*.yaml       cases over that shop: a rule and its members, and for
                                    some files named segments' members or buckets

A file with a typo (an unknown key, a missing `members`) fails loudly when it is read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

TESTS = Path(__file__).resolve().parents[1]
CASES = TESTS / "cases"
GOLDEN = TESTS / "golden"
SHOPS = ("semantics", "behaviour")

Row = tuple[Any, ...]


# ---- shops --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShopTable:
    name: str
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type)
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Shop:
    """tests/cases/shops/<name>.yaml: the files of its project and the rows of its warehouse."""

    name: str
    as_of: dt.datetime
    project: str  # segdsl.yaml
    schema: str  # schema.yaml
    segments: str | None  # segments/fixed.yaml, the segments that rules may refer to
    tables: tuple[ShopTable, ...]

    @property
    def everyone(self) -> frozenset[Any]:
        """Every customer's key: the first column of the first table."""
        return frozenset(row[0] for row in self.tables[0].rows)

    def data(self) -> dict[str, list[dict[str, Any]]]:
        """The rows as the reference evaluator takes them: table → rows (column → value)."""
        return {
            table.name: [
                dict(zip((c for c, _ in table.columns), row, strict=True)) for row in table.rows
            ]
            for table in self.tables
        }


SHOP_KEYS = {"as_of", "project", "schema", "segments", "tables"}


@cache
def shop(name: str) -> Shop:
    path = CASES / "shops" / f"{name}.yaml"
    spec = _read(path)
    _expect_keys(path, spec, SHOP_KEYS, {"as_of", "project", "schema", "tables"})
    tables = []
    for table, body in spec["tables"].items():
        _expect_keys(path, body, {"columns", "rows"}, {"columns", "rows"}, f"table {table}")
        columns = tuple(body["columns"].items())
        rows = []
        for row in body["rows"]:
            if len(row) != len(columns):
                raise ValueError(f"{path}: table {table}: {row} has not {len(columns)} values")
            rows.append(tuple(_typed(path, t, v) for (_, t), v in zip(columns, row, strict=True)))
        tables.append(ShopTable(table, columns, tuple(rows)))
    return Shop(
        name,
        _instant(path, spec["as_of"]),
        spec["project"],
        spec["schema"],
        spec.get("segments"),
        tuple(tables),
    )


def _typed(path: Path, kind: str, value: Any) -> Any:
    """A YAML value as the column's type holds it (decimals exact, dates apart from times)."""
    if value is None:
        return None
    if kind.startswith("DECIMAL"):
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError(f"{path}: {value!r} is no {kind}")
        return Decimal(str(value))
    expected: dict[str, type | tuple[type, ...]] = {
        "BIGINT": int,
        "INTEGER": int,
        "DOUBLE": (int, float),
        "BOOLEAN": bool,
        "VARCHAR": str,
        "TIMESTAMP": dt.datetime,
        "DATE": dt.date,
    }
    wanted = expected.get(kind)
    if wanted is None:
        raise ValueError(f"{path}: unknown column type {kind}")
    wrong = not isinstance(value, wanted) or (
        (kind == "DATE" and isinstance(value, dt.datetime))
        or (kind in ("BIGINT", "INTEGER", "DOUBLE") and isinstance(value, bool))
    )
    if wrong:
        raise ValueError(f"{path}: {value!r} is no {kind}")
    return float(value) if kind == "DOUBLE" else value


# ---- cases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A rule, the shop and *as of* it runs at, and its members there, worked out by hand."""

    shop: str
    as_of: dt.datetime
    rule: str
    members: frozenset[Any]
    source: str = field(default="", compare=False)  # the case file, relative to tests/cases

    @property
    def id(self) -> str:
        """A test id: the file's topic, *as of* when it is not the shop's, and the rule."""
        topic = Path(self.source).stem
        when = "" if self.as_of == shop(self.shop).as_of else f"{self.as_of:%Y-%m-%dT%H} "
        return f"{topic}: {when}{self.rule}".replace("\n", " ")


@dataclass(frozen=True)
class CaseFile:
    """One file of tests/cases/<shop>/: its rule cases, and what else it expects."""

    path: Path
    shop: str
    cases: tuple[Case, ...]
    segment_file: str | None  # written into the shop's project for `members` and `buckets`
    members: dict[str, frozenset[Any]]  # segment → members
    buckets: dict[str, dict[Any, str | None]]  # segmentation → key → bucket (None: no bucket)
    pinned_buckets: tuple[dict[str, Any], ...]  # {salt, count, values: key → bucket(count, salt)}


FILE_KEYS = {"as_of", "cases", "segment_file", "members", "buckets", "pinned_buckets"}
CASE_KEYS = {"rule", "members", "as_of"}


def negation(rule: str) -> str:
    """`not (rule)`, on its own lines so that a trailing `# comment` cannot swallow the `)`."""
    return f"not (\n{rule}\n)"


@cache
def case_files(shop_name: str) -> tuple[CaseFile, ...]:
    """Every case file of a shop (tests/cases/<shop>/*.yaml), sorted by name."""
    found = tuple(
        read_case_file(path, shop_name) for path in sorted((CASES / shop_name).glob("*.yaml"))
    )
    if not found:
        raise ValueError(f"no case files in {CASES / shop_name}")
    return found


def engine_edge_cases() -> list[Case]:
    """tests/cases/engine_edges.yaml: edge cases only the engine matrix runs (semantics shop)."""
    return list(read_case_file(CASES / "engine_edges.yaml", "semantics").cases)


def read_case_file(path: Path, shop_name: str) -> CaseFile:
    the_shop = shop(shop_name)
    spec = _read(path)
    _expect_keys(path, spec, FILE_KEYS, set())
    default = _instant(path, spec.get("as_of", the_shop.as_of))
    found = []
    for entry in spec.get("cases", []):
        _expect_keys(path, entry, CASE_KEYS, {"rule", "members"}, f"case {entry}")
        if not isinstance(entry["rule"], str):
            raise ValueError(f"{path}: the rule of {entry} is no string (quote it)")
        found.append(
            Case(
                shop_name,
                _instant(path, entry.get("as_of", default)),
                entry["rule"],
                _members(path, the_shop, entry["members"]),
                str(path.relative_to(CASES)),
            )
        )
    members = {
        name: _members(path, the_shop, keys) for name, keys in spec.get("members", {}).items()
    }
    buckets = {name: dict(values) for name, values in (spec.get("buckets") or {}).items()}
    for name, values in buckets.items():
        if set(values) != the_shop.everyone:
            raise ValueError(f"{path}: buckets of {name} must name every customer")
    pinned = tuple(spec.get("pinned_buckets", ()))
    for entry in pinned:
        _expect_keys(path, entry, {"salt", "count", "values"}, {"salt", "count", "values"})
    if (members or buckets) and "segment_file" not in spec and not the_shop.segments:
        raise ValueError(f"{path}: `members` and `buckets` need a segment file")
    return CaseFile(
        path, shop_name, tuple(found), spec.get("segment_file"), members, buckets, pinned
    )


def cases(*shops: str) -> list[Case]:
    """Every rule case of the shops (all of them by default), in file order."""
    return [case for name in shops or SHOPS for f in case_files(name) for case in f.cases]


def with_negations(found: list[Case]) -> list[Case]:
    """Each case, then `not (R)`, whose members are everyone else (two-valued logic)."""
    out = []
    for case in found:
        everyone = shop(case.shop).everyone
        out.append(case)
        out.append(
            Case(case.shop, case.as_of, negation(case.rule), everyone - case.members, case.source)
        )
    return out


def _members(path: Path, the_shop: Shop, keys: Any) -> frozenset[Any]:
    if keys == "everyone":
        return the_shop.everyone
    if not isinstance(keys, list) or not set(keys) <= the_shop.everyone:
        raise ValueError(f"{path}: members {keys!r}: a list of customer keys, or `everyone`")
    if len(set(keys)) != len(keys):
        raise ValueError(f"{path}: members {keys!r} names a customer twice")
    return frozenset(keys)


# ---- golden cases (tests/golden/cases.yaml, events.yaml) -----------------------------------

# each golden cases file and the shop its cases run in; case names are unique across them
GOLDEN_SUITES = {"cases.yaml": "semantics", "events.yaml": "behaviour"}
GOLDEN_CASE_KEYS = {"where", "segmentation", "segments", "segmentations", "unpinned"}


def golden_cases(suite: str = "cases.yaml") -> dict[str, dict[str, Any]]:
    """One golden cases file, with its shape checked so that a typo in a case fails loudly."""
    found: dict[str, dict[str, Any]] = _read(GOLDEN / suite)
    others = {name for other in GOLDEN_SUITES if other != suite for name in _read(GOLDEN / other)}
    for name, case in found.items():
        unknown = set(case) - GOLDEN_CASE_KEYS
        if unknown or ("where" in case) == ("segmentation" in case):
            raise ValueError(
                f"{suite}: case `{name}` needs `where` or `segmentation`, and "
                f"only {sorted(GOLDEN_CASE_KEYS)} (found {sorted(case)})"
            )
        if name in others:
            raise ValueError(f"{suite}: case `{name}` is also in another cases file")
    return found


def golden_segment_file(name: str, case: dict[str, Any]) -> str:
    """The segment file of one golden case: the case under its own name, plus its helpers."""
    segments = dict(case.get("segments", {}))
    segmentations = dict(case.get("segmentations", {}))
    if "where" in case:
        segments[name] = case["where"]
    else:
        segmentations[name] = case["segmentation"]
    document: dict[str, Any] = {}
    if segments:
        document["segments"] = {n: {"where": rule} for n, rule in segments.items()}
    if segmentations:
        document["segmentations"] = segmentations
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=1000)


# ---- helpers ------------------------------------------------------------------------------


def _read(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _expect_keys(
    path: Path, spec: Any, allowed: set[str], needed: set[str], what: str = ""
) -> None:
    where = f"{path}{': ' + what if what else ''}"
    if not isinstance(spec, dict):
        raise ValueError(f"{where}: a mapping, not {spec!r}")
    if set(spec) - allowed or needed - set(spec):
        raise ValueError(
            f"{where}: needs {sorted(needed)}, may have {sorted(allowed)} (found {sorted(spec)})"
        )


def _instant(path: Path, value: Any) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValueError(f"{path}: as of {value!r} is no timestamp (write 2025-12-31T12:00:00)")
    return value
