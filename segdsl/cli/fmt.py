"""`segdsl fmt`: every rule in its canonical spelling, the YAML around it as written."""

from __future__ import annotations

import argparse
import difflib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from segdsl.cli.options import EXIT_CLEAN, EXIT_ERRORS, exit_status, load
from segdsl.cli.output import print_diagnostics, say, tell
from segdsl.diagnostics import Diagnostic, SegdslError

if TYPE_CHECKING:
    from segdsl.project import Project
    from segdsl.syntax.formatting import Change

NAME = "fmt"
HELP = "write every rule in one canonical spelling, keeping the YAML's comments and layout"


def arguments(fmt: argparse.ArgumentParser) -> None:
    fmt.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATHS",
        help="segment files or folders (default: all the project's); each finds its "
        "project unless --project is given",
    )
    fmt.add_argument(
        "--check",
        action="store_true",
        help="write nothing; print the diff and exit 1 when a file is not formatted",
    )


def command(args: argparse.Namespace) -> int:
    status, changed, files = EXIT_CLEAN, 0, 0
    for project, paths in _projects(args):
        formatted = project.fmt(paths, check=args.check)
        for change in formatted.changes:
            if args.check:
                say(_diff(project.root, change))
            else:
                say(f"formatted {_shown(project.root, change.path)}")
        print_diagnostics(formatted.diagnostics, "text", project.root)
        if formatted.diagnostics:
            status = max(status, exit_status(list(formatted.diagnostics)))
        changed += len(formatted.changes)
        files += len(formatted.files)
    verb = "would be formatted" if args.check else "formatted"
    tell(f"{changed} of {files} segment file{'s' * (files != 1)} {verb}")
    if args.check and changed:
        status = max(status, EXIT_ERRORS)
    return status


def _projects(args: argparse.Namespace) -> list[tuple[Project, list[Path] | None]]:
    """Each project with the paths given in it: the project of --project or of the current
    folder when no path is given or with --project, else the nearest above each path
    (`segdsl fmt demo/segments/a.yaml` from a repository's root, as pre-commit runs it)."""
    from segdsl.document.files import find_project
    from segdsl.project import load as load_project

    if args.project is not None or not args.paths:
        return [(load(args), args.paths or None)]
    by_root: dict[Path, list[Path]] = {}
    for path in args.paths:
        start = path.resolve()
        root = find_project(start if start.is_dir() else start.parent)
        if root is None:
            raise SegdslError(
                [
                    Diagnostic(
                        "E408",
                        f"`{path}` is in no segdsl project: no segdsl.yaml in its folder or above",
                        hint="give segment files of a project, or --project DIR",
                    )
                ]
            )
        by_root.setdefault(root, []).append(path)
    return [(load_project(root), paths) for root, paths in by_root.items()]


def _shown(root: Path, name: str) -> str:
    """A file of the project as the person typing would name it: from the current folder."""
    return os.path.relpath(root / name)


def _diff(root: Path, change: Change) -> str:
    shown = _shown(root, change.path)
    lines = difflib.unified_diff(
        change.before.splitlines(keepends=True),
        change.after.splitlines(keepends=True),
        f"a/{shown}",
        f"b/{shown}",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines).rstrip("\n")
