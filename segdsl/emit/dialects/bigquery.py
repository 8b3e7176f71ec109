"""BigQuery."""

from __future__ import annotations

from segdsl.emit.dialects.base import BACKSLASH_ESCAPES, Dialect


class BigQuery(Dialect):
    """RE2 regular expressions; LIKE escapes with a backslash."""

    name = "bigquery"
    refuses = {"matches": None}
    regex = "re2"
    like_escapes = BACKSLASH_ESCAPES
