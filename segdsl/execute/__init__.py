"""Run compiled SQL on DuckDB. The only module that imports duckdb; the few statements
it adds around the compiled query (a TEMP table, sizes, members) are sqlglot trees too.

The compiled query runs as the text `compile(..., dialect="duckdb", pretty=False)` gives
for it, word for word (`Result.sql`), and it is the only statement that reads the
warehouse: sizes, members and output files are read from its result. A single segment's
query lists its members only, so its run knows no customer count and gives no share.

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
from sqlglot import exp

from segdsl.diagnostics import Diagnostic, SegdslError
from segdsl.emit import to_sql

RESULT_TABLE = "segdsl_result"
OUT_TABLE = "members"  # the table `run --out FILE.duckdb` writes, unless told another
OUT_ALIAS = "segdsl_out"
OUT_SUFFIXES = (".csv", ".parquet", ".duckdb")


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


class Result:
    """The result of one statement, in one of the two shapes `segdsl compile` gives: the
    members' keys of one segment (`members_of` names it), or every customer's key with one
    boolean per segment and one string per segmentation (`members_of` is None)."""

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        query: exp.Query,
        key: str,
        segments: Sequence[str],
        segmentations: Sequence[str],
        as_of: dt.datetime,
        min_sizes: Mapping[str, int | None],
        warehouse: Path,
        members_of: str | None = None,
    ):
        self.connection = connection
        self.warehouse = warehouse
        self.sql = to_sql(query, "duckdb", pretty=False)  # compile(..., pretty=False), exactly
        self.members_of = members_of
        self.key = key
        self.segments = list(segments)
        self.segmentations = list(segmentations)
        self.as_of = as_of
        self._min_sizes = min_sizes
        # computed once, in full, into a TEMP table: the warehouse itself is never written
        connection.execute(
            _sql(
                exp.Create(
                    this=exp.to_table(RESULT_TABLE),
                    kind="TABLE",
                    replace=True,
                    expression=exp.var(self.sql),  # the compiled text itself, not a regeneration
                    properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
                )
            )
        )
        self.relation = connection.table(RESULT_TABLE)

    def _fetch(self, query: exp.Select) -> list[tuple[Any, ...]]:
        return self.connection.execute(_sql(query.from_(RESULT_TABLE))).fetchall()

    def sizes(self) -> list[Size]:
        """Sizes from one pass over the result."""
        if self.members_of is not None:
            count = self._count()
            return [Size(self.members_of, None, count, None, self._min_sizes.get(self.members_of))]
        columns: list[exp.Expression] = [exp.Count(this=exp.Star())]
        # COUNT_IF, not COUNT(*) FILTER: measured faster over the many columns of a large result
        columns += [exp.CountIf(this=_column(s)) for s in self.segments]
        columns += [
            exp.Anonymous(this="histogram", expressions=[_column(s)]) for s in self.segmentations
        ]
        (row,) = self._fetch(exp.select(*columns))
        total = int(row[0])
        sizes = [
            Size(name, None, int(n), n / total if total else 0.0, self._min_sizes.get(name))
            for name, n in zip(self.segments, row[1:], strict=False)
        ]
        for name, histogram in zip(self.segmentations, row[1 + len(self.segments) :], strict=True):
            for bucket, n in sorted((histogram or {}).items(), key=lambda kv: -kv[1]):
                sizes.append(Size(name, bucket, int(n), n / total if total else 0.0, None))
        return sizes

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
        key = _column(self.key)
        if self.members_of is not None:
            if segment != self.members_of or bucket is not None:
                raise ValueError(f"this run lists the members of `{self.members_of}` only")
            return [r[0] for r in self._fetch(exp.select(key).order_by(key.copy()))]
        condition: exp.Expression = _column(segment)
        if segment in self.segmentations:
            if bucket is None:
                raise ValueError(
                    f"`{segment}` is a segmentation: name one of its buckets, "
                    f"members({segment!r}, bucket=...)"
                )
            condition = exp.EQ(this=condition, expression=exp.Literal.string(bucket))
        rows = self._fetch(exp.select(key).where(condition).order_by(key.copy()))
        return [r[0] for r in rows]

    def _ordered(self) -> duckdb.DuckDBPyRelation:
        return self.relation.order(_sql(_column(self.key)))

    def to_arrow(self) -> Any:
        return self._ordered().to_arrow_table()

    def df(self) -> Any:
        return self._ordered().df()

    def write(self, path: Path, table: str = OUT_TABLE) -> None:
        """The result's rows (customers, or one segment's members), sorted by key, to CSV,
        Parquet or a table of a DuckDB file (`.duckdb`). A file appears complete or not at
        all; a table is replaced in one transaction. The warehouse itself is never written."""
        suffix = path.suffix.lower()
        if suffix not in OUT_SUFFIXES:
            raise SegdslError(
                [
                    Diagnostic(
                        "E414",
                        f"cannot write `{path.name}`",
                        hint="--out takes a .csv, .parquet or .duckdb file",
                    )
                ]
            )
        if suffix == ".duckdb":
            self._write_table(path, table)
            return
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        ordered = self._ordered()
        try:
            if suffix == ".parquet":
                ordered.write_parquet(str(temporary))
            else:
                ordered.write_csv(str(temporary), header=True)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)

    def _write_table(self, path: Path, table: str) -> None:
        if path.exists() and path.resolve() == self.warehouse.resolve():
            raise SegdslError(
                [
                    Diagnostic(
                        "E418",
                        f"`{path.name}` is the warehouse, which segdsl never writes",
                        hint="name another .duckdb file for --out",
                    )
                ]
            )
        target = exp.Table(
            this=exp.to_identifier(table, quoted=True),
            db=exp.to_identifier("main"),
            catalog=exp.to_identifier(OUT_ALIAS),
        )
        select = exp.select(exp.Star()).from_(RESULT_TABLE).order_by(_column(self.key))
        try:
            self.connection.execute(
                _sql(
                    exp.Attach(
                        this=exp.Alias(
                            this=exp.Literal.string(str(path)), alias=exp.to_identifier(OUT_ALIAS)
                        ),
                        expressions=[exp.AttachOption(this=exp.var("READ_WRITE"))],
                    )
                )
            )
        except duckdb.Error as error:
            raise SegdslError(
                [
                    Diagnostic(
                        "E418",
                        f"cannot open `{path.name}`: {error}",
                        hint="is another program using the file?",
                    )
                ]
            ) from None
        try:
            self.connection.execute(_sql(exp.Transaction()))
            self.connection.execute(
                _sql(exp.Create(this=target, kind="TABLE", replace=True, expression=select))
            )
            self.connection.execute(_sql(exp.Commit()))
        except duckdb.Error as error:
            self.connection.execute(_sql(exp.Rollback()))
            raise SegdslError(
                [
                    Diagnostic(
                        "E418",
                        f"cannot write table `{table}` in `{path.name}`: {error}",
                        hint="is another program using the file?",
                    )
                ]
            ) from None
        finally:
            self.connection.execute(_sql(exp.Detach(this=exp.to_identifier(OUT_ALIAS))))


def _sql(expression: exp.Expression) -> str:
    return to_sql(expression, "duckdb", pretty=False)


def _memory_limit() -> str:
    """DuckDB's own default is 80% of the memory; segdsl asks it to spill to disk beyond
    half of it, and beyond 6 GiB at most, so that a run over a warehouse larger than memory
    leaves room for the rest of the machine (the benchmarks' bound: 8 GiB at 10M customers)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "6GiB"
    return f"{min(6 * 1024, total // 2 // 1024 // 1024)}MiB"


def _column(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def _set(setting: str, value: str) -> str:
    return _sql(
        exp.Set(
            expressions=[
                exp.SetItem(
                    this=exp.EQ(this=exp.column(setting), expression=exp.Literal.string(value))
                )
            ]
        )
    )


def execute(
    warehouse: Path,
    query: exp.Query,
    key: str,
    segments: Sequence[str],
    segmentations: Sequence[str],
    as_of: dt.datetime,
    min_sizes: Mapping[str, int | None],
    members_of: str | None = None,
) -> Result:
    if not warehouse.is_file():
        raise SegdslError(
            [
                Diagnostic(
                    "E413",
                    f"the warehouse `{warehouse}` does not exist",
                    hint="check `warehouse:` in segdsl.yaml, or run `segdsl demo`",
                )
            ]
        )
    try:
        connection = duckdb.connect(str(warehouse), read_only=True)
        connection.execute(_set("TimeZone", "UTC"))
        spill = Path(tempfile.gettempdir()) / f"segdsl-{os.getpid()}"
        connection.execute(_set("temp_directory", str(spill)))
        connection.execute(_set("memory_limit", _memory_limit()))
        return Result(
            connection, query, key, segments, segmentations, as_of, min_sizes, warehouse, members_of
        )
    except duckdb.Error as error:
        raise SegdslError(
            [
                Diagnostic(
                    "E415",
                    f"the warehouse rejected the query: {error}",
                    hint="does schema.yaml match the warehouse's tables and columns?",
                )
            ]
        ) from None
