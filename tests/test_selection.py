"""Selectors (names, globs, label:, owner:, file:, +NAME, --exclude), `segdsl ls`, and
`run`/`compile` going on past a broken segment that the selection does not need.

The expected selections are computed apart from segdsl: the demo's segment files read with
yaml.safe_load and filtered in plain Python; `+NAME` by the `in segment` references and
the segmentation names the rule texts hold.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest
import yaml

import segdsl
from segdsl import cli
from segdsl.demo import write_demo

AS_OF = "2025-12-31T12:00:00"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("selection") / "demo"
    write_demo(path, customers=1000, seed=7)
    return path


@pytest.fixture(scope="module")
def project(demo: Path) -> segdsl.Project:
    return segdsl.load(demo)


@pytest.fixture(scope="module")
def files(demo: Path) -> dict[str, dict[str, Any]]:
    return read_files(demo)


def read_files(demo: Path) -> dict[str, dict[str, Any]]:
    """name → what its file says: kind, file, labels, owner, rule texts, line of its key."""
    found: dict[str, dict[str, Any]] = {}
    for path in sorted((demo / "segments").glob("*.yaml")):
        relative = path.relative_to(demo).as_posix()
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
        lines = text.splitlines()
        for name, body in (data.get("segments") or {}).items():
            found[name] = {
                "kind": "segment",
                "file": relative,
                "labels": body.get("labels", []),
                "owner": body.get("owner"),
                "rules": [body["where"]],
                "line": key_line(lines, name),
                "min_size": body.get("min_size"),
                "description": body.get("description"),
            }
        for name, buckets in (data.get("segmentations") or {}).items():
            rules = [rule for bucket in buckets for key, rule in bucket.items() if key != "else"]
            found[name] = {
                "kind": "segmentation",
                "file": relative,
                "labels": [],
                "owner": None,
                "rules": rules,
                "line": key_line(lines, name),
                "min_size": None,
                "description": None,
            }
    return found


def key_line(lines: list[str], name: str) -> int:
    return next(i for i, line in enumerate(lines, 1) if line.startswith(f"  {name}:"))


def refers(name: str, files: dict[str, dict[str, Any]]) -> set[str]:
    segmentations = {n for n, f in files.items() if f["kind"] == "segmentation"}
    found: set[str] = set()
    for rule in files[name]["rules"]:
        found |= set(re.findall(r"in segment (\w+)", rule))
        found |= {w for w in re.findall(r"\w+", rule) if w in segmentations}
    return found


def closure(names: set[str], files: dict[str, dict[str, Any]]) -> set[str]:
    todo, seen = list(names), set(names)
    while todo:
        for ref in refers(todo.pop(), files) - seen:
            seen.add(ref)
            todo.append(ref)
    return seen


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    status = cli.main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_all_by_default(project: segdsl.Project, files: dict[str, dict[str, Any]]) -> None:
    assert set(project.select_names()) == set(files)
    assert sorted(project.select_names(None)) == sorted(project.select_names([]))


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("eu_*", lambda f: {n for n in f if fnmatchcase(n, "eu_*")}),
        ("*_mailable", lambda f: {n for n in f if n.endswith("_mailable")}),
        (
            "label:reactivation",
            lambda f: {n for n, d in f.items() if "reactivation" in d["labels"]},
        ),
        (
            "label:beh*",
            lambda f: {n for n, d in f.items() if any(x.startswith("beh") for x in d["labels"])},
        ),
        (
            "owner:growth@demo.example",
            lambda f: {n for n, d in f.items() if d["owner"] == "growth@demo.example"},
        ),
        (
            "file:segments/value.yaml",
            lambda f: {n for n, d in f.items() if d["file"] == "segments/value.yaml"},
        ),
        ("file:./segments/[lr]*.yaml", lambda f: {n for n, d in f.items() if d["file"][9] in "lr"}),
        ("file:segments", lambda f: set(f)),
        ("winback_candidates", lambda f: {"winback_candidates"}),
    ],
)
def test_each_selector_form_picks_what_the_files_say(
    project: segdsl.Project, files: dict[str, dict[str, Any]], selector: str, expected: Any
) -> None:
    want = expected(files)
    assert want, "the case must select something to prove anything"
    assert set(project.select_names([selector])) == want


def test_plus_takes_what_a_segment_refers_to_transitively(
    project: segdsl.Project, files: dict[str, dict[str, Any]], broken: Path
) -> None:
    for name in ["eu_sale_waiters_mailable", "winback_candidates", "lifecycle", "gold"]:
        picked = project.select_names([f"+{name}"])
        assert picked[0] == name
        assert set(picked) == closure({name}, files)
    labelled = {n for n, d in files.items() if "gdpr" in d["labels"]}
    assert set(project.select_names(["+label:gdpr"])) == closure(labelled, files)
    # two deep: chain_top → eu_sale_waiters_mailable → eu_sale_waiters
    three = read_files(broken)
    deep = closure({"chain_top"}, three)
    assert len(deep) == 3
    assert set(segdsl.load(broken).select_names(["+chain_top"])) == deep


def test_exclude_and_order(project: segdsl.Project, files: dict[str, dict[str, Any]]) -> None:
    reactivation = [n for n, d in files.items() if "reactivation" in d["labels"]]
    picked = project.select_names(["label:reactivation"], exclude=["eu_*"])
    assert picked == [
        n for n in project.select_names(["label:reactivation"]) if not n.startswith("eu_")
    ]
    assert set(picked) == {n for n in reactivation if not n.startswith("eu_")}
    everything = project.select_names(exclude=["file:segments/value.yaml"])
    assert set(everything) == {n for n, d in files.items() if d["file"] != "segments/value.yaml"}
    # the selectors' order, each name once
    assert project.select_names(["gold", "eu_*", "eu_customers"])[:2] == ["gold", "eu_customers"]
    assert len(project.select_names(["eu_*", "eu_*"])) == len(project.select_names(["eu_*"]))


@pytest.mark.parametrize(
    ("argv", "code", "status"),
    [
        (["compile", "no_such_segment"], "E203", 1),
        (["compile", "zz_*"], "E473", 1),
        (["compile", "label:nope"], "E473", 1),
        (["compile", "owner:nobody@example.com"], "E473", 1),
        (["compile", "file:segments/none.yaml"], "E473", 1),
        (["compile", "gold", "--exclude", "label:nope"], "E473", 1),
        (["compile", "tag:x"], "E474", 2),
        (["compile", "label:"], "E474", 2),
        (["compile", "eu_*", "--exclude", "eu_*"], "E475", 1),
        (["ls", "+zz_*"], "E473", 1),
        (["run", "label:nope", "--as-of", AS_OF], "E473", 1),
    ],
)
def test_a_selector_that_picks_nothing_is_a_coded_error(
    demo: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: str, status: int
) -> None:
    got, out, err = run_cli(["--project", str(demo), *argv], capsys)
    assert (got, out) == (status, "")
    assert f"error[{code}]" in err and "= help:" in err


def test_ls_json_is_what_the_files_say(
    demo: Path, files: dict[str, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run_cli(["--project", str(demo), "ls", "--format", "json"], capsys)
    assert status == 0
    rows = json.loads(out)
    assert {r["name"] for r in rows} == set(files)
    for row in rows:
        f = files[row["name"]]
        assert (row["kind"], row["path"], row["line"]) == (f["kind"], f["file"], f["line"])
        assert (row["labels"], row["owner"], row["min_size"]) == (
            f["labels"],
            f["owner"],
            f["min_size"],
        )
        assert row["description"] == f["description"]
        assert set(row["refers_to"]) == refers(row["name"], files)


def test_ls_text_is_an_aligned_table(
    demo: Path, files: dict[str, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run_cli(["--project", str(demo), "ls", "+eu_sale_waiters_mailable"], capsys)
    assert status == 0
    header, rule, *rows = out.splitlines()
    assert header.split()[:5] == ["name", "kind", "labels", "owner", "file"]
    assert set(rule) == {"-", " "}
    assert [r.split()[0] for r in rows] == ["eu_sale_waiters_mailable", "eu_sale_waiters"]
    at = header.index("file")
    place = f"{files['eu_sale_waiters']['file']}:{files['eu_sale_waiters']['line']}"
    assert rows[1][at:].startswith(place)


def test_overlap_and_diff_take_selectors(
    demo: Path, files: dict[str, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    eu = sorted(n for n in files if n.startswith("eu_") and files[n]["kind"] == "segment")
    base = ["--project", str(demo)]
    _, named, _ = run_cli([*base, "overlap", *eu, "--as-of", AS_OF], capsys)
    status, globbed, _ = run_cli(
        [*base, "overlap", "eu_*", "+lifecycle", "--exclude", "gold", "--as-of", AS_OF], capsys
    )
    assert status == 0 and globbed == named  # lifecycle, a segmentation, is passed over
    reactivation = [n for n in files if "reactivation" in files[n]["labels"]]
    kept = [n for n in reactivation if not n.startswith("eu_")]
    argv = ["diff", "--as-of", AS_OF, "--vs-as-of", "2025-06-30", "--format", "json"]
    _, named, _ = run_cli([*base, *argv, *kept], capsys)
    status, selected, _ = run_cli([*base, *argv, "label:reactivation", "--exclude", "eu_*"], capsys)
    assert status == 0 and selected == named
    assert {c["name"] for c in json.loads(selected)["segments"]} == set(kept)


def test_snapshot_and_report_take_selectors(
    demo: Path,
    files: dict[str, dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    copy = tmp_path / "p"
    shutil.copytree(demo, copy)  # a state database of its own
    reactivation = [n for n in files if "reactivation" in files[n]["labels"]]
    kept = [n for n in reactivation if not n.startswith("eu_")]
    base = ["--project", str(copy)]
    argv = ["snapshot", "label:reactivation", "--exclude", "eu_*", "--as-of", AS_OF]
    status, out, _ = run_cli([*base, *argv, "--format", "json"], capsys)
    assert status == 0
    assert {s["name"] for s in json.loads(out)["segments"]} == set(kept)
    page = tmp_path / "page.html"
    argv = ["report", "eu_*", "--exclude", "eu_customers", "--as-of", AS_OF, "--out", str(page)]
    status, _, _ = run_cli([*base, *argv], capsys)
    eu = {n for n in files if n.startswith("eu_") and n != "eu_customers"}
    shown = set(re.findall(r'<a href="#segment-\d+">([^<]+)</a>', page.read_text()))
    assert status == 0 and shown == eu and len(eu) >= 2 and kept


@pytest.fixture(scope="module")
def broken(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's files, without the warehouse, plus a file with one broken segment and a
    clean one that refers to it."""
    path = tmp_path_factory.mktemp("broken") / "project"
    shutil.copytree(demo, path, ignore=shutil.ignore_patterns("warehouse.duckdb*"))
    (path / "segments" / "broken.yaml").write_text(
        "segments:\n"
        "  broken_one:\n"
        "    where: lifetime_valu > 3\n"
        "  uses_broken:\n"
        "    where: in segment broken_one and age > 30\n"
        "  chain_top:\n"
        "    where: in segment eu_sale_waiters_mailable and age > 40\n",
        encoding="utf-8",
    )
    return path


