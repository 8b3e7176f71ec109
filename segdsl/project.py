"""A segdsl project: its files loaded and checked, ready to compile and run.

This is the Python API (`segdsl.load`). It drives the stages in order — document,
syntax, check, then on demand lower/emit/execute — and turns every problem into a
`Diagnostic` placed in its file. Lowering and execution are imported only when
used; `check` loads sqlglot only for the dialects it checks the rules against
(segdsl/emit/refusals.py, which reads the dialect classes' refusals), never duckdb.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from segdsl.check import bound, selection
from segdsl.check.project import Checked, check_project
from segdsl.check.selection import Listed
from segdsl.diagnostics import (
    Diagnostic,
    Location,
    NameIndex,
    Refused,
    SegdslError,
    did_you_mean,
    read_confined,
)
from segdsl.document.environment import Entity, Environment
from segdsl.document.files import (
    PROJECT_FILE,
    Loaded,
    SegmentationSource,
    SegmentSource,
    find_project,
    find_repository,
    load_project,
    segment_files,
    write_confined,
)
from segdsl.document.formats import normal_name
from segdsl.document.givens import Snapshots
from segdsl.document.overlay import Overlay
from segdsl.document.source import Text
from segdsl.optimize import RULES_SET, RULES_SINGLE, Pass, Program, optimize
from segdsl.types import Type

STATE_FILE = ".segdsl/state.duckdb"
"""The state database's default place in the project, when segdsl.yaml has no `state:`."""

if TYPE_CHECKING:
    from sqlglot.expressions import Query

    from segdsl.document.jsonschema import Names
    from segdsl.document.stored import Revision
    from segdsl.emit.dialects import Dialect
    from segdsl.execute import Result, Warehouse
    from segdsl.lower.statement import Lowering
    from segdsl.review.diff import Diff
    from segdsl.review.explain import Explanation
    from segdsl.review.history import History
    from segdsl.review.overlap import Overlap
    from segdsl.review.report import Report, SectionBuilder
    from segdsl.review.snapshot import SnapshotSummary
    from segdsl.review.testing import TestReport
    from segdsl.syntax.formatting import Formatted


