"""Test files (`segdsl test`): their shape, where they are, and their reading.

A test file is YAML beside the segments (docs/files.md#test-files). It is read as a segment
file is: only regular files inside the project, within the same size limits, its YAML
aliases bounded (segdsl/document/files.py, source.py), every value kept with its place,
so that a problem in a test is shown at its line and column like a problem in a rule.
What the rows mean against the schema is checked in givens.py.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import Field

from segdsl.diagnostics import Diagnostic, Refused
from segdsl.document.files import Loaded, _display, _inside, _read, _yaml_files
from segdsl.document.formats import _Model, validate
from segdsl.document.source import Document

DEFAULT_FOLDER = "tests/"
MAX_TEST_FILES = 2_000
"""Test files a project may have, as segment files (docs/security.md#limits)."""


class SnapshotModel(_Model):
    """One stored snapshot of a segment, as `segdsl snapshot` would have stored it."""

    as_of: dt.datetime | dt.date = Field(description="The instant the snapshot was taken at.")
    members: list[Any] = Field(description="The members' keys.")


class TestModel(_Model):
    """One test: the instant, the rows given, the memberships expected."""

    __test__ = False  # not a pytest class

    as_of: dt.datetime | dt.date = Field(
        description="The instant the rules are measured from: 2025-12-31T12:00:00 or 2025-12-31."
    )
    description: str | None = Field(default=None, description="What the test shows, in words.")
    given: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict,
        description="Rows by table: `customers` by schema field names and the key, each "
        "stream by its name in schema.yaml (the key, `at`, `name`, its properties).",
    )
    expect: dict[str, Any] = Field(
        description="By segment: its exact members (a list of keys) or `{includes, excludes}`; "
        "by segmentation: `{key: bucket}`."
    )
    snapshots: dict[str, list[SnapshotModel]] = Field(
        default_factory=dict,
        description="By segment: its stored snapshots, for `entered segment` and `left "
        "segment` (the project's state database is not read in a test).",
    )


class TestFileModel(_Model):
    """A test file of `segdsl test` (docs/files.md#test-files)."""

    __test__ = False

    tests: dict[str, TestModel] = Field(description="Tests, by a name unique in the project.")


@dataclass(frozen=True)
class TestFile:
    """A test file read and validated, with its document for positions."""

    __test__ = False

    path: str
    document: Document
    model: TestFileModel


def test_entries(root: Path, listed: list[str] | None) -> list[str]:
    """`tests:` of segdsl.yaml, or `tests/` when that folder exists."""
    if listed is not None:
        return listed
    return [DEFAULT_FOLDER] if (root / DEFAULT_FOLDER).is_dir() else []


def read_test_files(root: Path, entries: list[str]) -> tuple[list[TestFile], list[Diagnostic]]:
    """Each test file that `entries` name (files, or folders of .yaml files), validated;
    what is wrong with them as diagnostics (the codes of segment files: E401, E402, E404,
    E405, E425 to E428)."""
    loaded = Loaded(root=root)
    names = _listed(root, entries, loaded.diagnostics)
    if len(names) > MAX_TEST_FILES:
        loaded.diagnostics.append(
            Diagnostic(
                "E427",
                f"the project has more than {MAX_TEST_FILES:,} test files",
                hint="see docs/security.md#limits; split the project",
            )
        )
        return [], loaded.diagnostics
    found: list[TestFile] = []
    for name in names:
        document = _read(name, name, loaded)
        if document is None:
            continue
        if not isinstance(document.data, dict):
            loaded.diagnostics.append(
                Diagnostic(
                    "E405",
                    "a test file is a mapping with `tests:`",
                    document.location(()),
                    "see docs/files.md#test-files",
                )
            )
            continue
        model = validate(TestFileModel, document, loaded.diagnostics)
        if model is not None:
            found.append(TestFile(name, document, model))
    return found, loaded.diagnostics


def _listed(root: Path, entries: list[str], diagnostics: list[Diagnostic]) -> list[str]:
    files: list[str] = []
    for entry in entries:
        try:
            target = _inside(root, entry)
        except Refused as refused:
            diagnostics.append(
                Diagnostic(
                    refused.code,
                    f"`{entry}` {refused.reason}",
                    hint="segdsl reads only files inside the project's folder; "
                    "name them relative to segdsl.yaml, without `..`",
                )
            )
            continue
        if target is None:
            diagnostics.append(
                Diagnostic(
                    "E401",
                    f"test path `{entry}` does not exist",
                    hint="fix `tests:` in segdsl.yaml",
                )
            )
        elif stat.S_ISDIR(os.stat(target).st_mode):
            files.extend(_yaml_files(target, _display(entry), MAX_TEST_FILES + 1 - len(files)))
        else:
            files.append(_display(entry))
        if len(files) > MAX_TEST_FILES:
            break
    return files
