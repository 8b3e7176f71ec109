"""The `segdsl` command. Nothing imports this module; it only calls the Python API.

argparse (stdlib) rather than a CLI framework keeps start-up short: `segdsl check`
runs in CI on every change, and its time is mostly process start.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from segdsl.diagnostics import (
    Diagnostic,
    SegdslError,
    SourceCache,
    columns,
    padded,
    render_github,
    render_json,
    render_text,
    shown,
)

if TYPE_CHECKING:
    from segdsl.execute import Result
    from segdsl.project import Project

EXIT_CLEAN, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class _StdoutLost(Exception):
    """stdout is closed or cannot take the output (a full disk, /dev/full)."""


def _say(text: str) -> None:
    """One line of the command's output, on stdout."""
    if sys.stdout is None:  # started with stdout closed (`segdsl check >&-`)
        raise _StdoutLost("stdout is closed")
    try:
        print(text)
    except BrokenPipeError:
        raise
    except OSError as error:
        raise _StdoutLost(error.strerror or str(error)) from None


def _tell(text: str) -> None:
    """One line for the person at the terminal, on stderr; lost if stderr is (the exit
    status still says what happened)."""
    try:
        print(text, file=sys.stderr)
        sys.stderr.flush()
    except (OSError, AttributeError):
        _silence(2)


def _silence(fd: int) -> None:
    """Points fd at /dev/null, so that Python's final flush of what is still buffered
    neither fails nor prints "Exception ignored"."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
    except OSError:
        pass


# A year from either end of Python's calendar, so that the times a rule measures from
# *as of* (next week's birthdays, the end of its day) stay inside it (docs/cli.md#exit-codes).
AS_OF_RANGE = (dt.datetime(2, 1, 1), dt.datetime(9998, 12, 31, 23, 59, 59, 999999))


def parse_as_of(text: str) -> dt.datetime:
    """`2025-12-31`, `2025-12-31T12:00[:00]`, with an optional offset or Z (made UTC)."""
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"`{text}` is not a date or timestamp (e.g. 2025-12-31 or 2025-12-31T12:00:00)"
        ) from None
    try:
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
    except OverflowError:  # 9999-12-31T23:00-05:00 is in year 10000 in UTC
        value = dt.datetime.max
    if not AS_OF_RANGE[0] <= value <= AS_OF_RANGE[1]:
        raise argparse.ArgumentTypeError(
            f"`{text}` is outside the years {AS_OF_RANGE[0].year} to {AS_OF_RANGE[1].year} "
            "(in UTC) that --as-of takes"
        )
    return value


def parse_seed(text: str) -> int:
    """A whole number that fits the warehouse's BIGINT, where the demo's generator keeps it."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a whole number") from None
    if not -(2**63) <= value < 2**63:
        raise argparse.ArgumentTypeError(f"`{text}` is beyond 64 bits (-2^63 to 2^63-1)")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="segdsl", description="Customer segments as plain rules: check, compile, run."
    )
    parser.add_argument(
        "--project",
        type=Path,
        default=None,
        metavar="DIR",
        help="the project folder (default: the current folder or above)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _check_arguments(commands.add_parser("check", help="parse and type-check the project's rules"))
    _compile_arguments(commands.add_parser("compile", help="print the SQL of segments"))
    _run_arguments(
        commands.add_parser("run", help="run segments on the warehouse; print their sizes")
    )
    _explain_arguments(
        commands.add_parser("explain", help="count a segment's clauses, or trace one customer")
    )
    _test_arguments(commands.add_parser("test", help="run the fixture tests of the rules"))
    _diff_arguments(
        commands.add_parser("diff", help="members a change of the rules adds and drops")
    )
    _overlap_arguments(commands.add_parser("overlap", help="members that segments share"))
    _demo_arguments(
        commands.add_parser("demo", help="write an example project with a generated warehouse")
    )
    return parser


def _check_arguments(check: argparse.ArgumentParser) -> None:
    check.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATHS",
        help="segment files or folders to report on (default: all)",
    )
    check.add_argument("--format", choices=["text", "json", "github"], default="text")
    check.add_argument(
        "--dialect",
        action="append",
        default=[],
        metavar="D",
        help="check the rules against dialect D too (repeatable; the project's always)",
    )


