"""`segdsl schema`: the JSON Schema of a segdsl file, for editors (docs/editors.md)."""

from __future__ import annotations

import argparse

from segdsl.cli.options import EXIT_CLEAN, load
from segdsl.cli.output import say
from segdsl.diagnostics import SegdslError, json_text

NAME = "schema"
HELP = "print the JSON Schema of segdsl.yaml, schema, segment or test files, for editors"
KINDS = ("segdsl", "schema", "segments", "tests")


def arguments(schema: argparse.ArgumentParser) -> None:
    schema.add_argument(
        "kind",
        choices=KINDS,
        help="the file: segdsl.yaml, the schema file, segment files or test files "
        "(segments: with the names of the project found, if any)",
    )


def command(args: argparse.Namespace) -> int:
    from segdsl.project import schema_json

    project = None
    if args.kind == "segments":
        try:
            project = load(args)
        except SegdslError:  # outside a project (E408): the schema without its names
            if args.project is not None:
                raise
    say(json_text(schema_json(args.kind, project)))
    return EXIT_CLEAN
