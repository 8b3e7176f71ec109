"""Reading a test, the part every row and expectation shares: its problems placed in the
file (E450, E453, E456), its values and keys converted to the schema's types, and what it
expects of each segment or segmentation. The rows are read in givens.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from segdsl.diagnostics import Diagnostic, Location, did_you_mean
from segdsl.document.environment import Environment
from segdsl.document.files import SegmentationSource
from segdsl.document.source import Document, Path_
from segdsl.document.testvalues import a_type, convert, shown_value
from segdsl.types import Type


@dataclass(frozen=True)
class Expectation:
    """What a test expects of one segment (`members`, or `includes`/`excludes`) or one
    segmentation (`buckets`: customer → bucket)."""

    target: str
    kind: str  # "members", "includes" or "buckets"
    location: Location
    members: tuple[Any, ...] = ()
    excludes: tuple[Any, ...] = ()
    buckets: tuple[tuple[Any, str], ...] = ()


class Reading:
    """One test being read: its problems, each placed in the document."""

    def __init__(self, document: Document, env: Environment, problems: list[Diagnostic]):
        self.document = document
        self.env = env
        self.problems = problems
        self.count = 0
        entity = env.entity
        key_field = entity.fields.get(entity.key)
        self.key_type = key_field.type if key_field is not None else None
        self.table_key_type = self.key_type

    def add(
        self, code: str, message: str, path: Path_, hint: str | None = None, key: bool = False
    ) -> None:
        self.count += 1
        self.problems.append(Diagnostic(code, message, self.document.location(path, key), hint))

    def _key(self, value: Any, at: Path_) -> Any:
        if self.key_type is None:
            if isinstance(value, bool) or not isinstance(value, int | str):
                self.add("E453", "a customer key is a number or a text", at)
                return None
            return value
        return self._value(value, self.key_type, at, self.env.entity.key)

    def _value(self, value: Any, of: Type, at: Path_, name: str) -> Any:
        """The value as the column holds it; None (with E453) when it is not one."""
        if value is None:
            return None
        found = convert(value, of)
        if found is None:
            hint = (
                "quote it, so that YAML reads it as text"
                if of == Type.STRING
                else (
                    f"write {a_type(of)}"
                    + (" such as 2025-12-31T12:00:00" if of in (Type.TIMESTAMP, Type.DATE) else "")
                )
            )
            self.add("E453", f"`{name}` is {a_type(of)}, not {shown_value(value)}", at, hint)
        return found

    def _geo(self, value: Any, at: Path_, name: str) -> tuple[float, float] | None:
        if (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        ):
            return float(value[0]), float(value[1])
        self.add(
            "E453",
            f"`{name}` is a place, not {shown_value(value)}",
            at,
            "write [latitude, longitude]",
        )
        return None

    def _expectation(
        self,
        target: str,
        value: Any,
        at: Path_,
        segments: Mapping[str, object],
        segmentations: Mapping[str, SegmentationSource],
        customers: set[Any],
    ) -> Expectation | None:
        location = self.document.location(at, key=True)
        if target in segmentations:
            buckets = [b.name for b in segmentations[target].buckets]
            if not isinstance(value, dict):
                self.add("E405", f"`{target}` is a segmentation: expect `{{key: bucket}}`", at)
                return None
            pairs = []
            for spelled, bucket in value.items():
                key = self._listed_key(spelled, (*at, spelled), customers, True)
                if bucket not in buckets:
                    self.add(
                        "E450",
                        f"`{target}` has no bucket `{bucket}`",
                        (*at, spelled),
                        did_you_mean(str(bucket), buckets, "buckets"),
                    )
                elif key is not None:
                    pairs.append((key, str(bucket)))
            return Expectation(target, "buckets", location, buckets=tuple(pairs))
        if target not in segments:
            self.add(
                "E450",
                f"unknown segment `{target}`",
                at,
                did_you_mean(target, [*segments, *segmentations], "segments"),
                key=True,
            )
            return None
        if isinstance(value, list):
            keys = [self._listed_key(v, (*at, i), customers) for i, v in enumerate(value)]
            return Expectation(target, "members", location, tuple(k for k in keys if k is not None))
        if isinstance(value, dict) and value and set(value) <= {"includes", "excludes"}:
            lists = {}
            for part in ("includes", "excludes"):
                items = value.get(part, [])
                if not isinstance(items, list):
                    self.add("E405", f"`{part}` is a list of customer keys", (*at, part))
                    return None
                keys = [self._listed_key(v, (*at, part, i), customers) for i, v in enumerate(items)]
                lists[part] = tuple(k for k in keys if k is not None)
            return Expectation(target, "includes", location, lists["includes"], lists["excludes"])
        self.add(
            "E405",
            f"`{target}`: expect a list of members, or `includes:`/`excludes:`",
            at,
            "see docs/files.md#test-files",
        )
        return None

    def _listed_key(self, value: Any, at: Path_, customers: set[Any], is_key: bool = False) -> Any:
        if is_key and isinstance(value, str) and self.table_key_type == Type.INTEGER:
            value = int(value) if value.lstrip("-").isdigit() else value  # a mapping key is text
        key = self._key(value, at)
        if key is not None and key not in customers:
            self.add(
                "E456",
                f"the customer `{key}` is expected but not given",
                at,
                "add the customer to `given: customers:`",
                key=is_key,
            )
            return None
        return key
