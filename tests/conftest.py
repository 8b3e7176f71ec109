from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many generated cases tests/test_properties.py ran (docs/testing.md)."""
    import sys

    properties = sys.modules.get("test_properties")
    cases = getattr(properties, "CASES", None)
    if cases:
        terminalreporter.write_line(
            f"property tests ({properties.PROFILE_NAME}): {sum(cases.values())} generated "
            "cases (" + ", ".join(f"{k} {v}" for k, v in sorted(cases.items())) + ")"
        )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    """One throwaway PostgreSQL server (initdb in a temporary folder) for the whole session:
    each test module keeps to its own databases or schemas on it. Skipped when PostgreSQL
    is not installed, except under CI, where a missing engine fails."""
    from support import engines

    if not engines.POSTGRES_BIN:
        reason = "PostgreSQL is not installed (/usr/lib/postgresql/*/bin/postgres)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    server = engines.PostgresServer()
    yield server
    server.stop()
