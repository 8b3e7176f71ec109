"""`segdsl lsp`: an editor's view of the language server, driven over stdio by pygls's client.

One server process for the module, on a small project written here. What the server says
is compared with what the project's files say on their own: the diagnostics with `check`
of the same text saved to disk, the ranges with where the text has the name (in UTF-16
units, as the protocol counts them: a rule with an emoji before the error), completions
with the schema's names, definitions with the line the file defines the name on.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")

from lsprotocol import types  # noqa: E402
from pygls.lsp.client import BaseLanguageClient  # noqa: E402

import segdsl  # noqa: E402

SCHEMA = """\
customers:
  table: customers
  key: customer_id
  fields:
    customer_id: integer
    country: {column: country_code, type: string}   # ISO code: "DE", "FR"
    age: integer               # whole years
    first_name: string
events:
  purchase:
    table: orders
    key: customer_id
    time: ordered_at
    properties:
      amount: decimal          # in EUR
sets:
  EU: [DE, FR, IT]
traits:
  buyer: did purchase
"""

SEGMENTS = """\
segments:
  grown_up:
    description: Adults
    owner: crm@example.com
    where: age >= 18

  eu_adult:
    where: in segment grown_up and country in EU
"""

BROKEN = 'first_name = "😀" and countryy = "DE"'


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lsp")
    (root / "segdsl.yaml").write_text("name: t\nschema: schema.yaml\nsegments: [segments/]\n")
    (root / "schema.yaml").write_text(SCHEMA)
    (root / "segments").mkdir()
    (root / "segments" / "people.yaml").write_text(SEGMENTS, encoding="utf-8")
    return root


class Editor:
    """A client of `segdsl lsp` with its own event loop; what the server published is
    kept by file."""

    def __init__(self, root: Path):
        self.loop = asyncio.new_event_loop()
        self.client = BaseLanguageClient("segdsl-test", "1")
        self.published: dict[str, list[types.Diagnostic]] = {}
        self.versions: dict[str, int] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _published(params: types.PublishDiagnosticsParams) -> None:
            self.published[params.uri] = params.diagnostics

        self.run(self.client.start_io(sys.executable, "-m", "segdsl.cli", "lsp"))
        self.run(
            self.client.initialize_async(
                types.InitializeParams(
                    capabilities=types.ClientCapabilities(),
                    root_uri=root.as_uri(),
                )
            )
        )
        self.client.initialized(types.InitializedParams())

    def run(self, work: Any) -> Any:
        return self.loop.run_until_complete(asyncio.wait_for(work, 20))

    def diagnostics(self, uri: str, send: Any, *others: str) -> list[types.Diagnostic]:
        """What the server publishes for `uri` after `send()` (once it has for `others` too)."""
        for each in (uri, *others):
            self.published.pop(each, None)
        send()

        async def arrived() -> None:
            while not all(each in self.published for each in (uri, *others)):
                await asyncio.sleep(0.01)

        self.run(arrived())
        return list(self.published[uri])

    def open(self, path: Path, text: str) -> list[types.Diagnostic]:
        uri = path.as_uri()
        self.versions[uri] = 1
        item = types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        params = types.DidOpenTextDocumentParams(text_document=item)
        return self.diagnostics(uri, lambda: self.client.text_document_did_open(params))

    def change(self, path: Path, text: str, *others: Path) -> list[types.Diagnostic]:
        uri = path.as_uri()
        self.versions[uri] += 1
        params = types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(
                uri=uri, version=self.versions[uri]
            ),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
        return self.diagnostics(
            uri,
            lambda: self.client.text_document_did_change(params),
            *(o.as_uri() for o in others),
        )

    def close(self) -> None:
        self.run(self.client.shutdown_async(None))
        self.client.exit(None)
        self.run(self.client.stop())
        self.loop.close()


@pytest.fixture(scope="module")
def editor(root: Path) -> Iterator[Editor]:
    editor = Editor(root)
    yield editor
    editor.close()


def _position(text: str, index: int) -> types.Position:
    """Line and UTF-16 column of `text[index]`, counted here, not by segdsl."""
    line_start = text.rfind("\n", 0, index) + 1
    units = len(text[line_start:index].encode("utf-16-le")) // 2
    return types.Position(text.count("\n", 0, index), units)


def _at(path: Path, text: str, index: int) -> dict[str, Any]:
    return {
        "text_document": types.TextDocumentIdentifier(uri=path.as_uri()),
        "position": _position(text, index),
    }


def test_an_error_as_typed_then_fixed(editor: Editor, root: Path, tmp_path: Path) -> None:
    path = root / "segments" / "people.yaml"
    broken = SEGMENTS.replace("where: age >= 18", f"where: {BROKEN}")
    published = editor.open(path, broken)
    # the same text saved to disk, checked by the API on its own
    (tmp_path / "segments").mkdir()
    for name in ("segdsl.yaml", "schema.yaml"):
        (tmp_path / name).write_text((root / name).read_text())
    (tmp_path / "segments" / "people.yaml").write_text(broken, encoding="utf-8")
    expected = segdsl.load(tmp_path).check()
    assert [(d.code, d.message.split("\n")[0]) for d in published] == [
        (e.code, e.message) for e in expected
    ]
    assert [d.code for d in published] == ["E201"]
    start = broken.index("countryy")
    assert published[0].range == types.Range(
        _position(broken, start), _position(broken, start + len("countryy"))
    )
    assert published[0].severity == types.DiagnosticSeverity.Error
    assert "did you mean `country`?" in published[0].message
    assert editor.change(path, SEGMENTS) == []
    assert (root / "segments" / "people.yaml").read_text() == SEGMENTS  # nothing was saved


def test_completion_in_a_rule(editor: Editor, root: Path) -> None:
    path = root / "segments" / "people.yaml"
    typing = SEGMENTS.replace("where: age >= 18", "where: age >= 18 and co")
    editor.change(path, typing)
    at = typing.index("and co") + len("and ")
    found = editor.run(
        editor.client.text_document_completion_async(
            types.CompletionParams(**_at(path, typing, at))
        )
    )
    labels = {item.label: item.kind for item in found.items}
    schema = segdsl.load(root).environment
    assert schema is not None
    assert set(schema.entity.fields) | set(schema.traits) <= set(labels)
    assert labels["country"] == types.CompletionItemKind.Field
    assert {"and", "did", "within"} <= set(labels)
    after = SEGMENTS.index("in segment ") + len("in segment ")
    editor.change(path, SEGMENTS)
    segments = editor.run(
        editor.client.text_document_completion_async(
            types.CompletionParams(**_at(path, SEGMENTS, after))
        )
    )
    assert [i.label for i in segments.items] == sorted(segdsl.load(root).segments)
    did = SCHEMA.index("did purchase") + len("did ")
    schema_path = root / "schema.yaml"
    editor.open(schema_path, SCHEMA)
    events = editor.run(
        editor.client.text_document_completion_async(
            types.CompletionParams(**_at(schema_path, SCHEMA, did))
        )
    )
    assert [i.label for i in events.items] == ["purchase"]


def test_hover_gives_a_fields_type_and_a_segments_description(editor: Editor, root: Path) -> None:
    path = root / "segments" / "people.yaml"
    editor.change(path, SEGMENTS)
    age = SEGMENTS.index("age >= 18")
    hover = editor.run(
        editor.client.text_document_hover_async(types.HoverParams(**_at(path, SEGMENTS, age + 1)))
    )
    assert isinstance(hover.contents, types.MarkupContent)
    assert hover.contents.value.startswith("`age`: integer")
    assert "whole years" in hover.contents.value  # the schema's comment on the field
    assert hover.range == types.Range(_position(SEGMENTS, age), _position(SEGMENTS, age + 3))
    grown = SEGMENTS.index("segment grown_up") + len("segment ")
    hover = editor.run(
        editor.client.text_document_hover_async(types.HoverParams(**_at(path, SEGMENTS, grown)))
    )
    assert "Adults" in hover.contents.value and "crm@example.com" in hover.contents.value


def test_hover_gives_a_segments_size_at_the_last_snapshot(
    editor: Editor, root: Path, tmp_path: Path
) -> None:
    import datetime as dt

    import duckdb

    path = root / "segments" / "people.yaml"
    editor.change(path, SEGMENTS)
    grown = SEGMENTS.index("segment grown_up") + len("segment ")

    def hover() -> str:
        found = editor.run(
            editor.client.text_document_hover_async(types.HoverParams(**_at(path, SEGMENTS, grown)))
        )
        assert isinstance(found.contents, types.MarkupContent)
        return str(found.contents.value)

    assert "snapshot" not in hover()  # no state database yet
    warehouse = tmp_path / "w.duckdb"
    with duckdb.connect(str(warehouse)) as db:
        db.execute(
            "CREATE TABLE customers (customer_id INTEGER, country_code VARCHAR, age INTEGER,"
            " first_name VARCHAR)"
        )
        db.execute(
            "INSERT INTO customers VALUES (1, 'DE', 30, 'a'), (2, 'FR', 17, 'b'),"
            " (3, 'IT', 18, 'c'), (4, 'DE', NULL, 'd')"
        )
        db.execute(
            "CREATE TABLE orders (customer_id INTEGER, ordered_at TIMESTAMP, amount DECIMAL)"
        )
    project = segdsl.load(root)
    for day, older in ((1, 5), (2, 18)):  # the second snapshot: customer 2 grew up
        with duckdb.connect(str(warehouse)) as db:
            db.execute("UPDATE customers SET age = ? WHERE customer_id = 2", [older])
        project.snapshot(["grown_up"], dt.datetime(2025, 12, day, 12), warehouse)
    assert "3 members at the last snapshot (as of 2025-12-02 12:00:00)" in hover()
    project.snapshot(["grown_up"], dt.datetime(2025, 11, 1), warehouse)  # an older as of
    assert "(as of 2025-12-02 12:00:00)" in hover()


def test_definition_of_a_segment_and_a_set(editor: Editor, root: Path) -> None:
    path = root / "segments" / "people.yaml"
    editor.change(path, SEGMENTS)
    grown = SEGMENTS.index("segment grown_up") + len("segment ")
    place = editor.run(
        editor.client.text_document_definition_async(
            types.DefinitionParams(**_at(path, SEGMENTS, grown))
        )
    )
    key = SEGMENTS.index("grown_up:")
    assert place.uri == path.as_uri()
    assert place.range.start == _position(SEGMENTS, key)
    eu = SEGMENTS.index("in EU") + len("in ")
    place = editor.run(
        editor.client.text_document_definition_async(
            types.DefinitionParams(**_at(path, SEGMENTS, eu))
        )
    )
    assert place.uri == (root / "schema.yaml").as_uri()
    assert place.range.start == _position(SCHEMA, SCHEMA.index("EU:"))


def test_a_schema_change_shows_in_the_open_segment_file(editor: Editor, root: Path) -> None:
    path = root / "segments" / "people.yaml"
    editor.change(path, SEGMENTS)
    schema_path = root / "schema.yaml"
    editor.open(schema_path, SCHEMA)
    editor.change(schema_path, SCHEMA.replace("    age: integer", "    years: integer"), path)
    published = editor.published[path.as_uri()]
    assert [d.code for d in published] == ["E201"]
    assert published[0].range.start == _position(SEGMENTS, SEGMENTS.index("age >= 18"))
    assert editor.change(schema_path, SCHEMA) == []


def test_completion_before_the_rule_loads(editor: Editor, root: Path) -> None:
    # `where:` with nothing after it yet is no rule the project loads (E405): the line says
    path = root / "segments" / "people.yaml"
    typing = SEGMENTS.replace("where: age >= 18", "where: ")
    assert any(d.code == "E405" for d in editor.change(path, typing))
    at = typing.index("where: ") + len("where: ")
    found = editor.run(
        editor.client.text_document_completion_async(
            types.CompletionParams(**_at(path, typing, at))
        )
    )
    assert {"age", "country", "buyer"} <= {item.label for item in found.items}
    outside = typing.index("description")
    found = editor.run(
        editor.client.text_document_completion_async(
            types.CompletionParams(**_at(path, typing, outside))
        )
    )
    assert not found.items
    editor.change(path, SEGMENTS)


def test_the_api_reads_unsaved_texts_in_place_of_the_files(root: Path) -> None:
    # a buffer of a file not yet on disk, under the folder `segments:` lists, counts too
    new = "segments:\n  older:\n    where: age >= 65 and in segment grown_up\n"
    changed = SEGMENTS.replace("age >= 18", "age >= 21")
    project = segdsl.load(
        root, texts={"segments/new.yaml": new, str(root / "segments/people.yaml"): changed}
    )
    assert project.check() == []
    assert set(project.segments) == {"grown_up", "eu_adult", "older"}
    assert project.segments["grown_up"].where.value == "age >= 21"
    assert not (root / "segments" / "new.yaml").exists()
    assert segdsl.load(root).segments["grown_up"].where.value == "age >= 18"
