"""The grammar's LALR tables, shipped in the package as JSON (segdsl.lark.json).

Building them from segdsl.lark is a large part of a small `segdsl check`.
Lark's own cache (`cache=True`) would save that by unpickling a file from the shared
temporary folder under a predictable name, and a pickle planted there runs code. JSON
runs none, and the file sits beside the grammar, where only whoever installed segdsl can
write. The file records the sha256 of the grammar and lark's version it was built from;
when either differs, the parser is built from the grammar instead (tests/test_hostile.py
fails until the file is regenerated with `python -m segdsl.syntax.parser`).
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from typing import Any

GRAMMAR = "segdsl.lark"
TABLES = "segdsl.lark.json"


def grammar_text() -> str:
    return resources.files("segdsl.syntax").joinpath(GRAMMAR).read_text("utf-8")


def fingerprint(grammar: str, lark_version: str) -> str:
    return hashlib.sha256(f"{lark_version}\n{grammar}".encode()).hexdigest()


def encode(tables: dict[str, Any], grammar: str, lark_version: str) -> str:
    """Lark's serialized parser as JSON: dicts with keys that are not strings, and tuples,
    are tagged, so that they come back as they were."""
    document = {"fingerprint": fingerprint(grammar, lark_version), "tables": _tagged(tables)}
    return json.dumps(document, separators=(",", ":"), sort_keys=True) + "\n"


def decode(text: str, grammar: str, lark_version: str) -> dict[str, Any] | None:
    """The tables, or None when they were built from another grammar or lark."""
    document = json.loads(text, object_hook=_untagged)
    if document.get("fingerprint") != fingerprint(grammar, lark_version):
        return None
    tables: dict[str, Any] = document["tables"]
    return tables


def shipped() -> str | None:
    try:
        return resources.files("segdsl.syntax").joinpath(TABLES).read_text("utf-8")
    except FileNotFoundError:
        return None


_ITEMS, _TUPLE = "~items", "~tuple"


def _tagged(value: Any) -> Any:
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("~") for k in value):
            return {k: _tagged(v) for k, v in value.items()}
        return {_ITEMS: [[_tagged(k), _tagged(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {_TUPLE: [_tagged(v) for v in value]}
    if isinstance(value, list):
        return [_tagged(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot ship {type(value).__name__} in the parser tables")


def _untagged(value: dict[str, Any]) -> Any:
    if len(value) == 1 and _ITEMS in value:
        return {_hashable(k): v for k, v in value[_ITEMS]}
    if len(value) == 1 and _TUPLE in value:
        return tuple(value[_TUPLE])
    return value


def _hashable(key: Any) -> Any:
    return tuple(_hashable(k) for k in key) if isinstance(key, list) else key
