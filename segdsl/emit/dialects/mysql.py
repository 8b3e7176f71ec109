"""MySQL and the engines that speak its SQL: Doris, StarRocks. (SingleStore, MySQL's kin
too, is not a dialect sqlglot 30 writes.)"""

from __future__ import annotations

from collections.abc import Mapping

from segdsl.emit.dialects.base import BACKSLASH_ESCAPES, Dialect
from segdsl.emit.dialects.strings import ends_with_right, starts_with_left
from segdsl.operators import Builder


class MySQL(Dialect):
    """No STARTS_WITH or ENDS_WITH; LIKE escapes with a backslash."""

    name = "mysql"
    operators: Mapping[str, Builder] = {
        "starts_with": starts_with_left,
        "ends_with": ends_with_right,
    }
    like_escapes = BACKSLASH_ESCAPES


class Doris(MySQL):
    name = "doris"


class StarRocks(MySQL):
    name = "starrocks"
