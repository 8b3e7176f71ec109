from __future__ import annotations

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
