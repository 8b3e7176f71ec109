"""segdsl: customer segments as plain rules in YAML, checked, compiled to SQL, run on DuckDB.

    import segdsl
    project = segdsl.load("path/to/project")
    problems = project.check()
    print(project.compile(["eu_sale_waiters"], dialect="snowflake"))
    result = project.run()          # DuckDB, read-only
"""

from .diagnostics import Diagnostic, Location, SegdslError
from .project import Project, load

__all__ = ["Diagnostic", "Location", "Project", "SegdslError", "load"]
__version__ = "0.1.0"
