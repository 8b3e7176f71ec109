"""Regenerate every golden file from the code, to be reviewed as a diff.

Run from the repository root:

    .venv/bin/python -m tests.golden.update        # or: python tests/golden/update.py

It writes, and removes what no case produces any more:

- sql/<case>.<dialect>.sql   `compile([case], dialect, as_of=AS_OF)` of each case in cases.yaml
                             (over tests/cases/shops/semantics.yaml) and events.yaml
                             (over tests/cases/shops/behaviour.yaml);
                             a dialect that cannot express the case gets the error text
- results/<case>.txt         the case's members on DuckDB (`run([case], as_of=AS_OF)`)
- trees/<case>.txt           the case's rule after the optimizer, as its own statement
                             optimises it (`optimized([case])`, segdsl/check/outline.py),
                             and the statement shapes lowering may use: a change to a
                             pass shows here as a diff
- errors/<case>/expected.*   what `segdsl` prints for the project in errors/<case>/
- the examples in docs/errors.md between `<!-- golden: ... -->` and `<!-- /golden -->`
- segdsl/error_titles.json     each code's title in docs/errors.md, for SARIF's rules

tests/test_golden.py calls the same functions and compares their output with the
files, so a change of behaviour shows up as a failing test and then as a diff here.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

TESTS = Path(__file__).resolve().parent.parent
if str(TESTS) not in sys.path:  # `python tests/golden/update.py` and `-m tests.golden.update`
    sys.path.insert(0, str(TESTS))

from support import cases, shops

import segdsl
from segdsl import cli
from segdsl.check.outline import outline
from segdsl.diagnostics import SourceCache, render_text

REPO = TESTS.parent
GOLDEN = TESTS / "golden"
# each cases file and the shop (tests/cases/shops/) its cases run in; names are unique across them
SUITES = cases.GOLDEN_SUITES
AS_OF = cases.shop("semantics").as_of
ERRORS = GOLDEN / "errors"
DOCS_ERRORS = REPO / "docs" / "errors.md"
ERROR_TITLES = REPO / "segdsl" / "error_titles.json"
UPDATE_COMMAND = ".venv/bin/python -m tests.golden.update"

DIALECTS = ("duckdb", "postgres", "snowflake", "bigquery", "spark", "sqlite")
PLACEHOLDER = "<project>"  # stands for the temporary project folder in every output
ERROR_CASE_KEYS = {
    "about",
    "code",
    "known_bad",
    "base",
    "command",
    "formats",
    "without",
    "stdout_full",
    "big",
}
BASES = ("shop", "shop with warehouse", "empty")
FORMATS = ("text", "json", "github")
MAIN_THREAD_STACK = 8 * 1024 * 1024  # bytes; the usual `ulimit -s` of a Linux main thread
EXPECTED = re.compile(r"expected\.(txt|json|github|stdout|exit)")

Files = dict[Path, str]  # path relative to the repository root → content


# ---- SQL cases ---------------------------------------------------------------------------


load_cases = cases.golden_cases
segment_file = cases.golden_segment_file


def sql_case_files(shop_root: Path, name: str, case: dict[str, Any]) -> Files:
    """sql/<case>.<dialect>.sql for every dialect and results/<case>.txt, for one case."""
    (shop_root / "segments" / "golden.yaml").write_text(segment_file(name, case), encoding="utf-8")
    project = segdsl.load(shop_root)
    files: Files = {}
    as_of = None if case.get("unpinned") else AS_OF
    for dialect in DIALECTS:
        try:
            text = project.compile([name], dialect=dialect, as_of=as_of) + "\n"
        except segdsl.SegdslError as error:
            text = _as_sql_comment(_render(error.diagnostics, shop_root))
        except Exception as error:  # noqa: BLE001 - a crash is recorded; its fix shows as a diff
            text = _as_sql_comment(_uncaught(error))
        files[_golden(f"sql/{name}.{dialect}.sql")] = _anonymous(text, shop_root)
    files[_golden(f"results/{name}.txt")] = _anonymous(
        _members(project, name, shop_root), shop_root
    )
    files[_golden(f"trees/{name}.txt")] = _anonymous(_tree(project, name, shop_root), shop_root)
    return files


def _tree(project: segdsl.Project, name: str, shop_root: Path) -> str:
    """The optimised tree of the case's rule and the shapes its statement may take."""
    try:
        program = project.optimized([name], as_of=AS_OF)
    except segdsl.SegdslError as error:
        return _render(error.diagnostics, shop_root)
    node = program.segments.get(name) or program.segmentations[name]
    shapes = ", ".join(sorted(program.shapes)) or "(none)"
    return outline(node) + f"shapes: {shapes}\n"


