"""Run compiled SQL on DuckDB. The only module that imports duckdb.

The warehouse is opened read-only: segdsl never modifies it. Output files are
written to a temporary name beside the target and renamed only once complete.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from .diagnostics import Diagnostic, SegdslError

RESULT_TABLE = "segdsl_result"


@dataclass(frozen=True)
class Size:
    """Members of one segment, or of one bucket of a segmentation."""

    name: str
    bucket: str | None
    members: int
    share: float
    min_size: int | None

    @property
    def too_small(self) -> bool:
        return self.min_size is not None and self.members < self.min_size


class Result:
    """Membership of every customer: key, one boolean per segment, one string per segmentation."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, sql: str, key: str,
                 segments: Sequence[str], segmentations: Sequence[str], as_of: dt.datetime,
                 min_sizes: Mapping[str, int | None]):
        self.connection = connection
        self.sql = sql
        self.key = key
        self.segments = list(segments)
        self.segmentations = list(segmentations)
        self.as_of = as_of
        self._min_sizes = min_sizes
        # computed once, in full, into a TEMP table: the warehouse itself is never written
        connection.execute(f"CREATE OR REPLACE TEMP TABLE {RESULT_TABLE} AS {sql}")
        self.relation = connection.table(RESULT_TABLE)

    def sizes(self) -> list[Size]:
        """Sizes from one pass over the result."""
        columns = ["count(*)"] + [f"count(*) FILTER (WHERE {_ident(s)})" for s in self.segments]
        columns += [f"histogram({_ident(s)})" for s in self.segmentations]
        (row,) = self.relation.aggregate(", ".join(columns)).fetchall()
        total = int(row[0])
        sizes = [Size(name, None, int(n), n / total if total else 0.0, self._min_sizes.get(name))
                 for name, n in zip(self.segments, row[1:], strict=False)]
        for name, histogram in zip(self.segmentations, row[1 + len(self.segments):],
                                   strict=True):
            for bucket, n in sorted((histogram or {}).items(), key=lambda kv: -kv[1]):
                sizes.append(Size(name, bucket, int(n), n / total if total else 0.0, None))
        return sizes

    def total(self) -> int:
        ((count,),) = self.relation.aggregate("count(*)").fetchall()
        return int(count)

    def members(self, segment: str, bucket: str | None = None) -> list[Any]:
        """Keys of one segment's members (or of one bucket of a segmentation), sorted."""
        if segment in self.segmentations:
            if bucket is None:
                raise ValueError(f"`{segment}` is a segmentation: name one of its buckets, "
                                 f"members({segment!r}, bucket=...)")
            condition = f"{_ident(segment)} = '{_literal(bucket)}'"
        else:
            condition = _ident(segment)
        rows = self.relation.filter(condition).order(_ident(self.key)).project(
            _ident(self.key)).fetchall()
        return [r[0] for r in rows]

    def to_arrow(self) -> Any:
        return self.relation.order(_ident(self.key)).to_arrow_table()

    def df(self) -> Any:
        return self.relation.order(_ident(self.key)).df()

    def write(self, path: Path) -> None:
        """One row per customer, sorted by key, to CSV or Parquet; the file appears complete."""
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".parquet"):
            raise SegdslError([Diagnostic("E414", f"cannot write `{path.name}`",
                                          hint="--out takes a .csv or .parquet file")])
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        ordered = self.relation.order(_ident(self.key))
        try:
            if suffix == ".parquet":
                ordered.write_parquet(str(temporary))
            else:
                ordered.write_csv(str(temporary), header=True)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)


def _literal(text: str) -> str:
    return text.replace("'", "''")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def execute(warehouse: Path, sql: str, key: str, segments: Sequence[str],
            segmentations: Sequence[str], as_of: dt.datetime,
            min_sizes: Mapping[str, int | None]) -> Result:
    if not warehouse.is_file():
        raise SegdslError([Diagnostic("E413", f"the warehouse `{warehouse}` does not exist",
                                      hint="check `warehouse:` in segdsl.yaml, or run "
                                      "`segdsl demo`")])
    try:
        connection = duckdb.connect(str(warehouse), read_only=True)
        connection.execute("SET TimeZone = 'UTC'")
        spill = Path(tempfile.gettempdir()) / f"segdsl-{os.getpid()}"
        connection.execute(f"SET temp_directory = '{_literal(str(spill))}'")
        return Result(connection, sql, key, segments, segmentations, as_of, min_sizes)
    except duckdb.Error as error:
        raise SegdslError([Diagnostic("E415", f"the warehouse rejected the query: {error}",
                                      hint="does schema.yaml match the warehouse's tables "
                                      "and columns?")]) from None
