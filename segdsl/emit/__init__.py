"""sqlglot expression → SQL text for one dialect. Only lower, emit and execute import sqlglot.

What a dialect cannot express is a `SegdslError` (E5xx) naming the dialect and the
feature, never silently different SQL.
"""

from __future__ import annotations

from functools import cache

import sqlglot
from sqlglot import ErrorLevel, exp
from sqlglot.dialects.dialect import Dialect, Dialects
from sqlglot.dialects.postgres import Postgres
from sqlglot.errors import UnsupportedError

from segdsl import dialects as facts
from segdsl.diagnostics import Diagnostic, SegdslError, did_you_mean

# sqlglot knows these query languages, but what it writes for them is SQL, not DAX or PRQL
NOT_SQL = frozenset({"dax", "prql"})


class DataFusion(Postgres):
    """Apache DataFusion, which sqlglot does not know. Its SQL follows PostgreSQL's (its
    parser reads PostgreSQL's syntax, its functions are mostly PostgreSQL's), so it is
    written as PostgreSQL plus segdsl's rewrites where DataFusion differs (`_datafusion`,
    and rows for "datafusion" in dialects.py: its regular expressions are Rust's). Defining
    the class registers the name "datafusion" with sqlglot."""


@cache
def dialects() -> tuple[str, ...]:
    """Every SQL dialect sqlglot can write, and DataFusion."""
    known = {d.value for d in Dialects if d.value and d.value not in NOT_SQL}
    return tuple(sorted(known | {"datafusion"}))


def check_dialect(name: str) -> None:
    if name in NOT_SQL:
        raise SegdslError(
            [
                Diagnostic(
                    "E502",
                    f"`{name}` is not a SQL dialect: segdsl writes SQL",
                    hint="compile for the SQL dialect of the engine that runs "
                    "the query, e.g. postgres, snowflake, bigquery",
                )
            ]
        )
    if name not in dialects():
        raise SegdslError(
            [
                Diagnostic(
                    "E502",
                    f"unknown dialect `{name}`",
                    hint=did_you_mean(name, dialects(), "dialects"),
                )
            ]
        )


def to_sql(query: exp.Expression | exp.Query, dialect: str, pretty: bool = True) -> str:
    check_dialect(dialect)
    if dialect != "duckdb":
        query = adapt(query, dialect)
    try:
        return Dialect.get_or_raise(dialect).generate(
            query, pretty=pretty, unsupported_level=ErrorLevel.RAISE
        )
    except UnsupportedError as error:
        raise SegdslError(
            [
                Diagnostic(
                    "E501",
                    f"the {dialect} dialect cannot express this rule: {error}",
                    hint="compile for another dialect, or rewrite the rule without this feature",
                )
            ]
        ) from None


# ---- nodes that lowering builds directly, rewritten per dialect ------------------------------
# (operators with a dialect difference have `overrides` rows in segdsl/operators.py instead)


def adapt(query: exp.Expression | exp.Query, dialect: str) -> exp.Expression | exp.Query:
    """A copy of `query` with the dialect's differences applied."""
    rewrite = _REWRITES.get(dialect)
    query = query.copy()
    node: facts.SQL
    for node in reversed(list(query.dfs())):  # children before their parents
        changed = _pick_value(node, dialect)
        if rewrite is not None:
            changed = rewrite(changed)
        if changed is not node:
            if node is query:
                query = changed
            else:
                node.replace(changed)
    if dialect == "clickhouse" and isinstance(query, exp.Select):
        # without it a LEFT JOIN gives 0 and '' instead of NULL where nothing matched
        query.set(
            "settings", [exp.EQ(this=exp.var("join_use_nulls"), expression=exp.Literal.number(1))]
        )
    return query


def _is_clock(node: facts.SQL) -> bool:
    """`CAST(CURRENT_TIMESTAMP AT TIME ZONE 'UTC' AS TIMESTAMP)`: *as of* when not pinned."""
    return bool(
        isinstance(node, exp.Cast)
        and isinstance(node.this, exp.AtTimeZone)
        and isinstance(node.this.this, exp.CurrentTimestamp)
    )


_PICKS = {"ARG_MAX_NULL": True, "ARG_MIN_NULL": False}  # name → latest (True) or earliest


def _pick_value(node: facts.SQL, dialect: str) -> facts.SQL:
    """`ARG_MAX_NULL(prop, time)` (DuckDB): the property on the latest event, even where it
    is missing. Elsewhere: PostgreSQL's first element of an ordered ARRAY_AGG (which keeps
    NULLs), Spark's MAX_BY / MIN_BY, ClickHouse's argMax over a one-element tuple (argMax
    itself skips NULL values)."""
    inner = node.this if isinstance(node, exp.Filter) else node
    if not (isinstance(inner, exp.Anonymous) and str(inner.this).upper() in _PICKS) or (
        inner is node and isinstance(node.parent, exp.Filter)
    ):  # rewritten with its FILTER
        return node
    latest = _PICKS[str(inner.this).upper()]
    prop, time = inner.expressions
    where = node.expression if isinstance(node, exp.Filter) else None

    def filtered(aggregate: exp.Expression) -> exp.Expression:
        return exp.Filter(this=aggregate, expression=where) if where is not None else aggregate

    if dialect in facts.POSTGRES_LIKE and dialect != "redshift":
        ordered = exp.Order(
            this=prop, expressions=[exp.Ordered(this=time, desc=latest, nulls_first=False)]
        )
        return exp.Bracket(
            this=exp.Paren(this=filtered(exp.ArrayAgg(this=ordered))),
            expressions=[exp.Literal.number(0)],
        )
    if dialect in facts.SPARK_LIKE:
        return filtered(
            exp.Anonymous(this="MAX_BY" if latest else "MIN_BY", expressions=[prop, time])
        )
    if dialect == "clickhouse":
        pick = exp.ArgMax if latest else exp.ArgMin
        return exp.Anonymous(
            this="tupleElement",
            expressions=[
                filtered(
                    pick(this=exp.Anonymous(this="tuple", expressions=[prop]), expression=time)
                ),
                exp.Literal.number(1),
            ],
        )
    raise facts.cannot_express(
        dialect,
        "`last(E.prop)` or `first(E.prop)`",
        "segdsl knows no aggregate there that keeps a missing property of the latest event",
    )


