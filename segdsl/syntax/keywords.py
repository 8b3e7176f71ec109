"""The words of the rule language, read from the grammar: what an editor offers to complete.

The grammar is the one list of them (segdsl.lark): a keyword terminal is a quoted word
(`_AND: "and"i`), and a word with an optional plural is a regex (`_TIMES: /times?\\b/i`,
the units of `UNIT`), offered in the plural, as a rule mostly writes it (`30 days`).
"""

from __future__ import annotations

import re
from functools import cache

from segdsl.syntax.tables import grammar_text

_TERMINAL = re.compile(r"^_?[A-Z]+(?:\.\d+)?:(.*)$", re.MULTILINE)
_QUOTED = re.compile(r'"([a-z]+)"i')
_PLURAL = re.compile(r"/\(?([a-z|]+)\)?s\?\\b/i")


@cache
def keywords() -> tuple[str, ...]:
    """Every keyword and unit of the rule language, in lower case, sorted."""
    words: set[str] = set()
    for definition in _TERMINAL.findall(grammar_text()):
        words.update(_QUOTED.findall(definition))
        for group in _PLURAL.findall(definition):
            words.update(word + "s" for word in group.split("|"))
    return tuple(sorted(words))
