"""Demo projects to measure on: generated once, and a copy with events in random order."""

from __future__ import annotations

import shutil
from pathlib import Path

WAREHOUSE = "warehouse.duckdb"


def demo_project(directory: Path, customers: int, memory_limit: str = "8GB") -> Path:
    """The demo project in `directory`, generated unless it is already there.

    The generator runs with a DuckDB memory limit (spilling to disk beyond it), so
    that a 10M-customer warehouse does not take the memory of a shared machine.
    """
    import duckdb

    from segdsl.demo import data, write_demo

    if not (directory / WAREHOUSE).is_file():
        connect = duckdb.connect

        def limited(database: str, *args: object, **kwargs: object) -> duckdb.DuckDBPyConnection:
            connection = connect(database, *args, **kwargs)  # type: ignore[arg-type]
            connection.execute(f"SET memory_limit = '{memory_limit}'")
            return connection

        data.duckdb.connect = limited  # type: ignore[assignment]
        try:
            write_demo(directory, customers=customers)
        finally:
            data.duckdb.connect = connect  # type: ignore[assignment]
    return directory


def random_order_copy(project: Path, directory: Path) -> Path:
    """A copy of `project` whose events and orders are stored in random order.

    In time order, a window's prefilter lets DuckDB skip every row group outside
    the window (min/max statistics); in random order every row group spans all
    four years and nothing can be skipped. Same rows, same customers table.
    """
    import duckdb

    if (directory / WAREHOUSE).is_file():
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    for path in project.iterdir():
        if path.name.endswith(".yaml"):
            shutil.copy(path, directory / path.name)
    shutil.copytree(project / "segments", directory / "segments", dirs_exist_ok=True)
    temporary = directory / f".{WAREHOUSE}.tmp"
    temporary.unlink(missing_ok=True)
    connection = duckdb.connect(str(temporary))
    try:
        connection.execute("SET enable_progress_bar = false")
        connection.execute(f"ATTACH '{project / WAREHOUSE}' AS source (READ_ONLY)")
        connection.execute(
            "COPY FROM DATABASE source TO "
            f"{connection.execute('SELECT current_database()').fetchone()[0]}"
            " (SCHEMA)"
        )
        connection.execute("INSERT INTO customers SELECT * FROM source.customers")
        connection.execute("INSERT INTO customer_tags SELECT * FROM source.customer_tags")
        connection.execute(
            "INSERT INTO events SELECT * FROM source.events "
            "ORDER BY hash(customer_id, ts, event_name, url)"
        )
        connection.execute("INSERT INTO orders SELECT * FROM source.orders ORDER BY hash(order_id)")
        connection.execute("DETACH source")
    finally:
        connection.close()
    temporary.rename(directory / WAREHOUSE)
    return directory
