"""The value types of the rule language and how they relate."""

from __future__ import annotations

from enum import Enum
from typing import Literal, get_args


class Type(Enum):
    STRING = "string"
    INTEGER = "integer"
    DECIMAL = "decimal"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DATE = "date"
    TIMESTAMP = "timestamp"
    GEO = "geo"
    DURATION = "duration"
    NULL = "null"
    LIST = "list"

    def __str__(self) -> str:
        return self.value

    @property
    def numeric(self) -> bool:
        return self in (Type.INTEGER, Type.DECIMAL, Type.FLOAT)

    @property
    def temporal(self) -> bool:
        return self in (Type.DATE, Type.TIMESTAMP)


# the type names a schema may give a field, the one list of them (document/formats.py)
FieldTypeName = Literal[
    "string", "integer", "decimal", "float", "boolean", "date", "timestamp", "geo"
]
FIELD_TYPES: tuple[str, ...] = get_args(FieldTypeName)
TYPE_ALIASES = {
    "int": "integer",
    "bigint": "integer",
    "number": "decimal",
    "numeric": "decimal",
    "double": "float",
    "real": "float",
    "bool": "boolean",
    "text": "string",
    "varchar": "string",
    "str": "string",
    "datetime": "timestamp",
}


def comparable(a: Type, b: Type) -> bool:
    """Whether `a = b` / `a < b` is meaningful: same family, or null on either side."""
    if Type.NULL in (a, b):
        return True
    if a.numeric and b.numeric:
        return True
    if a.temporal and b.temporal:
        return True
    return a == b


def common(a: Type, b: Type) -> Type:
    """The type of `if(c, a, b)` / `coalesce(a, b)` when `comparable(a, b)`."""
    if a == Type.NULL:
        return b
    if b == Type.NULL or a == b:
        return a
    if a.numeric and b.numeric:
        order = [Type.INTEGER, Type.DECIMAL, Type.FLOAT]
        return max(a, b, key=order.index)
    if a.temporal and b.temporal:
        return Type.TIMESTAMP
    return a
