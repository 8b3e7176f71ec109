"""The project's files as stored at a git revision, for `segdsl diff --base REV`.

git is run as a program (a list argv, never a shell), with a timeout and a cap on what it
may print, from the project's folder: `rev-parse` finds the repository and the commit,
`ls-tree` lists the project's folder at that commit, `cat-file` reads a blob. Nothing is
checked out, and no file on disk changes. The revision is checked before git sees it (it
cannot be an option such as `--upload-pack=...`) and is peeled to a commit, so that
`HEAD:../../etc/passwd` names nothing.

The files are then read as on disk (segdsl/document/files.py's `Store`): only regular files
inside the project's folder (a link committed into git is followed only to a file inside
it, at most MAX_LINKS links), at most the same number of bytes each, the YAML loaded by
the same loader with its bounded aliases.
"""

from __future__ import annotations

import os
import posixpath
import re
import selectors
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from segdsl.diagnostics import Diagnostic, Refused, SegdslError

GIT_TIMEOUT = 30.0
"""Seconds each git command may take (docs/cli.md#segdsl-diff)."""
MAX_LISTING_BYTES = 16 * 1024 * 1024
"""What `git ls-tree` may print for the project's folder: about 150,000 files."""
MAX_LINKS = 40
"""Symbolic links followed to reach one file, as the kernel's own limit."""
MAX_REVISION = 256
_REVISION = re.compile(r"[^\x00-\x20\x7f]+")
_REGULAR = {"100644", "100755"}
_KEPT = {"GIT_CEILING_DIRECTORIES"}  # where the search for a repository stops: the caller's say


@dataclass(frozen=True)
class _Entry:
    mode: str
    kind: str  # blob, tree or commit (a submodule)
    oid: str
    size: int


@dataclass(frozen=True)
class Revision:
    """The commit checked out where a project lives, and whether its folder's files differ
    from it (changed, added or not yet tracked)."""

    commit: str
    dirty: bool

    def __str__(self) -> str:
        return f"{self.commit}-dirty" if self.dirty else self.commit


def working_revision(folder: Path) -> Revision | None:
    """`git rev-parse HEAD` of the repository holding `folder`, and `git status` of the
    folder; None outside a repository, in one without a commit, or when git cannot run."""
    try:
        commit = _git(folder, ["rev-parse", "--verify", "--quiet", "HEAD"], 1024)
        status = _git(folder, ["status", "--porcelain", "--", "."], MAX_LISTING_BYTES)
    except _Failed:
        return None
    return Revision(commit.decode("ascii", "replace").strip(), bool(status.strip()))


