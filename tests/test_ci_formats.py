"""What CI reads of `segdsl check`: SARIF 2.1.0 for code scanning and GitHub's workflow
commands, both naming files from the repository's top when the project sits in a
subfolder; `--output-file`; `check PATHS` finding the project from the paths; and the
pre-commit hooks of .pre-commit-hooks.yaml, run by pre-commit itself.

The expected places are found in the files' text here (the line and column of each
misspelt word), the expected titles in docs/errors.md's headings, not copied from output.
No copy of the SARIF JSON schema is vendored (none ships in a package with a licence that
allows it), so the structure code scanning reads is checked by hand.

The hook is run through a local config with `language: system`, the segdsl under test:
`pre-commit try-repo` with the hook's own `language: python` builds an environment and
installs segdsl's dependencies from the package index, 10 to 60 s here, too slow for CI
(docs/ci.md#pre-commit says how to try it).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from segdsl import cli
from segdsl.demo import write_demo
from segdsl.diagnostics import Diagnostic, Location, render_sarif

REPO = Path(__file__).resolve().parent.parent
FOLDER = "shop/analytics"  # the project's folder in the throwaway repository
BROKEN = {"contry": "E201", "lastname": "E201", "vip_tier": "E203"}  # word: code it gets
BROKEN_FILE = """\
segments:
  broken_country:
    where: contry = "DE"
  broken_name:
    where: lastname = "x" and country = "DE"
  broken_reference:
    where: in segment vip_tier
