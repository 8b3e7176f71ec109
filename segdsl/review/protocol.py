"""What the review commands read of a project: segdsl.project.Project has all of it and
passes itself in, so this stage never imports the project stage (tests/test_architecture.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from sqlglot.expressions import Query

from segdsl.diagnostics import Diagnostic
from segdsl.document.environment import Environment
from segdsl.document.files import SegmentationSource, SegmentSource
from segdsl.document.givens import Snapshots
from segdsl.document.source import Text
from segdsl.execute import Result, Warehouse


class Reviewed(Protocol):
    """A loaded project, as segdsl.project.Project offers it."""

    root: Path

    @property
    def environment(self) -> Environment | None: ...
    @property
    def segments(self) -> Mapping[str, SegmentSource]: ...
    @property
    def segmentations(self) -> Mapping[str, SegmentationSource]: ...
    @property
    def dialect(self) -> str: ...
    @property
    def commit(self) -> str | None: ...
    @property
    def warehouse(self) -> Path | str | None: ...
    @property
    def state(self) -> Path: ...

    def check(self, dialects: Sequence[str] = ()) -> list[Diagnostic]: ...

    def select_names(
        self, selectors: Sequence[str] | None = None, exclude: Sequence[str] = ()
    ) -> list[str]: ...

    def compile(
        self,
        names: Sequence[str] | None = None,
        dialect: str | None = None,
        as_of: dt.datetime | None = None,
        pretty: bool = True,
    ) -> str: ...

    def run(
        self,
        names: Sequence[str] | None = None,
        as_of: dt.datetime | None = None,
        warehouse: Path | str | Any = None,
        *,
        measures: Sequence[str] = (),
    ) -> Result: ...

    def select(
        self,
        names: Sequence[str] | None = None,
        dialect: str | None = None,
        as_of: dt.datetime | None = None,
        *,
        columns: bool = False,
    ) -> Query: ...

    def at_revision(self, revision: str) -> Reviewed:
        """The project as committed at a git revision (`diff --base`)."""
        ...

    def resolve_warehouse(self, warehouse: Path | str | Any = None) -> Warehouse: ...

    def with_snapshots(self, snapshots: Snapshots) -> Reviewed:
        """The project answering `entered`/`left segment` from `snapshots` (a test's)."""
        ...

    def with_rules(self, rules: Mapping[str, tuple[Text, str]]) -> Reviewed:
        """The project plus segments `name: (rule, file)` of rules no file defines
        (`explain` counts a rule's clauses as such segments)."""
        ...
