"""`segdsl run`: run segments on the warehouse and print their sizes."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from segdsl.cli.options import (
    EXIT_ERRORS,
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
    from segdsl.execute import Listing, Result, Size
    from segdsl.project import Project

NAME = "run"
HELP = "run segments on the warehouse; print their sizes, measures and a sample; export members"


def arguments(run: argparse.ArgumentParser) -> None:
    selector_arguments(run)
    as_of_argument(run)
    run.add_argument(
        "--out",
        default=None,
        metavar="FILE",
        help="write one row per customer to FILE (.csv, .parquet, or a table of a .duckdb "
        "file); with --members-only, a FOLDER/ (ending in /, or an existing folder) gets one "
        ".csv per segment",
    )
    run.add_argument(
        "--table",
        default="members",
        metavar="NAME",
        help="the table --out FILE.duckdb writes (default: members)",
    )
    run.add_argument(
        "--members-only",
        action="store_true",
        help="--out writes only members: one segment's keys, or rows `segment,[bucket,]key`",
    )
    run.add_argument(
        "--with",
        dest="with_",
        action="append",
        default=[],
        metavar="NAMES",
        help="fields and traits (comma-separated) added as columns to --out and --sample",
    )
    run.add_argument(
        "--measure",
        action="append",
        default=[],
        metavar="NAME",
        help="the sum and average of a numeric field or trait per segment and bucket "
        "(repeatable, or comma-separated)",
    )
    run.add_argument(
        "--sample",
        type=_count,
        default=None,
        metavar="N",
        help="print N members of each segment and bucket, the same on every run",
    )
    run.add_argument("--format", choices=("text", "json"), default="text", help="the output")
    run.add_argument(
        "-q", "--quiet", action="store_true", help="print no sizes and no warnings, only errors"
    )
    run.add_argument(
        "--fail-on-min-size",
        action="store_true",
        help="exit 1 when a segment has fewer members than its min_size",
    )
    run.add_argument(
        "--warehouse",
        default=None,
        metavar="WAREHOUSE",
        help="a DuckDB file, a folder of Parquet/CSV files or a URL (postgresql://, "
        "mysql://, sqlite://, sc:// for Spark Connect) other than the project's",
    )
    no_optimize_argument(run)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"`{text}`: --sample takes 1 or more")
    return value


def _names(given: Sequence[str]) -> list[str]:
    """`--with a,b --with c` → a, b, c."""
    return [name.strip() for text in given for name in text.split(",") if name.strip()]


def command(args: argparse.Namespace) -> int:
    from segdsl.execute import OUT_SUFFIXES, check_output

    out = None if args.out is None else Path(args.out)
    slash = args.out is not None and args.out.endswith(("/", os.sep))
    # an existing folder is one only for --members-only: else it stays the E421 it was
    folder = out is not None and (slash or (args.members_only and out.is_dir()))
    with_, measures = _names(args.with_), _names(args.measure)
    _check_options(args, out, folder, with_)
    if out is not None and not folder and out.suffix.lower() not in OUT_SUFFIXES:
        raise SegdslError(
            [
                Diagnostic(
                    "E414",
                    f"cannot write `{out.name}`",
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
    place = project.resolve_warehouse(args.warehouse)
    if out is not None and folder:
        _check_folder(out, place.path)
    elif out is not None:
        check_output(out, place.files())
    names = selected(project, args)
    result = project.run(
        names, args.as_of, args.warehouse, args.optimized, measures=measures, with_=with_
    )
    sizes = result.sizes()
    written = _write(result, out, folder, args) if out is not None else []
    sample = result.sample(args.sample) if args.sample else None
    if args.format == "json":
        if not args.quiet:
            say(
                json.dumps(
                    _report(result, sizes, place.kind, project, sample, written),
                    indent=2,
                    default=str,
                )
            )
    else:
        if not args.quiet:
            _print_sizes(result, sizes)
        if sample is not None:
            if not args.quiet:
                say("")
            _print_table(sample.columns, [[_cell(v) for v in row] for row in sample.rows])
        if not args.quiet:
            for path in written:
                where = f" (table {shown(args.table)})" if path.suffix.lower() == ".duckdb" else ""
                say(f"wrote {shown(str(path))}{where}")
    if not args.quiet:
        warn_of_keys(result, project)
    small = [s.name for s in sizes if s.too_small]
    if small and args.fail_on_min_size:
        print_diagnostics(
            [
                Diagnostic(
                    "E483",
                    f"{len(small)} segment(s) below min_size: {', '.join(small)}",
                    hint="the sizes above show each one's members and min_size; "
                    "without --fail-on-min-size this is a note and the run exits 0",
                )
            ],
            "text",
        )
        unrelated(project, names)
        return EXIT_ERRORS
    if small and not args.quiet:
        tell(f"{len(small)} segment(s) below min_size: {shown(', '.join(small))}")
    return unrelated(project, names)


def _check_options(
    args: argparse.Namespace, out: Path | None, folder: bool, with_: Sequence[str]
) -> None:
    """E481: an option that means nothing without another."""
    wrong = []
    if args.members_only and out is None:
        wrong.append(("--members-only", "says what --out writes: give --out FILE too"))
    if folder and not args.members_only:
        wrong.append(
            ("--out FOLDER/", "writes one file of members per segment: add --members-only")
        )
    if with_ and out is None and args.sample is None:
        wrong.append(("--with", "adds columns to --out and --sample: give one of them"))
    if wrong:
        raise SegdslError(
            [
                Diagnostic("E481", f"`{option}` alone does nothing", hint=hint)
                for option, hint in wrong
            ]
        )


def _check_folder(folder: Path, warehouse: Path | None) -> None:
    """The folder --out DIR/ writes into exists and is not the warehouse's (a folder of
    Parquet and CSV files, to which a new file would add a table): E420, E418. Each file is
    checked as --out FILE is (E418, E421) before the first is written."""
    from segdsl.execute import same_file

    if not folder.is_dir():
        raise SegdslError(
            [
                Diagnostic(
                    "E420",
                    f"cannot write into `{folder}`: the folder does not exist",
                    hint="create the folder first; nothing was written",
                )
            ]
        )
    if warehouse is not None and same_file(folder, warehouse):
        raise SegdslError(
            [
                Diagnostic(
                    "E418",
                    f"`{folder}` is the warehouse, which segdsl never writes",
                    hint="name another folder for --out",
                )
            ]
        )


def _write(result: Result, out: Path, folder: bool, args: argparse.Namespace) -> list[Path]:
    if folder:
        return result.write_folder(out)
    if args.members_only:
        result.write_members(out, table=args.table)
    else:
        result.write(out, args.table)
    return [out]


def _report(
    result: Result,
    sizes: Sequence[Size],
    engine: str,
    project: Project,
    sample: Listing | None,
    written: Sequence[Path],
) -> dict[str, Any]:
    """What `--format json` prints (docs/cli.md#segdsl-run)."""
    revision = project.revision()
    report: dict[str, Any] = {
        "as_of": result.as_of.isoformat(),
        "revision": None
        if revision is None
        else {"commit": revision.commit, "dirty": revision.dirty},
        "engine": engine,
        "dialect": result.dialect,
        "customers": result.total(),
        "sizes": [size.data() for size in sizes],
    }
    if result.measured:
        report["measures"] = [dataclasses.asdict(m) for m in result.measures()]
    if sample is not None:
        report["sample"] = sample.dicts()
    if written:
        report["written"] = [str(path) for path in written]
    return report


def _print_sizes(result: Result, sizes: Sequence[Size]) -> None:
    measures = {(m.name, m.bucket, m.measure): m for m in result.measures()}
    header = ["segment", "bucket", "members", "share"]
    for name in result.measured:
        header += [f"{name} sum", f"{name} avg"]
    rows: list[list[str]] = [header + [""]]
    for size in sizes:
        flag = f"below min_size {size.min_size}" if size.too_small else ""
        share = "" if size.share is None else f"{100 * size.share:.1f}%"
        row = [shown(size.name), shown(size.bucket or ""), f"{size.members:,}", share]
        for name in result.measured:
            found = measures[(size.name, size.bucket, name)]
            row += [_number(found.sum), _number(found.average)]
        rows.append(row + [flag])
    unused = frozenset(i for i in (1, 3) if not any(r[i] for r in rows[1:]))  # no bucket, share
    _print_table(rows[0], [r for r in rows[1:]], unused)
    as_of = result.as_of.isoformat(sep=" ")
    total = result.total()
    if total is None:  # one segment's statement lists its members, and counts nobody else
        say(f"\nas of {as_of}; no share: the statement of one segment lists only its members")
    else:
        say(f"\n{total:,} customers, as of {as_of}")


def _print_table(
    header: Sequence[str], body: Sequence[Sequence[str]], dropped: frozenset[int] = frozenset()
) -> None:
    """Columns padded to their widest cell; numbers to the right."""
    rows = [[c for i, c in enumerate(r) if i not in dropped] for r in [list(header), *body]]
    widths = [max(columns(r[i]) for r in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        say(
            "  ".join(
                padded(c, w, right=i > 0 and _numeric(c)) for c, w in zip(row, widths, strict=True)
            ).rstrip()
        )
        if i == 0:
            say("  ".join("-" * w for w in widths).rstrip())


def _numeric(cell: str) -> bool:
    return cell[:1].isdigit() or (cell[:1] == "-" and cell[1:2].isdigit())


def _number(value: float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.2f}"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return shown(str(value))


def _json_value(value: object) -> object:
    """A member's value in JSON: a decimal as a number, a date or time in ISO form."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return str(value)


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