class Project:
    def __init__(self, loaded: Loaded):
        self._loaded = loaded
        self.root = loaded.root
        self._checked: Checked | None = None
        self._snapshots: Snapshots | None = None

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
    def state(self) -> Path:
        """`state:` of segdsl.yaml, from the project's folder: the DuckDB file of `segdsl
        snapshot` and `history` (default .segdsl/state.duckdb), never the warehouse."""
        project = self._loaded.project
        return self.root / (project.state if project and project.state else STATE_FILE)

    @property
    def schema_file(self) -> str | None:
        """`schema:` of segdsl.yaml, from the project's folder (None when segdsl.yaml could
        not be read)."""
        return self._loaded.project.schema_file if self._loaded.project else None

    @property
    def commit(self) -> str | None:
        """The git commit the files were read from (`at_revision`); None for the disk."""
        return getattr(self._loaded.store, "commit", None)

    @property
    def repository(self) -> Path:
        """The top folder of the git repository holding the project, or the project's
        folder when it is in none: GitHub's annotations and code scanning name files from
        there (docs/ci.md#paths)."""
        return find_repository(self.root) or self.root

    @property
    def dialect(self) -> str:
        return self._loaded.project.dialect if self._loaded.project else "duckdb"

    def select_names(
        self, selectors: Sequence[str] | None = None, exclude: Sequence[str] = ()
    ) -> list[str]:
        """The segments and segmentations that `selectors` pick (all when none), less those
        that `exclude` picks: names, globs (`eu_*`), `label:X`, `owner:X`, `file:PATH`, and
        `+` before any of them for what they refer to too (docs/cli.md#selecting-segments).
        Every method that takes `names` takes selectors."""
        return selection.select(
            selectors or (),
            exclude,
            selection.definitions(self.segments, self.segmentations),
            self._check().references,
        )

    def ls(
        self, selectors: Sequence[str] | None = None, exclude: Sequence[str] = ()
    ) -> list[Listed]:
        """A row for each selected segment and segmentation: its description, owner,
        labels, file and line, what it refers to and its `min_size` (`segdsl ls`)."""
        names = self.select_names(selectors, exclude)
        return selection.listing(names, self.segments, self.segmentations, self._check().references)

    def unrelated_errors(self, names: Sequence[str] | None = None) -> list[Diagnostic]:
        """The errors that did not stop `compile` or `run` of `names`: those in the
        definitions of segments and segmentations that `names` neither select nor refer
        to. The commands print them after their output and exit 1."""
        if not names:
            return []
        segments, segmentations = self._select_names(names)
        return self._errors([*segments, *segmentations])[1]

    # ---- stages -----------------------------------------------------------------------

    def check(self, dialects: Sequence[str] = ()) -> list[Diagnostic]:
        """Every problem in the project's files, sorted by file and position, the rules
        checked against the project's `dialect:` and each of `dialects` too: each construct
        one cannot express is an E501 where it stands. Whether *as of* will be pinned is not
        known here, so a dialect that cannot read the clock gives a warning (an error in
        `compile` without `as_of`). An unknown name in `dialects` raises E502; an unknown
        `dialect:` is an E502 at its line."""
        from segdsl.emit.dialects import dialect_named

        diagnostics = list(self._check().diagnostics)
        targets = [d for d in (self._project_dialect(diagnostics),) if d is not None]
        for name in dialects:
            target = dialect_named(name)
            if target not in targets:
                targets.append(target)
        for target in targets:
            diagnostics.extend(self._refusals(target, None, None))
        diagnostics.extend(self._history_warnings())
        return sorted(diagnostics, key=Diagnostic.sort_key)

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
        return to_sql(query, self.dialect if dialect is None else dialect, pretty)

    def select(
        self,
        names: Sequence[str] | None = None,
        dialect: str | None = None,
        as_of: dt.datetime | None = None,
        optimized: bool = True,
        rules: Sequence[Pass] | None = None,
        columns: bool = False,
        values: Sequence[str] = (),
    ) -> Query:
        """The sqlglot SELECT behind `compile`: one named segment gives its members, anything
        else the key plus one column per segment and segmentation (with `columns`, one
        segment too: `diff` joins two such statements). `rules` picks the optimizer's
        passes (default: all that apply to the statement's kind). `values` (fields and
        traits) add one column each, after the others, named as `value_column` names them:
        what `run --with` and `--measure` read."""
        from segdsl.emit.dialects import dialect_named

        segments, segmentations = self._select_names(names)
        self._require_clean([*segments, *segmentations])
        target = dialect_named(self.dialect if dialect is None else dialect)
        refused = [
            d
            for d in self._refusals(target, [*segments, *segmentations], as_of is not None)
            if d.severity == "error"
        ]
        if refused:
            raise SegdslError(sorted(refused, key=Diagnostic.sort_key))
        own = None if columns else self._members_of(names, segments, segmentations)
        trees = {
            value_column(i): tree
            for i, (_, tree) in enumerate(self._value_trees(values, [*segments, *segmentations]))
        }
        if rules is None:
            rules = _default_passes(own, optimized)
        lowering = self._lowering(
            self.dialect if dialect is None else dialect,
            as_of,
            rules,
            own,
            [*segments, *segmentations],
        )
        if own is not None:
            return lowering.select_members(own, trees)
        return lowering.select_columns(segments, segmentations, trees)

    def run(
        self,
        names: Sequence[str] | None = None,
        as_of: dt.datetime | None = None,
        warehouse: Path | str | Any = None,
        optimized: bool = True,
        rules: Sequence[Pass] | None = None,
        measures: Sequence[str] = (),
        with_: Sequence[str] = (),
    ) -> Result:
        """Members of the segments on the warehouse, as of `as_of` (default: the start of
        the run). `warehouse` (default: the project's) is a DuckDB file, a folder of Parquet
        and CSV files, a URL (docs/warehouses.md) or a live connection (DuckDB, psycopg,
        pymysql, sqlite3), which is neither closed nor left inside a transaction.

        The one statement run is the one `select`/`compile` give for the same names in the
        warehouse's dialect: for one segment its members, else one row per customer; with
        `measures` (numeric fields and traits: `Result.measures` sums and averages them) and
        `with_` (fields and traits listed with each member: `Result.listing`, `sample`,
        `write`), the same statement with one more column for each."""
        from segdsl.emit import to_sql
        from segdsl.execute import Statement, Value, execute

        as_of = as_of or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        place = self.resolve_warehouse(warehouse)
        segments, segmentations = self._select_names(names)
        with_ = [normal_name(n) for n in with_ if normal_name(n) != self._entity().key]
        measures = [normal_name(n) for n in measures]
        values = list(dict.fromkeys([*measures, *with_]))
        trees = self._value_trees(values, [*segments, *segmentations], numeric=measures)
        query = self.select(names, place.dialect, as_of, optimized, rules, values=values)
        statement = Statement(
            to_sql(query, place.dialect, pretty=False),
            place.dialect,
            self._entity().key,
            segments,
            segmentations,
            as_of,
            {n: self.segments[n].min_size for n in segments},
            self._members_of(names, segments, segmentations),
            {n: [b.name for b in self.segmentations[n].buckets] for n in segmentations},
            [Value(n, value_column(i), tree.type) for i, (n, tree) in enumerate(trees)],
            list(dict.fromkeys(measures)),
            list(dict.fromkeys(with_)),
        )
        return execute(place, statement)

    def revision(self) -> Revision | None:
        """The git commit checked out in the repository holding the project's folder, and
        whether the folder's files differ from it; None outside git (`run --format json`)."""
        from segdsl.document.stored import working_revision

        return working_revision(self.root)

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

    def with_rules(self, rules: Mapping[str, tuple[Text, str]]) -> Project:
        """This project plus segments `name: (rule, file)` that no file defines: `explain`
        counts a rule's clauses as such segments, so that the compiler lowers them as it
        does any rule. Each rule keeps its place in its file (a slice of a segment's `where`),
        so a problem in it would be shown where the clause is written."""
        extra = {name: SegmentSource(name, text, path) for name, (text, path) in rules.items()}
        widened = Project(dataclasses.replace(self._loaded, segments={**self.segments, **extra}))
        widened._snapshots = self._snapshots
        return widened

    def with_snapshots(self, snapshots: Snapshots) -> Project:
        """The project answering `entered`/`left segment` from `snapshots` (by segment, by
        *as of*, the members' keys as text) instead of its state database: what `segdsl
        test` runs a test's `snapshots:` with. The checked rules are shared."""
        copy = Project(self._loaded)
        copy._checked = self._check()
        copy._snapshots = snapshots
        return copy

    def explain(
        self,
        segment: str,
        customer: object = None,
        as_of: dt.datetime | None = None,
        warehouse: Path | str | Any = None,
    ) -> Explanation:
        """A segment's rule as a tree of its clauses, each counted on the warehouse, with
        the funnel along each `and`; with `customer` (a key), that customer's yes or no for
        every clause too (docs/cli.md#segdsl-explain)."""
        from segdsl.review.explain import explain

        return explain(self, segment, customer, as_of, warehouse)

    def test(self, names: Sequence[str] | None = None, engine: str = "duckdb") -> TestReport:
        """Run the project's fixture tests (`tests:` of segdsl.yaml, default tests/) on an
        in-memory warehouse built from each test's rows, with the compiled SQL (`duckdb`) or
        the reference evaluator (`reference`); docs/cli.md#segdsl-test."""
        from segdsl.document.testfiles import test_entries
        from segdsl.review.testing import run_tests

        listed = self._loaded.project.tests if self._loaded.project else None
        return run_tests(self, test_entries(self.root, listed), names, engine)

    def at_revision(self, revision: str) -> Project:
        """The project as committed at git revision `revision` (a branch, tag or commit of
        the repository holding the project's folder), read with git, nothing checked out,
        under the same confinement and limits as the files on disk (E465, E466, E467)."""
        from segdsl.document.stored import StoredFiles

        return Project(load_project(self.root, store=StoredFiles(self.root, revision)))

    def diff(
        self,
        names: Sequence[str] | None = None,
        base: str | None = None,
        as_of: dt.datetime | None = None,
        vs_as_of: dt.datetime | None = None,
        warehouse: Path | str | Any = None,
        exclude: Sequence[str] = (),
    ) -> Diff:
        """Members entered and left per segment and bucket: the rules at git revision
        `base` against these, or these rules at `vs_as_of` against `as_of`; exactly one of
        the two (docs/cli.md#segdsl-diff)."""
        from segdsl.review.diff import diff

        return diff(self, names, base, as_of, vs_as_of, warehouse, exclude)

    def overlap(
        self,
        names: Sequence[str] | None = None,
        as_of: dt.datetime | None = None,
        warehouse: Path | str | Any = None,
        exclude: Sequence[str] = (),
    ) -> Overlap:
        """Members of both segments of each pair, and their Jaccard index, from one pass
        over one run's result (docs/cli.md#segdsl-overlap)."""
        from segdsl.review.overlap import overlap

        return overlap(self, names, as_of, warehouse, exclude)

    def snapshot(
        self,
        names: Sequence[str] | None = None,
        as_of: dt.datetime | None = None,
        warehouse: Path | str | Any = None,
    ) -> SnapshotSummary:
        """Store the members of `names` (all when None) at `as_of` in the state database,
        with the git revision and each rule's hash (docs/cli.md#segdsl-snapshot)."""
        from segdsl.review.snapshot import snapshot

        return snapshot(self, names, as_of, warehouse)

    def history(self, segment: str) -> History:
        """The snapshots of `segment` (or of each bucket of a segmentation) in the state
        database: size, entered, left, rule changed (docs/cli.md#segdsl-history)."""
        from segdsl.review.history import history

        return history(self, segment)

    def last_snapshot(self, segment: str) -> tuple[dt.datetime, int] | None:
        """The *as of* of the last snapshot of `segment` in the state database and its
        members then (a segmentation: every bucket's); None without one."""
        from segdsl.review.history import last_snapshot

        return last_snapshot(self, segment)

    def report(
        self,
        names: Sequence[str] | None = None,
        as_of: dt.datetime | None = None,
        warehouse: Path | str | Any = None,
        sections: Sequence[SectionBuilder] | None = None,
        measures: Sequence[str] = (),
    ) -> Report:
        """One self-contained HTML page (`.html`) of the segments' sizes, shares, overlap
        heatmap, descriptions, rules and SQL, from one run (docs/cli.md#segdsl-report);
        `sections` replaces the page's list of section builders (`report.SECTIONS`);
        `measures` adds the sums and averages `run(measures=...)` gives."""
        from segdsl.review.report import report

        return report(self, names, as_of, warehouse, sections, measures)

    def fmt(self, paths: Iterable[str | Path] | None = None, check: bool = False) -> Formatted:
        """Every rule of the segment files `paths` (files or folders; default: all the
        project's) in its canonical spelling, spliced into the file in the place of the
        rule as written, so that comments and layout stay (segdsl/syntax/formatting.py).
        Each file is replaced atomically; with `check`, nothing is written. A file with
        errors is left as it is and its errors returned; an error outside the segment files
        (segdsl.yaml, the schema) keeps every file as it is (docs/cli.md#segdsl-fmt)."""
        from segdsl.syntax.formatting import Change, Formatted, Unformattable, format_text
        from segdsl.syntax.problems import RuleProblem

        listed = self._loaded.project.segments if self._loaded.project else []
        files = segment_files(self.root, listed, Loaded(self.root))
        chosen, problems = self._chosen(files, paths)
        errors = [d for d in self.check() if d.severity == "error"]
        halted = any(d.location is None or d.location.path not in files for d in errors)
        kept = {d.location.path for d in errors if d.location is not None}
        problems += [d for d in errors if halted or d.location and d.location.path in chosen]
        changes: list[Change] = []
        for name in [] if halted else [n for n in chosen if n not in kept]:
            try:
                raw = read_confined(self.root, name)
                bom = "\ufeff" if raw.startswith(b"\xef\xbb\xbf") else ""
                before = raw.decode("utf-8").removeprefix(bom)
                after = format_text(name, before)
                if after != before and not check:
                    write_confined(self.root, name, (bom + after).encode("utf-8"))
            except Refused as refused:
                problems.append(Diagnostic(refused.code, f"`{name}` {refused.reason}"))
                continue
            except (Unformattable, RuleProblem, UnicodeDecodeError) as why:
                problems.append(_unformattable(name, why))
                continue
            if after != before:
                changes.append(Change(name, before, after))
        return Formatted(
            tuple(chosen), tuple(changes), tuple(sorted(problems, key=Diagnostic.sort_key))
        )

    def _chosen(
        self, files: list[str], paths: Iterable[str | Path] | None
    ) -> tuple[list[str], list[Diagnostic]]:
        """The segment files among `paths` (files or folders, from the current folder);
        E401 for a path that is not there, E425 for one outside the project."""
        if paths is None:
            return files, []
        base = os.path.realpath(self.root)
        real = {name: os.path.realpath(os.path.join(base, name)) for name in files}
        chosen: set[str] = set()
        problems: list[Diagnostic] = []
        for path in paths:
            target = os.path.realpath(path)
            if not os.path.lexists(path):
                problems.append(Diagnostic("E401", f"`{path}` does not exist"))
            elif os.path.commonpath([base, target]) != base:
                problems.append(
                    Diagnostic(
                        "E425",
                        f"`{path}` is outside the project",
                        hint=f"fmt formats the segment files of the project in {self.root}; "
                        "give --project for another",
                    )
                )
            else:
                chosen |= {n for n, r in real.items() if os.path.commonpath([target, r]) == target}
        return [n for n in files if n in chosen], problems

    def schema_names(self) -> Names:
        """The names the project's rules may use, for the schema of its segment files."""
        from segdsl.document.jsonschema import Names

        env = self._loaded.environment
        segments = self.segments.values()
        return Names(
            {n: f.type.value for n, f in env.entity.fields.items()} if env else {},
            tuple(env.events()) if env else (),
            {n: s.type.value for n, s in env.sets.items()} if env else {},
            tuple(env.traits) if env else (),
            tuple(self.segments),
            tuple(self.segmentations),
            tuple(sorted({s.owner for s in segments if s.owner})),
            tuple(sorted({label for s in segments for label in s.labels})),
        )

    # ---- internals ----------------------------------------------------------------------

    def _project_dialect(self, diagnostics: list[Diagnostic]) -> Dialect | None:
        """The dialect `dialect:` names, or None with its E502 added, placed at its line."""
        from segdsl.emit.dialects import dialect_named

        try:
            return dialect_named(self.dialect)
        except SegdslError as error:
            diagnostics.extend(
                Diagnostic(d.code, d.message, self._loaded.dialect_location, d.hint)
                for d in error.diagnostics
            )
            return None

    def _refusals(
        self, dialect: Dialect, names: Sequence[str] | None, pinned: bool | None
    ) -> list[Diagnostic]:
        """E501 at each construct that `dialect` cannot express, in the checked rules of
        `names` and of what they refer to (all when None). A read of the clock is an error
        when *as of* is not `pinned`, nothing when it is, a warning when not known (None)."""
        from segdsl.emit.refusals import refusals

        found: list[Diagnostic] = []
        for owner, text, tree in self._rules(names):
            for refusal in refusals(tree, dialect):
                clock = refusal.feature == "clock"
                if clock and pinned:
                    continue
                found.append(
                    Diagnostic(
                        "E501",
                        refusal.message(dialect, owner),
                        text.location(refusal.span),
                        f"pin *as of* (--as-of) to compile for {dialect.name}, "
                        "or compile for another dialect"
                        if clock
                        else "compile for another dialect, or rewrite the rule without this "
                        "feature",
                        "warning" if clock and pinned is None else "error",
                    )
                )
        return found

    def _rules(self, names: Sequence[str] | None) -> list[tuple[str, Text, bound.Expr]]:
        """(owner, rule text, checked tree) of the segments and segmentations `names` (all
        when None) and of every one they refer to, each once, in the project's order."""
        checked = self._check()
        wanted = self._wanted(names)
        rules: list[tuple[str, Text, bound.Expr]] = []
        for name, tree in checked.segments.items():
            if name in wanted:
                rules.append((f"segment `{name}`", self.segments[name].where, tree))
        for name, (buckets, _) in checked.segmentations.items():
            if name in wanted:
                texts = {b.name: b.rule for b in self.segmentations[name].buckets}
                for bucket, tree in buckets:
                    text = texts[bucket]
                    assert text is not None
                    rules.append((f"segmentation `{name}`", text, tree))
        return rules

    @staticmethod
    def _members_of(
        names: Sequence[str] | None, segments: Sequence[str], segmentations: Sequence[str]
    ) -> str | None:
        """The segment whose members the statement lists: the only one selected, when
        `names` select one segment and nothing else; None for the one-row-per-customer
        statement."""
        return segments[0] if names and len(segments) == 1 and not segmentations else None

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
        segments, segmentations = self._select_names(names)
        own = self._members_of(names, segments, segmentations)
        if rules is None:
            rules = _default_passes(own, optimized)
        return self._optimized(as_of, rules, own, [*segments, *segmentations])

    def _optimized(
        self,
        as_of: dt.datetime | None,
        rules: Sequence[Pass],
        own: str | None,
        names: Sequence[str] | None = None,
    ) -> Program:
        """The optimized rules of `names` (all when None) and of those they refer to: a
        statement of one segment in a project of thousands optimizes a handful."""
        checked = self._require_clean(names)
        wanted = self._wanted(names)
        program = Program(
            {n: tree for n, tree in checked.segments.items() if n in wanted},
            {n: bound.Segmentation(*v) for n, v in checked.segmentations.items() if n in wanted},
        )
        return optimize(self._answer_history(program, as_of, names), rules, own, as_of)

    def _history_warnings(self) -> list[Diagnostic]:
        """A warning E488 at each `entered`/`left segment S` whose S the state database
        holds no snapshot of yet (or no state database at all): `check` cannot know the
        *as of* of a later run, but a rule that no snapshot can answer fails to run."""
        from segdsl.execute.state import open_state
        from segdsl.review import moves
        from segdsl.review.state import latest

        asked = self._history_clauses(None)
        if not asked:
            return []
        files: Sequence[Path] = ()
        with contextlib.suppress(SegdslError):  # no credentials in CI: no files to compare
            files = self.resolve_warehouse().files() if self.warehouse is not None else ()
        try:
            state = open_state(self.state, files, write=False)
        except SegdslError as error:  # the state is the warehouse (E430), or no database
            return error.diagnostics
        try:
            known = {node.name: latest(state, node.name) is not None for node, _ in asked}
        finally:
            state.close()
        shown_state = (
            self.state.relative_to(self.root)
            if self.state.is_relative_to(self.root)
            else self.state
        )
        return [
            Diagnostic(
                "E488",
                f"{shown_state} holds no snapshot of `{node.name}` yet, so "
                f"`{node.moved} segment {node.name}` cannot run",
                location,
                moves.snapshot_hint(node.name),
                "warning",
            )
            for node, location in asked
            if not known[node.name]
        ]

    def _history_clauses(
        self, names: Sequence[str] | None
    ) -> list[tuple[bound.SegmentHistory, Location | None]]:
        """Each `entered`/`left segment` clause in the rules of `names` (all when None) and
        of what they refer to, with its place in the rule's file; None for a trait's,
        inlined into the rule, whose span points into the trait's text instead."""
        places: list[tuple[bound.SegmentHistory, Location | None]] = []
        for _, text, tree in self._rules(names):
            for node in bound.descendants(tree):
                if isinstance(node, bound.SegmentHistory) and node.span is not None:
                    written = text.value[node.span.start : node.span.end].lower()
                    here = written.startswith(node.moved)
                    places.append((node, text.location(node.span) if here else None))
        return places

    def _answer_history(
        self, program: Program, as_of: dt.datetime | None, names: Sequence[str] | None
    ) -> Program:
        """`program` with its `entered`/`left segment` clauses answered from the state
        database at `as_of` (segdsl/review/moves.py); untouched, and no file opened, when
        it has none."""
        from segdsl.execute.state import open_state
        from segdsl.review import moves

        if not moves.asks_history(program):
            return program
        places: dict[bound.SegmentHistory, Location] = {}
        for node, location in self._history_clauses(names):
            if location is not None:
                places.setdefault(node, location)  # an error is shown at its first place
        entity = self._entity()
        if self._snapshots is not None:
            source = moves.given(self._snapshots)
            return moves.answer(program, as_of, source, entity, places.get, given_in_test=True)
        files = self.resolve_warehouse().files() if self.warehouse is not None else ()
        state = open_state(self.state, files, write=False)
        try:
            return moves.answer(program, as_of, moves.stored(state), entity, places.get)
        finally:
            state.close()

    def _lowering(
        self,
        dialect: str,
        as_of: dt.datetime | None,
        rules: Sequence[Pass],
        own: str | None = None,
        names: Sequence[str] | None = None,
    ) -> Lowering:
        from segdsl.emit.dialects import dialect_named
        from segdsl.lower.statement import Lowering

        program = self._optimized(as_of, rules, own, names)
        return Lowering(
            self._entity(),
            program.segments,
            program.segmentations,
            dialect_named(dialect),
            as_of,
            program.shapes,
        )

    def _require_clean(self, names: Sequence[str] | None = None) -> Checked:
        """The checked project, unless an error blocks a statement of `names` (all when
        None): see `_errors`."""
        blocked, _ = self._errors(names)
        if blocked:
            raise SegdslError(blocked)
        return self._check()

    def _errors(self, names: Sequence[str] | None) -> tuple[list[Diagnostic], list[Diagnostic]]:
        """The errors that block a statement of `names` (all when None), and the others:
        those in the definitions of `names` and of what they refer to, and those in no
        definition, block (selection.blocking). A name left unchecked with no error of its
        own (a rule inside one refused as too large, E312) blocks with every error."""
        checked = self._check()
        errors = sorted(
            (d for d in checked.diagnostics if d.severity == "error"), key=Diagnostic.sort_key
        )
        if names is None:
            return errors, []
        wanted = self._wanted(names)
        places = {n: s.defined for n, s in self.segments.items()}
        places |= {n: s.defined for n, s in self.segmentations.items()}
        blocked, others = selection.blocking(errors, wanted, places)
        unchecked = [
            n for n in wanted if n not in checked.segments and n not in checked.segmentations
        ]
        if unchecked and not blocked:
            return errors, []
        return blocked, others

    def _wanted(self, names: Sequence[str] | None) -> set[str]:
        """`names` (all when None) and every segment and segmentation they refer to."""
        if names is None:
            return {*self.segments, *self.segmentations}
        return set(selection.closure(names, self._check().references))

    def _value_trees(
        self, names: Sequence[str], selection: Sequence[str], numeric: Collection[str] = ()
    ) -> list[tuple[str, bound.Expr]]:
        """The checked tree of each field or trait named (`run --with`, `--measure`): E478
        for an unknown name, E479 for one of `numeric` that is not a number, E480 for a
        field with no single value per customer (a many-valued field, a geo pair). Errors
        block as for a statement of `selection` (`_require_clean`)."""
        checked = self._require_clean(selection)
        fields = self._entity().fields
        single = {n: f for n, f in fields.items() if not f.many and f.type is not Type.GEO}
        trees: dict[str, bound.Expr] = {
            **{n: bound.Column(f.type, f) for n, f in single.items()},
            **checked.traits,
        }
        numbers = [n for n, tree in trees.items() if tree.type.numeric]
        problems: list[Diagnostic] = []
        for name in names:
            if name in fields and name not in single:
                problems.append(
                    Diagnostic(
                        "E480",
                        f"`{name}` has no single value per customer",
                        hint="name a trait that computes one value from it, e.g. "
                        + (
                            f"`distance_km({name}, 48.14, 11.58)`"
                            if fields[name].type is Type.GEO
                            else f"`count({name})`"
                        ),
                    )
                )
            elif name not in trees:
                known = (
                    NameIndex(numbers, "numeric fields and traits")
                    if name in numeric
                    else NameIndex(trees, "fields and traits")
                )
                problems.append(
                    Diagnostic("E478", f"unknown field or trait `{name}`", hint=known.hint(name))
                )
            elif name in numeric and not trees[name].type.numeric:
                problems.append(
                    Diagnostic(
                        "E479",
                        f"`{name}` is {trees[name].type}, not a number: it has no sum",
                        hint="numeric fields and traits: "
                        + ", ".join(f"`{n}`" for n in sorted(numbers)),
                    )
                )
        if problems:
            raise SegdslError(problems)
        return [(name, trees[name]) for name in names]

    def _select_names(self, names: Sequence[str] | None) -> tuple[list[str], list[str]]:
        if not names:
            return list(self.segments), list(self.segmentations)
        picked = self.select_names(names)
        return (
            [n for n in picked if n in self.segments],
            [n for n in picked if n in self.segmentations],
        )

    def _check(self) -> Checked:
        if self._checked is None:
            self._checked = check_project(self._loaded)
        return self._checked


