"""`segdsl lsp`: the language server, for editors, over stdin and stdout."""

from __future__ import annotations

import argparse

from segdsl.cli.options import EXIT_CLEAN

NAME = "lsp"
HELP = "run the language server on stdin and stdout, for editors (needs the extra `lsp`)"


def arguments(lsp: argparse.ArgumentParser) -> None:
    """None: the editor starts it, and each file's project is the nearest segdsl.yaml above."""


def command(args: argparse.Namespace) -> int:
    from segdsl.lsp import serve

    serve()
    return EXIT_CLEAN
