"""`segdsl completion`: the scripts complete in the real shells (docs/cli.md#completion).

Bash runs in every CI; zsh and fish when they are installed (.ci/run installs them).
Each script is sourced in a fresh shell, a command line is completed, and the answers are
compared with what the parser and the project's files hold.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from segdsl.cli import main
from segdsl.demo import write_demo
from segdsl.emit.dialects import DIALECTS

BIN = Path(sys.executable).parent  # the `segdsl` script the scripts call


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("completion") / "demo"
    write_demo(root, customers=50, seed=3)
    return root


def _script(shell: str, capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["completion", shell]) == 0
    return capsys.readouterr().out


def _file_names(root: Path) -> set[str]:
    """The names in the demo's segment files, read as plain YAML."""
    names: set[str] = set()
    for path in (root / "segments").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        names |= set(data.get("segments") or {}) | set(data.get("segmentations") or {})
    return names


def _env() -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}


def _bash(script: str, words: list[str], cwd: Path) -> list[str]:
    """COMPREPLY for the command line `words`, the last word the one being completed."""
    line = " ".join(f"'{w}'" for w in words)
    program = f"{script}\nCOMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; _segdsl\n"
    program += 'printf "%s\\n" "${COMPREPLY[@]}"\n'
    done = subprocess.run(
        ["bash", "--norc", "-c", program],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return [w for w in done.stdout.splitlines() if w]


def test_bash_completes_commands_options_values_and_names(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = _script("bash", capsys)
    assert _bash(script, ["segdsl", "ru"], project) == ["run"]
    assert "overlap" in _bash(script, ["segdsl", ""], project)
    assert set(_bash(script, ["segdsl", "run", "--o"], project)) == {"--out"}
    assert _bash(script, ["segdsl", "check", "--format", "g"], project) == ["github"]
    assert set(_bash(script, ["segdsl", "compile", "--dialect", ""], project)) == set(DIALECTS)
    names = _file_names(project)
    assert set(_bash(script, ["segdsl", "run", ""], project)) == names
    assert set(_bash(script, ["segdsl", "run", "--exclude", ""], project)) == names
    assert set(_bash(script, ["segdsl", "explain", "ab"], project)) == {
        n for n in names if n.startswith("ab")
    }
    # from elsewhere, the names of the project --project names
    elsewhere = project.parent
    assert _bash(script, ["segdsl", "diff", "ab"], elsewhere) == []
    assert set(_bash(script, ["segdsl", "--project", str(project), "diff", ""], elsewhere)) == names


def test_every_command_and_option_of_the_parser_is_in_the_scripts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from segdsl.cli import COMMANDS, parser

    whole = parser()
    scripts = {shell: _script(shell, capsys) for shell in ("bash", "zsh", "fish")}
    for module in COMMANDS:
        sub = whole._subparsers._group_actions[0].choices[module.NAME]  # type: ignore[union-attr]
        for action in sub._actions:
            for flag in action.option_strings:
                assert flag in scripts["bash"], (module.NAME, flag)
                assert flag.lstrip("-") in scripts["fish"], (module.NAME, flag)
        assert f"    {module.NAME})" in scripts["zsh"]


def test_a_hostile_name_is_not_offered(tmp_path: Path, project: Path) -> None:
    """bash expands the words of `compgen -W`: a name that is no identifier is left out."""
    root = tmp_path / "p"
    shutil.copytree(project, root)
    with (root / "segments" / "value.yaml").open("a", encoding="utf-8") as f:
        f.write('\n  "x$(touch PWNED)":\n    where: age > 3\n')
    done = subprocess.run(
        [sys.executable, "-m", "segdsl.cli", "completion", "--names"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stderr == ""
    assert "$" not in done.stdout and set(done.stdout.split()) <= _file_names(project)
    assert not (root / "PWNED").exists()


def test_names_outside_a_project_are_none(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "segdsl.cli", "completion", "--names"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def _needs(shell: str) -> None:
    """Skipped where the shell is missing, but with CI set (as .ci/run sets it) a failure."""
    if shutil.which(shell) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{shell} is not installed (.ci/run installs it)")
        pytest.skip(f"{shell} is not installed")


def test_fish_completes(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _needs("fish")
    script = _script("fish", capsys)
    (project.parent / "segdsl.fish").write_text(script, encoding="utf-8")

    def complete(line: str) -> set[str]:
        program = f"source {project.parent / 'segdsl.fish'}; complete -C '{line}'"
        done = subprocess.run(
            ["fish", "--no-config", "-c", program],
            cwd=project,
            env=_env(),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return {w.split("\t")[0] for w in done.stdout.splitlines()}

    assert complete("segdsl ru") == {"run"}
    assert complete("segdsl check --format g") == {"github"}
    assert complete("segdsl compile --dialect postg") == {"postgres"}
    assert complete("segdsl run ab") == {n for n in _file_names(project) if n.startswith("ab")}


def test_zsh_loads_the_script_and_completes(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The script loads in a zsh without its start-up files (compinit, bashcompinit), and
    the function answers under the emulation bashcompinit runs it in; bashcompinit's
    compgen leaves the matching of the word typed so far to zsh, so every name comes back."""
    _needs("zsh")
    script = _script("zsh", capsys)
    program = (
        f"{script}\n(( $+functions[_segdsl] )) || exit 3\n"
        "emulate sh; COMP_WORDS=(segdsl run ab); COMP_CWORD=2; _segdsl\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run(
        ["zsh", "-f", "-c", program],
        cwd=project,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert set(done.stdout.split()) == _file_names(project)
