"""`segdsl check`: parse and type-check the project's rules."""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from segdsl.cli.options import EXIT_CLEAN, EXIT_ERRORS, EXIT_USAGE, load
from segdsl.cli.output import colour_wanted, print_diagnostics, say, tell
from segdsl.diagnostics import (
    Diagnostic,
    SegdslError,
    SourceCache,
    rebased,
    render_github,
    render_json,
    render_sarif,
    render_text,
    shown,
)

if TYPE_CHECKING:
    from segdsl.project import Project

NAME = "check"
HELP = "parse and type-check the project's rules"


def arguments(check: argparse.ArgumentParser) -> None:
    check.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATHS",
        help="segment files or folders to report on (default: all); without --project, "
        "the project is the one that holds them",
    )
    check.add_argument("--format", choices=["text", "json", "github", "sarif"], default="text")
    check.add_argument(
        "--dialect",
        action="append",
        default=[],
        metavar="D",
        help="check the rules against dialect D too (repeatable; the project's always)",
    )
    check.add_argument(
        "--output-file",
        type=Path,
        default=None,
        metavar="FILE",
        help="write the diagnostics to FILE instead of stdout (the summary still on stderr)",
    )


def command(args: argparse.Namespace) -> int:
    if args.paths:
        missing = [str(p) for p in args.paths if not p.exists()]
        if missing:  # a usage error (2), where a path segdsl.yaml names is the project's (1)
            print_diagnostics(
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
        if args.project is None:  # kept in args, where main looks for the snippets' files
            args.project = _project_folder(args.paths[0]) or args.paths[0]
    project = load(args)
    if args.paths:
        _require_within(args.paths, project.root)
    diagnostics = project.check(args.dialect)
    if args.paths:
        wanted = [p.resolve() for p in args.paths]
        diagnostics = [
            d
            for d in diagnostics
            if d.location is None or any(_within(project.root / d.location.path, w) for w in wanted)
        ]
    coloured = args.format == "text" and not args.output_file and colour_wanted(sys.stderr)
    text = _formatted(diagnostics, args.format, project, coloured)
    if args.output_file:
        _write(args.output_file, text, project)
    elif text:
        (tell if args.format == "text" else say)(text.removesuffix("\n"))
    count = sum(d.severity == "error" for d in diagnostics)
    if args.format == "text" or args.output_file:
        checked = len(project.segments) + len(project.segmentations)
        summary = (
            f"{count} error{'s' * (count != 1)}"
            if count
            else f"ok: {checked} segments and segmentations checked"
        )
        (tell if count or args.output_file else say)(summary)
    return EXIT_ERRORS if count else EXIT_CLEAN


def _project_folder(path: Path) -> Path | None:
    """The folder of the project that holds `path`: the nearest segdsl.yaml above it."""
    from segdsl.document.files import find_project

    path = path.resolve()
    return find_project(path if path.is_dir() else path.parent)


def _require_within(paths: Sequence[Path], root: Path) -> None:
    """E485 for each of `paths` that another project holds, or none: its problems would
    be another check's, and a path that names nothing checked is a mistake."""
    outside = [(p, found) for p in paths if (found := _project_folder(p)) != root]
    if outside:
        raise SegdslError(
            [
                Diagnostic(
                    "E485",
                    f"`{shown(str(path))}` is in "
                    + (f"the project `{shown(str(found))}`" if found else "no project")
                    + f", not in the one checked, `{shown(str(root))}`",
                    hint="check one project at a time: give each `segdsl check` the paths "
                    "of one project (the first path's, or --project DIR's)",
                )
                for path, found in outside
            ]
        )


def _formatted(
    diagnostics: Sequence[Diagnostic], form: str, project: Project, colour: bool = False
) -> str:
    """The diagnostics as `form` writes them. GitHub's two formats name files from the top
    of the repository (docs/ci.md#paths); text and JSON from the project's folder; text in
    colour for a terminal (docs/cli.md#colour-and-progress)."""
    if form in ("github", "sarif"):
        folder = project.root.relative_to(project.repository).as_posix()
        placed = rebased(diagnostics, "" if folder == "." else folder)
        if form == "github":
            return "".join(render_github(d) + "\n" for d in placed)
        project_file = "segdsl.yaml" if folder == "." else f"{folder}/segdsl.yaml"
        version = importlib.metadata.version("segdsl")
        return render_sarif(placed, version, project_file) + "\n"
    if form == "json":
        return render_json(diagnostics) + "\n"
    sources = SourceCache(project.root)
    return "".join(render_text(d, sources, colour) + "\n\n" for d in diagnostics)


def _write(path: Path, text: str, project: Project) -> None:
    """`text` to `path`, refused as `run --out` is: never the warehouse, never a link, a
    folder or a FIFO (docs/security.md)."""
    from segdsl.execute.output import write_text

    try:
        warehouse = project.resolve_warehouse().files() if project.warehouse else ()
    except SegdslError:  # an unreadable `warehouse:` is no reason not to report the rules
        warehouse = ()
    write_text(path, text, warehouse)


def _within(path: Path, wanted: Path) -> bool:
    path = path.resolve()
    return path == wanted or wanted in path.parents