def test_run_goes_on_past_an_unrelated_broken_segment(
    demo: Path, broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    warehouse = str(demo / "warehouse.duckdb")
    argv = ["run", "eu_*", "--as-of", AS_OF, "--warehouse", warehouse]
    clean, expected, _ = run_cli(["--project", str(demo), *argv], capsys)
    status, out, err = run_cli(["--project", str(broken), *argv], capsys)
    assert (clean, status) == (0, 1)
    assert out == expected  # the same sizes: the broken file changed nothing selected
    assert "error[E201]: unknown field `lifetime_valu`" in err
    assert "1 error outside the selection" in err


def test_compile_goes_on_and_api_names_the_unrelated_errors(
    demo: Path, broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run_cli(["--project", str(broken), "compile", "+winback_candidates"], capsys)
    assert status == 1 and out.rstrip().endswith(";") and "E201" in err
    project = segdsl.load(broken)
    sql = project.compile(["winback_candidates"], as_of=dt.datetime(2025, 12, 31, 12))
    assert sql == segdsl.load(demo).compile(
        ["winback_candidates"], as_of=dt.datetime(2025, 12, 31, 12)
    )
    assert [d.code for d in project.unrelated_errors(["winback_candidates"])] == ["E201"]
    assert project.unrelated_errors(["broken_one"]) == []


@pytest.mark.parametrize("selector", ["broken_one", "uses_broken", "file:segments/broken.yaml"])
def test_selecting_the_broken_segment_or_one_that_needs_it_is_refused(
    broken: Path, capsys: pytest.CaptureFixture[str], selector: str
) -> None:
    status, out, err = run_cli(["--project", str(broken), "compile", selector], capsys)
    assert (status, out) == (1, "")
    assert "error[E201]: unknown field `lifetime_valu`" in err


def test_without_a_selection_every_error_still_blocks(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run_cli(["--project", str(broken), "compile"], capsys)
    assert (status, out) == (1, "") and "E201" in err
    status, out, err = run_cli(
        ["--project", str(broken), "compile", "--exclude", "file:segments/broken.yaml"], capsys
    )
    assert status == 1 and out.rstrip().endswith(";") and "E201" in err


def test_a_project_wide_error_blocks_every_selection(
    broken: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "project"
    shutil.copytree(broken, path)
    schema = path / "schema.yaml"
    schema.write_text(schema.read_text(encoding="utf-8") + "\nnot_a_key: 1\n", encoding="utf-8")
    status, out, err = run_cli(["--project", str(path), "compile", "gold"], capsys)
    assert (status, out) == (1, "") and "schema.yaml" in err
