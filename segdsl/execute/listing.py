"""Members as rows, measures per segment and bucket, and a sample: what `run --out
--members-only`, `--with`, `--measure` and `--sample` read from the result table.

Each is a query over the result in the private session (never over the warehouse), so the
figures and the sample are computed by DuckDB alike for every engine: the warehouse's part
is only the statement's columns (docs/cli.md#segdsl-run).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from segdsl.execute.session import column
from segdsl.types import Type

SEGMENT, BUCKET = "segment", "bucket"


@dataclass(frozen=True)
class Value:
    """A field or trait read for every row of the result (`run --with`, `--measure`): its
    name in the schema, its column in the statement and its type there."""

    name: str
    column: str
    type: Type


@dataclass(frozen=True)
class Listing:
    """Rows with named columns: members (with their `--with` columns), or a sample."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Measure:
    """The sum and the average of a field or trait over one segment's or bucket's members.
    Missing values are skipped: the sum over no value is 0, the average over none is None."""

    name: str
    bucket: str | None
    measure: str
    sum: int | float
    average: float | None


@dataclass(frozen=True)
class Groups:
    """What a listing walks: the segments and segmentations of the result, each
    segmentation's buckets in the order of its file; `members_of` for a one-segment result
    (every row a member)."""

    segments: Sequence[str]
    segmentations: Mapping[str, Sequence[str]]
    members_of: str | None


def measured(value: Value) -> exp.Expr:
    """An integer summed as it is (exactly); a decimal or float as DOUBLE, so that a
    DECIMAL of a DuckDB file and the DOUBLE a server's numbers are fetched as sum alike."""
    if value.type is Type.INTEGER:
        return column(value.column)
    return exp.cast(column(value.column), exp.DataType.build("DOUBLE"))


def sum_and_average(value: Value, where: exp.Expr | None, portable: bool = False) -> list[exp.Expr]:
    """SUM and AVG of the value, over the rows where `where` holds (all when None): with
    FILTER in the private session, as CASE inside the aggregate on another engine
    (`portable`), which every engine reads alike (a row outside gives NULL, skipped)."""
    if where is not None and portable:
        inside = exp.Case(ifs=[exp.If(this=where, true=measured(value))])
        return [exp.Sum(this=inside), exp.Avg(this=inside.copy())]
    total: exp.Expr = exp.Sum(this=measured(value))
    average: exp.Expr = exp.Avg(this=measured(value))
    if where is not None:
        total = exp.Filter(this=total, expression=exp.Where(this=where))
        average = exp.Filter(this=average, expression=exp.Where(this=where.copy()))
    return [total, average]


def count_if(condition: exp.Expr, portable: bool = False) -> exp.Expr:
    """The rows where `condition` holds: COUNT_IF in the private session (measured faster
    over the many columns of a large result), SUM(CASE ...) on another engine, where a
    segment's column may be a BOOLEAN or MySQL's and SQLite's 0 and 1. NULL over no rows."""
    if not portable:
        return exp.CountIf(this=condition)
    one = exp.Case(ifs=[exp.If(this=condition, true=exp.Literal.number(1))])
    return exp.Sum(this=one.else_(exp.Literal.number(0)))


def measure(name: str, bucket: str | None, value: Value, found: Sequence[Any]) -> Measure:
    total, average = found
    zero: int | float = 0 if value.type is Type.INTEGER else 0.0
    return Measure(
        name,
        bucket,
        value.name,
        zero if total is None else (int(total) if value.type is Type.INTEGER else float(total)),
        None if average is None else float(average),
    )


def long_select(
    groups: Groups, key: str, names: Sequence[str], with_: Sequence[Value], table: str
) -> exp.Query:
    """One row per member of each of `names`: `segment`, `bucket` (for segmentations, when
    one of `names` is), the key and the `--with` columns; in the order of `names`, of the
    buckets, then of the key (`ordering`)."""
    buckets = any(n in groups.segmentations for n in names)
    selects: list[exp.Query] = []
    for name in names:
        columns: list[exp.Expr] = [exp.Literal.string(name).as_(SEGMENT)]
        if name in groups.segmentations:
            columns.append(column(name).as_(BUCKET))
            where: exp.Expr = exp.Not(this=exp.Is(this=column(name), expression=exp.null()))
        else:
            if buckets:
                columns.append(exp.cast(exp.null(), exp.DataType.build("VARCHAR")).as_(BUCKET))
            where = column(name) if groups.members_of is None else exp.true()
        columns += [column(key), *(column(v.column).as_(v.name) for v in with_)]
        selects.append(exp.select(*columns).from_(table).where(where))
    union = selects[0]
    for query in selects[1:]:
        union = exp.union(union, query, distinct=False)
    return union


def ordering(groups: Groups, key: str, names: Sequence[str]) -> list[exp.Expr]:
    """Segments and buckets in their files' order (not alphabetically), then the key."""
    order: list[exp.Expr] = [_rank(column(SEGMENT), names)]
    every = [b for n in names for b in groups.segmentations.get(n, ())]
    if every:
        order.append(_rank(column(BUCKET), list(dict.fromkeys(every))))
    return [*order, column(key)]


def _rank(of: exp.Expr, names: Sequence[str]) -> exp.Expr:
    return exp.Case(
        this=of,
        ifs=[
            exp.If(this=exp.Literal.string(n), true=exp.Literal.number(i))
            for i, n in enumerate(names)
        ],
    )


def stable_hash(key: str) -> exp.Expr:
    """The order a sample is drawn in: md5 of the key as text, the same on every run, and
    on every engine since the result table is always DuckDB's (docs/cli.md#segdsl-run)."""
    return exp.MD5(this=exp.cast(column(key), exp.DataType.build("VARCHAR")))


def sample_select(
    listing: exp.Query, key: str, n: int, columns: Sequence[str], groups: Sequence[exp.Expr]
) -> exp.Select:
    """The first `n` rows of each segment and bucket of `listing` by `stable_hash`, in the
    order of `groups` (segments and buckets, as `ordering` gives them) then of the hash."""
    bucketed = BUCKET in columns
    partition = [column(SEGMENT), *([column(BUCKET)] if bucketed else [])]
    rank = exp.Window(
        this=exp.RowNumber(),
        partition_by=partition,
        order=exp.Order(expressions=[exp.Ordered(this=stable_hash(key)), column(key)]),
    )
    ranked = exp.select(*(column(c) for c in columns), rank.as_(_RANK)).from_(
        listing.subquery("segdsl_members")
    )
    return (
        exp.select(*(column(c) for c in columns))
        .from_(ranked.subquery("segdsl_ranked"))
        .where(exp.LTE(this=column(_RANK), expression=exp.Literal.number(n)))
        .order_by(*groups, column(_RANK))
    )


_RANK = "segdsl_rank"
