"""What differs between SQL dialects, beyond what sqlglot's generators already translate:
one class per dialect, families by inheritance, so a fact about Spark is stated once.

Every dialect segdsl writes is one entry of `DIALECTS` (`segdsl.emit.dialects()`): every
SQL dialect sqlglot writes, and DataFusion, each a class of its own where segdsl knows
something about it, else the base class under its name (a plain dialect). A class
states its facts as data and a few methods (base.Dialect):

- `operators`, a table of operator builders used instead of the operator's own in
  segdsl/operators/, looked up along the class hierarchy (`Dialect.builder`);
- `refuses`, what the dialect cannot express (an operator's name, "pick" for
  `last(E.prop)`, "clock" for an unpinned *as of*) and why, looked up the same way: the
  builders raise E501 from it, and emit/refusals.py finds the same constructs in the
  checked rules, at their places, for `segdsl check --dialect D` and before `compile`;
- `regex` (the flavour of its regular expressions, translated by regex.py) and
  `like_escapes` (what its LIKE reads as an escape), which the operators' own builders
  ask for through `b.dialect` (operators.DialectFacts), as they do `hex_to_int`;
- `clock`, `pick` (`ARG_MAX_NULL`), `rewrite` (casts, interval arithmetic) and `finish`
  (ClickHouse's settings): the nodes that lowering builds directly, rewritten by
  `adapt` before sqlglot writes the statement;
- `reserved`, the words quoted where they are names (reserved.py, `Dialect.quoted`).

Imports run one way, with no cycle: segdsl/operators/ (the table the checker reads)
imports no SQL library and nothing of emit; this package imports sqlglot and the
operator table; lowering knows a dialect only as an operators.DialectFacts, which
segdsl/project.py makes here (`dialect_named`) and hands to it; `segdsl check` loads
this package (and sqlglot) only to read the refusals of the dialects it checks for,
never lowering. Every difference was found by running
the semantic cases on real engines (tests/test_engines.py) or read from sqlglot's
generator and the vendor's documentation; what a dialect cannot express raises E501,
naming the dialect and the feature.
"""

from __future__ import annotations

from segdsl.diagnostics import Diagnostic, SegdslError, did_you_mean
from segdsl.emit.dialects.base import Dialect
from segdsl.emit.dialects.bigquery import BigQuery
from segdsl.emit.dialects.clickhouse import ClickHouse
from segdsl.emit.dialects.datafusion import DataFusion
from segdsl.emit.dialects.duckdb import DuckDB
from segdsl.emit.dialects.mysql import Doris, MySQL, StarRocks
from segdsl.emit.dialects.oracle import Exasol, Oracle
from segdsl.emit.dialects.postgres import Materialize, Postgres, Redshift, RisingWave
from segdsl.emit.dialects.snowflake import Snowflake
from segdsl.emit.dialects.spark import Databricks, Hive, Spark, Spark2
from segdsl.emit.dialects.sqlite import SQLite
from segdsl.emit.dialects.tsql import TSQL, Fabric

# sqlglot knows these query languages, but what it writes for them is SQL, not DAX or PRQL
NOT_SQL = frozenset({"dax", "prql"})
# dialects of which segdsl knows nothing beyond what sqlglot's generator translates
PLAIN = (
    "athena",
    "dremio",
    "drill",
    "druid",
    "dune",
    "presto",
    "solr",
    "tableau",
    "teradata",
    "trino",
)
_FAMILIES: tuple[type[Dialect], ...] = (
    BigQuery,
    ClickHouse,
    DataFusion,
    DuckDB,
    MySQL,
    Doris,
    StarRocks,
    Oracle,
    Exasol,
    Postgres,
    Materialize,
    Redshift,
    RisingWave,
    Snowflake,
    Spark,
    Spark2,
    Databricks,
    Hive,
    SQLite,
    TSQL,
    Fabric,
)
DIALECTS: dict[str, Dialect] = {
    **{cls.name: cls() for cls in _FAMILIES},
    **{name: Dialect(name) for name in PLAIN},
}


def dialect_named(name: str) -> Dialect:
    """The dialect of that name, or E502 saying why the name is not one."""
    if name in DIALECTS:
        return DIALECTS[name]
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
    known = sorted(DIALECTS)
    raise SegdslError(
        [
            Diagnostic(
                "E502", f"unknown dialect `{name}`", hint=did_you_mean(name, known, "dialects")
            )
        ]
    )


__all__ = ["DIALECTS", "NOT_SQL", "Dialect", "dialect_named"]