class StoredFiles:
    """A project's files at one commit: read as a `Store` (segdsl/document/files.py)."""

    def __init__(self, root: Path, revision: str):
        check_revision(revision)
        self.root = root
        self.revision = revision
        top, prefix = _repository(root)
        self.top = top
        self.commit = _commit(top, revision)
        self.entries = _listing(top, self.commit, prefix)

    # ---- Store ----------------------------------------------------------------------------

    def read(self, path: str, limit: int) -> bytes:
        entry = self._regular(self._resolve(path))
        if entry.size > limit:
            raise Refused("E427", f"is {entry.size:,} bytes, over the limit of {limit:,}")
        return self._blob(entry.oid, limit + 1)

    def kind(self, entry: str) -> str | None:
        path = self._resolve(entry)
        if path == "":
            return "folder"  # the project's folder itself (`segments: [.]`)
        found = self.entries.get(path)
        if found is None:
            return None
        return "folder" if found.kind == "tree" else "file"

    def yaml_files(self, entry: str, shown: str, room: int) -> list[str]:
        folder = self._resolve(entry)
        start = "" if folder == "" else folder + "/"
        found = sorted(
            posixpath.normpath(posixpath.join(shown, path[len(start) :]))
            for path, item in self.entries.items()
            if path.startswith(start) and item.kind != "tree" and path.endswith((".yaml", ".yml"))
        )
        return found[:room]

    def display(self, name: str) -> str:
        return f"{self.revision}:{name}"

    def _blob(self, oid: str, cap: int) -> bytes:
        try:
            return _git(self.top, ["cat-file", "blob", oid], cap)
        except _Failed as failed:
            raise Refused("E401", f"cannot be read from git: {failed}") from None

    # ---- confinement ----------------------------------------------------------------------

    def _resolve(self, path: str) -> str:
        """`path` relative to the project, its links followed: E425 when it leads outside."""
        if path.startswith("/"):
            raise Refused("E425", "is outside the project")
        todo = [p for p in path.split("/") if p not in ("", ".")]
        todo.reverse()
        done: list[str] = []
        links = 0
        while todo:
            part = todo.pop()
            if part == "..":
                if not done:
                    raise Refused("E425", "is outside the project")
                done.pop()
                continue
            here = "/".join([*done, part])
            entry = self.entries.get(here)
            if entry is None or entry.mode != "120000":
                done.append(part)
                continue
            links += 1
            if links > MAX_LINKS:
                raise Refused("E426", f"goes through more than {MAX_LINKS} symbolic links")
            target = self._blob(entry.oid, 4096).decode("utf-8", "replace")
            if target.startswith("/"):
                raise Refused("E425", "is a link to a file outside the project")
            todo.extend(reversed([p for p in target.split("/") if p not in ("", ".")]))
        return "/".join(done)

    def _regular(self, path: str) -> _Entry:
        entry = self.entries.get(path)
        if entry is None:
            raise Refused("E401", f"does not exist at {self.revision}")
        if entry.kind == "tree":
            raise Refused("E426", "is a folder, not a regular file")
        if entry.mode not in _REGULAR:
            raise Refused("E426", "is a submodule, not a regular file")
        return entry


def check_revision(revision: str) -> None:
    """A revision git reads as a revision, never as an option or a path (E465)."""
    if (
        not revision
        or len(revision) > MAX_REVISION
        or revision.startswith("-")
        or not _REVISION.fullmatch(revision)
    ):
        raise _bad_revision(revision, "is not the name of a revision")


def _bad_revision(revision: str, why: str) -> SegdslError:
    return SegdslError(
        [
            Diagnostic(
                "E465",
                f"`{revision[:MAX_REVISION]}` {why}",
                hint="give --base a branch, a tag or a commit (`main`, `HEAD~1`, `v1.2`, a hash)",
            )
        ]
    )


def head_commit(root: Path) -> str | None:
    """`git rev-parse HEAD` of the repository holding `root`; None outside git, before the
    first commit, or when git cannot answer (a snapshot is still worth taking)."""
    try:
        out = _git(root, ["rev-parse", "--verify", "--quiet", "HEAD"], 1024)
    except _Failed:
        return None
    return out.decode("ascii", "replace").strip() or None


def _repository(root: Path) -> tuple[Path, str]:
    """The top folder of the git repository holding `root`, and `root`'s path in it."""
    try:
        out = _git(root, ["rev-parse", "--show-toplevel", "--show-prefix"], 1 << 16)
    except _Failed as failed:
        if "did not answer" in str(failed) or "cannot run git" in str(failed):
            raise _git_failed(failed) from None
        why = "" if "not a git repository" in str(failed) else f": {failed}"
        raise SegdslError(
            [
                Diagnostic(
                    "E466",
                    f"the project's folder is not in a git repository{why}",
                    hint="--base reads the rules from git; commit the project, or compare "
                    "two instants with --vs-as-of",
                )
            ]
        ) from None
    lines = out.decode("utf-8", "surrogateescape").split("\n")
    top, prefix = lines[0], lines[1] if len(lines) > 1 else ""
    return Path(top), prefix.rstrip("/")


