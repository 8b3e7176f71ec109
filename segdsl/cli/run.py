"""`segdsl run`: run segments on the warehouse and print their sizes."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from segdsl.cli.options import (
    as_of_argument,
    load,
    no_optimize_argument,
    selected,
    selector_arguments,
    unrelated,
)
from segdsl.cli.output import print_diagnostics, say, tell
from segdsl.diagnostics import Diagnostic, SegdslError, columns, padded, shown

if TYPE_CHECKING:
    from segdsl.execute import Result
    from segdsl.project import Project

NAME = "run"
HELP = "run segments on the warehouse; print their sizes"


def arguments(run: argparse.ArgumentParser) -> None:
    selector_arguments(run)
    as_of_argument(run)
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
    no_optimize_argument(run)


def command(args: argparse.Namespace) -> int:
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
    project = load(args)
    if args.out:
        check_output(args.out, project.resolve_warehouse(args.warehouse).files())
    names = selected(project, args)
    result = project.run(names, args.as_of, args.warehouse, args.optimized)
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
        say(
            "  ".join(
                padded(c, w, right=c[:1].isdigit()) for c, w in zip(row, widths, strict=True)
            ).rstrip()
        )
        if i == 0:
            say("  ".join("-" * w for w in widths).rstrip())
    as_of = result.as_of.isoformat(sep=" ")
    if total is None:  # one segment's statement lists its members, and counts nobody else
        say(f"\nas of {as_of}; no share: the statement of one segment lists only its members")
    else:
        say(f"\n{total:,} customers, as of {as_of}")
    if args.out:
        result.write(args.out, args.table)
        where = f" (table {shown(args.table)})" if args.out.suffix.lower() == ".duckdb" else ""
        say(f"wrote {shown(str(args.out))}{where}")
    warn_of_keys(result, project)
    small = [s.name for s in sizes if s.too_small]
    if small:
        tell(f"{len(small)} segment(s) below min_size: {shown(', '.join(small))}")
    return unrelated(project, names)


def warn_of_keys(result: Result, project: Project) -> None:
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
    print_diagnostics(
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
