"""What a builder receives and returns, shared by the table (segdsl/operators/) and its builders.

Builders receive a `Build` (the lowering context, whose `exp` is sqlglot's expression
module) so the operator table imports no SQL library: `segdsl check` stays fast. What a
builder needs to know of the dialect it asks `b.dialect` (`DialectFacts`).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from sqlglot import exp as sqlexp

    SQL = sqlexp.Expression
else:
    SQL = Any


class Build(Protocol):
    """What a builder may use: sqlglot's `exp`, the dialect, *as of*."""

    @property
    def exp(self) -> ModuleType: ...

    @property
    def dialect(self) -> DialectFacts: ...

    def as_of(self) -> SQL: ...

    def key(self) -> SQL: ...


Builder = Callable[..., SQL]


def built(node: object) -> SQL:
    """A node made through `Build.exp`, which the type checker sees as a plain module."""
    return cast("SQL", node)


class DialectFacts(Protocol):
    """What lowering and the builders here ask of a dialect (segdsl/emit/dialects/base.py)."""

    @property
    def name(self) -> str: ...

    @property
    def like_escapes(self) -> tuple[tuple[str, str], ...]:
        """What LIKE reads as an escape or a class, each with the text that means it literally."""

    @property
    def casts_mixed_numbers(self) -> bool:
        """`if`/`coalesce` of a float with integers or decimals cast those to a double."""

    def builder(self, op: str) -> Builder: ...

    def matches(self, b: Build, x: SQL, p: SQL) -> SQL: ...

    def hex_to_int(self, b: Build, digits: SQL, count: int) -> SQL: ...
