"""Output files: checked against the warehouse's files, written in the private folder and
renamed into place only once complete (docs/security.md)."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import duckdb
from sqlglot import exp

from segdsl.diagnostics import Diagnostic, SegdslError
from segdsl.execute.session import private_folder, sql

OUT_TABLE = "members"  # the table `run --out FILE.duckdb` writes, unless told another
OUT_ALIAS = "segdsl_out"
OUT_SUFFIXES = (".csv", ".parquet", ".duckdb")


def check_suffix(path: Path) -> None:
    if path.suffix.lower() not in OUT_SUFFIXES:
        raise SegdslError(
            [
                Diagnostic(
                    "E414",
                    f"cannot write `{path.name}`",
                    hint="--out takes a .csv, .parquet or .duckdb file",
                )
            ]
        )


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: compared by device and inode, so that a hard link,
    a symlink or a bind mount of the warehouse counts as the warehouse."""
    try:
        first, second = os.stat(a), os.stat(b)
    except OSError:
        return False
    return (first.st_dev, first.st_ino) == (second.st_dev, second.st_ino)


def check_output(path: Path, warehouse: Path | Iterable[Path] | None) -> None:
    """Refuse an `--out` that is a file of the warehouse (E418), or that exists but is not
    a regular file (E421): a symlink is not followed or replaced, a FIFO is not opened."""
    files = [warehouse] if isinstance(warehouse, Path) else list(warehouse or ())
    if any(same_file(path, file) for file in files):
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
        raise SegdslError([write_error(path, error)]) from None
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


def write_file(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    order: Sequence[exp.Expr],
    path: Path,
    out_table: str,
) -> None:
    """`table`'s rows, sorted by `order`, to CSV, Parquet or a table of a DuckDB file (an
    existing one is copied, changed and put back); complete or not at all."""
    suffix = path.suffix.lower()
    ordered = connection.table(table).order(", ".join(sql(e) for e in order))
    folder = Path(tempfile.mkdtemp(prefix="out-", dir=private_folder()))
    staged = folder / path.name
    try:
        if suffix == ".duckdb":
            if path.exists():
                _refuse_open_database(path)
                shutil.copyfile(path, staged)
                shutil.copymode(path, staged)
            _replace_table(connection, table, order, staged, out_table)
        elif suffix == ".parquet":
            ordered.write_parquet(str(staged))
        else:
            ordered.write_csv(str(staged), header=True)
        _publish(staged, path)
    except (OSError, duckdb.Error) as error:
        raise SegdslError([write_error(path, error, staged)]) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _replace_table(
    connection: duckdb.DuckDBPyConnection,
    source: str,
    order: Sequence[exp.Expr],
    path: Path,
    table: str,
) -> None:
    """CREATE OR REPLACE the table in one transaction of an attached DuckDB file."""
    target = exp.Table(
        this=exp.to_identifier(table, quoted=True),
        db=exp.to_identifier("main"),
        catalog=exp.to_identifier(OUT_ALIAS),
    )
    select = exp.select(exp.Star()).from_(source).order_by(*(e.copy() for e in order))
    attach = exp.Attach(
        this=exp.Alias(this=exp.Literal.string(str(path)), alias=exp.to_identifier(OUT_ALIAS)),
        expressions=[exp.AttachOption(this=exp.var("READ_WRITE"))],
    )
    connection.execute(sql(attach))
    try:
        connection.execute(sql(exp.Transaction()))
        try:
            connection.execute(
                sql(exp.Create(this=target, kind="TABLE", replace=True, expression=select))
            )
            connection.execute(sql(exp.Commit()))
        except BaseException:
            # a failed statement may have ended the transaction already; the error
            # worth reporting is the first one, not "cannot rollback"
            with contextlib.suppress(duckdb.Error):
                connection.execute(sql(exp.Rollback()))
            raise
    finally:
        with contextlib.suppress(duckdb.Error):
            connection.execute(sql(exp.Detach(this=exp.to_identifier(OUT_ALIAS))))


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


def write_text(path: Path, text: str, warehouse: Path | Iterable[Path] | None) -> None:
    """`text` to `path`, checked as `--out` is (`check_output`), complete or not at all: it
    is written to a file beside `path` and renamed over it."""
    check_output(path, warehouse)
    descriptor, staged = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(staged, 0o644)
        os.replace(staged, path)
    except OSError as error:
        raise SegdslError([write_error(path, error, Path(staged))]) from None
    finally:
        if os.path.exists(staged):
            os.unlink(staged)


def write_error(path: Path, error: BaseException, staged: Path | None = None) -> Diagnostic:
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
