"""The adversarial catalogue (tests/hostile/*.yaml, docs/testing.md#hostile-input): segment
files and the paths CI hands segdsl are hostile, and each case runs the real `segdsl`
command in a subprocess on a project of its own, then holds segdsl to what
docs/security.md promises.

For every case: the exit status and error code are the expected ones, nothing printed a
traceback, the command ended within TIMEOUT seconds, the warehouse's sha256 is unchanged,
no file of the project changed or appeared beyond the case's `creates` and `changes`, the
temporary folder is left as it was, no DuckDB extension was installed in $HOME, and the
command's peak resident memory stayed under MEMORY_MB (or the case's `memory`; a peak no
higher than the test process's own is the mark a forked child inherits: Outcome.inherited_mb).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import resource
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

from segdsl.demo import write_demo

REPO = Path(__file__).resolve().parent.parent
CATALOGUE = Path(__file__).with_name("hostile")
TIMEOUT = 20.0
MEMORY_MB = 2048  # peak resident memory of the command, unless the case says `memory`
SMALL, BIG = 200, 600_000  # customers of `base: demo` and `base: big demo`
CASE_KEYS = {
    "name",
    "about",
    "base",
    "files",
    "setup",
    "command",
    "signal",
    "exit",
    "code",
    "creates",
    "changes",
    "absent",
    "memory",
    "stdout",
    "not_printed",
}
SETUP_KINDS = {
    "hardlink",
    "symlink",
    "mkdir",
    "fifo",
    "write",
    "edit",
    "sqlite",
    "duckdb",
    "tmpfs",
    "read_only",
    "bind",
    "planted_lark_cache",
    "file_size_limit",
    "big",
    "copies",
    "socket",
    "git",
}
MOUNTS = {"tmpfs", "read_only", "bind"}  # set-ups that run the command inside `unshare -rm`


@dataclass(frozen=True)
class Case:
    section: str
    name: str
    about: str
    command: list[str]
    exit: int
    code: str | None
    base: str = "demo"
    files: dict[str, str] = field(default_factory=dict)
    setup: list[dict[str, Any]] = field(default_factory=list)
    signal: dict[str, Any] | None = None
    creates: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    memory: int = MEMORY_MB
    not_printed: list[str] = field(default_factory=list)  # e.g. "\x1b": shown escaped
    stdout: str = "pipe"  # or `closed` (`segdsl ... >&-`) or `full` (`> /dev/full`)


def load_catalogue() -> list[Case]:
    found = []
    for path in sorted(CATALOGUE.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for spec in document["cases"]:
            unknown = set(spec) - CASE_KEYS
            assert not unknown, f"{path.name}: {spec.get('name')}: unknown keys {unknown}"
            for step in spec.get("setup", []):
                kinds = set(step) & SETUP_KINDS
                assert len(kinds) == 1, f"{path.name}: {spec['name']}: set-up {step}"
            found.append(
                Case(
                    section=path.stem,
                    **{k: [str(a) for a in v] if k == "command" else v for k, v in spec.items()},
                )
            )
    names = [c.name for c in found]
    assert len(names) == len(set(names)), "case names must be unique"
    return found


CASES = load_catalogue()


@cache
def unshare_works() -> bool:
    try:
        return subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0
    except OSError:
        return False


@pytest.fixture(scope="module")
def demos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`base: demo` and `base: big demo`, generated once, copied for every case."""
    made: dict[str, Path] = {}
    if any(c.base == "demo" for c in CASES):
        made["demo"] = write_demo(tmp_path_factory.mktemp("demo") / "p", SMALL).directory
    if any(c.base == "big demo" for c in CASES):
        made["big demo"] = write_demo(tmp_path_factory.mktemp("big") / "p", BIG).directory
    return made


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(root: Path) -> dict[str, str]:
    """Every entry under root: a regular file's sha256, or the kind of anything else."""
    entries = {}
    for path in sorted(root.rglob("*")):
        name = str(path.relative_to(root))
        if path.is_symlink():
            entries[name] = f"symlink to {os.readlink(path)}"
        elif path.is_file():
            entries[name] = sha256(path)
        else:
            entries[name] = "folder" if path.is_dir() else "special"
    return entries


