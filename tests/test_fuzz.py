"""The differential fuzz: random rules over random small warehouses (tests/support/fuzz.py),
DuckDB's members against PostgreSQL's, ClickHouse's (with Nullable columns, and with columns
declared the usual ClickHouse way, not Nullable) and SQLite's, on the same rows. Any
difference fails the test, with the rule, the seed of its warehouse and both member sets.

Each engine compares at least MINIMUM rules that its dialect expresses; the rules it refuses
(E5xx) are skipped and counted, as are those left out for a difference recorded in
docs/engines.md#known-differences (fuzz.KNOWN), and the counts are printed. The seeds
are fixed, so every run compares the same rules. Heavy engines carry their markers
(`postgres`, `clickhouse`); SQLite's run is `slow`: the fast subset skips all three and
`.ci/run` runs them. See docs/testing.md#differential-fuzz.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from typing import Any

import pytest
from support import engines, fuzz

MINIMUM = 1_700  # rules compared per engine, not counting those it refuses
RULES = 400  # rules per warehouse
TALLY = fuzz.Tally()
BASELINES: dict[Any, Any] = {}  # DuckDB's members per warehouse, shared by the engines

# label → (engine, warehouses, whether columns are declared not Nullable); ClickHouse's
# 2,400 rules are split between its two ways of declaring columns, 1,200 each
RUNS = {
    "postgres": ("postgres", 5, False),
    "clickhouse": ("clickhouse", 3, False),
    "clickhouse-not-nullable": ("clickhouse", 3, True),
    "sqlite": ("sqlite", 6, False),
}
SHARES = {
    label: sum(1 for n, _, _ in RUNS.values() if n == name) for label, (name, _, _) in RUNS.items()
}
MARKS = {"postgres": pytest.mark.postgres, "clickhouse": pytest.mark.clickhouse}


def _skip_reason(name: str) -> str | None:
    if name == "postgres" and not engines.POSTGRES_BIN:
        return "PostgreSQL is not installed (/usr/lib/postgresql/*/bin/postgres)"
    if name == "clickhouse" and importlib.util.find_spec("chdb") is None:
        return "chdb is not installed"
    return None


@pytest.fixture(scope="module")
def started() -> Iterator[dict[str, Any]]:
    """Engines started once for the module (a PostgreSQL server at first use)."""
    found: dict[str, Any] = {}
    servers: list[engines.PostgresServer] = []

    def start(name: str) -> Any:
        if name not in found:
            if name == "postgres":
                servers.append(engines.PostgresServer())
                found[name] = engines.PostgresEngine(servers[0].dsn())
            elif name == "sqlite-t":
                found[name] = engines.SQLiteEngine(t_form="mixed")
            else:
                found[name] = engines.start_engine(name)
        return found[name]

    yield {"start": start}
    for engine in found.values():
        engine.close()
    for server in servers:
        server.stop()


@pytest.mark.parametrize(
    "label",
    [
        pytest.param(label, marks=MARKS.get(name, pytest.mark.slow), id=label)
        for label, (name, _, _) in RUNS.items()
    ],
)
def test_engine_agrees_with_duckdb(label: str, started: dict[str, Any]) -> None:
    name, warehouses, not_nullable = RUNS[label]
    reason = _skip_reason(name)
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"{name}: {reason}")
        pytest.skip(reason)
    for seed in range(warehouses):
        batch = fuzz.batch(seed, RULES)
        if not_nullable:
            batch = fuzz.not_nullable(batch, seed)
        # SQLite: every other warehouse writes the times of every other column as other
        # tools do, 'T' and '.5', and the rest as sqlite3 does (engines.SQLiteEngine)
        engine = started["start"]("sqlite-t" if name == "sqlite" and seed % 2 else name)
        fuzz.compare(batch, engine, label, TALLY, BASELINES)
    mine = [f for f in TALLY.failures if f.startswith(label + " ") or f.startswith(label + ":")]
    print(
        f"\nfuzz {label}: {TALLY.compared[label]} rules compared with DuckDB, "
        f"{TALLY.refused[label]} refused (E5xx), {TALLY.known[label]} left out for a known "
        f"difference (docs/engines.md#known-differences), {len(mine)} differences"
    )
    assert not mine, f"{len(mine)} rules differ from DuckDB:\n" + "\n".join(mine[:20])
    assert TALLY.compared[label] >= MINIMUM / SHARES[label]  # per engine, over its runs
