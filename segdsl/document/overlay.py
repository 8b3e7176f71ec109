"""The project's files with some of them replaced by text held in memory.

An editor checks the buffers it has open before they are saved (the language server,
segdsl/lsp/): the files it holds are read from memory, every other one from the disk,
both held to the same limits (docs/security.md#limits). A buffer that names a file not
yet on disk counts as that file, so a new segment file under a folder that `segments:`
lists is read too.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Mapping
from pathlib import Path

from segdsl.diagnostics import Refused
from segdsl.document.files import Disk, Store


class Overlay:
    """A `Store` (segdsl/document/files.py) that reads `texts` in place of the files at
    their paths (each absolute, or relative to `root`), and the rest from `base`
    (default: the disk at `root`)."""

    def __init__(self, root: Path, texts: Mapping[str, str], base: Store | None = None):
        self.root = root
        self.base = base or Disk(root)
        self.texts = {_relative(root, path): text for path, text in texts.items()}

    def read(self, path: str, limit: int) -> bytes:
        text = self.texts.get(posixpath.normpath(path))
        if text is None:
            return self.base.read(path, limit)
        raw = text.encode("utf-8", "surrogatepass")  # a lone surrogate is then an E406
        if len(raw) > limit:
            raise Refused("E427", f"is {len(raw):,} bytes, over the limit of {limit:,}")
        return raw

    def kind(self, entry: str) -> str | None:
        if posixpath.normpath(entry) in self.texts:
            return "file"
        return self.base.kind(entry)

    def yaml_files(self, entry: str, shown: str, room: int) -> list[str]:
        found = set(self.base.yaml_files(entry, shown, room))
        folder = posixpath.normpath(entry)
        for path in self.texts:
            if folder != "." and not path.startswith(folder + "/"):
                continue
            if path.startswith("../") or not path.endswith((".yaml", ".yml")):
                continue
            inner = path if folder == "." else path[len(folder) + 1 :]
            found.add(posixpath.normpath(posixpath.join(shown, inner)))
        return sorted(found)[:room]

    def display(self, name: str) -> str:
        return self.base.display(name)


def _relative(root: Path, path: str) -> str:
    """`path` relative to `root`, as the project's files are named (`segments/vip.yaml`);
    one outside the project keeps its `../` and is never read."""
    joined = os.path.join(root, path)
    return Path(os.path.relpath(joined, root)).as_posix()
