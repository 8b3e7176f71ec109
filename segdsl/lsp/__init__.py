"""The language server (`segdsl lsp`): the project's diagnostics as you type, completion,
hover and go to definition in segment, schema and project files, for any editor.

It drives the Python API (segdsl/project.py) with the editor's unsaved buffers in place
of the files on disk (answers.py) and speaks the Language Server Protocol over stdio
through pygls (server.py). pygls is the optional extra `lsp`: nothing else of segdsl
imports it, and `serve` says how to install it when it is missing (E447).
"""

from __future__ import annotations

from segdsl.diagnostics import Diagnostic, SegdslError


def serve() -> None:
    """Answer an editor on stdin and stdout until it says `exit`."""
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError as missing:
        raise SegdslError(
            [
                Diagnostic(
                    "E447",
                    f"`segdsl lsp` needs the Python package `{missing.name}`, not installed",
                    hint="pip install 'segdsl[lsp]'",
                )
            ]
        ) from None
    from segdsl.lsp.server import SERVER

    SERVER.start_io()
