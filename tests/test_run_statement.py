"""One statement per request: the SQL `segdsl compile NAMES` prints is the SQL `segdsl run
NAMES` executes (`Result.sql`, the text `compile` gives unformatted), for one segment (its
members) as for several (one row per customer), with and without the optimizer. A single
segment's run reports its members without a share, since its statement counts no other
customer (docs/cli.md#one-segment-alone)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
from support import cases
from support.shops import ShopProject

import segdsl
from segdsl.cli import main
from segdsl.execute import Size

AS_OF = cases.shop("semantics").as_of  # eu: 1, 2, 4; grown: 1, 4, 5, 7; of 7 customers
SEGMENTS = """\
segments:
  eu:
    min_size: 4
    where: country in EU
  grown:
    where: adult
segmentations:
  place:
    - eu: in segment eu
    - else: elsewhere
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    shop = ShopProject("semantics", tmp_path_factory.mktemp("statement"))
    shop.write_segments(SEGMENTS, "segments.yaml")
    return shop.root


@pytest.mark.parametrize("optimized", [True, False], ids=["optimized", "no-optimize"])
@pytest.mark.parametrize("names", [["eu"], ["eu", "grown"], ["place"], ["grown", "place"], None])
def test_run_executes_what_compile_prints(
    shop: Path, names: list[str] | None, optimized: bool
) -> None:
    project = segdsl.load(shop)
    result = project.run(names, as_of=AS_OF, optimized=optimized)
    try:
        compiled = project.compile(
            names, dialect="duckdb", as_of=AS_OF, pretty=False, optimized=optimized
        )
        assert result.sql == compiled
        printed = project.compile(names, dialect="duckdb", as_of=AS_OF, optimized=optimized)
        assert sqlglot.parse_one(printed, read="duckdb") == sqlglot.parse_one(compiled, "duckdb")
    finally:
        result.connection.close()


def test_one_segment_runs_its_members_statement(shop: Path, tmp_path: Path) -> None:
    result = segdsl.load(shop).run(["eu"], as_of=AS_OF)
    assert result.members_of == "eu"
    assert result.members("eu") == [1, 2, 4]
    assert result.total() is None  # counting every customer would be a second statement
    assert result.sizes() == [Size("eu", None, 3, None, 4)]
    assert result.sizes()[0].too_small
    with pytest.raises(ValueError, match="members of `eu` only"):
        result.members("grown")
    result.write(tmp_path / "eu.csv")
    assert (tmp_path / "eu.csv").read_text().splitlines() == ["customer_id", "1", "2", "4"]


def test_several_segments_run_one_row_per_customer(shop: Path) -> None:
    result = segdsl.load(shop).run(["eu", "grown"], as_of=AS_OF)
    assert result.members_of is None
    assert result.total() == 7
    assert result.sizes() == [Size("eu", None, 3, 3 / 7, 4), Size("grown", None, 4, 4 / 7, None)]


def test_the_command_line_reports_one_segment_without_a_share(
    shop: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "eu.csv"
    command = ["--project", str(shop), "run", "eu", "--as-of", "2025-12-31T12:00", "--out"]
    assert main([*command, str(out)]) == 0
    printed = capsys.readouterr()
    assert printed.out.splitlines() == [
        "segment  members",
        "-------  -------  ----------------",
        "eu             3  below min_size 4",
        "",
        "as of 2025-12-31 12:00:00; no share: the statement of one segment lists only its members",
        f"wrote {out}",
    ]
    assert printed.err == "1 segment(s) below min_size: eu\n"
    assert out.read_text().splitlines() == ["customer_id", "1", "2", "4"]


def test_the_command_line_reports_shares_of_several(
    shop: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--project", str(shop), "run", "eu", "grown", "--as-of", "2025-12-31T12:00"]) == 0
    printed = capsys.readouterr()
    assert printed.out.splitlines() == [
        "segment  members  share",
        "-------  -------  -----  ----------------",
        "eu             3  42.9%  below min_size 4",
        "grown          4  57.1%",
        "",
        "7 customers, as of 2025-12-31 12:00:00",
    ]
    assert printed.err == "1 segment(s) below min_size: eu\n"
