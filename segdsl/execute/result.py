"""The result of the one statement a run executes, held in a table of a private DuckDB
session (`RESULT_TABLE`) whatever engine computed it: sizes, members and output files are
read from there, so they have the same shape and content on every warehouse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from sqlglot import exp

from segdsl.execute.output import OUT_TABLE, check_output, check_suffix, write_file
from segdsl.execute.session import column, sql

RESULT_TABLE = "segdsl_result"


@dataclass(frozen=True)
class Size:
    """Members of one segment, or of one bucket of a segmentation."""

    name: str
    bucket: str | None
    members: int
    share: float | None  # None in a single segment's run, which counts no other customer
    min_size: int | None

    @property
    def too_small(self) -> bool:
        return self.min_size is not None and self.members < self.min_size


@dataclass(frozen=True)
class KeyCheck:
    """What the result's key column holds that a key should not: rows without a key, and
    rows beyond the first of a key that repeats. Each such row is counted as a customer of
    its own, so sizes and shares count them too (docs/errors.md#e439)."""

    missing: int
    repeated: int

    @property
    def clean(self) -> bool:
        return not self.missing and not self.repeated


@dataclass(frozen=True)
class Statement:
    """What a run asks: the compiled text (`compile(..., pretty=False)`, exactly), the
    dialect it is written in, and the names of the result's columns."""

    sql: str
    dialect: str
    key: str
    segments: Sequence[str]
    segmentations: Sequence[str]
    as_of: dt.datetime
    min_sizes: Mapping[str, int | None]
    members_of: str | None = None


class Result:
    """The result of one statement, in one of the two shapes `segdsl compile` gives: the
    members' keys of one segment (`members_of` names it), or every customer's key with one
    boolean per segment and one string per segmentation (`members_of` is None)."""

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        statement: Statement,
        warehouse_files: Sequence[Path] = (),
    ):
        self.connection = connection
        self.sql = statement.sql
        self.dialect = statement.dialect
        self.warehouse_files = tuple(warehouse_files)
        self.warehouse = self.warehouse_files[0] if self.warehouse_files else None
        self.members_of = statement.members_of
        self.key = statement.key
        self.segments = list(statement.segments)
        self.segmentations = list(statement.segmentations)
        self.as_of = statement.as_of
        self._min_sizes = statement.min_sizes
        self.relation = connection.table(RESULT_TABLE)

    def _fetch(self, query: exp.Select) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql(query.from_(RESULT_TABLE))).fetchall()

    def sizes(self) -> list[Size]:
        """Sizes from one pass over the result."""
        if self.members_of is not None:
            count = self._count()
            return [Size(self.members_of, None, count, None, self._min_sizes.get(self.members_of))]
        columns: list[exp.Expression] = [exp.Count(this=exp.Star())]
        # COUNT_IF, not COUNT(*) FILTER: measured faster over the many columns of a large result
        columns += [exp.CountIf(this=column(s)) for s in self.segments]
        columns += [
            exp.Anonymous(this="histogram", expressions=[column(s)]) for s in self.segmentations
        ]
        (row,) = self._fetch(exp.select(*columns))
        total = int(row[0])  # COUNT_IF over no customers is NULL, not 0
        sizes = [
            Size(name, None, int(n or 0), n / total if total else 0.0, self._min_sizes.get(name))
            for name, n in zip(self.segments, row[1:], strict=False)
        ]
        for name, histogram in zip(self.segmentations, row[1 + len(self.segments) :], strict=True):
            for bucket, n in sorted((histogram or {}).items(), key=lambda kv: -kv[1]):
                sizes.append(Size(name, bucket, int(n), n / total if total else 0.0, None))
        return sizes

    def key_check(self) -> KeyCheck:
        """Missing and repeated keys among the result's rows (every customer, or one
        segment's members), counted in this private session, never on the warehouse."""
        key = column(self.key)
        rows = exp.Count(this=exp.Star())
        present = exp.Count(this=key)
        distinct = exp.Count(this=exp.Distinct(expressions=[key.copy()]))
        ((missing, repeated),) = self._fetch(
            exp.select(
                exp.Sub(this=rows, expression=present.copy()),
                exp.Sub(this=present, expression=distinct),
            )
        )
        return KeyCheck(int(missing), int(repeated))

    def total(self) -> int | None:
        """The number of customers; None in a single segment's run, whose statement lists
        only the members (counting the others would be a second statement)."""
        return None if self.members_of is not None else self._count()

    def _count(self) -> int:
        """Rows of the result: customers, or a single segment's members."""
        ((count,),) = self._fetch(exp.select(exp.Count(this=exp.Star())))
        return int(count)

    def members(self, segment: str, bucket: str | None = None) -> list[Any]:
        """Keys of one segment's members (or of one bucket of a segmentation), sorted."""
        key = column(self.key)
        if self.members_of is not None:
            if segment != self.members_of or bucket is not None:
                raise ValueError(f"this run lists the members of `{self.members_of}` only")
            return [r[0] for r in self._fetch(exp.select(key).order_by(key.copy()))]
        condition: exp.Expression = column(segment)
        if segment in self.segmentations:
            if bucket is None:
                raise ValueError(
                    f"`{segment}` is a segmentation: name one of its buckets, "
                    f"members({segment!r}, bucket=...)"
                )
            condition = exp.EQ(this=condition, expression=exp.Literal.string(bucket))
        rows = self._fetch(exp.select(key).where(condition).order_by(key.copy()))
        return [r[0] for r in rows]

    def conjunctions(self, groups: Sequence[Sequence[str]]) -> list[int]:
        """For each group of segment columns, the customers in all of them, from one pass
        over the result: `segdsl explain`'s funnel, since `a and b` holds exactly where both
        do (two-valued logic)."""
        if not groups:
            return []
        columns = [exp.CountIf(this=exp.and_(*(column(s) for s in group))) for group in groups]
        (row,) = self._fetch(exp.select(*columns))
        return [int(n or 0) for n in row]

    def key_value(self, text: str) -> Any:
        """`text` as a value of the key's column (`"42"` → 42 for an integer key), or None
        when it is no such value."""
        kind = self.relation.types[0]
        cast = exp.TryCast(this=exp.Literal.string(text), to=exp.DataType.build(str(kind)))
        ((value,),) = self.connection.execute(sql(exp.select(cast))).fetchall()
        return value

    def row(self, key: Any) -> dict[str, Any] | None:
        """One customer's row of a one-row-per-customer result (column → value), or None."""
        condition = exp.EQ(this=column(self.key), expression=exp.Placeholder())
        query = sql(exp.select(exp.Star()).from_(RESULT_TABLE).where(condition))
        cursor = self.connection.execute(query, [key])
        found = cursor.fetchone()
        if found is None:
            return None
        return dict(zip([d[0] for d in cursor.description], found, strict=True))

    def _ordered(self) -> duckdb.DuckDBPyRelation:
        return self.relation.order(sql(column(self.key)))

    def to_arrow(self) -> Any:
        return self._ordered().to_arrow_table()

    def df(self) -> Any:
        return self._ordered().df()

    def write(self, path: Path, table: str = OUT_TABLE) -> None:
        """The result's rows (customers, or one segment's members), sorted by key, to CSV,
        Parquet or a table of a DuckDB file. A file appears complete or not at all, and a
        failure leaves nothing behind. No file of the warehouse is ever written."""
        check_suffix(path)
        check_output(path, self.warehouse_files)
        write_file(self.connection, RESULT_TABLE, self.key, path, table)