def _members(project: segdsl.Project, name: str, shop_root: Path) -> str:
    """Member keys one a line; for a segmentation, `key: bucket` for every customer."""
    try:
        result = project.run([name], as_of=AS_OF)
    except segdsl.SegdslError as error:
        return _render(error.diagnostics, shop_root)
    except Exception as error:  # noqa: BLE001 - recorded like any other outcome
        return _uncaught(error)
    try:
        if name in project.segmentations:
            key = f'"{result.key}"'
            rows = result.relation.order(key).project(f'{key}, "{name}"').fetchall()
            return "".join(f"{k}: {'(missing)' if v is None else v}\n" for k, v in rows)
        return "".join(f"{key}\n" for key in result.members(name))
    finally:
        result.connection.close()


def sql_files(shop_root: Path, cases: dict[str, dict[str, Any]] | None = None) -> Files:
    files: Files = {}
    for name, case in (cases or load_cases()).items():
        files |= sql_case_files(shop_root, name, case)
    return files


@contextlib.contextmanager
def shop_project(suite: str = "cases.yaml") -> Iterator[Path]:
    """The shop project of a cases file (tests/cases/shops/) with its warehouse, in a
    temporary folder."""
    with tempfile.TemporaryDirectory(prefix="segdsl-golden-") as folder:
        yield shops.build(SUITES[suite], Path(folder).resolve())


# ---- error cases --------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorCase:
    """errors/<name>/: case.yaml, and the files it lays over the base project."""

    name: str
    folder: Path
    about: str
    code: str | None
    known_bad: str | None
    base: str
    command: tuple[str, ...]
    formats: tuple[str, ...]
    without: tuple[str, ...] = ()  # Python packages hidden from the run, as if not installed
    stdout_full: bool = False  # stdout fails every write, as /dev/full does
    big: tuple[tuple[str, int], ...] = ()  # (path, bytes): a file too large to keep in git

    def inputs(self) -> Iterator[Path]:
        for path in sorted(self.folder.rglob("*")):
            if path.is_file() and path.name != "case.yaml" and not EXPECTED.fullmatch(path.name):
                yield path


def error_cases() -> list[ErrorCase]:
    cases = []
    for folder in sorted(p for p in ERRORS.iterdir() if p.is_dir()):
        spec = yaml.safe_load((folder / "case.yaml").read_text(encoding="utf-8")) or {}
        unknown = set(spec) - ERROR_CASE_KEYS
        base = spec.get("base", "shop")
        formats = tuple(spec.get("formats", ["text"]))
        command = spec.get("command", ["check"])
        if (
            unknown
            or "about" not in spec
            or base not in BASES
            or not set(formats) <= set(FORMATS)
            or not all(isinstance(arg, str) for arg in command)
        ):
            raise ValueError(
                f"{folder / 'case.yaml'}: needs `about`, may have "
                f"{sorted(ERROR_CASE_KEYS)}; base is one of {BASES}, formats of "
                f"{FORMATS}, command a list of strings (quote timestamps) "
                f"(found {spec})"
            )
        cases.append(
            ErrorCase(
                folder.name,
                folder,
                spec["about"],
                spec.get("code"),
                spec.get("known_bad"),
                base,
                tuple(command),
                formats,
                tuple(spec.get("without", ())),
                bool(spec.get("stdout_full", False)),
                tuple((str(k), int(v)) for k, v in spec.get("big", {}).items()),
            )
        )
    return cases


