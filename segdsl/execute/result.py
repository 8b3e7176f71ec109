"""The result of the one statement a run executes, held in a table of a private DuckDB
session (`RESULT_TABLE`) whatever engine computed it: sizes, members and output files are
read from there, so they have the same shape and content on every warehouse."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import duckdb
from sqlglot import exp

from segdsl.diagnostics import Diagnostic, SegdslError
from segdsl.execute.listing import (
    Groups,
    Listing,
    Measure,
    Value,
    count_if,
    long_select,
    measure,
    ordering,
    sample_select,
    sum_and_average,
)
from segdsl.execute.output import OUT_TABLE, check_output, check_suffix, write_file
from segdsl.execute.session import column, sql

RESULT_TABLE = "segdsl_result"


class Engine(Protocol):
    """Another engine's side of a result: aggregates run there over the compiled query,
    and its rows, fetched into a private session when a method needs them."""

    def aggregate(self, query: exp.Select) -> list[tuple[Any, ...]]: ...

    def rows(self) -> duckdb.DuckDBPyConnection: ...


LISTING_TABLE = "segdsl_listing"  # the rows of an output file, built before it is written


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

    def data(self) -> dict[str, Any]:
        """As `run --format json` gives it."""
        return {
            "segment": self.name,
            "bucket": self.bucket,
            "members": self.members,
            "share": self.share,
            "min_size": self.min_size,
            "below_min_size": self.too_small,
        }


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
    buckets: Mapping[str, Sequence[str]] = dataclasses.field(default_factory=dict)
    values: Sequence[Value] = ()  # columns after the segments': fields and traits
    measures: Sequence[str] = ()  # the names among `values` that `Result.measures` sums
    with_: Sequence[str] = ()  # the names among `values` that members are listed with


class Result:
    """The result of one statement, in one of the two shapes `segdsl compile` gives: the
    members' keys of one segment (`members_of` names it), or every customer's key with one
    boolean per segment and one string per segmentation (`members_of` is None)."""

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection | None,
        statement: Statement,
        warehouse_files: Sequence[Path] = (),
        engine: Engine | None = None,
    ):
        """`connection` is the private session holding the result's rows; None when they
        are on another engine (`engine`), which then aggregates the sizes, measures and
        the key check itself, and gives the rows only when a method needs them (members,
        a listing, a file)."""
        self._connection = connection
        self._engine = engine
        self._summary: tuple[Any, ...] | None = None
        self._summary_portable = False  # its buckets are counts, not a histogram
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
        self.buckets = {name: tuple(statement.buckets.get(name, ())) for name in self.segmentations}
        self.values = {value.name: value for value in statement.values}
        self.measured = list(statement.measures)
        self.listed = list(statement.with_)

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The private session holding the rows; fetched from the engine at the first need."""
        if self._connection is None:
            assert self._engine is not None
            self._connection = self._engine.rows()
        return self._connection

    @property
    def relation(self) -> duckdb.DuckDBPyRelation:
        return self.connection.table(RESULT_TABLE)

    @property
    def fetched(self) -> bool:
        """Whether the rows are in the private session (always, but for a run on another
        engine that has needed only sizes, measures and the key check)."""
        return self._connection is not None

    def _fetch(self, query: exp.Select) -> list[tuple[Any, ...]]:
        return self.connection.execute(sql(query.from_(RESULT_TABLE))).fetchall()

    def _aggregate(self, build: Callable[[bool], exp.Select]) -> list[tuple[Any, ...]]:
        """The rows of an aggregate over the result, `build(portable)` giving it: on the
        engine that computed the result, in its dialect (portable), while its rows have not
        been fetched; else in the private session. Sizes and measures of 200M customers so
        never pass through Python (docs/warehouses.md#where-the-work-is-done)."""
        if self._connection is None and self._engine is not None:
            return self._engine.aggregate(build(True))
        return self._fetch(build(False))

    def _summarised(self) -> tuple[Any, ...]:
        """ONE pass for what every run reports: the rows, the rows with a key and the
        distinct keys (`key_check`), then each segment's members and each segmentation's
        buckets (as one histogram in the private session, a count per bucket elsewhere)."""
        if self._summary is None:

            def build(portable: bool) -> exp.Select:
                key = column(self.key)
                columns: list[exp.Expr] = [
                    exp.Count(this=exp.Star()),
                    exp.Count(this=key),
                    exp.Count(this=exp.Distinct(expressions=[key.copy()])),
                ]
                if self.members_of is None:
                    columns += [count_if(column(s), portable) for s in self.segments]
                    for name in self.segmentations:
                        if portable:
                            columns += [
                                count_if(column(name).eq(exp.Literal.string(b)), True)
                                for b in self.buckets[name]
                            ]
                        else:
                            columns.append(
                                exp.Anonymous(this="histogram", expressions=[column(name)])
                            )
                return exp.select(*columns)

            self._summary_portable = self._connection is None and self._engine is not None
            (self._summary,) = self._aggregate(build)
        return self._summary

    def sizes(self) -> list[Size]:
        """Sizes from one pass over the result (`_summarised`)."""
        row = self._summarised()
        if self.members_of is not None:
            count = int(row[0])
            return [Size(self.members_of, None, count, None, self._min_sizes.get(self.members_of))]
        total = int(row[0])  # a count of members over no customers is NULL, not 0
        # a count is an int whatever the engine gives (MySQL's SUM is a DECIMAL)
        counted = iter(row[3:])
        sizes = [
            Size(name, None, n, n / total if total else 0.0, self._min_sizes.get(name))
            for name, n in ((s, int(next(counted) or 0)) for s in self.segments)
        ]
        for name in self.segmentations:
            if self._summary_portable:
                histogram = {b: int(next(counted) or 0) for b in self.buckets[name]}
            else:
                histogram = dict(next(counted) or {})
            # every bucket of the file, 0 members included; the largest first, ties in the
            # file's order (a stable sort)
            counts = {bucket: 0 for bucket in self.buckets[name]} | histogram
            for bucket, n in sorted(counts.items(), key=lambda kv: -kv[1]):
                sizes.append(Size(name, bucket, int(n), n / total if total else 0.0, None))
        return sizes

    def measures(self, names: Sequence[str] | None = None) -> list[Measure]:
        """The sum and average of each measured field or trait (`names`, default those the
        run was asked for) per segment and per bucket, from one pass per segmentation and
        one for the segments (docs/cli.md#segdsl-run), on the engine while the rows are
        there (`_aggregate`)."""
        values = [self._value(n) for n in (self.measured if names is None else names)]
        if not values:
            return []
        if self.members_of is not None:
            (row,) = self._aggregate(
                lambda portable: exp.select(
                    *(c for v in values for c in sum_and_average(v, None, portable))
                )
            )
            return [
                measure(self.members_of, None, v, row[2 * i : 2 * i + 2])
                for i, v in enumerate(values)
            ]
        found: list[Measure] = []
        if self.segments:
            (row,) = self._aggregate(
                lambda portable: exp.select(
                    *(
                        c
                        for s in self.segments
                        for v in values
                        for c in sum_and_average(v, column(s), portable)
                    )
                )
            )
            pairs = iter(zip(row[::2], row[1::2], strict=True))
            found += [measure(s, None, v, next(pairs)) for s in self.segments for v in values]
        for name in self.segmentations:

            def grouped(portable: bool, name: str = name) -> exp.Select:
                sums = (c for v in values for c in sum_and_average(v, None, portable))
                return exp.select(column(name), *sums).group_by(column(name))

            by_bucket = {r[0]: r[1:] for r in self._aggregate(grouped)}
            for bucket in self.buckets[name]:
                row = by_bucket.get(bucket, (None,) * (2 * len(values)))
                found += [
                    measure(name, bucket, v, row[2 * i : 2 * i + 2]) for i, v in enumerate(values)
                ]
        return found

    def key_check(self) -> KeyCheck:
        """Missing and repeated keys among the result's rows (every customer, or one
        segment's members), from the same pass as the sizes (`_summarised`)."""
        rows, present, distinct = (int(n or 0) for n in self._summarised()[:3])
        return KeyCheck(rows - present, present - distinct)

    def total(self) -> int | None:
        """The number of customers; None in a single segment's run, whose statement lists
        only the members (counting the others would be a second statement)."""
        return None if self.members_of is not None else int(self._summarised()[0])

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
        (row,) = self._aggregate(
            lambda portable: exp.select(
                *(count_if(exp.and_(*(column(s) for s in group)), portable) for group in groups)
            )
        )
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

    def _value(self, name: str) -> Value:
        if name not in self.values:
            raise ValueError(f"this run read no `{name}`: pass it to run(measures=/with_=)")
        return self.values[name]

    def _groups(self) -> Groups:
        return Groups(self.segments, self.buckets, self.members_of)

    def _names(self, names: Sequence[str] | None) -> list[str]:
        known = [self.members_of] if self.members_of is not None else self.segments
        every = [*known, *self.segmentations]
        if names is None:
            return every
        unknown = [n for n in names if n not in every]
        if unknown:
            raise ValueError(f"this run has no segment `{unknown[0]}`")
        return list(names)

    def _members_query(
        self, names: Sequence[str] | None, with_: Sequence[str] | None
    ) -> tuple[exp.Select, list[exp.Expr], list[str]]:
        """The long listing of `names`' members, its order and its columns."""
        chosen = self._names(names)
        values = [self._value(n) for n in (self.listed if with_ is None else with_)]
        union = long_select(self._groups(), self.key, chosen, values, RESULT_TABLE)
        columns = [e.alias_or_name for e in union.selects]
        query = exp.select(*(column(c) for c in columns)).from_(union.subquery("segdsl_long"))
        return query, ordering(self._groups(), self.key, chosen), columns

    def listing(
        self, names: Sequence[str] | None = None, with_: Sequence[str] | None = None
    ) -> Listing:
        """Every member of each of `names` (default: all of the run's) as rows `segment`,
        `bucket` (when a segmentation is among them), key, then the `with_` columns
        (default: those the run was asked for), sorted by segment, bucket and key."""
        query, order, columns = self._members_query(names, with_)
        rows = self.connection.execute(sql(query.order_by(*order))).fetchall()
        return Listing(tuple(columns), tuple(rows))

    def sample(
        self, n: int, names: Sequence[str] | None = None, with_: Sequence[str] | None = None
    ) -> Listing:
        """`n` members of each segment and bucket, picked by the md5 of the key as text: the
        same members on every run and every engine, for the same rows."""
        query, order, columns = self._members_query(names, with_)
        picked = sample_select(query, self.key, n, columns, order[:-1])
        return Listing(tuple(columns), tuple(self.connection.execute(sql(picked)).fetchall()))

    def write(self, path: Path, table: str = OUT_TABLE) -> None:
        """The result's rows (customers, or one segment's members), sorted by key, to CSV,
        Parquet or a table of a DuckDB file, with the run's `with_` columns after the
        segments'. A file appears complete or not at all, and a failure leaves nothing
        behind. No file of the warehouse is ever written."""
        check_suffix(path)
        check_output(path, self.warehouse_files)
        listed = [self._value(n) for n in self.listed]
        taken = {self.key, *self.segments, *self.segmentations}
        clash = [v.name for v in listed if v.name in taken]
        if clash:
            raise SegdslError(
                [
                    Diagnostic(
                        "E482",
                        f"`--with {clash[0]}` would be a second column `{clash[0]}` of "
                        f"`{path.name}`, beside the segment's",
                        hint="add --members-only (a listing has no segment columns), or "
                        "leave the segment out of the run",
                    )
                ]
            )
        kept = [column(c) for c in (self.key, *self.segments, *self.segmentations)]
        if self.members_of is not None:
            kept = [column(self.key)]
        query = exp.select(*kept, *(column(v.column).as_(v.name) for v in listed))
        self._stage(query.from_(RESULT_TABLE))
        write_file(self.connection, LISTING_TABLE, [column(self.key)], path, table)

    def write_members(
        self, path: Path, names: Sequence[str] | None = None, table: str = OUT_TABLE
    ) -> None:
        """Only members, as `run --out FILE --members-only` writes them: for one segment its
        members' keys (and `with_` columns), for several the long listing of `listing`."""
        check_suffix(path)
        check_output(path, self.warehouse_files)
        chosen = self._names(names)
        if len(chosen) == 1 and chosen[0] not in self.segmentations:
            query, order, columns = self._members_query(chosen, None)
            query = exp.select(*(column(c) for c in columns[1:])).from_(
                query.subquery("segdsl_members")
            )
            order = order[-1:]
        else:
            query, order, _ = self._members_query(chosen, None)
        self._stage(query)
        write_file(self.connection, LISTING_TABLE, order, path, table)

    def write_folder(self, folder: Path, names: Sequence[str] | None = None) -> list[Path]:
        """One CSV file per segment (its members' keys) and per segmentation (`bucket` and
        key), named after it, in `folder`: `run --out DIR/ --members-only`. Each file is
        complete or absent; all are checked before the first is written."""
        chosen = self._names(names)
        paths = [folder / f"{name}.csv" for name in chosen]
        for path in paths:
            check_output(path, self.warehouse_files)
        for name, path in zip(chosen, paths, strict=True):
            query, order, columns = self._members_query([name], None)
            query = exp.select(*(column(c) for c in columns[1:])).from_(
                query.subquery("segdsl_members")
            )
            self._stage(query)
            write_file(self.connection, LISTING_TABLE, order[1:], path, OUT_TABLE)
        return paths

    def _stage(self, query: exp.Query) -> None:
        create = exp.Create(
            this=exp.to_table(LISTING_TABLE),
            kind="TABLE",
            replace=True,
            expression=query,
            properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
        )
        self.connection.execute(sql(create))
