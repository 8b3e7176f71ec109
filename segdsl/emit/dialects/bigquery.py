"""BigQuery."""

from __future__ import annotations

from collections.abc import Mapping

from segdsl.emit.dialects.base import BACKSLASH_ESCAPES, Dialect
from segdsl.operators import Builder, part


class BigQuery(Dialect):
    """RE2 regular expressions; LIKE escapes with a backslash; EXTRACT(WEEK) starts on
    Sunday (ISOWEEK is ISO 8601) and the day of the year is DAYOFYEAR."""

    name = "bigquery"
    operators: Mapping[str, Builder] = {
        "week": lambda b, t: part(b, "ISOWEEK", t),
        "day_of_year": lambda b, t: part(b, "DAYOFYEAR", t),
    }
    refuses = {"matches": None}
    regex = "re2"
    like_escapes = BACKSLASH_ESCAPES