def error_case_files(case: ErrorCase) -> Files:
    """expected.txt (stderr of the text format), .json/.github (stdout of those formats),
    .stdout (when a text run prints to stdout too) and .exit (the exit status)."""
    files: Files = {}
    with tempfile.TemporaryDirectory(prefix="segdsl-golden-") as folder:
        root = Path(folder).resolve()
        _lay_out(case, root)
        for form in case.formats:
            args = [a.replace("{project}", str(root)) for a in case.command]
            if form != "text":
                args += ["--format", form]
            with _hidden(case.without):
                status, stdout, stderr = run_cli(
                    ["--project", str(root), *args], full=case.stdout_full
                )
            out = case.folder / "expected"
            if form == "text":
                files[_relative(out.with_suffix(".txt"))] = _anonymous(stderr, root)
                files[_relative(out.with_suffix(".exit"))] = f"{status}\n"
                if stdout:
                    files[_relative(out.with_suffix(".stdout"))] = _anonymous(stdout, root)
            else:
                files[_relative(out.with_suffix("." + form))] = _anonymous(stdout, root)
    return files


@contextlib.contextmanager
def _hidden(modules: Sequence[str]) -> Iterator[None]:
    """`import M` raises ImportError meanwhile, for each of `modules`."""
    saved = {m: sys.modules.get(m) for m in modules}
    sys.modules.update(dict.fromkeys(modules))
    try:
        yield
    finally:
        for module, value in saved.items():
            if value is None:
                sys.modules.pop(module, None)
            else:
                sys.modules[module] = value


def _lay_out(case: ErrorCase, root: Path) -> None:
    shop = cases.shop("semantics")
    if case.base == "shop with warehouse":
        shops.build("semantics", root)
    elif case.base == "shop":
        (root / "segments").mkdir()
        (root / "segdsl.yaml").write_text(shop.project, encoding="utf-8")
        (root / "schema.yaml").write_text(shop.schema, encoding="utf-8")
    for path in case.inputs():
        target = root / path.relative_to(case.folder)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)  # bytes as they are: some cases hold invalid UTF-8
    for relative, size in case.big:  # one YAML comment line of `size` bytes
        (root / relative).write_bytes(b"#" + b"x" * (size - 2) + b"\n")


