"""The tables of the state database (docs/files.md#state), and the two things done with
them: store one snapshot, read one segment's rows back.

    snapshots(id, as_of)                      one row per *as of* snapshotted
    segments(id, snapshot, name, bucket,      one row per segment, or per bucket of a
             rule_hash, revision, taken_at,   segmentation, in a snapshot
             members)
    members(segment, key)                     one row per member of that segment or bucket

Only members are stored, never a customer × segment matrix: a customer in no segment
costs nothing, and one in three segments three short rows (DuckDB compresses the sorted
keys by column). Keys are stored as text, as Python's `str` spells them, so that the
same customer is the same key whichever engine produced it (PostgreSQL's BIGINT, DuckDB's
INTEGER). A second snapshot at the same *as of* replaces what that instant holds of the
segments it takes, and keeps the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlglot import exp

from segdsl.execute.state import StateDatabase

LAYOUT: dict[str, tuple[tuple[str, str], ...]] = {
    "snapshots": (("id", "INTEGER"), ("as_of", "TIMESTAMP")),
    "segments": (
        ("id", "INTEGER"),
        ("snapshot", "INTEGER"),
        ("name", "VARCHAR"),
        ("bucket", "VARCHAR"),
        ("rule_hash", "VARCHAR"),
        ("revision", "VARCHAR"),
        ("taken_at", "TIMESTAMP"),
        ("members", "BIGINT"),
    ),
    "members": (("segment", "INTEGER"), ("key", "VARCHAR")),
}


@dataclass(frozen=True)
class Unit:
    """What one snapshot stores of one segment, or of one bucket of a segmentation."""

    name: str
    bucket: str | None
    rule_hash: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class StoredRow:
    """One segment's (or bucket's) row of one snapshot, and how its members moved since
    the previous snapshot of the same segment (and bucket) that the database holds."""

    as_of: dt.datetime
    bucket: str | None
    rule_hash: str
    revision: str | None
    members: int
    entered: int
    left: int


def store(
    state: StateDatabase, as_of: dt.datetime, revision: str | None, units: Sequence[Unit]
) -> bool:
    """The units as the snapshot at `as_of`, in one transaction; whether it replaced
    rows that instant already held."""
    with state.transaction():
        for table, columns in LAYOUT.items():
            state.run(_create(table, columns))
        snapshot = _snapshot_id(state, as_of)
        names = sorted({u.name for u in units})
        replaced = _drop(state, snapshot, names)
        taken_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        (next_id,) = state.fetch(
            exp.select(
                exp.func("COALESCE", exp.func("MAX", exp.column("id")), exp.Literal.number(0))
            ).from_("segments")
        )[0]
        for offset, unit in enumerate(units, start=1):
            state.run(
                exp.insert(exp.select(*(exp.Placeholder() for _ in range(8))), "segments"),
                [
                    next_id + offset,
                    snapshot,
                    unit.name,
                    unit.bucket,
                    unit.rule_hash,
                    revision,
                    taken_at,
                    len(unit.keys),
                ],
            )
            unnest = exp.Unnest(
                expressions=[
                    exp.cast(exp.Placeholder(), exp.DataType.build("VARCHAR[]", dialect="duckdb"))
                ]
            )
            state.run(
                exp.insert(exp.select(exp.Placeholder(), unnest), "members"),
                [next_id + offset, list(unit.keys)],
            )
    return replaced


def _create(table: str, columns: tuple[tuple[str, str], ...]) -> exp.Create:
    schema = exp.Schema(
        this=exp.to_table(table),
        expressions=[
            exp.ColumnDef(this=exp.to_identifier(name), kind=exp.DataType.build(kind))
            for name, kind in columns
        ],
    )
    return exp.Create(this=schema, kind="TABLE", exists=True)


def _snapshot_id(state: StateDatabase, as_of: dt.datetime) -> int:
    """The id of the snapshot at `as_of`, made when there is none yet."""
    at = exp.column("as_of").eq(exp.Placeholder())
    found = state.fetch(exp.select("id").from_("snapshots").where(at), [as_of])
    if found:
        return int(found[0][0])
    largest = exp.func("COALESCE", exp.func("MAX", exp.column("id")), exp.Literal.number(0))
    ((last,),) = state.fetch(exp.select(largest).from_("snapshots"))
    state.run(
        exp.insert(exp.select(exp.Placeholder(), exp.Placeholder()), "snapshots"), [last + 1, as_of]
    )
    return int(last) + 1


def _drop(state: StateDatabase, snapshot: int, names: Sequence[str]) -> bool:
    """Remove what snapshot `snapshot` holds of `names`; whether it held any."""
    if not names:
        return False
    of_names = exp.and_(
        exp.column("snapshot").eq(exp.Placeholder()),
        exp.column("name").isin(*(exp.Placeholder() for _ in names)),
    )
    ids = exp.select("id").from_("segments").where(of_names)
    parameters = [snapshot, *names]
    found = state.fetch(ids, parameters)
    if not found:
        return False
    state.run(exp.delete("members", where=exp.column("segment").isin(query=ids.copy())), parameters)
    state.run(exp.delete("segments", where=of_names.copy()), parameters)
    return True


def stored_rows(state: StateDatabase, name: str) -> list[StoredRow]:
    """Every row the database holds of segment or segmentation `name`, by *as of* (and a
    segmentation's buckets in their order), each with its members entered and left since
    the previous snapshot of the same bucket: ONE query, the two member lists of each
    step matched by a full join on the key."""
    if state.empty or not set(LAYOUT) <= state.tables():
        return []
    lag = exp.Window(
        this=exp.Lag(this=exp.column("id", "g")),
        partition_by=[exp.column("bucket", "g")],
        order=exp.Order(expressions=[exp.Ordered(this=exp.column("as_of", "s"))]),
        over="OVER",
    )
    rows = (
        exp.select(
            *(exp.column(c, "s" if c == "as_of" else "g") for c in _SHOWN),
            exp.column("id", "g"),
            exp.alias_(lag, "previous"),
        )
        .from_(exp.alias_(exp.to_table("segments"), "g", table=True))
        .join(
            exp.alias_(exp.to_table("snapshots"), "s", table=True),
            on=exp.column("id", "s").eq(exp.column("snapshot", "g")),
        )
        .where(exp.column("name", "g").eq(exp.Placeholder()))
    )
    current, previous = _keys_of("id"), _keys_of("previous")
    moved = (
        exp.select(
            exp.alias_(
                exp.func("COALESCE", exp.column("unit", "c"), exp.column("unit", "p")), "unit"
            ),
            exp.alias_(exp.CountIf(this=exp.column("key", "p").is_(exp.null())), "entered"),
            exp.alias_(exp.CountIf(this=exp.column("key", "c").is_(exp.null())), "left"),
        )
        .from_(current.subquery("c"))
        .join(
            previous.subquery("p"),
            on=exp.and_(
                exp.column("unit", "c").eq(exp.column("unit", "p")),
                exp.column("key", "c").eq(exp.column("key", "p")),
            ),
            join_type="full",
        )
        .group_by(exp.Literal.number(1))
    )
    query = (
        exp.select(
            *(exp.column(c, "r") for c in _SHOWN),
            *(
                exp.func("COALESCE", exp.column(c, "m"), exp.Literal.number(0))
                for c in ("entered", "left")
            ),
        )
        .with_("r", as_=rows)
        .with_("m", as_=moved)
        .from_("r")
        .join("m", on=exp.column("unit", "m").eq(exp.column("id", "r")), join_type="left")
        .order_by(exp.column("as_of", "r"), exp.column("id", "r"))
    )
    return [StoredRow(*row) for row in state.fetch(query, [name])]


_SHOWN = ("as_of", "bucket", "rule_hash", "revision", "members")


def latest(state: StateDatabase, name: str) -> tuple[dt.datetime, int] | None:
    """The *as of* of the last snapshot of segment `name` and its members then (the sum
    of the buckets for a segmentation): the count stored with it, no member is read."""
    if state.empty or not set(LAYOUT) <= state.tables():
        return None
    query = (
        exp.select(exp.column("as_of", "s"), exp.func("SUM", exp.column("members", "g")))
        .from_(exp.alias_(exp.to_table("segments"), "g", table=True))
        .join(
            exp.alias_(exp.to_table("snapshots"), "s", table=True),
            on=exp.column("id", "s").eq(exp.column("snapshot", "g")),
        )
        .where(exp.column("name", "g").eq(exp.Placeholder()))
        .group_by(exp.column("as_of", "s"))
        .order_by(exp.Ordered(this=exp.column("as_of", "s"), desc=True))
        .limit(1)
    )
    rows = state.fetch(query, [name])
    return (rows[0][0], int(rows[0][1])) if rows else None


def _keys_of(unit: str) -> exp.Select:
    """(unit, key) of the members of each row of `r`, or of its previous snapshot's."""
    return (
        exp.select(exp.alias_(exp.column("id", "r"), "unit"), exp.column("key", "k"))
        .from_("r")
        .join(
            exp.alias_(exp.to_table("members"), "k", table=True),
            on=exp.column("segment", "k").eq(exp.column(unit, "r")),
        )
    )


def moved_keys(
    state: StateDatabase, name: str, moved: str, low: dt.datetime, high: dt.datetime
) -> list[str] | None:
    """The keys that entered segment `name` (`moved` "entered") or left it ("left") at
    some snapshot whose *as of* t has low <= t <= high, each against the snapshot of
    `name` just before t (the first snapshot is the baseline: nobody moves at it), sorted;
    None when the database holds no snapshot of `name` at or before `high`
    (docs/semantics.md#history). ONE query; the snapshots after `high` are not read."""
    if state.empty or not set(LAYOUT) <= state.tables():
        return None
    lag = exp.Window(
        this=exp.Lag(this=exp.column("id", "g")),
        order=exp.Order(expressions=[exp.Ordered(this=exp.column("as_of", "s"))]),
        over="OVER",
    )
    rows = (
        exp.select(exp.column("id", "g"), exp.column("as_of", "s"), exp.alias_(lag, "previous"))
        .from_(exp.alias_(exp.to_table("segments"), "g", table=True))
        .join(
            exp.alias_(exp.to_table("snapshots"), "s", table=True),
            on=exp.column("id", "s").eq(exp.column("snapshot", "g")),
        )
        .where(
            exp.and_(
                exp.column("name", "g").eq(exp.Placeholder()),
                exp.column("bucket", "g").is_(exp.null()),
                exp.column("as_of", "s") <= exp.Placeholder(),
            )
        )
    )
    now, before = ("id", "previous") if moved == "entered" else ("previous", "id")
    elsewhere = (
        exp.select(exp.Literal.number(1))
        .from_(exp.alias_(exp.to_table("members"), "o", table=True))
        .where(
            exp.and_(
                exp.column("segment", "o").eq(exp.column(before, "r")),
                exp.column("key", "o").eq(exp.column("key", "k")),
            )
        )
    )
    keys = (
        exp.select(exp.column("key", "k"))
        .distinct()
        .from_("r")
        .join(
            exp.alias_(exp.to_table("members"), "k", table=True),
            on=exp.column("segment", "k").eq(exp.column(now, "r")),
        )
        .where(
            exp.and_(
                exp.not_(exp.column("previous", "r").is_(exp.null())),
                exp.column("as_of", "r") >= exp.Placeholder(),
                exp.not_(exp.Exists(this=elsewhere)),
            )
        )
        .order_by(exp.column("key", "k"))
    )
    counted = exp.select(exp.func("COUNT", exp.Star())).with_("r", as_=rows).from_("r")
    ((snapshots,),) = state.fetch(counted, [name, high])
    if not snapshots:
        return None
    return [key for (key,) in state.fetch(keys.with_("r", as_=rows.copy()), [name, high, low])]