def _compile_arguments(compile_: argparse.ArgumentParser) -> None:
    compile_.add_argument("names", nargs="*", metavar="SEGMENT")
    compile_.add_argument(
        "--dialect", default=None, help="target SQL dialect (default: the project's)"
    )
    compile_.add_argument(
        "--as-of",
        type=parse_as_of,
        default=None,
        metavar="T",
        help="pin *as of* (default: the engine's current time)",
    )
    _no_optimize_argument(compile_)


def _run_arguments(run: argparse.ArgumentParser) -> None:
    run.add_argument("names", nargs="*", metavar="SEGMENT")
    run.add_argument(
        "--as-of",
        type=parse_as_of,
        default=None,
        metavar="T",
        help="measure relative times from T (default: the start of the run)",
    )
    run.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="FILE",
        help="write one row per customer to FILE (.csv, .parquet, or a table of a .duckdb file)",
    )
    run.add_argument(
        "--table",
        default="members",
        metavar="NAME",
        help="the table --out FILE.duckdb writes (default: members)",
    )
    run.add_argument(
        "--warehouse",
        default=None,
        metavar="WAREHOUSE",
        help="a DuckDB file, a folder of Parquet/CSV files or a URL (postgresql://, "
        "mysql://, sqlite://, sc:// for Spark Connect) other than the project's",
    )
    _no_optimize_argument(run)


def _explain_arguments(explain: argparse.ArgumentParser) -> None:
    explain.add_argument("segment", metavar="SEGMENT")
    explain.add_argument(
        "--customer", default=None, metavar="KEY", help="trace this customer through the rule"
    )
    explain.add_argument(
        "--as-of",
        type=parse_as_of,
        default=None,
        metavar="T",
        help="measure relative times from T (default: the start of the run)",
    )
    explain.add_argument("--warehouse", default=None, metavar="WAREHOUSE", help="as for `run`")
    explain.add_argument("--format", choices=["text", "json"], default="text")


def _test_arguments(test: argparse.ArgumentParser) -> None:
    test.add_argument("names", nargs="*", metavar="NAMES", help="tests to run (default: all)")
    test.add_argument("--format", choices=["text", "json", "github"], default="text")
    test.add_argument("--engine", choices=["duckdb", "reference"], default="duckdb")
    test.add_argument(
        "--init",
        default=None,
        metavar="SEGMENT",
        help="write tests/SEGMENT.yaml from a sample of the warehouse's members and others",
    )
    test.add_argument("--as-of", type=parse_as_of, default=None, metavar="T", help="for --init")
    test.add_argument("--warehouse", default=None, metavar="WAREHOUSE", help="for --init")


def _diff_arguments(diff: argparse.ArgumentParser) -> None:
    diff.add_argument("names", nargs="*", metavar="SEGMENT")
    diff.add_argument(
        "--base", default=None, metavar="REV", help="compare with the rules at git revision REV"
    )
    diff.add_argument(
        "--as-of",
        type=parse_as_of,
        default=None,
        metavar="T",
        help="measure relative times from T (default: the start of the run)",
    )
    diff.add_argument(
        "--vs-as-of",
        type=parse_as_of,
        default=None,
        metavar="T2",
        help="compare with the same rules as of T2",
    )
    diff.add_argument("--warehouse", default=None, metavar="WAREHOUSE", help="as for `run`")
    diff.add_argument("--format", choices=["text", "json", "markdown"], default="text")


def _overlap_arguments(overlap: argparse.ArgumentParser) -> None:
    overlap.add_argument("names", nargs="*", metavar="SEGMENT")
    overlap.add_argument(
        "--as-of",
        type=parse_as_of,
        default=None,
        metavar="T",
        help="measure relative times from T (default: the start of the run)",
    )
    overlap.add_argument("--warehouse", default=None, metavar="WAREHOUSE", help="as for `run`")
    overlap.add_argument("--format", choices=["text", "json"], default="text")
    overlap.add_argument(
        "--plot", type=Path, default=None, metavar="FILE.svg", help="draw the heatmap to FILE.svg"
    )


def _no_optimize_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--no-optimize",
        dest="optimized",
        action="store_false",
        help="no optimizer pass: the plain translation of the rules (docs/performance.md#passes)",
    )