def load(
    path: str | Path = ".",
    only: Iterable[str | Path] | None = None,
    texts: Mapping[str, str] | None = None,
) -> Project:
    """Load the project at `path` (or the nearest folder above with a segdsl.yaml); with
    `texts` (a file's path, absolute or from the project's folder → its text), those files
    are read from memory instead of the disk: an editor's unsaved buffers (segdsl lsp)."""
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
    store = Overlay(root, texts) if texts else None
    return Project(load_project(root, files, store))


def schema_json(kind: str, project: Project | None = None) -> dict[str, Any]:
    """The JSON Schema of a segdsl file, for editors: `kind` is `segdsl` (segdsl.yaml),
    `schema`, `segments` or `tests`; a segment file's schema lists `project`'s names as
    suggestions in each rule (docs/editors.md). E492 for another kind."""
    from segdsl.document.jsonschema import KINDS, json_schema

    if kind not in KINDS:
        raise SegdslError(
            [
                Diagnostic(
                    "E492",
                    f"no schema for `{kind}`",
                    hint=did_you_mean(kind, KINDS, "kinds"),
                )
            ]
        )
    names = project.schema_names() if project is not None and kind == "segments" else None
    return json_schema(kind, names)


def _unformattable(name: str, why: Exception) -> Diagnostic:
    """E491: a file that passed the checks but could not be formatted after all (it was
    changed meanwhile, or a rule found no spelling that keeps the file's data)."""
    return Diagnostic(
        "E491",
        f"`{name}` cannot be formatted: {why}",
        hint="run `segdsl check`; if it is clean, the file is left as it is; please report it",
    )


def value_column(index: int) -> str:
    """The statement's column for the `index`-th field or trait read (`select(values=)`):
    numbered, so that no name of a field can meet a segment's column or the key."""
    return f"segdsl_value_{index + 1}"


def _default_passes(own: str | None, optimized: bool) -> Sequence[Pass]:
    """The optimizer's passes for a statement: a segment's own statement (`own`) gets the
    single-segment passes, the set statement the set's; none when not `optimized`."""
    if not optimized:
        return ()
    return RULES_SET if own is None else RULES_SINGLE


__all__ = ["Project", "load", "schema_json", "Type"]