def plant_lark_cache(tmp: Path, marker: Path) -> None:
    """What lark's `cache=True` (segdsl's parser before docs/security.md) would read back
    from the temporary folder: its file, made to run code when unpickled."""
    grammar = (REPO / "segdsl/syntax/segdsl.lark").read_text(encoding="utf-8")
    build = textwrap.dedent(
        f"""
        from lark import Lark
        Lark({grammar!r}, parser="lalr", lexer="contextual", propagate_positions=True,
             maybe_placeholders=True, cache=True)
        """
    )
    subprocess.run(
        [sys.executable, "-c", build], env={**os.environ, "TMPDIR": str(tmp)}, check=True
    )
    planted = list(tmp.glob(".lark_cache_*"))
    assert planted, "lark wrote no cache file to plant"
    payload = pickle.dumps(_Touch(str(marker)))
    for path in planted:
        header = path.read_bytes().split(b"\n", 1)[0]
        path.write_bytes(header + b"\n" + payload)


class _Touch:
    """Unpickled, it creates a file: the proof that code ran."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, tuple[str, str]]:
        return (open, (self.path, "w"))


def set_up(case: Case, root: Path, tmp: Path) -> tuple[list[str], int | None]:
    """Lays out the case; returns the shell commands to run inside `unshare -rm` before
    segdsl (mounts), and the file-size limit, if any."""
    mounts: list[str] = []
    size_limit = None
    for relative, text in case.files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    for step in case.setup:
        ((kind, target),) = [(k, v) for k, v in step.items() if k in SETUP_KINDS]
        path = root / str(target)
        if kind == "hardlink":
            os.link(root / step["to"], path)
        elif kind == "symlink":
            os.symlink(step["to"], path)
        elif kind == "mkdir":
            path.mkdir(parents=True)
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "big":  # a YAML file of `bytes` bytes: one comment line
            path.write_bytes(b"#" + b"x" * (int(step["bytes"]) - 2) + b"\n")
        elif kind == "copies":  # `count` copies of `text`, named <target>/<i>.yaml
            path.mkdir(parents=True, exist_ok=True)
            for i in range(int(step["count"])):
                (path / f"{i}.yaml").write_text(step["text"].replace("{i}", str(i)))
        elif kind == "socket":
            import socket

            listener, here = socket.socket(socket.AF_UNIX), os.getcwd()
            os.chdir(path.parent)  # a socket's path is at most 107 bytes: bind a short one
            try:
                listener.bind(path.name)
            finally:
                os.chdir(here)
                listener.close()
        elif kind == "write":
            path.write_text(step["text"], encoding="utf-8")
        elif kind == "edit":
            text = path.read_text(encoding="utf-8")
            assert step["old"] in text, f"{case.name}: `{step['old']}` is not in {target}"
            path.write_text(text.replace(step["old"], step["new"]), encoding="utf-8")
        elif kind == "sqlite":
            with sqlite3.connect(path) as lite:
                lite.execute("CREATE TABLE customers (customer_id INTEGER)")
        elif kind == "duckdb":
            with duckdb.connect(str(path)) as connection:
                for statement in step["sql"]:
                    connection.execute(statement.replace("{root}", str(root)))
        elif kind == "tmpfs":
            path.mkdir(parents=True, exist_ok=True)
            mounts.append(f"mount -t tmpfs -o size={step['size']} tmpfs {shlex.quote(str(path))}")
        elif kind == "read_only":
            path.mkdir(parents=True, exist_ok=True)
            quoted = shlex.quote(str(path))
            mounts.append(f"mount --bind {quoted} {quoted} && mount -o remount,bind,ro {quoted}")
        elif kind == "bind":
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
            source = shlex.quote(str(root / step["to"]))
            mounts.append(f"mount --bind {source} {shlex.quote(str(path))}")
        elif kind == "planted_lark_cache":
            plant_lark_cache(tmp, root / target)
        elif kind == "file_size_limit":
            size_limit = int(target)
        elif kind == "git":  # commit the project as it is now, message `target`
            commit_project(root, str(target))
    return mounts, size_limit


def commit_project(root: Path, message: str) -> None:
    """`git init` (once) and a commit of everything in the project but its warehouse."""
    identity = ["-c", "user.name=hostile", "-c", "user.email=hostile@example.invalid"]
    if not (root / ".git").exists():
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        (root / ".git" / "info" / "exclude").write_text("warehouse.duckdb\n")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", *identity, "commit", "-q", "-m", message], cwd=root, check=True)


@dataclass
class Outcome:
    """What one case's command did, and what it left: judged by `test_hostile`."""

    returncode: int | None  # None: still running at TIMEOUT, then killed
    stdout: str
    stderr: str
    elapsed: float
    peak_mb: float
    warehouse_before: str | None
    warehouse_after: str | None
    before: dict[str, str]
    after: dict[str, str]
    tmp_before: dict[str, str]
    tmp_after: dict[str, str]
    root: Path
    home: Path
    # this test process's own peak before the command started: a forked child's ru_maxrss
    # starts from its parent's resident pages (Linux keeps the high-water mark across exec)
    inherited_mb: float = 0.0


