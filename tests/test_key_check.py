"""E439: `run` tells when the customers' key is missing or repeated in the warehouse
(docs/errors.md#e439), counted on the result's rows the same way on every engine, and
still answers with what the data holds (each such row a customer of its own)."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from pathlib import Path

import duckdb
import pytest
from support import engines

import segdsl
from segdsl import cli
from segdsl.execute import KeyCheck

AS_OF = dt.datetime(2025, 12, 31, 12)
ROWS = [(1, "DE"), (2, "DE"), (2, "FR"), (None, "DE"), (3, "FR"), (3, "FR"), (3, "DE")]
# 7 rows: one without a key, key 2 twice and key 3 three times (1 + 2 rows repeating)
EXPECTED = KeyCheck(missing=1, repeated=3)
GERMANS = 4  # rows with country DE, each counted: keys 1, 2, None and 3


def _project(root: Path, rows: list[tuple[int | None, str]]) -> Path:
    (root / "segments").mkdir(parents=True)
    (root / "segdsl.yaml").write_text(
        "name: keys\nschema: schema.yaml\nsegments: [segments/]\nwarehouse: warehouse.duckdb\n",
        encoding="utf-8",
    )
    (root / "schema.yaml").write_text(
        "customers:\n  table: customers\n  key: customer_id\n  fields:\n    country: string\n",
        encoding="utf-8",
    )
    (root / "segments" / "s.yaml").write_text(
        'segments:\n  germans:\n    where: country = "DE"\n  french:\n    where: country = "FR"\n',
        encoding="utf-8",
    )
    connection = duckdb.connect(str(root / "warehouse.duckdb"))
    connection.execute("CREATE TABLE customers (customer_id INTEGER, country VARCHAR)")
    connection.executemany("INSERT INTO customers VALUES (?, ?)", rows)
    connection.close()
    return root


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(list(args))
    return status, out.getvalue(), err.getvalue()


@pytest.fixture()
def repeated(tmp_path: Path) -> Path:
    return _project(tmp_path / "repeated", ROWS)


def test_missing_and_repeated_keys_are_counted(repeated: Path) -> None:
    result = segdsl.load(repeated).run(as_of=AS_OF)
    assert result.key_check() == EXPECTED
    sizes = {s.name: s.members for s in result.sizes()}
    assert sizes == {"germans": GERMANS, "french": 3} and result.total() == len(ROWS)
    alone = segdsl.load(repeated).run(["germans"], as_of=AS_OF)
    assert alone.key_check() == KeyCheck(missing=1, repeated=0)  # among its members: 1,2,None,3


def test_run_warns_and_still_answers(repeated: Path) -> None:
    status, out, err = _cli("--project", str(repeated), "run", "--as-of", "2025-12-31T12:00:00")
    assert status == 0 and "7 customers" in out
    assert "warning[E439]" in err
    assert "1 row with no `customer_id` and 3 rows repeating another row's `customer_id`" in err
    assert "Traceback" not in err


def test_a_clean_key_gives_no_warning(tmp_path: Path) -> None:
    clean = _project(tmp_path / "clean", [(1, "DE"), (2, "FR"), (3, "DE")])
    assert segdsl.load(clean).run(as_of=AS_OF).key_check().clean
    status, _, err = _cli("--project", str(clean), "run", "--as-of", "2025-12-31T12:00:00")
    assert status == 0 and "E439" not in err


@pytest.mark.postgres
def test_postgres_counts_the_same(repeated: Path, postgres_server: engines.PostgresServer) -> None:
    url = engines.postgres_database(postgres_server, "keys", repeated / "warehouse.duckdb")
    result = segdsl.load(repeated).run(as_of=AS_OF, warehouse=url)
    assert result.dialect == "postgres" and result.key_check() == EXPECTED
    assert {s.name: s.members for s in result.sizes()} == {"germans": GERMANS, "french": 3}
    status, _, err = _cli(
        "--project", str(repeated), "run", "--as-of", "2025-12-31T12:00:00", "--warehouse", url
    )
    assert status == 0 and "warning[E439]" in err
