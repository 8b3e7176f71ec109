"""T-SQL (SQL Server) and Fabric, which speaks it."""

from __future__ import annotations

from collections.abc import Mapping

from segdsl.emit.dialects.base import Dialect
from segdsl.emit.dialects.strings import ends_with_right, starts_with_left
from segdsl.operators import Builder, part


class TSQL(Dialect):
    """No STARTS_WITH or ENDS_WITH; LIKE knows `[...]` classes, so `[` is written `[[]`."""

    name = "tsql"
    operators: Mapping[str, Builder] = {
        "starts_with": starts_with_left,
        "ends_with": ends_with_right,
        "week": lambda b, t: part(b, "ISO_WEEK", t),  # DATEPART(WEEK) starts on Sunday
    }
    like_escapes = (("[", "[[]"),)


class Fabric(TSQL):
    name = "fabric"