def run_case(case: Case, demos: dict[str, Path], folder: Path) -> Outcome:
    """Lays the case out in `folder`, runs its command, and records what happened."""
    root, home, tmp = folder / "project", folder / "home", folder / "tmp"
    home.mkdir(parents=True)
    tmp.mkdir()
    if case.base == "empty":
        root.mkdir()
    else:
        shutil.copytree(demos[case.base], root)
    mounts, size_limit = set_up(case, root, tmp)
    warehouse = root / "warehouse.duckdb"
    warehouse_before = sha256(warehouse) if warehouse.exists() else None
    before, tmp_before = snapshot(root), snapshot(tmp)

    command = [sys.executable, "-m", "segdsl.cli", *case.command]
    if mounts:
        script = " && ".join([*mounts, 'exec "$@"'])
        command = ["unshare", "-rm", "sh", "-c", script, "sh", *command]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "PYTHONPATH": str(REPO),
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "LANG": "C.UTF-8",
    }

    def limits() -> None:
        if case.stdout == "closed":
            os.close(1)
        elif case.stdout == "full":
            os.dup2(os.open("/dev/full", os.O_WRONLY), 1)
        if size_limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails
            resource.setrlimit(resource.RLIMIT_FSIZE, (size_limit, size_limit))

    inherited_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limits,
    )
    if case.signal:
        time.sleep(float(case.signal["after"]))
        assert process.poll() is None, (
            f"segdsl ended before {case.signal['send']} was sent: make the warehouse bigger"
        )
        process.send_signal(signal.Signals[case.signal["send"]])
    output = read_pipes(process)
    peak_mb = wait_with_usage(process, started + TIMEOUT)
    if peak_mb is None:
        process.kill()
        process.wait()
    stdout, stderr = output()
    return Outcome(
        None if peak_mb is None else process.returncode,
        stdout,
        stderr,
        time.monotonic() - started,
        peak_mb or 0.0,
        warehouse_before,
        sha256(warehouse) if warehouse_before is not None else None,
        before,
        snapshot(root),
        tmp_before,
        snapshot(tmp),
        root,
        home,
        inherited_mb,
    )


def _needs_unshare(case: Case) -> bool:
    return any(set(step) & MOUNTS for step in case.setup)


def _alone(case: Case) -> bool:
    """Cases run in their own test, not in the background: a signal sent after a delay and
    the largest inputs (`linear`), whose time bounds hold on a machine doing nothing else,
    and a socket's set-up, which changes the process's folder for a moment."""
    return (
        bool(case.signal)
        or case.section == "linear"
        or any("socket" in step for step in case.setup)
    )


@pytest.fixture(scope="module")
def outcomes(
    request: pytest.FixtureRequest,
    demos: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, Future[Outcome]]]:
    """The cases this session selected run in the background, two at a time (each is a
    fresh `python -m segdsl.cli`, mostly its start-up, and the machine has two cores), in
    the catalogue's order; the test of a case waits for its own outcome and judges it."""
    selected = {
        item.callspec.id
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_hostile" and hasattr(item, "callspec")
    }
    unshare = unshare_works()
    pool = ThreadPoolExecutor(max_workers=2)
    futures = {
        f"{case.section}/{case.name}": pool.submit(
            run_case, case, demos, tmp_path_factory.mktemp("hostile")
        )
        for case in CASES
        if f"{case.section}/{case.name}" in selected
        and not _alone(case)
        and (unshare or not _needs_unshare(case))
    }
    yield futures
    pool.shutdown(cancel_futures=True)