def _clickhouse(node: facts.SQL) -> facts.SQL:
    """Date32 and DateTime64(6): Date starts in 1970 and DateTime has whole seconds."""
    if _is_clock(node):
        return exp.Anonymous(
            this="now64", expressions=[exp.Literal.number(6), exp.Literal.string("UTC")]
        )
    if (
        isinstance(node, exp.Subquery)
        and isinstance(node.this, exp.Select)
        and isinstance(node.this.expressions[0], exp.Count)
        and not isinstance(node.parent, exp.Coalesce)
    ):
        # a correlated COUNT over no rows is NULL in ClickHouse (it becomes a join)
        return exp.Coalesce(this=node.copy(), expressions=[exp.Literal.number(0)])
    if isinstance(node, exp.DataType) and node.this in (exp.DType.DATE, exp.DType.TIMESTAMP):
        if node.this == exp.DType.DATE:
            return exp.DataType(this=exp.DType.DATE32, nullable=True)
        return exp.DataType(
            this=exp.DType.DATETIME64,
            nullable=True,
            expressions=[exp.DataTypeParam(this=exp.Literal.number(6))],
        )
    return node


def _spark(node: facts.SQL) -> facts.SQL:
    """The clock in UTC whatever the session's time zone."""
    if _is_clock(node):
        return exp.cast(
            exp.Anonymous(
                this="CONVERT_TIMEZONE",
                expressions=[exp.Literal.string("UTC"), exp.CurrentTimestamp()],
            ),
            "timestamp",
        )
    return node


def _datafusion(node: facts.SQL) -> facts.SQL:
    """DataFusion cannot multiply an INTERVAL by a number: a computed shift (`DateAdd`,
    in next_anniversary) becomes an interval cast from text, `CAST('3 YEAR' AS INTERVAL)`,
    whose month arithmetic clamps Feb 29 to Feb 28 like PostgreSQL's."""
    if isinstance(node, exp.DateAdd) and not isinstance(node.expression, exp.Literal):
        text = exp.Concat(
            expressions=[
                exp.cast(node.expression, "text"),
                exp.Literal.string(f" {node.text('unit').upper()}"),
            ]
        )
        return exp.Add(this=node.this, expression=exp.cast(text, "interval"))
    return node


def _sqlite(node: facts.SQL) -> facts.SQL:
    """SQLite keeps times as ISO-8601 text ('YYYY-MM-DD HH:MM:SS[.ffffff]', 'YYYY-MM-DD'),
    which compares correctly as text: a timestamp literal stays text (DATETIME() would drop
    its fraction), interval arithmetic becomes date functions, parts come from STRFTIME."""
    e = exp
    if _is_clock(node):
        return e.Anonymous(
            this="STRFTIME",
            expressions=[e.Literal.string("%Y-%m-%d %H:%M:%f"), e.Literal.string("now")],
        )
    if (
        isinstance(node, e.Cast)
        and node.to.this == e.DType.TIMESTAMP
        and isinstance(node.this, e.Literal)
    ):
        return node.this
    if isinstance(node, e.Add | e.Sub) and isinstance(node.expression, e.Interval):
        interval = node.expression
        amount = int(interval.this.this) * (-1 if isinstance(node, e.Sub) else 1)
        return facts.sqlite_shift(
            e, node.this, e.Literal.number(amount), str(interval.text("unit")).lower()
        )
    if isinstance(node, e.DateAdd):
        return facts.sqlite_shift(e, node.this, node.expression, str(node.text("unit")).lower())
    parts: dict[type, str] = {e.Year: "%Y", e.Month: "%m", e.Day: "%d"}
    if type(node) in parts:
        return facts.sqlite_strftime_int(_SQLITE_BUILD, parts[type(node)], node.this)
    if isinstance(node, e.Extract) and node.this.name.upper() == "HOUR":
        return facts.sqlite_strftime_int(_SQLITE_BUILD, "%H", node.expression)
    return node


class _SQLiteBuild:
    exp = exp
    dialect = "sqlite"


_SQLITE_BUILD = _SQLiteBuild()
_REWRITES = {
    "clickhouse": _clickhouse,
    "spark": _spark,
    "databricks": _spark,
    "sqlite": _sqlite,
    "datafusion": _datafusion,
}


__all__ = ["dialects", "to_sql", "sqlglot"]
