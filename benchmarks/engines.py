"""The demo's segments on PostgreSQL and Spark, compiled against hand-written SQL:
`python -m benchmarks --engines`.

Each engine gets the demo warehouse (exported by DuckDB as Parquet, loaded with the
engine's own bulk path: PostgreSQL `COPY`, Spark reading the Parquet files), then every
segment that reads events or orders runs as segdsl compiles it for that engine and as
the hand-written SQL of benchmarks/hand.py translated by sqlglot from DuckDB's dialect
(each variant must give segdsl's members, or it is left out and listed). Commands run
interleaved in this process; the time is the wall time of the statement and the fetch of
its keys (the work is the server's, not this process's CPU). The ratio per segment is
compiled over the fastest agreeing hand-written variant, as in the DuckDB benchmark.

The servers are the throwaway ones of the tests (tests/support/engines.py): a PostgreSQL
cluster in a temporary folder, a local Spark session.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import hand
from .measure import Sample, Timing, interleave
from .warehouses import WAREHOUSE

TESTS = Path(__file__).resolve().parent.parent / "tests"
PG_TYPES = {
    "BIGINT": "BIGINT",
    "INTEGER": "INTEGER",
    "DOUBLE": "DOUBLE PRECISION",
    "BOOLEAN": "BOOLEAN",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMP",
    "VARCHAR": "TEXT",
}


def _tables(project: Path, folder: Path) -> dict[str, tuple[list[tuple[str, str]], Path]]:
    """Each table of the demo warehouse as a Parquet file, with its columns and types."""
    import duckdb

    connection = duckdb.connect(str(project / WAREHOUSE), read_only=True)
    try:
        names = [r[0] for r in connection.execute("SHOW TABLES").fetchall()]
        found = {}
        for name in names:
            columns = [(r[0], r[1]) for r in connection.execute(f'DESCRIBE "{name}"').fetchall()]
            path = folder / f"{name}.parquet"
            connection.execute(f"COPY \"{name}\" TO '{path}' (FORMAT parquet)")
            found[name] = (columns, path)
        return found
    finally:
        connection.close()


def _pg_type(duck: str) -> str:
    return duck.replace("DECIMAL", "NUMERIC") if duck.startswith("DECIMAL") else PG_TYPES[duck]


class Postgres:
    name = dialect = "postgres"

    def __init__(self, tables: dict[str, tuple[list[tuple[str, str]], Path]], folder: Path):
        import duckdb
        import psycopg

        sys.path.insert(0, str(TESTS))
        from support import engines

        self.server = engines.PostgresServer()
        self.connection = psycopg.connect(self.server.dsn(), autocommit=True)
        local = duckdb.connect()
        for table, (columns, path) in tables.items():
            types = ", ".join(f'"{c}" {_pg_type(t)}' for c, t in columns)
            self.connection.execute(f'CREATE TABLE "{table}" ({types})')
            csv = folder / f"{table}.csv"
            local.execute(f"COPY (FROM '{path}') TO '{csv}' (HEADER false)")
            with (
                self.connection.cursor() as cursor,
                cursor.copy(f'COPY "{table}" FROM STDIN (FORMAT csv)') as copy,
                csv.open("rb") as source,
            ):
                while block := source.read(1 << 20):
                    copy.write(block)
            csv.unlink()
        local.close()
        # what an expert's warehouse would have: the keys and the event times indexed
        for statement in (
            "CREATE INDEX ON customers (customer_id)",
            "CREATE INDEX ON events (customer_id, ts)",
            "CREATE INDEX ON events (event_name, ts)",
            "CREATE INDEX ON orders (customer_id, ordered_at)",
            "CREATE INDEX ON customer_tags (customer_id)",
            "ANALYZE",
        ):
            self.connection.execute(statement)

    def keys(self, sql: str) -> set[Any]:
        return {r[0] for r in self.connection.execute(sql).fetchall()}

    def version(self) -> str:
        row = self.connection.execute("SHOW server_version").fetchone()
        return f"PostgreSQL {str(row[0]).split()[0] if row else '?'}"

    def close(self) -> None:
        self.connection.close()
        self.server.stop()


class Spark:
    name = dialect = "spark"

    def __init__(self, tables: dict[str, tuple[list[tuple[str, str]], Path]], folder: Path):
        sys.path.insert(0, str(TESTS))
        from support import engines

        self.session = engines.local_spark().newSession()
        self.session.conf.set("spark.sql.session.timeZone", "UTC")
        for table, (_, path) in tables.items():
            frame = self.session.read.parquet(str(path)).cache()
            frame.count()  # read once, as a warehouse's tables would be at hand
            frame.createOrReplaceTempView(table)

    def keys(self, sql: str) -> set[Any]:
        return {r[0] for r in self.session.sql(sql).collect()}

    def version(self) -> str:
        return f"Spark {self.session.version} (local mode)"

    def close(self) -> None:
        self.session.catalog.clearCache()


def _timed(action: Callable[[], object]) -> Callable[[], Sample]:
    def command() -> Sample:
        start = time.perf_counter()
        action()
        wall = time.perf_counter() - start
        return Sample(wall, wall)

    return command


def _translated(sql: str, dialect: str) -> str | None:
    import sqlglot

    try:
        return sqlglot.transpile(sql, read="duckdb", write=dialect)[0]
    except sqlglot.errors.SqlglotError:
        return None


def measure(
    project: Path, runs: int, engine_names: list[str], log: Callable[[str], None]
) -> dict[str, Any]:
    """Per engine: per segment, compiled and the best hand-written variant (median wall),
    and the median of the per-segment ratios."""
    import segdsl

    loaded = segdsl.load(project)
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="segdsl-bench-engines-") as folder:
        tables = _tables(project, Path(folder))
        for name in engine_names:
            log(f"{name}: loading the demo warehouse")
            engine = {"postgres": Postgres, "spark": Spark}[name](tables, Path(folder))
            try:
                out[name] = _segments(loaded, engine, runs, log)
                out[name]["version"] = engine.version()
            finally:
                engine.close()
    return out


def _segments(loaded: Any, engine: Any, runs: int, log: Callable[[str], None]) -> dict[str, Any]:
    segments: dict[str, Any] = {}
    left_out: dict[str, str] = {}
    for name in loaded.segments:
        compiled = loaded.compile([name], engine.dialect, hand.AS_OF, pretty=False)
        if " events" not in compiled and " orders" not in compiled:
            continue
        want = engine.keys(compiled)
        variants = {}
        for variant, sql in hand.SEGMENTS[name].items():
            translated = _translated(sql, engine.dialect)
            if translated is None:
                left_out[f"{name} {variant}"] = "sqlglot cannot translate it"
                continue
            try:
                got = engine.keys(translated)
            except Exception as error:  # noqa: BLE001 -- the engine's refusal is the finding
                left_out[f"{name} {variant}"] = str(error).splitlines()[0][:120]
                continue
            if got != want:
                left_out[f"{name} {variant}"] = "other members than segdsl's"
                continue
            variants[variant] = translated
        if not variants:
            continue
        commands = {"compiled": _timed(lambda sql=compiled: engine.keys(sql))}
        commands |= {v: _timed(lambda sql=sql: engine.keys(sql)) for v, sql in variants.items()}
        timings: dict[str, Timing] = interleave(commands, runs, warmups=1)
        best = min(variants, key=lambda v: timings[v].wall)
        ratio = timings["compiled"].wall / timings[best].wall
        segments[name] = {
            "compiled": timings["compiled"].wall,
            "hand": timings[best].wall,
            "variant": best,
            "ratio": ratio,
            "members": len(want),
        }
        log(f"{engine.name} {name}: {ratio:.2f}x ({best})")
    ratios = [s["ratio"] for s in segments.values()]
    return {
        "segments": segments,
        "left_out": left_out,
        "median_ratio": statistics.median(ratios) if ratios else None,
        "worst": max(segments, key=lambda n: segments[n]["ratio"]) if segments else None,
    }