@pytest.mark.parametrize("case", CASES, ids=[f"{c.section}/{c.name}" for c in CASES])
def test_hostile(
    case: Case, outcomes: dict[str, Future[Outcome]], demos: dict[str, Path], tmp_path: Path
) -> None:
    if _needs_unshare(case) and not unshare_works():
        pytest.skip("needs `unshare -rm` (user and mount namespaces) for its mounts")
    ran = outcomes.get(f"{case.section}/{case.name}")
    if ran is None:  # alone: after the background cases, on a quiet machine
        wait(list(outcomes.values()))
    outcome = ran.result() if ran is not None else run_case(case, demos, tmp_path)
    stdout, stderr, peak_mb = outcome.stdout, outcome.stderr, outcome.peak_mb
    if outcome.returncode is None:
        pytest.fail(f"segdsl took longer than {TIMEOUT} s")
    shown = (
        f"exit {outcome.returncode} after {outcome.elapsed:.1f} s, peak {peak_mb:.0f} MB\n"
        f"--- stdout\n{stdout}\n--- stderr\n{stderr}"
    )

    assert "Traceback" not in stderr + stdout, shown
    assert outcome.returncode == case.exit, shown
    if case.code:
        assert f"[{case.code}]" in stderr, shown
    else:
        assert "error[" not in stderr, shown
    assert outcome.warehouse_after == outcome.warehouse_before, "the warehouse changed"
    before, after = outcome.before, outcome.after
    appeared = set(after) - set(before) - set(case.creates)
    assert not appeared, f"left behind: {sorted(appeared)}\n{shown}"
    changed = {
        name
        for name in set(before) & set(after)
        if before[name] != after[name] and name not in case.changes
    }
    assert not changed, f"changed: {sorted(changed)}\n{shown}"
    for name in case.absent:
        assert not (outcome.root / name).exists(), f"{name} exists: foreign code ran\n{shown}"
    assert outcome.tmp_after == outcome.tmp_before, (
        f"the temporary folder changed: {sorted(outcome.tmp_after)}"
    )
    assert not (outcome.home / ".duckdb").exists(), "DuckDB installed something in $HOME"
    for text in case.not_printed:
        assert text not in stdout + stderr, f"{text!r} was printed as it is\n{shown}"
    # a peak no higher than this process's own is the inherited mark, not segdsl's: the
    # command's own use is bounded then by that, and beyond it by the case's bound
    assert peak_mb < case.memory or peak_mb <= outcome.inherited_mb, (
        f"peak memory {peak_mb:.0f} MB, bound {case.memory} MB "
        f"(the test process's own peak: {outcome.inherited_mb:.0f} MB)\n{shown}"
    )


def read_pipes(process: subprocess.Popen[str]) -> Callable[[], tuple[str, str]]:
    """Reads stdout and stderr in threads (a full pipe would block the command); the
    returned function waits for both ends and gives their texts."""
    texts: dict[str, str] = {}

    def drain(name: str, pipe: Any) -> None:
        texts[name] = pipe.read()
        pipe.close()

    threads = [
        threading.Thread(target=drain, args=(name, pipe), daemon=True)
        for name, pipe in (("stdout", process.stdout), ("stderr", process.stderr))
    ]
    for thread in threads:
        thread.start()

    def output() -> tuple[str, str]:
        for thread in threads:
            thread.join()
        return texts["stdout"], texts["stderr"]

    return output


def wait_with_usage(process: subprocess.Popen[str], deadline: float) -> float | None:
    """Reaps the command with wait4, for its rusage: its peak resident memory in MB (Linux
    counts ru_maxrss in KiB, across exec, so `unshare` and `sh` before segdsl count too);
    None if it is still running at the deadline. Popen's own returncode is set from it."""
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return usage.ru_maxrss / 1024
        if time.monotonic() > deadline:
            return None
        time.sleep(0.02)


def test_shipped_parser_tables_are_current() -> None:
    """segdsl/syntax/segdsl.lark.json was built from the grammar and lark of now; when the
    grammar changes, the parser still works (it builds the tables itself, slower) and this
    fails until `python -m segdsl.syntax.parser` is run. (The text itself differs from
    build to build: lark numbers its LALR states in set order.)"""
    import lark

    from segdsl.syntax import tables

    shipped = tables.shipped()
    assert shipped is not None, "segdsl/syntax/segdsl.lark.json is missing"
    assert tables.decode(shipped, tables.grammar_text(), lark.__version__) is not None, (
        "segdsl/syntax/segdsl.lark.json is stale: run `python -m segdsl.syntax.parser`"
    )


def test_the_loaded_parser_parses_like_the_built_one() -> None:
    """Every rule of the semantic and behaviour cases gives the same tree (or the same
    error) from the shipped tables as from the grammar, and neither uses lark's cache."""
    from lark.exceptions import UnexpectedInput

    from segdsl.syntax import parser, tables

    loaded = parser._parser()
    built = parser._build(tables.grammar_text())
    assert not loaded.options.cache and not built.options.cache
    rules = [
        case["rule"]
        for path in sorted((REPO / "tests/cases").rglob("*.yaml"))
        for case in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("cases", [])
        if isinstance(case, dict) and "rule" in case
    ]
    assert len(rules) > 100

    def outcome(which: Any, rule: str) -> Any:
        try:
            return which.parse(rule)
        except UnexpectedInput as error:
            return (type(error).__name__, error.pos_in_stream)

    for rule in rules:
        assert outcome(loaded, rule) == outcome(built, rule), rule
