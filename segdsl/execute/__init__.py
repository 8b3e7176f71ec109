"""Run compiled SQL on DuckDB. The only module that imports duckdb; the few statements
it adds around the compiled query (a TEMP table, sizes, members) are sqlglot trees too.

The compiled query runs as the text `compile(..., dialect="duckdb", pretty=False)` gives
for it, word for word (`Result.sql`), and it is the only statement that reads the
warehouse: sizes, members and output files are read from its result. A single segment's
query lists its members only, so its run knows no customer count and gives no share.

The warehouse is opened read-only, in a session that can touch no other file but a
private folder of its own (`connect`): segdsl never modifies the warehouse. Output files
are written in that folder and renamed into place only once complete (docs/security.md).
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
from sqlglot import exp

from segdsl.diagnostics import Diagnostic, SegdslError
from segdsl.emit import to_sql

RESULT_TABLE = "segdsl_result"
OUT_TABLE = "members"  # the table `run --out FILE.duckdb` writes, unless told another
OUT_ALIAS = "segdsl_out"
OUT_SUFFIXES = (".csv", ".parquet", ".duckdb")
DUCKDB_MAGIC = b"DUCK"  # bytes 8 to 12 of a DuckDB database file


@dataclass(frozen=True)
class Size:
    """Members of one segment, or of one bucket of a segmentation."""

    name: str
    bucket: str | None
    members: int
    share: float | None  # None in a single segment's run, which counts no other customer
    min_size: int | None

    @property
    def too_small(self) -> bool:
        return self.min_size is not None and self.members < self.min_size


class Result:
    """The result of one statement, in one of the two shapes `segdsl compile` gives: the
    members' keys of one segment (`members_of` names it), or every customer's key with one
    boolean per segment and one string per segmentation (`members_of` is None)."""

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        query: exp.Query,
        key: str,
        segments: Sequence[str],
        segmentations: Sequence[str],
        as_of: dt.datetime,
        min_sizes: Mapping[str, int | None],
        warehouse: Path,
        members_of: str | None = None,
    ):
        self.connection = connection
        self.warehouse = warehouse
        self.sql = to_sql(query, "duckdb", pretty=False)  # compile(..., pretty=False), exactly
        self.members_of = members_of
        self.key = key
        self.segments = list(segments)
        self.segmentations = list(segmentations)
        self.as_of = as_of
        self._min_sizes = min_sizes
        # computed once, in full, into a TEMP table: the warehouse itself is never written
        connection.execute(
            _sql(
                exp.Create(
                    this=exp.to_table(RESULT_TABLE),
                    kind="TABLE",
                    replace=True,
                    expression=exp.var(self.sql),  # the compiled text itself, not a regeneration
                    properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
                )
            )
        )
        self.relation = connection.table(RESULT_TABLE)

    def _fetch(self, query: exp.Select) -> list[tuple[Any, ...]]:
        return self.connection.execute(_sql(query.from_(RESULT_TABLE))).fetchall()

    def sizes(self) -> list[Size]:
        """Sizes from one pass over the result."""
        if self.members_of is not None:
            count = self._count()
            return [Size(self.members_of, None, count, None, self._min_sizes.get(self.members_of))]
        columns: list[exp.Expression] = [exp.Count(this=exp.Star())]
        # COUNT_IF, not COUNT(*) FILTER: measured faster over the many columns of a large result
        columns += [exp.CountIf(this=_column(s)) for s in self.segments]
        columns += [
            exp.Anonymous(this="histogram", expressions=[_column(s)]) for s in self.segmentations
        ]
        (row,) = self._fetch(exp.select(*columns))
        total = int(row[0])
        sizes = [
            Size(name, None, int(n), n / total if total else 0.0, self._min_sizes.get(name))
            for name, n in zip(self.segments, row[1:], strict=False)
        ]
        for name, histogram in zip(self.segmentations, row[1 + len(self.segments) :], strict=True):
            for bucket, n in sorted((histogram or {}).items(), key=lambda kv: -kv[1]):
                sizes.append(Size(name, bucket, int(n), n / total if total else 0.0, None))
        return sizes

    def total(self) -> int | None:
        """The number of customers; None in a single segment's run, whose statement lists
        only the members (counting the others would be a second statement)."""
        return None if self.members_of is not None else self._count()

    def _count(self) -> int:
        """Rows of the result: customers, or a single segment's members."""
        ((count,),) = self._fetch(exp.select(exp.Count(this=exp.Star())))
        return int(count)

    def members(self, segment: str, bucket: str | None = None) -> list[Any]:
        """Keys of one segment's members (or of one bucket of a segmentation), sorted."""
        key = _column(self.key)
        if self.members_of is not None:
            if segment != self.members_of or bucket is not None:
                raise ValueError(f"this run lists the members of `{self.members_of}` only")
            return [r[0] for r in self._fetch(exp.select(key).order_by(key.copy()))]
        condition: exp.Expression = _column(segment)
        if segment in self.segmentations:
            if bucket is None:
                raise ValueError(
                    f"`{segment}` is a segmentation: name one of its buckets, "
                    f"members({segment!r}, bucket=...)"
                )
            condition = exp.EQ(this=condition, expression=exp.Literal.string(bucket))
        rows = self._fetch(exp.select(key).where(condition).order_by(key.copy()))
        return [r[0] for r in rows]

    def _ordered(self) -> duckdb.DuckDBPyRelation:
        return self.relation.order(_sql(_column(self.key)))

    def to_arrow(self) -> Any:
        return self._ordered().to_arrow_table()

    def df(self) -> Any:
        return self._ordered().df()

    def write(self, path: Path, table: str = OUT_TABLE) -> None:
        """The result's rows (customers, or one segment's members), sorted by key, to CSV,
        Parquet or a table of a DuckDB file
        (`.duckdb`: an existing file is copied, changed and put back). A file appears
        complete or not at all, and a failure leaves nothing behind. The warehouse itself
        is never written (`check_output`)."""
        suffix = path.suffix.lower()
        if suffix not in OUT_SUFFIXES:
            raise SegdslError(
                [
                    Diagnostic(
                        "E414",
                        f"cannot write `{path.name}`",
                        hint="--out takes a .csv, .parquet or .duckdb file",
                    )
                ]
            )
        check_output(path, self.warehouse)
        folder = Path(tempfile.mkdtemp(prefix="out-", dir=_private_folder()))
        staged = folder / path.name
        try:
            if suffix == ".duckdb":
                if path.exists():
                    _refuse_open_database(path)
                    shutil.copyfile(path, staged)
                    shutil.copymode(path, staged)
                self._replace_table(staged, table)
            elif suffix == ".parquet":
                self._ordered().write_parquet(str(staged))
            else:
                self._ordered().write_csv(str(staged), header=True)
            _publish(staged, path)
        except (OSError, duckdb.Error) as error:
            raise SegdslError([_write_error(path, error, staged)]) from None
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _replace_table(self, path: Path, table: str) -> None:
        """CREATE OR REPLACE the table in one transaction of an attached DuckDB file."""
        target = exp.Table(
            this=exp.to_identifier(table, quoted=True),
            db=exp.to_identifier("main"),
            catalog=exp.to_identifier(OUT_ALIAS),
        )
        select = exp.select(exp.Star()).from_(RESULT_TABLE).order_by(_column(self.key))
        self.connection.execute(
            _sql(
                exp.Attach(
                    this=exp.Alias(
                        this=exp.Literal.string(str(path)), alias=exp.to_identifier(OUT_ALIAS)
                    ),
                    expressions=[exp.AttachOption(this=exp.var("READ_WRITE"))],
                )
            )
        )
        try:
            self.connection.execute(_sql(exp.Transaction()))
            try:
                self.connection.execute(
                    _sql(exp.Create(this=target, kind="TABLE", replace=True, expression=select))
                )
                self.connection.execute(_sql(exp.Commit()))
            except BaseException:
                # a failed statement may have ended the transaction already; the error
                # worth reporting is the first one, not "cannot rollback"
                with contextlib.suppress(duckdb.Error):
                    self.connection.execute(_sql(exp.Rollback()))
                raise
        finally:
            with contextlib.suppress(duckdb.Error):
                self.connection.execute(_sql(exp.Detach(this=exp.to_identifier(OUT_ALIAS))))


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: compared by device and inode, so that a hard link,
    a symlink or a bind mount of the warehouse counts as the warehouse."""
    try:
        first, second = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def check_output(path: Path, warehouse: Path | None) -> None:
    """Refuse an `--out` that is the warehouse (E418), or that exists but is not a regular
    file (E421): a symlink is not followed or replaced, a FIFO or device is not opened."""
    if warehouse is not None and same_file(path, warehouse):
        raise SegdslError(
            [
                Diagnostic(
                    "E418",
                    f"`{path.name}` is the warehouse, which segdsl never writes",
                    hint="name another file for --out",
                )
            ]
        )
    if not path.parent.is_dir():
        raise SegdslError(
            [
                Diagnostic(
                    "E420",
                    f"cannot write `{path}`: the folder `{path.parent}` does not exist",
                    hint="create the folder first; nothing was written",
                )
            ]
        )
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise SegdslError([_write_error(path, error)]) from None
    if not stat.S_ISREG(mode):
        kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
        raise SegdslError(
            [
                Diagnostic(
                    "E421",
                    f"`{path.name}` is {kind}; segdsl writes only regular files",
                    hint="name a new file, or the real file a link points to",
                )
            ]
        )


def _refuse_open_database(path: Path) -> None:
    """An existing `.duckdb` output is copied and replaced whole, which is only safe while
    no other program writes to it: DuckDB holds a lock on a file it writes, and keeps
    changes not yet checkpointed in a `.wal` beside it, which would not follow the copy."""
    wal = path.with_name(path.name + ".wal")
    busy = wal.exists()
    if not busy and os.name == "posix":
        import fcntl  # POSIX only; DuckDB uses the same advisory locks

        with path.open("rb") as handle:
            try:
                fcntl.lockf(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except OSError:
                busy = True
    if busy:
        raise OSError(errno.EBUSY, "another program has it open for writing (or left a .wal)")


def _publish(staged: Path, path: Path) -> None:
    """Move the finished file into place in one rename, so that `path` holds the old file
    or the new one, never a part. Across file systems, the copy goes first to a private
    folder beside `path`, removed whatever happens."""
    try:
        os.replace(staged, path)
        return
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise
    folder = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".segdsl", dir=path.parent))
    try:
        beside = folder / path.name
        shutil.copyfile(staged, beside)
        if path.exists():
            shutil.copymode(path, beside)
        os.replace(beside, path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _write_error(path: Path, error: BaseException, staged: Path | None = None) -> Diagnostic:
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    if staged is not None:
        reason = reason.replace(str(staged), str(path))
    if isinstance(error, duckdb.Error):
        known_reasons = (
            "No space left on device",
            "Read-only file system",
            "Permission denied",
            "File too large",
        )
        for known in known_reasons:
            if known in reason:
                reason = known
    return Diagnostic(
        "E420",
        f"cannot write `{path}`: {reason}",
        hint="is there room, and may segdsl write there? nothing was written",
    )


def _sql(expression: exp.Expression) -> str:
    return to_sql(expression, "duckdb", pretty=False)


def _memory_limit() -> str:
    """DuckDB's own default is 80% of the memory; segdsl asks it to spill to disk beyond
    half of it, and beyond 6 GiB at most, so that a run over a warehouse larger than memory
    leaves room for the rest of the machine (the benchmarks' bound: 8 GiB at 10M customers)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "6GiB"
    return f"{min(6 * 1024, total // 2 // 1024 // 1024)}MiB"


def _column(name: str) -> exp.Column:
    return exp.column(name, quoted=True)


def _set(setting: str, value: str | bool | list[str]) -> str:
    literal: exp.Expression
    if isinstance(value, bool):
        literal = exp.Boolean(this=value)
    elif isinstance(value, list):
        literal = exp.Array(expressions=[exp.Literal.string(v) for v in value])
    else:
        literal = exp.Literal.string(value)
    return _sql(
        exp.Set(
            expressions=[exp.SetItem(this=exp.EQ(this=exp.column(setting), expression=literal))]
        )
    )


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse, read-only at the engine level, in a session that can touch no other
    file: DuckDB's external access is off (so a table name such as "/etc/passwd.csv" in
    schema.yaml is not read as a file), extensions are never installed or loaded on its
    own accord (a SQLite file given as warehouse made it try to download one). The one
    folder it may use is a private one (mode 0700) in the temporary folder: its spill
    files, and the `--out` file until it is complete (docs/security.md)."""
    if not _is_duckdb_file(warehouse):
        raise SegdslError(
            [
                Diagnostic(
                    "E419",
                    f"cannot open the warehouse `{warehouse.name}`: not a DuckDB database file",
                    hint="the warehouse must be a DuckDB database file that segdsl may read",
                )
            ]
        )
    try:
        # no `config=`: DuckDB refuses a second connection to a file whose settings differ
        # from those of a connection the process already holds; SET is the same here
        connection = duckdb.connect(str(warehouse), read_only=True)
    except duckdb.Error as error:
        raise SegdslError(
            [
                Diagnostic(
                    "E419",
                    f"cannot open the warehouse `{warehouse.name}`: {_first_line(error)}",
                    hint="the warehouse must be a DuckDB database file that segdsl may read",
                )
            ]
        ) from None
    for setting in (
        "autoinstall_known_extensions",
        "autoload_known_extensions",
        "allow_community_extensions",
        "python_enable_replacements",
    ):
        connection.execute(_set(setting, False))
    connection.execute(_set("TimeZone", "UTC"))
    connection.execute(_set("memory_limit", _memory_limit()))
    if _setting(connection, "enable_external_access"):
        # DuckDB shares one database instance among the connections of a process to the
        # same file; the first one shuts the instance's external access, the others find
        # it shut (and may no longer change the folders)
        private = _private_folder()
        connection.execute(_set("temp_directory", str(private / "spill")))
        connection.execute(_set("allowed_directories", [f"{private}{os.sep}"]))
        connection.execute(_set("enable_external_access", False))
    return connection


@cache
def _private_folder() -> Path:
    """This process's folder for DuckDB's spill files and unfinished `--out` files: made by
    mkdtemp (mode 0700, a name nobody can guess), removed when the process exits."""
    folder = Path(tempfile.mkdtemp(prefix="segdsl-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _setting(connection: duckdb.DuckDBPyConnection, name: str) -> Any:
    query = exp.select(
        exp.Anonymous(this="current_setting", expressions=[exp.Literal.string(name)])
    )
    ((value,),) = connection.execute(_sql(query)).fetchall()
    return value


def _is_duckdb_file(path: Path) -> bool:
    """DuckDB's magic bytes, checked before DuckDB sees the file: given a SQLite or
    Parquet file, DuckDB would look for an extension to read it with."""
    try:
        with path.open("rb") as handle:
            return handle.read(12)[8:12] == DUCKDB_MAGIC
    except OSError:
        return False


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def execute(
    warehouse: Path,
    query: exp.Query,
    key: str,
    segments: Sequence[str],
    segmentations: Sequence[str],
    as_of: dt.datetime,
    min_sizes: Mapping[str, int | None],
    members_of: str | None = None,
) -> Result:
    if not warehouse.is_file():
        raise SegdslError(
            [
                Diagnostic(
                    "E413",
                    f"the warehouse `{warehouse}` does not exist",
                    hint="check `warehouse:` in segdsl.yaml, or run `segdsl demo`",
                )
            ]
        )
    try:
        connection = connect(warehouse)
        return Result(
            connection, query, key, segments, segmentations, as_of, min_sizes, warehouse, members_of
        )
    except duckdb.Error as error:
        raise SegdslError(
            [
                Diagnostic(
                    "E415",
                    f"the warehouse rejected the query: {error}",
                    hint="does schema.yaml match the warehouse's tables and columns?",
                )
            ]
        ) from None