def _demo_arguments(demo: argparse.ArgumentParser) -> None:
    demo.add_argument("directory", nargs="?", type=Path, default=Path("segdsl-demo"), metavar="DIR")
    demo.add_argument("--customers", type=int, default=10_000, metavar="N")
    demo.add_argument("--seed", type=parse_seed, default=42, metavar="S")


def main(argv: Sequence[str] | None = None) -> int:
    for fd, stream in ((1, sys.stdout), (2, sys.stderr)):
        if stream is None:  # closed: hold the number, or the next file opened would get it
            _silence(fd)
    for stream in (sys.stdout, sys.stderr):  # a lone surrogate from argv has no UTF-8
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    args = _parser().parse_args(argv)
    received: list[int] = []
    restore = _on_signals(received)
    try:
        status = _demo(args) if args.command == "demo" else int(_COMMANDS[args.command](args))
        _flush_stdout()
        return status
    except _StdoutLost as lost:
        _silence(1)
        _print_diagnostics(
            [
                Diagnostic(
                    "E445",
                    f"cannot write the output: {lost}",
                    hint="give segdsl a stdout that takes its output (a file, a pipe)",
                )
            ],
            "text",
        )
        return EXIT_ERRORS
    except SegdslError as error:
        if received:  # DuckDB's interrupt, reported by execute as the query's failure
            return _interrupted(received)
        _print_diagnostics(error.diagnostics, "text", _root(args))
        return EXIT_USAGE if any(d.code in _USAGE_CODES for d in error.diagnostics) else EXIT_ERRORS
    except KeyboardInterrupt:
        return _interrupted(received)
    except BrokenPipeError:  # `segdsl compile | head`: the reader has all it wanted
        _silence(1)
        return EXIT_CLEAN
    except Exception:
        if received:  # DuckDB turns the interrupt into its own error ("Query interrupted")
            return _interrupted(received)
        raise
    finally:
        restore()


