"""Project, schema and segment files → validated models, each rule kept with its place in its file.

The file formats and their validation are in formats.py, the schema's environment in
schema.py; this module finds the files, reads them and keeps what they define.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from segdsl.diagnostics import Diagnostic, Location
from segdsl.document import environment
from segdsl.document.formats import (
    ProjectModel,
    SchemaModel,
    SegmentFileModel,
    name_problem,
    validate,
)
from segdsl.document.schema import environment_of
from segdsl.document.source import Document, Path_, Text, load_document

PROJECT_FILE = "segdsl.yaml"


@dataclass(frozen=True)
class SegmentSource:
    name: str
    where: Text
    path: str
    description: str | None = None
    owner: str | None = None
    labels: tuple[str, ...] = ()
    min_size: int | None = None


@dataclass(frozen=True)
class Bucket:
    name: str
    rule: Text | None  # None for the `else` bucket


@dataclass(frozen=True)
class SegmentationSource:
    name: str
    buckets: tuple[Bucket, ...]
    path: str


@dataclass
class Loaded:
    """Everything read from a project's files, plus what was wrong with them."""

    root: Path
    project: ProjectModel | None = None
    environment: environment.Environment | None = None
    segments: dict[str, SegmentSource] = field(default_factory=dict)
    segmentations: dict[str, SegmentationSource] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    dialect_location: Location | None = None  # of `dialect:` in segdsl.yaml, when given


def find_project(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        if (folder / PROJECT_FILE).is_file():
            return folder
    return None


def _read(path: Path, display: str, loaded: Loaded) -> Document | None:
    try:
        raw = path.read_bytes()
    except OSError as error:
        loaded.diagnostics.append(
            Diagnostic(
                "E401",
                f"cannot read `{display}`: {error.strerror}",
                hint="check the path in segdsl.yaml",
            )
        )
        return None
    document, problems = load_document(display, raw)
    loaded.diagnostics.extend(problems)
    return document


def load_project(root: Path, only: list[Path] | None = None) -> Loaded:
    """Read segdsl.yaml, the schema and the segment files (or just `only` of them)."""
    loaded = Loaded(root=root)
    document = _read(root / PROJECT_FILE, PROJECT_FILE, loaded)
    if document is None:
        return loaded
    loaded.project = validate(ProjectModel, document, loaded.diagnostics)
    if loaded.project is None:
        return loaded
    if isinstance(document.data, dict) and "dialect" in document.data:
        loaded.dialect_location = document.location(("dialect",))
    schema_path = root / loaded.project.schema_file
    schema_doc = _read(schema_path, _display(schema_path, root), loaded)
    if schema_doc is not None:
        model = validate(SchemaModel, schema_doc, loaded.diagnostics)
        if model is not None:
            loaded.environment = environment_of(model, schema_doc, loaded.diagnostics)
    files = only if only is not None else segment_files(root, loaded.project.segments, loaded)
    for path in files:
        segment_doc = _read(path, _display(path, root), loaded)
        if segment_doc is not None:
            _add_segments(segment_doc, loaded)
    return loaded


def segment_files(root: Path, entries: list[str], loaded: Loaded) -> list[Path]:
    files: list[Path] = []
    for entry in entries:
        path = root / entry
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")))
        elif path.is_file():
            files.append(path)
        else:
            loaded.diagnostics.append(
                Diagnostic(
                    "E401",
                    f"segment path `{entry}` does not exist",
                    hint="fix `segments:` in segdsl.yaml",
                )
            )
    return files


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def _add_segments(document: Document, loaded: Loaded) -> None:
    if not isinstance(document.data, dict):
        loaded.diagnostics.append(
            Diagnostic(
                "E405",
                "a segment file is a mapping with `segments:` and/or `segmentations:`",
                document.location(()),
            )
        )
        return
    model = validate(SegmentFileModel, document, loaded.diagnostics)
    if model is None:
        return
    path = document.source.path
    for name, segment in model.segments.items():
        where = document.text(("segments", name, "where"))
        if not _new_name(name, ("segments", name), document, loaded) or where is None:
            continue
        loaded.segments[name] = SegmentSource(
            name,
            where,
            path,
            segment.description,
            segment.owner,
            tuple(segment.labels),
            segment.min_size,
        )
    for name, entries in model.segmentations.items():
        if not _new_name(name, ("segmentations", name), document, loaded):
            continue
        buckets: list[Bucket] = []
        for i, entry in enumerate(entries):
            ((bucket, rule),) = entry.items()
            place = ("segmentations", name, i, bucket)
            if bucket == "else":
                buckets.append(Bucket(rule, None))
                if i != len(entries) - 1:
                    loaded.diagnostics.append(
                        Diagnostic(
                            "E412",
                            "`else` must be the last bucket",
                            document.location(place, True),
                            "buckets after `else` could never match",
                        )
                    )
            elif any(b.name == bucket for b in buckets):
                loaded.diagnostics.append(
                    Diagnostic(
                        "E403", f"duplicate bucket `{bucket}`", document.location(place, True)
                    )
                )
            else:
                buckets.append(Bucket(bucket, document.text(place)))
        loaded.segmentations[name] = SegmentationSource(name, tuple(buckets), path)


def _new_name(name: str, path: Path_, document: Document, loaded: Loaded) -> bool:
    problem = name_problem(name, "segment" if path[0] == "segments" else "segmentation")
    if problem is not None:
        code, message, hint = problem
        loaded.diagnostics.append(
            Diagnostic(code, message, document.location(path, key=True), hint)
        )
        return False
    key = loaded.environment.entity.key if loaded.environment else None
    if key is not None and name.lower() == key.lower():
        loaded.diagnostics.append(
            Diagnostic(
                "E213",
                f"`{name}` is the name of the key column, which every result has",
                document.location(path, key=True),
                "rename it; a result's columns are the key and one per segment",
            )
        )
        return False
    previous = loaded.segments.get(name) or loaded.segmentations.get(name)
    if previous is not None:
        loaded.diagnostics.append(
            Diagnostic(
                "E209",
                f"`{name}` is defined twice",
                document.location(path, key=True),
                f"it is already defined in {previous.path}; segment names are global",
            )
        )
        return False
    return True