class _Full(io.StringIO):
    """A stdout on a full disk: every write fails as /dev/full's does."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def run_cli(args: Sequence[str], full: bool = False) -> tuple[int, str, str]:
    """`segdsl ARGS` in this process: (exit status, stdout, stderr).

    It runs on a fresh thread, so that its stack starts at the same depth whoever calls
    (pytest or the update command), and a case that exhausts the recursion limit fails
    at the same place every time; the thread gets the stack of a Linux main thread, as
    the real command has. An uncaught exception is recorded as Python would print it,
    without the frames, with the exit status 1 that Python gives it.
    """
    stdout, stderr = _Full() if full else io.StringIO(), io.StringIO()
    outcome: list[int] = []

    def call() -> None:
        try:
            outcome.append(cli.main(list(args)))
        except SystemExit as error:  # argparse usage errors
            outcome.append(error.code if isinstance(error.code, int) else 2)
        except BaseException as error:  # noqa: BLE001 - what Python would print, recorded
            stderr.write(_uncaught(error))
            outcome.append(1)

    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        previous = threading.stack_size(MAIN_THREAD_STACK)
        try:
            worker = threading.Thread(target=call)
            worker.start()
        finally:
            threading.stack_size(previous)
        worker.join()
    return outcome[0], stdout.getvalue(), stderr.getvalue()


def error_files(cases: Sequence[ErrorCase] | None = None) -> Files:
    files: Files = {}
    for case in cases if cases is not None else error_cases():
        files |= error_case_files(case)
    return files


# ---- docs/errors.md -----------------------------------------------------------------------

DOCS_BLOCK = re.compile(
    r"(<!-- golden: (?P<path>\S+) -->\n)(?P<body>.*?)(<!-- /golden -->)", re.DOTALL
)


def docs_with_examples(text: str, files: Files) -> str:
    """docs/errors.md with each `<!-- golden: errors/CASE/expected.EXT -->` block refreshed."""

    def block(match: re.Match[str]) -> str:
        path = _golden(match["path"])
        if path not in files:
            raise ValueError(f"docs/errors.md refers to {match['path']}, which no case writes")
        body = files[path]
        language = "json" if path.suffix == ".json" else "text"
        return f"{match[1]}```{language}\n{body.rstrip()}\n```\n{match[4]}"

    return DOCS_BLOCK.sub(block, text)


def error_titles(text: str) -> str:
    """segdsl/error_titles.json: `E201: "unknown field"` for each `### E201 unknown field`."""
    titles = dict(sorted(re.findall(r"^#+ (E\d{3}) (.+?)\s*$", text, re.MULTILINE)))
    return json.dumps(titles, indent=1, ensure_ascii=False) + "\n"


# ---- everything ---------------------------------------------------------------------------


def generate() -> Files:
    """Every golden file and docs/errors.md, as the code produces them now."""
    files: Files = {}
    for suite in SUITES:
        with shop_project(suite) as root:
            files |= sql_files(root, load_cases(suite))
    files |= error_files()
    if DOCS_ERRORS.exists():
        files[_relative(DOCS_ERRORS)] = docs_with_examples(
            DOCS_ERRORS.read_text(encoding="utf-8"), files
        )
        files[_relative(ERROR_TITLES)] = error_titles(files[_relative(DOCS_ERRORS)])
    return files


def existing_generated() -> set[Path]:
    """Files on disk that the update command owns (it removes those no case writes)."""
    owned = {
        *(GOLDEN / "sql").glob("*.sql"),
        *(GOLDEN / "results").glob("*.txt"),
        *(GOLDEN / "trees").glob("*.txt"),
        *(p for p in ERRORS.rglob("*") if EXPECTED.fullmatch(p.name)),
    }
    return {_relative(p) for p in owned}


def main() -> int:
    files = generate()
    changed = [p for p, text in files.items() if _read(REPO / p) != text]
    for path in changed:
        (REPO / path).parent.mkdir(parents=True, exist_ok=True)
        (REPO / path).write_bytes(files[path].encode("utf-8"))
    stale = sorted(existing_generated() - set(files))
    for path in stale:
        (REPO / path).unlink()
    for path in changed:
        print(f"wrote   {path}")
    for path in stale:
        print(f"removed {path}")
    print(f"{len(files)} golden files, {len(changed)} written, {len(stale)} removed")
    return 0


# ---- helpers ------------------------------------------------------------------------------


def _render(diagnostics: Sequence[segdsl.Diagnostic], root: Path) -> str:
    sources = SourceCache(root)
    return "".join(render_text(d, sources) + "\n" for d in diagnostics)


def _uncaught(error: BaseException) -> str:
    return f"Traceback (most recent call last):\n  ...\n{type(error).__name__}: {error}\n"


def _as_sql_comment(text: str) -> str:
    return "".join(f"-- {line}".rstrip() + "\n" for line in text.splitlines())


def _anonymous(text: str, root: Path) -> str:
    return text.replace(str(root), PLACEHOLDER)


def _golden(path: str) -> Path:
    return _relative(GOLDEN / path)


def _relative(path: Path) -> Path:
    return path.relative_to(REPO)


def _read(path: Path) -> str | None:
    """Exactly what is on disk (no newline translation), or None."""
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


if __name__ == "__main__":
    sys.exit(main())
