"""Project, schema and segment files → validated models, each rule kept with its place in its file.

The file formats and their validation are in formats.py, the schema's environment in
schema.py; this module finds the files, reads them and keeps what they define. It reads
only the project's own regular files, within the limits of docs/security.md#limits
(read_confined), and names every file as written, relative to the project.
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from segdsl.diagnostics import MAX_FILE_BYTES, Diagnostic, Location, Refused, read_confined
from segdsl.document import environment
from segdsl.document.formats import (
    ProjectModel,
    SchemaModel,
    SegmentFileModel,
    name_problem,
    normal_name,
    same_case,
    validate,
)
from segdsl.document.schema import environment_of
from segdsl.document.source import Document, Path_, Text, load_document

PROJECT_FILE = "segdsl.yaml"
MAX_FILES = 2_000
"""Segment files a project may have (docs/security.md#limits)."""
MAX_PROJECT_BYTES = 32 * 1024 * 1024
"""All the files of a project together (docs/security.md#limits)."""
_HINTS = {
    "E401": "check the path in segdsl.yaml",
    "E425": "segdsl reads only files inside the project's folder; "
    "name them relative to segdsl.yaml, without `..`",
    "E426": "name a regular YAML file (a symbolic link is followed only to one inside the project)",
    "E427": "see docs/security.md#limits; split the file or the project",
}


class Store(Protocol):
    """Where a project's files are read from: the disk (`Disk`), or the files stored at a
    git revision (segdsl/document/stored.py), held to the same confinement and limits."""

    def read(self, path: str, limit: int) -> bytes:
        """The bytes of the regular file `path` (relative to the project), at most `limit`
        long; Refused (E401, E425, E426, E427) otherwise."""
        ...

    def kind(self, entry: str) -> str | None:
        """ "folder", "file" or None (nothing there) for `entry`, links resolved; Refused
        (E425) when it leads outside the project."""
        ...

    def yaml_files(self, entry: str, shown: str, room: int) -> list[str]:
        """`shown/...` for each .yaml or .yml file under the folder `entry`, sorted, at most
        `room`."""
        ...

    def display(self, name: str) -> str:
        """How a file is named in diagnostics: as written on disk, `REV:name` at a revision."""
        ...


class Disk:
    """The project's files on disk (read_confined)."""

    def __init__(self, root: Path):
        self.root = root

    def read(self, path: str, limit: int) -> bytes:
        return read_confined(self.root, path, limit)

    def kind(self, entry: str) -> str | None:
        target = _inside(self.root, entry)
        if target is None:
            return None
        return "folder" if stat.S_ISDIR(target.stat().st_mode) else "file"

    def yaml_files(self, entry: str, shown: str, room: int) -> list[str]:
        target = _inside(self.root, entry)
        assert target is not None
        return _yaml_files(target, shown, room)

    def display(self, name: str) -> str:
        return name


@dataclass(frozen=True)
class SegmentSource:
    name: str
    where: Text
    path: str
    description: str | None = None
    owner: str | None = None
    labels: tuple[str, ...] = ()
    min_size: int | None = None
    defined: Location | None = None  # its name to the end of its value: whose error is whose


@dataclass(frozen=True)
class Bucket:
    name: str
    rule: Text | None  # None for the `else` bucket


@dataclass(frozen=True)
class SegmentationSource:
    name: str
    buckets: tuple[Bucket, ...]
    path: str
    defined: Location | None = None  # as for SegmentSource


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
    bytes_read: int = 0
    # segment and segmentation names by their lower case, which is how the engines' column
    # names compare (DuckDB's, Spark's, MySQL's): `vip` and `VIP` would be one column
    folded: dict[str, str] = field(default_factory=dict)
    store: Store | None = None  # where the files are read from; None: the disk, at `root`


def find_project(start: Path) -> Path | None:
    """The nearest folder holding a segdsl.yaml of any kind: one that is a link, a FIFO
    or a folder is then refused where it is read, rather than passed over for a parent's."""
    for folder in [start, *start.parents]:
        if os.path.lexists(folder / PROJECT_FILE):
            return folder
    return None


def find_repository(start: Path) -> Path | None:
    """The top of the git repository holding `start`: the nearest folder with a `.git`
    (a folder, or the file of a worktree or a submodule). Looked for on disk rather than
    asked of git, which refuses a checkout owned by another user (a container job's)."""
    for folder in [start, *start.parents]:
        if os.path.lexists(folder / ".git"):
            return folder
    return None


def _read(path: str, display: str, loaded: Loaded) -> Document | None:
    store = loaded.store or Disk(loaded.root)
    display = store.display(display)
    try:
        raw = store.read(path, min(MAX_FILE_BYTES, _budget(loaded)))
    except Refused as refused:
        if refused.code == "E427" and _budget(loaded) < MAX_FILE_BYTES:
            refused = Refused(
                "E427", f"would take the project past {MAX_PROJECT_BYTES:,} bytes in all"
            )
        prefix = "cannot read " if refused.code == "E401" else ""
        loaded.diagnostics.append(
            Diagnostic(
                refused.code,
                f"{prefix}`{display}`{':' if prefix else ''} {refused.reason}",
                hint=_HINTS[refused.code],
            )
        )
        return None
    loaded.bytes_read += len(raw)
    document, problems = load_document(display, raw)
    loaded.diagnostics.extend(problems)
    return document


def load_project(root: Path, only: list[Path] | None = None, store: Store | None = None) -> Loaded:
    """Read segdsl.yaml, the schema and the segment files (or just `only` of them), from
    the disk or from `store` (the files at a git revision)."""
    loaded = Loaded(root=root, store=store)
    document = _read(PROJECT_FILE, PROJECT_FILE, loaded)
    if document is None:
        return loaded
    loaded.project = validate(ProjectModel, document, loaded.diagnostics)
    if loaded.project is None:
        return loaded
    if isinstance(document.data, dict) and "dialect" in document.data:
        loaded.dialect_location = document.location(("dialect",))
    schema = loaded.project.schema_file
    schema_doc = _read(schema, schema, loaded)
    if schema_doc is not None:
        model = validate(SchemaModel, schema_doc, loaded.diagnostics)
        if model is not None:
            loaded.environment = environment_of(model, schema_doc, loaded.diagnostics)
    if only is not None:
        files = [_display(_relative(path, root)) for path in only]
    else:
        files = segment_files(root, loaded.project.segments, loaded)
    if len(files) > MAX_FILES:
        loaded.diagnostics.append(
            Diagnostic(
                "E427",
                f"the project has more than {MAX_FILES:,} segment files",
                hint=_HINTS["E427"],
            )
        )
        return loaded
    for name in files:
        segment_doc = _read(name, name, loaded)
        if segment_doc is not None:
            _add_segments(segment_doc, loaded)
    return loaded


def segment_files(root: Path, entries: list[str], loaded: Loaded) -> list[str]:
    """The files that `segments:` names, as paths relative to the project: a folder's
    YAML files, searched without following links to other folders, and at most one more
    than MAX_FILES (enough to say there are too many)."""
    files: list[str] = []
    store = loaded.store or Disk(root)
    for entry in entries:
        shown = _display(entry)
        try:
            kind = store.kind(entry)
        except Refused as refused:
            loaded.diagnostics.append(
                Diagnostic(refused.code, f"`{entry}` {refused.reason}", hint=_HINTS[refused.code])
            )
            continue
        if kind is None:
            loaded.diagnostics.append(
                Diagnostic(
                    "E401",
                    f"segment path `{entry}` does not exist",
                    hint="fix `segments:` in segdsl.yaml",
                )
            )
        elif kind == "folder":
            files.extend(store.yaml_files(entry, shown, MAX_FILES + 1 - len(files)))
        else:
            files.append(shown)  # read_confined refuses anything but a regular file
        if len(files) > MAX_FILES:
            break
    return files


def _inside(root: Path, entry: str) -> Path | None:
    """Where `entry` leads, links resolved, if that is inside the project (None when
    nothing is there); refused when it leads outside."""
    base = os.path.realpath(root)
    target = os.path.realpath(os.path.join(base, entry))
    if os.path.commonpath([base, target]) != base:
        raise Refused("E425", "is outside the project")
    return Path(target) if os.path.lexists(target) else None


def write_confined(root: Path, path: str, data: bytes) -> None:
    """Replace the regular file `path` of the project with `data`, atomically: a temporary
    file in the same folder, renamed over it, so that a reader never sees half a file.
    Held to read_confined's rule (E425, E426): a link is followed only to a file inside
    the project, which is written in its place (the link stays); E490 when the disk
    refuses the write."""
    target = _inside(root, path)
    if target is None:
        raise Refused("E401", "does not exist")
    status = os.stat(target)
    if not stat.S_ISREG(status.st_mode):
        raise Refused("E426", "is not a regular file")
    made: str | None = None
    try:
        descriptor, made = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(made, stat.S_IMODE(status.st_mode))
        os.replace(made, target)
        made = None
    except OSError as error:
        raise Refused("E490", f"cannot be written: {error.strerror or error}") from None
    finally:
        if made is not None:
            os.unlink(made)


def _yaml_files(folder: Path, shown: str, room: int) -> list[str]:
    """`shown/...` for each .yaml or .yml file under `folder`, sorted, at most `room`."""
    found: list[str] = []
    for here, folders, names in os.walk(folder):  # links to folders are not followed
        folders.sort()
        inner = os.path.relpath(here, folder)
        linked = [f for f in folders if os.path.islink(os.path.join(here, f))]
        for name in sorted([*names, *linked]):  # a link named .yaml is read, and refused
            if name.endswith((".yaml", ".yml")):
                found.append(os.path.normpath(os.path.join(shown, inner, name)))
                if len(found) >= room:
                    return sorted(found)
    return sorted(found)


def _budget(loaded: Loaded) -> int:
    return max(0, MAX_PROJECT_BYTES - loaded.bytes_read)


def _relative(path: Path, root: Path) -> str:
    """A path given to load(only=...) relative to the project when it is inside it;
    as it was given otherwise (and then refused when read)."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _display(entry: str) -> str:
    """A path from segdsl.yaml without a trailing `/` or `./`, to name the files under it."""
    return os.path.normpath(entry) if entry.strip() else entry


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
    for key, segment in model.segments.items():
        name = normal_name(key)
        where = document.text(("segments", key, "where"))
        if not _new_name(name, ("segments", key), document, loaded) or where is None:
            continue
        loaded.segments[name] = SegmentSource(
            name,
            where,
            path,
            segment.description,
            segment.owner,
            tuple(segment.labels),
            segment.min_size,
            _defined(document, ("segments", key)),
        )
    for key, entries in model.segmentations.items():
        name = normal_name(key)
        if not _new_name(name, ("segmentations", key), document, loaded):
            continue
        buckets: list[Bucket] = []
        for i, entry in enumerate(entries):
            ((bucket, rule),) = entry.items()
            place = ("segmentations", key, i, bucket)
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
        loaded.segmentations[name] = SegmentationSource(
            name, tuple(buckets), path, _defined(document, ("segmentations", key))
        )


def _defined(document: Document, path: Path_) -> Location:
    """From the key at `path` to the end of its value: a diagnostic inside is the
    definition's own (Project.select goes on past the errors of other definitions)."""
    key, value = document.location(path, key=True), document.location(path)
    return Location(key.path, key.line, key.column, value.end_line, value.end_column)


def _new_name(name: str, path: Path_, document: Document, loaded: Loaded) -> bool:
    problem = name_problem(name, "segment" if path[0] == "segments" else "segmentation")
    if problem is not None:
        code, message, hint = problem
        loaded.diagnostics.append(
            Diagnostic(code, message, document.location(path, key=True), hint)
        )
        return False
    key = loaded.environment.entity.key if loaded.environment else None
    if key is not None and same_case(name) == same_case(key):
        loaded.diagnostics.append(
            Diagnostic(
                "E213",
                f"`{name}` is the name of the key column, which every result has",
                document.location(path, key=True),
                "rename it; a result's columns are the key and one per segment",
            )
        )
        return False
    same = loaded.folded.get(same_case(name), name)
    previous = loaded.segments.get(same) or loaded.segmentations.get(same)
    if previous is not None:
        loaded.diagnostics.append(
            Diagnostic(
                "E209",
                f"`{name}` is defined twice"
                + ("" if same == name else f": as `{same}`, which differs only in case"),
                document.location(path, key=True),
                f"it is already defined in {previous.path}; segment names are global"
                + ("" if same == name else ", and a result's column names ignore case"),
            )
        )
        return False
    loaded.folded[same_case(name)] = name
    return True
