"""The Language Server Protocol over stdio, with pygls: the editor's events → answers.py.

On every open, change, save and close of a file, the project holding it (the nearest
segdsl.yaml above) is loaded and checked with all of the editor's open buffers of that
project in place of their files, and each open file of it gets its diagnostics: a change
to schema.yaml shows at once in the segment files that use it. The checked project is
kept until the next change, for completion, hover and go to definition.

segdsl places things by lines and columns of characters; the protocol counts columns in
the client's units (UTF-16 unless it asks for another), which pygls's documents convert.
"""

from __future__ import annotations

import os
from importlib.metadata import version
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import ServerTextPosition, ServerTextRange

from segdsl.diagnostics import Diagnostic, Location, SegdslError
from segdsl.document.files import find_project
from segdsl.lsp.answers import Edited

_KINDS = {
    "field": types.CompletionItemKind.Field,
    "trait": types.CompletionItemKind.Variable,
    "event": types.CompletionItemKind.Event,
    "property": types.CompletionItemKind.Property,
    "set": types.CompletionItemKind.Enum,
    "segment": types.CompletionItemKind.Reference,
    "segmentation": types.CompletionItemKind.Class,
    "function": types.CompletionItemKind.Function,
    "keyword": types.CompletionItemKind.Keyword,
}


class SegdslServer(LanguageServer):
    """The server, with the last checked state of each project the editor has open."""

    def __init__(self) -> None:
        super().__init__("segdsl", version("segdsl"))
        self.edited: dict[Path, Edited] = {}

    def refresh(self, uri: str, closed: bool = False) -> None:
        """Check the project of `uri` again and publish the diagnostics of its open files
        (`uri`'s own cleared when it was `closed`)."""
        root = _root(uri)
        if closed:
            self.publish(uri, [])
        if root is None:
            if not closed:
                self.publish(uri, [])
            return
        opened = self._open_files(root, None if not closed else uri)
        try:
            edited = self.edited[root] = Edited(root, {p: d.source for p, d in opened.items()})
        except SegdslError as error:
            self.edited.pop(root, None)
            if not closed:
                self.publish(uri, error.diagnostics)
            return
        for path, document in opened.items():
            self.publish(document.uri, edited.diagnostics_of(path))

    def publish(self, uri: str, diagnostics: list[Diagnostic]) -> None:
        document = self.workspace.get_text_document(uri)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri,
                diagnostics=[_diagnostic(document, d) for d in diagnostics],
                version=document.version,
            )
        )

    def answering(self, uri: str) -> tuple[Edited, str, TextDocument] | None:
        """The checked project of `uri`, the file's path in it and its document."""
        root = _root(uri)
        if root is None:
            return None
        if root not in self.edited:
            self.refresh(uri)
        edited = self.edited.get(root)
        if edited is None:
            return None
        return edited, _relative(root, uri), self.workspace.get_text_document(uri)

    def _open_files(self, root: Path, leaving: str | None) -> dict[str, TextDocument]:
        """The editor's open files inside `root`, by their path from it."""
        found = {}
        for uri, document in self.workspace.text_documents.items():
            if uri != leaving and _root(uri) == root:
                found[_relative(root, uri)] = document
        return found


SERVER = SegdslServer()


@SERVER.feature(types.TEXT_DOCUMENT_DID_OPEN)
def _opened(server: SegdslServer, params: types.DidOpenTextDocumentParams) -> None:
    server.refresh(params.text_document.uri)


@SERVER.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def _changed(server: SegdslServer, params: types.DidChangeTextDocumentParams) -> None:
    server.refresh(params.text_document.uri)


@SERVER.feature(types.TEXT_DOCUMENT_DID_SAVE)
def _saved(server: SegdslServer, params: types.DidSaveTextDocumentParams) -> None:
    server.refresh(params.text_document.uri)


@SERVER.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def _closed(server: SegdslServer, params: types.DidCloseTextDocumentParams) -> None:
    server.refresh(params.text_document.uri, closed=True)


@SERVER.feature(types.TEXT_DOCUMENT_COMPLETION)
def _complete(server: SegdslServer, params: types.CompletionParams) -> types.CompletionList:
    found = server.answering(params.text_document.uri)
    if found is None:
        return types.CompletionList(is_incomplete=False, items=[])
    edited, path, document = found
    offset = document.offset_at_position(params.position)
    items = [
        types.CompletionItem(label=c.label, kind=_KINDS[c.kind], detail=c.detail)
        for c in edited.completions(path, offset)
    ]
    return types.CompletionList(is_incomplete=False, items=items)


@SERVER.feature(types.TEXT_DOCUMENT_HOVER)
def _hover(server: SegdslServer, params: types.HoverParams) -> types.Hover | None:
    found = server.answering(params.text_document.uri)
    if found is None:
        return None
    edited, path, document = found
    hover = edited.hover(path, document.offset_at_position(params.position))
    if hover is None:
        return None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=hover.markdown),
        range=types.Range(
            document.client_position_at_offset(hover.start),
            document.client_position_at_offset(hover.end),
        ),
    )


@SERVER.feature(types.TEXT_DOCUMENT_DEFINITION)
def _definition(server: SegdslServer, params: types.DefinitionParams) -> types.Location | None:
    found = server.answering(params.text_document.uri)
    if found is None:
        return None
    edited, path, document = found
    place = edited.definition(path, document.offset_at_position(params.position))
    if place is None:
        return None
    uri = from_fs_path(str(edited.root / place.path))
    if uri is None:
        return None
    return types.Location(uri, _range(server.workspace.get_text_document(uri), place))


def _diagnostic(document: TextDocument, diagnostic: Diagnostic) -> types.Diagnostic:
    hint = f"\n= help: {diagnostic.hint}" if diagnostic.hint else ""
    severity = (
        types.DiagnosticSeverity.Error
        if diagnostic.severity == "error"
        else types.DiagnosticSeverity.Warning
    )
    return types.Diagnostic(
        range=_range(document, diagnostic.location),
        message=diagnostic.message + hint,
        severity=severity,
        code=diagnostic.code,
        source="segdsl",
    )


def _range(document: TextDocument, location: Location | None) -> types.Range:
    """A segdsl location (1-based lines, columns of characters) in the client's units;
    a diagnostic placed in no file stands at the start of segdsl.yaml."""
    if location is None:
        return types.Range(types.Position(0, 0), types.Position(0, 0))
    start = ServerTextPosition(location.line - 1, location.column - 1)
    end = ServerTextPosition(location.end_line - 1, location.end_column - 1)
    return document.range_to_client_units(ServerTextRange(start, end))


def _root(uri: str) -> Path | None:
    """The project folder holding the file `uri`, None for a file in none."""
    path = to_fs_path(uri)
    if path is None:
        return None
    return find_project(Path(path).resolve().parent)


def _relative(root: Path, uri: str) -> str:
    path = to_fs_path(uri)
    assert path is not None
    return Path(os.path.relpath(Path(path).resolve(), root)).as_posix()
