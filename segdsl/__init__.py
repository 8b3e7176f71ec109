"""segdsl: customer segments as plain rules in YAML, checked, compiled to SQL, run on DuckDB.

import segdsl
project = segdsl.load("path/to/project")
problems = project.check()
print(project.compile(["eu_sale_waiters"], dialect="snowflake"))
result = project.run()          # DuckDB, read-only
"""

from typing import TYPE_CHECKING, Any

from segdsl.diagnostics import Diagnostic, Location, SegdslError

if TYPE_CHECKING:
    from segdsl.project import Project, load, schema_json


def __getattr__(name: str) -> Any:
    """`Project`, `load` and `schema_json` on first use: `segdsl --help` need not import
    pydantic."""
    if name in ("Project", "load", "schema_json"):
        from segdsl import project

        return getattr(project, name)
    raise AttributeError(f"module 'segdsl' has no attribute {name!r}")


__all__ = ["Diagnostic", "Location", "Project", "SegdslError", "load", "schema_json"]
__version__ = "0.1.0"