"""


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    top = tmp_path_factory.mktemp("ci") / "repo"
    write_demo(top / FOLDER, customers=1000, seed=7)
    (top / FOLDER / "segments" / "broken.yaml").write_text(BROKEN_FILE, encoding="utf-8")
    (top / "docs").mkdir()
    (top / "docs" / "notes.yaml").write_text("a: 1\n", encoding="utf-8")  # in no project
    _git(top, "init", "-q")
    return top


def _git(top: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=top, check=True, capture_output=True,
    )  # fmt: skip


def expected_places(repo: Path) -> set[tuple[str, str, int, int, int]]:
    """(code, path from the top, line, column, end column) of each misspelt word."""
    places = set()
    for number, line in enumerate(BROKEN_FILE.splitlines(), 1):
        for word, code in BROKEN.items():
            if (at := line.find(word)) >= 0:
                path = f"{FOLDER}/segments/broken.yaml"
                places.add((code, path, number, at + 1, at + 1 + len(word)))
    return places


def documented_titles() -> dict[str, str]:
    text = (REPO / "docs" / "errors.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^### (E\d{3}) (.+)$", text, re.MULTILINE))


def check(
    args: list[str], cwd: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    capsys.readouterr()
    monkeypatch.chdir(cwd)
    status = cli.main(["check", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_sarif_names_the_repository_s_files_with_their_rules(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, _ = check(["--format", "sarif", f"{FOLDER}/segments"], repo, capsys, monkeypatch)
    assert status == 1
    log = json.loads(out)
    assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"]
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "segdsl"
    assert driver["version"] == importlib.metadata.version("segdsl")
    rules = driver["rules"]
    titles = documented_titles()
    assert [r["id"] for r in rules] == sorted(set(BROKEN.values()))
    for rule in rules:
        assert rule["shortDescription"]["text"] == titles[rule["id"]]
    assert rules[0]["helpUri"] == "docs/errors.md#e201-unknown-field"  # GitHub's anchor
    places = set()
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == "error" and result["message"]["text"]
        (location,) = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        region = location["physicalLocation"]["region"]
        assert artifact["uriBaseId"] == "%SRCROOT%"
        assert region["endLine"] == region["startLine"]
        places.add(
            (result["ruleId"], artifact["uri"], region["startLine"], region["startColumn"],
             region["endColumn"])
        )  # fmt: skip
    assert places == expected_places(repo)


def test_sarif_levels_places_and_uris() -> None:
    warning = Diagnostic(
        "E501", "no clock", Location("s p/휴면.yaml", 2, 3, 2, 9), "pin it", "warning"
    )
    placeless = Diagnostic("E413", "no warehouse to run on")
    log = json.loads(render_sarif([warning, placeless], "9.9", "sub/segdsl.yaml"))
    first, second = log["runs"][0]["results"]
    assert first["level"] == "warning" and first["message"]["text"] == "no clock (pin it)"
    uri = first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "s%20p/%ED%9C%B4%EB%A9%B4.yaml"  # a URI reference: UTF-8, percent-encoded
    assert second["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "sub/segdsl.yaml", "uriBaseId": "%SRCROOT%"}
    }  # code scanning shows no result without a file: the project's own


def test_github_annotations_name_files_from_the_repository_root(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out, _ = check(["--format", "github"], repo / FOLDER, capsys, monkeypatch)
    assert status == 1
    pattern = r"::error file=([^,]+),line=(\d+),col=(\d+),endLine=\d+,endColumn=(\d+),.*\[(E\d+)\]"
    places = {(m[5], m[1], int(m[2]), int(m[3]), int(m[4])) for m in re.finditer(pattern, out)}
    assert places == expected_places(repo)
    assert len(out.splitlines()) == len(places)


def test_outside_git_paths_are_the_project_s(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "analytics"  # no .git above tmp_path
    shutil.copytree(repo / FOLDER, project, ignore=shutil.ignore_patterns("*.duckdb"))
    status, out, _ = check(["--format", "github"], project, capsys, monkeypatch)
    assert status == 1 and out.count("::error file=segments/broken.yaml,") == len(BROKEN)


def test_output_file_takes_the_diagnostics_and_the_summary_stays_on_stderr(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "check.sarif"
    args = ["--format", "sarif", "--output-file", str(target)]
    status, out, err = check(args, repo / FOLDER, capsys, monkeypatch)
    assert (status, out) == (1, "")
    assert err.strip() == f"{len(expected_places(repo))} errors"
    assert len(json.loads(target.read_text(encoding="utf-8"))["runs"][0]["results"]) == 3
    text_file = tmp_path / "check.txt"
    check(["--output-file", str(text_file)], repo / FOLDER, capsys, monkeypatch)
    assert "error[E201]: unknown field `contry`" in text_file.read_text(encoding="utf-8")


def test_output_file_is_refused_where_run_out_is(
    repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = repo / FOLDER / "warehouse.duckdb"
    before = warehouse.read_bytes()
    link = tmp_path / "link.sarif"
    link.symlink_to(tmp_path / "elsewhere")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for target, code in ((warehouse, "E418"), (link, "E421"), (fifo, "E421")):
        status, _, err = check(["--output-file", str(target)], repo / FOLDER, capsys, monkeypatch)
        assert (status, f"[{code}]" in err) == (2, True), err
    assert warehouse.read_bytes() == before
    assert not (tmp_path / "elsewhere").exists()


def test_check_paths_find_their_project_from_the_repository_root(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = f"{FOLDER}/segments/value.yaml"
    status, out, _ = check([clean], repo, capsys, monkeypatch)
    assert (status, out) == (0, f"ok: {_checked(repo)} segments and segmentations checked\n")
    status, _, err = check([clean, f"{FOLDER}/segments/broken.yaml"], repo, capsys, monkeypatch)
    assert status == 1 and err.count("error[E2") == 3
    status, _, err = check([clean, "docs/notes.yaml"], repo, capsys, monkeypatch)
    assert status == 2 and "error[E485]: `docs/notes.yaml` is in no project" in err
    status, _, err = check(["docs/notes.yaml"], repo, capsys, monkeypatch)
    assert status == 2 and "[E408]" in err


def _checked(repo: Path) -> int:
    """Segments and segmentations of the project, counted from its files."""
    count = 0
    for path in (repo / FOLDER / "segments").glob("*.yaml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        count += len(document.get("segments") or {}) + len(document.get("segmentations") or {})
    return count


def pre_commit(top: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(top.parent / "pre-commit-home")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=top, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def test_the_check_hook_as_declared_passes_a_clean_file_and_fails_a_broken_one(
    repo: Path,
) -> None:
    """The hook of .pre-commit-hooks.yaml as it stands, run by pre-commit in a local
    config with `language: system` (the segdsl under test, no environment to build)."""
    (hook,) = [h for h in _hooks() if h["id"] == "segdsl-check"]
    config = {"repos": [{"repo": "local", "hooks": [{**hook, "language": "system"}]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    _git(repo, "add", "-A")
    clean = pre_commit(repo, "run", "--files", f"{FOLDER}/segments/value.yaml")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    broken = pre_commit(repo, "run", "--files", f"{FOLDER}/segments/broken.yaml")
    assert broken.returncode == 1 and "error[E201]: unknown field `contry`" in broken.stdout


def _hooks() -> list[dict[str, Any]]:
    hooks: list[dict[str, Any]] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    return hooks


def test_the_hooks_pass_the_files_to_segdsl() -> None:
    by_id = {h["id"]: h for h in _hooks()}
    assert by_id["segdsl-check"]["entry"] == "segdsl check"
    assert by_id["segdsl-fmt"]["entry"] == "segdsl fmt"
    assert all(h["pass_filenames"] and h["language"] == "python" for h in by_id.values())
