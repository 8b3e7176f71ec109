"""Support code of the tests, imported by them; no test and no case lives here.

- cases: the one loader of the case files (tests/cases/) and golden cases (tests/golden/)
- shops: a shop of tests/cases/shops/ as a project with its DuckDB warehouse, and a runner
- engines: one adapter per SQL engine, and the runner of the engine matrix
- matrix: docs/engines.md from the engine matrix's verdicts
- rulegen: random well-typed rules for tests/test_properties.py
"""
