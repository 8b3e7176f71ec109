"""A segdsl project: its files loaded and checked, ready to compile and run.

This is the Python API (`segdsl.load`). It drives the stages in order — document,
syntax, check, then on demand lower/emit/execute — and turns every problem into a
`Diagnostic` placed in its file. Lowering and execution are imported only when
used, so `check` loads neither sqlglot nor duckdb.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from segdsl.check import bound
from segdsl.check.project import Checked, check_project
from segdsl.diagnostics import Diagnostic, SegdslError, did_you_mean
from segdsl.document.environment import Entity, Environment
from segdsl.document.files import (
    PROJECT_FILE,
    Loaded,
    SegmentationSource,
    SegmentSource,
    find_project,
    load_project,
)
from segdsl.optimize import RULES_SET, RULES_SINGLE, Pass, Program, optimize
from segdsl.types import Type

if TYPE_CHECKING:
    from sqlglot.expressions import Query

    from segdsl.execute import Result, Warehouse
    from segdsl.lower.statement import Lowering


class Project:
    def __init__(self, loaded: Loaded):
        self._loaded = loaded
        self.root = loaded.root
        self._checked: Checked | None = None

    # ---- what the project holds -------------------------------------------------------

    @property
    def segments(self) -> dict[str, SegmentSource]:
        return self._loaded.segments

    @property
    def segmentations(self) -> dict[str, SegmentationSource]:
        return self._loaded.segmentations

    @property
    def environment(self) -> Environment | None:
        """The schema environment (None when schema.yaml could not be read)."""
        return self._loaded.environment

    @property
    def warehouse(self) -> Path | str | None:
        """`warehouse:` of segdsl.yaml: a path, from the project's folder, or a URL."""
        project = self._loaded.project
        if not project or not project.warehouse:
            return None
        return project.warehouse if "://" in project.warehouse else self.root / project.warehouse

    @property
    def dialect(self) -> str:
        return self._loaded.project.dialect if self._loaded.project else "duckdb"

    # ---- stages -----------------------------------------------------------------------

    def check(self) -> list[Diagnostic]:
        """Every problem in the project's files, sorted by file and position."""
        return sorted(self._check().diagnostics, key=Diagnostic.sort_key)

    def compile(
        self,
        names: Sequence[str] | None = None,
        dialect: str | None = None,
        as_of: dt.datetime | None = None,
        pretty: bool = True,
        optimized: bool = True,
        rules: Sequence[Pass] | None = None,
    ) -> str:
        """SQL for one segment (its members) or several (key + one column each); with
        `optimized` False, the plain translation of the checked rules (no optimizer pass)."""
        from segdsl.emit import to_sql

        query = self.select(names, dialect, as_of, optimized, rules)
        return to_sql(query, dialect or self.dialect, pretty)

    def select(
        self,
        names: Sequence[str] | None = None,
        dialect: str | None = None,
        as_of: dt.datetime | None = None,
        optimized: bool = True,
        rules: Sequence[Pass] | None = None,
    ) -> Query:
        """The sqlglot SELECT behind `compile`: one named segment gives its members, anything
        else the key plus one column per segment and segmentation. `rules` picks the
        optimizer's passes (default: all that apply to the statement's kind)."""
        segments, segmentations = self._select_names(names)
        own = self._members_of(names, segments)
        if rules is None:
            rules = (RULES_SET if own is None else RULES_SINGLE) if optimized else ()
        lowering = self._lowering(dialect or self.dialect, as_of, rules, own)
        if own is not None:
            return lowering.select_members(own)
        return lowering.select_columns(segments, segmentations)

    def run(
        self,
        names: Sequence[str] | None = None,
        as_of: dt.datetime | None = None,
        warehouse: Path | str | Any = None,
        optimized: bool = True,
        rules: Sequence[Pass] | None = None,
    ) -> Result:
        """Members of the segments on the warehouse, as of `as_of` (default: the start of
        the run). `warehouse` (default: the project's) is a DuckDB file, a folder of Parquet
        and CSV files, a URL (docs/warehouses.md) or a live connection (DuckDB, psycopg,
        pymysql, sqlite3), which is neither closed nor left inside a transaction.

        The one statement run is the one `select`/`compile` give for the same names in the
        warehouse's dialect: for one segment its members, else one row per customer."""
        from segdsl.emit import to_sql
        from segdsl.execute import Statement, execute

        as_of = as_of or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        place = self.resolve_warehouse(warehouse)
        segments, segmentations = self._select_names(names)
        query = self.select(names, place.dialect, as_of, optimized, rules)
        statement = Statement(
            to_sql(query, place.dialect, pretty=False),
            place.dialect,
            self._entity().key,
            segments,
            segmentations,
            as_of,
            {n: self.segments[n].min_size for n in segments},
            self._members_of(names, segments),
        )
        return execute(place, statement)

    def resolve_warehouse(self, warehouse: Path | str | Any = None) -> Warehouse:
        """The warehouse a run reads: `warehouse` (a path from the current folder, a URL or
        a connection), else `warehouse:` of segdsl.yaml (a path from the project's folder)."""
        from segdsl.execute import resolve

        if warehouse is not None:
            return resolve(warehouse)
        if self.warehouse is None:
            raise SegdslError(
                [
                    Diagnostic(
                        "E413", "no warehouse to run on", hint="set `warehouse:` in segdsl.yaml"
                    )
                ]
            )
        return resolve(self.warehouse, self.root)

    # ---- internals ----------------------------------------------------------------------

    @staticmethod
    def _members_of(names: Sequence[str] | None, segments: Sequence[str]) -> str | None:
        """The segment whose members the statement lists: the only name, when it is a
        segment; None for the one-row-per-customer statement."""
        return segments[0] if names and len(names) == 1 and segments else None

    def _entity(self) -> Entity:
        assert self._loaded.environment is not None
        return self._loaded.environment.entity

    def optimized(
        self,
        names: Sequence[str] | None = None,
        as_of: dt.datetime | None = None,
        optimized: bool = True,
        rules: Sequence[Pass] | None = None,
    ) -> Program:
        """The checked rules after the optimizer's passes, as `select` lowers them for the
        same names (one segment: its own statement's passes); `segdsl.check.outline`
        prints a tree of it."""
        segments, _ = self._select_names(names)
        own = self._members_of(names, segments)
        if rules is None:
            rules = (RULES_SET if own is None else RULES_SINGLE) if optimized else ()
        return self._optimized(as_of, rules, own)

    def _optimized(
        self, as_of: dt.datetime | None, rules: Sequence[Pass], own: str | None
    ) -> Program:
        checked = self._require_clean()
        program = Program(
            checked.segments,
            {n: bound.Segmentation(*v) for n, v in checked.segmentations.items()},
        )
        return optimize(program, rules, own, as_of)

    def _lowering(
        self,
        dialect: str,
        as_of: dt.datetime | None,
        rules: Sequence[Pass],
        own: str | None = None,
    ) -> Lowering:
        from segdsl.emit.dialects import dialect_named
        from segdsl.lower.statement import Lowering

        program = self._optimized(as_of, rules, own)
        return Lowering(
            self._entity(),
            program.segments,
            program.segmentations,
            dialect_named(dialect),
            as_of,
            program.shapes,
        )

    def _require_clean(self) -> Checked:
        checked = self._check()
        errors = [d for d in checked.diagnostics if d.severity == "error"]
        if errors:
            raise SegdslError(sorted(errors, key=Diagnostic.sort_key))
        return checked

    def _select_names(self, names: Sequence[str] | None) -> tuple[list[str], list[str]]:
        if not names:
            return list(self.segments), list(self.segmentations)
        unknown = [n for n in names if n not in self.segments and n not in self.segmentations]
        if unknown:
            known = [*self.segments, *self.segmentations]
            raise SegdslError(
                [
                    Diagnostic(
                        "E203", f"unknown segment `{n}`", hint=did_you_mean(n, known, "segments")
                    )
                    for n in unknown
                ]
            )
        return (
            [n for n in names if n in self.segments],
            [n for n in names if n in self.segmentations],
        )

    def _check(self) -> Checked:
        if self._checked is None:
            self._checked = check_project(self._loaded)
        return self._checked


def load(path: str | Path = ".", only: Iterable[str | Path] | None = None) -> Project:
    """Load the project at `path` (or the nearest folder above with a segdsl.yaml)."""
    start = Path(path).resolve()
    root = find_project(start if start.is_dir() else start.parent)
    if root is None:
        raise SegdslError(
            [
                Diagnostic(
                    "E408",
                    f"no {PROJECT_FILE} found in {start} or above",
                    hint="run `segdsl demo` for an example project, or pass --project DIR",
                )
            ]
        )
    files = [Path(p).resolve() for p in only] if only is not None else None
    return Project(load_project(root, files))


__all__ = ["Project", "load", "Type"]