def _commit(top: Path, revision: str) -> str:
    spec = f"{revision}^{{commit}}"
    try:
        out = _git(top, ["rev-parse", "--verify", "--quiet", "--end-of-options", spec], 1024)
    except _Failed as failed:
        if "did not answer" in str(failed):
            raise _git_failed(failed) from None
        raise _bad_revision(revision, "names no commit of the project's repository") from None
    return out.decode("ascii", "replace").strip()


def _listing(top: Path, commit: str, prefix: str) -> dict[str, _Entry]:
    """Every file, link and folder under the project's folder at `commit`, by its path
    relative to the project (E467 when the project is not there)."""
    where = f"{commit}:{prefix}" if prefix else f"{commit}:"
    try:
        out = _git(
            top, ["ls-tree", "-r", "-t", "-l", "-z", "--end-of-options", where], MAX_LISTING_BYTES
        )
    except _Failed as failed:
        if "too much" in str(failed):
            raise SegdslError(
                [
                    Diagnostic(
                        "E427",
                        f"the project's folder at {commit[:12]} lists more than "
                        f"{MAX_LISTING_BYTES:,} bytes of files",
                        hint="see docs/security.md#limits; split the project",
                    )
                ]
            ) from None
        if "did not answer" in str(failed):
            raise _git_failed(failed) from None
        out = b""
    entries: dict[str, _Entry] = {}
    for record in out.split(b"\0"):
        if not record:
            continue
        head, _, name = record.partition(b"\t")
        mode, kind, oid, size = head.decode("ascii", "replace").split()
        path = name.decode("utf-8", "surrogateescape")
        entries[path] = _Entry(mode, kind, oid, int(size) if size.isdigit() else 0)
    if "segdsl.yaml" not in entries:
        raise SegdslError(
            [
                Diagnostic(
                    "E467",
                    f"the project is not in commit {commit[:12]}: it has no "
                    f"`{prefix + '/' if prefix else ''}segdsl.yaml`",
                    hint="give --base a revision that has the project (`git log -- segdsl.yaml`)",
                )
            ]
        )
    return entries


def _git_failed(failed: Exception) -> SegdslError:
    return SegdslError(
        [
            Diagnostic(
                "E471",
                f"git failed: {failed}",
                hint=f"is git installed? each git command has {GIT_TIMEOUT:.0f} s: is the "
                "repository on a slow or busy disk?",
            )
        ]
    )


class _Failed(Exception):
    """git failed, timed out, or printed more than it may."""


def _git(folder: Path, arguments: list[str], cap: int) -> bytes:
    """What `git arguments` prints in `folder`, at most `cap` bytes, within GIT_TIMEOUT.
    The environment keeps no GIT_* variable of the caller's (but _KEPT), prompts for nothing and
    takes no lock; no pager, no fsmonitor hook."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") or k in _KEPT}
    env |= {"GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"}
    argv = ["git", "--no-pager", "-c", "core.fsmonitor=false", "-c", "core.quotepath=off"]
    try:
        process = subprocess.Popen(
            [*argv, *arguments],
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as error:
        raise _Failed(f"cannot run git: {error.strerror or error}") from None
    try:
        out, err = _collect(process, cap)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
    if process.returncode != 0:
        message = err.decode("utf-8", "replace").strip().splitlines()
        raise _Failed(message[0] if message else f"git exited with {process.returncode}")
    return out


def _collect(process: subprocess.Popen[bytes], cap: int) -> tuple[bytes, bytes]:
    assert process.stdout is not None and process.stderr is not None
    out, err = bytearray(), bytearray()
    deadline = time.monotonic() + GIT_TIMEOUT
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ, out)
        selector.register(process.stderr, selectors.EVENT_READ, err)
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Failed(f"git did not answer within {GIT_TIMEOUT:.0f} s")
            for key, _ in selector.select(left):
                chunk = os.read(key.fd, 1 << 16)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                key.data.extend(chunk)
                if len(out) > cap:
                    raise _Failed("git printed too much")
                if len(err) > 1 << 16:
                    del err[1 << 16 :]
    return bytes(out), bytes(err)