def _flush_stdout() -> None:
    """Writes what print() buffered: a full disk shows here, not in print()."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as error:
        raise _StdoutLost(error.strerror or str(error)) from None


def _on_signals(received: list[int]) -> Callable[[], None]:
    """SIGINT and SIGTERM raise KeyboardInterrupt, so that every `finally` runs and a
    half-written file is removed; the signal is remembered for the exit status (128 + N)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # signal handlers belong to the main thread (tests call main)

    def interrupt(number: int, frame: object) -> None:
        received.append(number)
        if len(received) == 1:  # a second Ctrl-C must not break off the clean-up
            raise KeyboardInterrupt

    previous = {n: signal.signal(n, interrupt) for n in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for number, handler in previous.items():
            signal.signal(number, handler)

    return restore


def _interrupted(received: Sequence[int]) -> int:
    number = received[0] if received else signal.SIGINT
    _tell(f"interrupted ({signal.Signals(number).name})")
    return 128 + number


_USAGE_CODES = {
    "E408",
    "E502",
    "E414",
    "E416",
    "E417",
    "E418",
    "E421",
    "E422",
    "E446",
    "E461",
    "E457",
    "E465",
    "E468",
    "E469",
    "E470",
    "E472",
}


def _load(args: argparse.Namespace, extra: Sequence[Path] = ()) -> Project:
    from segdsl.project import load

    return load(args.project or Path.cwd())


def _check(args: argparse.Namespace) -> int:
    project = _load(args)
    diagnostics = project.check(args.dialect)
    if args.paths:
        missing = [str(p) for p in args.paths if not p.exists()]
        if missing:  # a usage error (2), where a path segdsl.yaml names is the project's (1)
            _print_diagnostics(
                [
                    Diagnostic(
                        "E401",
                        f"`{m}` does not exist",
                        hint="paths are relative to the current folder",
                    )
                    for m in missing
                ],
                "text",
            )
            return EXIT_USAGE
        wanted = [p.resolve() for p in args.paths]
        diagnostics = [
            d
            for d in diagnostics
            if d.location is None or any(_within(project.root / d.location.path, w) for w in wanted)
        ]
    _print_diagnostics(diagnostics, args.format, project.root)
    if args.format == "text":
        count = sum(d.severity == "error" for d in diagnostics)
        checked = len(project.segments) + len(project.segmentations)
        summary = (
            f"{count} error{'s' * (count != 1)}"
            if count
            else f"ok: {checked} segments and segmentations checked"
        )
        (_tell if count else _say)(summary)
    return EXIT_ERRORS if any(d.severity == "error" for d in diagnostics) else EXIT_CLEAN


def _within(path: Path, wanted: Path) -> bool:
    path = path.resolve()
    return path == wanted or wanted in path.parents


def _compile(args: argparse.Namespace) -> int:
    project = _load(args)
    sql = project.compile(args.names or None, args.dialect, args.as_of, optimized=args.optimized)
    _say(shown(sql, newlines=True) + ";" if _terminal() else sql + ";")
    return EXIT_CLEAN


def _run(args: argparse.Namespace) -> int:
    from segdsl.execute import OUT_SUFFIXES, check_output

    if args.out and args.out.suffix.lower() not in OUT_SUFFIXES:
        raise SegdslError(
            [
                Diagnostic(
                    "E414",
                    f"cannot write `{args.out.name}`",
                    hint="--out takes a .csv, .parquet or .duckdb file",
                )
            ]
        )
    empty = [
        option
        for option, value in (("--table", args.table), ("--warehouse", args.warehouse))
        if value is not None and not value.strip()
    ]
    if empty:
        raise SegdslError(
            [
                Diagnostic("E446", f"`{option}` is empty", hint=f"give {option} a value")
                for option in empty
            ]
        )
    project = _load(args)
    if args.out:
        check_output(args.out, project.resolve_warehouse(args.warehouse).files())
    result = project.run(args.names or None, args.as_of, args.warehouse, args.optimized)
    sizes = result.sizes()
    total = result.total()
    rows: list[tuple[str, ...]] = [("segment", "bucket", "members", "share", "")]
    for size in sizes:
        flag = f"below min_size {size.min_size}" if size.too_small else ""
        share = "" if size.share is None else f"{100 * size.share:.1f}%"
        bucket = shown(size.bucket or "")
        rows.append((shown(size.name), bucket, f"{size.members:,}", share, flag))
    unused = {i for i in (1, 3) if not any(r[i] for r in rows[1:])}  # no bucket, no share
    rows = [tuple(c for i, c in enumerate(r) if i not in unused) for r in rows]
    widths = [max(columns(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        _say(
            "  ".join(
                padded(c, w, right=c[:1].isdigit()) for c, w in zip(row, widths, strict=True)
            ).rstrip()
        )
        if i == 0:
            _say("  ".join("-" * w for w in widths).rstrip())
    as_of = result.as_of.isoformat(sep=" ")
    if total is None:  # one segment's statement lists its members, and counts nobody else
        _say(f"\nas of {as_of}; no share: the statement of one segment lists only its members")
    else:
        _say(f"\n{total:,} customers, as of {as_of}")
    if args.out:
        result.write(args.out, args.table)
        where = f" (table {shown(args.table)})" if args.out.suffix.lower() == ".duckdb" else ""
        _say(f"wrote {shown(str(args.out))}{where}")
    _warn_of_keys(result, project)
    small = [s.name for s in sizes if s.too_small]
    if small:
        _tell(f"{len(small)} segment(s) below min_size: {shown(', '.join(small))}")
    return EXIT_CLEAN


def _warn_of_keys(result: Result, project: Project) -> None:
    """E439, a warning: rows without a key or with a repeated one are counted as customers
    of their own, so the sizes above count them; the run still answers (exit 0)."""
    keys = result.key_check()
    if keys.clean:
        return
    environment = project.environment
    table = environment.entity.table if environment else "the customers' table"
    found = [
        f"{n:,} {'row' if n == 1 else 'rows'} {what}"
        for n, what in (
            (keys.missing, f"with no `{result.key}`"),
            (keys.repeated, f"repeating another row's `{result.key}`"),
        )
        if n
    ]
    among = "" if result.members_of is None else f" among the members of `{result.members_of}`"
    _print_diagnostics(
        [
            Diagnostic(
                "E439",
                f"`{table}` has {' and '.join(found)}{among}; the sizes "
                "count each such row as a customer",
                hint=f"make `{result.key}` unique and never missing in `{table}`, or point "
                "`key:` in schema.yaml at a column that is (docs/errors.md#e439)",
                severity="warning",
            )
        ],
        "text",
    )


def _explain(args: argparse.Namespace) -> int:
    from segdsl.review.explain import render

    project = _load(args)
    explanation = project.explain(args.segment, args.customer, args.as_of, args.warehouse)
    _say(render(explanation, args.format))
    return EXIT_CLEAN


def _test(args: argparse.Namespace) -> int:
    from segdsl.review.test_output import render

    project = _load(args)
    if args.init:
        from segdsl.review.test_init import write_starter

        path = write_starter(project, args.init, args.as_of, args.warehouse)
        _say(f"wrote {shown(str(path.relative_to(project.root)))}")
        return EXIT_CLEAN
    try:
        report = project.test(args.names or None, args.engine)
    except SegdslError as error:
        if args.format == "text":
            raise
        _print_diagnostics(error.diagnostics, args.format, project.root)
        return EXIT_USAGE if any(d.code in _USAGE_CODES for d in error.diagnostics) else EXIT_ERRORS
    _say(render(report, args.format))
    return EXIT_ERRORS if report.failed else EXIT_CLEAN


def _warehouse_given(args: argparse.Namespace) -> None:
    """`--warehouse ''` is E446, as for `run`: it would name an empty in-memory database."""
    if args.warehouse is not None and not args.warehouse.strip():
        raise SegdslError(
            [Diagnostic("E446", "`--warehouse` is empty", hint="give --warehouse a value")]
        )


def _diff(args: argparse.Namespace) -> int:
    from segdsl.review.diff_output import render

    _warehouse_given(args)
    project = _load(args)
    found = project.diff(args.names, args.base, args.as_of, args.vs_as_of, args.warehouse)
    _say(render(found, args.format, unchanged=bool(args.names)))
    return EXIT_CLEAN


def _overlap(args: argparse.Namespace) -> int:
    from segdsl.review.heatmap import check_plot, write_svg
    from segdsl.review.overlap import render

    _warehouse_given(args)
    project = _load(args)
    files = list(project.resolve_warehouse(args.warehouse).files()) if args.plot else []
    if args.plot:
        check_plot(args.plot, files)
    found = project.overlap(args.names, args.as_of, args.warehouse)
    _say(render(found, args.format))
    if args.plot:
        write_svg(found, args.plot, files)
        (_tell if args.format == "json" else _say)(f"wrote {shown(str(args.plot))}")
    return EXIT_CLEAN


def _demo(args: argparse.Namespace) -> int:
    from segdsl.demo import DemoRefused, write_demo

    try:
        summary = write_demo(args.directory, customers=args.customers, seed=args.seed)
    except DemoRefused as refused:
        hint = {
            "E416": "choose another folder",
            "E417": "e.g. --customers 10000 (docs/security.md#limits)",
            "E429": "choose a folder you can write to, with room for the warehouse",
        }[refused.code]
        raise SegdslError([Diagnostic(refused.code, str(refused), hint=hint)]) from None
    folder = shown(str(summary.directory))
    _say(f"wrote a demo project to {folder} ({summary.customers:,} customers)")
    _say(f"next: cd {folder} && segdsl run --as-of 2025-12-31T12:00:00")
    return EXIT_CLEAN


_COMMANDS = {
    "check": _check,
    "compile": _compile,
    "run": _run,
    "explain": _explain,
    "test": _test,
    "diff": _diff,
    "overlap": _overlap,
}


def _root(args: argparse.Namespace) -> Path:
    from segdsl.document.files import find_project

    start = (args.project or Path.cwd()).resolve()
    return find_project(start) or start


def _print_diagnostics(
    diagnostics: Sequence[Diagnostic], form: str, root: Path | None = None
) -> None:
    if form == "json":
        _say(render_json(diagnostics))
        return
    if form == "github":
        for d in diagnostics:
            _say(render_github(d))
        return
    sources = SourceCache(root)
    for d in diagnostics:
        _tell(render_text(d, sources) + "\n")


def _terminal() -> bool:
    """Whether stdout is a terminal, where SQL text shows its control characters escaped
    (docs/cli.md#control-characters); into a file or a pipe it goes as it is."""
    try:
        return sys.stdout is not None and sys.stdout.isatty()
    except (OSError, ValueError):
        return False


if __name__ == "__main__":
    sys.exit(main())
