"""Checking rules against dialects before any SQL exists (`segdsl check --dialect D`):
every construct a dialect refuses is an E501 at its place, all in one run, and the check
refuses exactly what the SQL builders refuse (docs/errors.md#e501)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

import segdsl
from segdsl.cli import main
from segdsl.demo import DEMO_AS_OF, write_demo
from segdsl.diagnostics import Diagnostic, SegdslError
from segdsl.emit import to_sql
from segdsl.emit.dialects import DIALECTS

# one dialect of each class, and a plain one
FAMILIES = sorted({type(d).__name__: name for name, d in DIALECTS.items()}.values())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "project"
    write_demo(root, customers=50, seed=7)
    return root


def places(diagnostics: list[Diagnostic], dialect: str) -> list[tuple[str, int, int]]:
    return [
        (d.location.path, d.location.line, d.location.column)
        for d in diagnostics
        if d.code == "E501" and d.location and f"the {dialect} dialect" in d.message
    ]


def test_the_demo_for_snowflake_names_each_culprit_at_its_place(demo: Path) -> None:
    found = segdsl.load(demo).check(dialects=["snowflake"])
    assert places(found, "snowflake") == [
        ("segments/behavioural.yaml", 68, 12),
        ("segments/behavioural.yaml", 74, 49),
    ]
    assert "in segment `mobile_browsers`" in found[0].message
    assert all(d.severity == "error" for d in found)


def test_the_project_dialect_is_checked_without_asking(demo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "project"
    shutil.copytree(demo, copy, ignore=shutil.ignore_patterns("*.duckdb"))
    settings = copy / "segdsl.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("dialect: duckdb", "dialect: snowflake"), encoding="utf-8")
    assert places(segdsl.load(copy).check(), "snowflake") == [
        ("segments/behavioural.yaml", 68, 12),
        ("segments/behavioural.yaml", 74, 49),
    ]


def test_several_dialects_in_one_run(demo: Path) -> None:
    found = segdsl.load(demo).check(dialects=["snowflake", "sqlite", "snowflake"])
    assert len(places(found, "snowflake")) == 2
    assert places(found, "sqlite")[:3] == [
        ("segments/behavioural.yaml", 68, 12),
        ("segments/behavioural.yaml", 74, 49),
        ("segments/contact.yaml", 53, 12),
    ]
    assert len(places(found, "sqlite")) == 7


def test_an_unpinned_clock_is_a_warning_in_check_and_an_error_in_compile(demo: Path) -> None:
    project = segdsl.load(demo)
    found = [d for d in project.check(dialects=["hive"]) if d.code == "E501"]
    assert found and all(d.severity == "warning" for d in found)
    # `inactive_days > 30`: the trait reads the clock, reported where the rule uses it
    assert ("segments/reactivation.yaml", 23, 12) in places(found, "hive")
    with pytest.raises(SegdslError) as refused:
        project.compile(["gold"], "hive")
    assert [d.severity for d in refused.value.diagnostics] == ["error"]
    assert refused.value.diagnostics[0].location is not None
    project.compile(["gold"], "hive", as_of=DEMO_AS_OF)


def test_compile_lists_every_problem(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--project", str(demo), "compile", "--dialect", "sqlite"]) == 1
    err = capsys.readouterr().err
    assert err.count("error[E501]") == 7
    assert "segments/contact.yaml:53:12: error[E501]" in err


def test_check_command_takes_dialect_repeatedly(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--project", str(demo), "check", "--dialect", "snowflake", "--dialect", "bigquery"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("the snowflake dialect") == 2 and err.count("the bigquery dialect") == 2
    assert err.endswith("4 errors\n")
    assert main(["--project", str(demo), "check", "--dialect", "postgress"]) == 2


@pytest.mark.parametrize("dialect", FAMILIES)
def test_check_refuses_what_the_builders_refuse(demo: Path, dialect: str) -> None:
    """On every demo segment, pinned and not: the check finds a problem exactly where
    writing the SQL (the optimizer off, the check skipped) raises E501."""
    project = segdsl.load(demo)
    target = DIALECTS[dialect]
    for name in project.segments:
        for as_of in (None, DEMO_AS_OF):
            checked = project._refusals(target, [name], as_of is not None)
            expected = [d for d in checked if d.severity == "error"]
            assert bool(expected) == _builders_refuse(project, dialect, name, as_of), (
                name,
                as_of,
                expected,
            )


def _builders_refuse(
    project: segdsl.Project, dialect: str, name: str, as_of: dt.datetime | None
) -> bool:
    try:
        to_sql(project._lowering(dialect, as_of, (), name).select_members(name), dialect)
    except SegdslError as error:
        assert {d.code for d in error.diagnostics} == {"E501"}
        return True
    return False


PATTERNS = ["(?U)a+@", "^[[:alpha:]]+$", "[[:word:]]", "\\pL", "a(?i)b", "[\\d]x", "\\x{41}"]


@pytest.mark.parametrize("dialect", FAMILIES)
def test_check_refuses_the_patterns_the_builders_refuse(tmp_path: Path, dialect: str) -> None:
    schema = Path(__file__).parent / "golden" / "errors" / "E207-unknown-property" / "schema.yaml"
    shutil.copyfile(schema, tmp_path / "schema.yaml")
    (tmp_path / "segdsl.yaml").write_text("name: p\nschema: schema.yaml\n", encoding="utf-8")
    (tmp_path / "segments").mkdir()
    rules = "".join(
        f"  p{i}:\n    where: 'email matches \"{p.replace(chr(92), chr(92) * 2)}\"'\n"
        for i, p in enumerate(PATTERNS)
    )
    (tmp_path / "segments" / "s.yaml").write_text(f"segments:\n{rules}", encoding="utf-8")
    project = segdsl.load(tmp_path)
    assert project.check() == []
    for name in project.segments:
        checked = project._refusals(DIALECTS[dialect], [name], True)
        assert bool(checked) == _builders_refuse(project, dialect, name, DEMO_AS_OF), name
