r"""Syntax errors of a rule as `RuleProblem`s (E101–E107): what Lark's LALR parser reports,
said in the language's words (`expected \`and\`, \`or\` ...`), with the culprit's span.
"""

from __future__ import annotations

import re

from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from segdsl.operators import RULE_AGGREGATES
from segdsl.syntax import ast
from segdsl.syntax.problems import RuleProblem

MAX_NESTING = 64

# what the syntax errors call a terminal, where it is not its keyword (`_WITHIN`: `within`)
_READABLE = {
    "_STARTS": "`starts with`",
    "_ENDS": "`ends with`",
    "_IGNORING": "`ignoring case`",
    "_AT": "`at least`/`at most`",
    "UNIT": "a time unit (`days`, `weeks`, `months`, ...)",
    "TIMESTAMP": "a timestamp",
    "DATE": "a date",
    "DECIMAL": "a number",
    "INT": "a number",
    "STRING": "a string",
    "NAME": "a name",
    "COMPARE": "a comparison (`=`, `!=`, `<`, ...)",
    "ADD_OP": "`+`/`-`",
    "MUL_OP": "`*`/`/`",
    "LPAR": "`(`",
    "RPAR": "`)`",
    "LSQB": "`[`",
    "RSQB": "`]`",
    "COMMA": "`,`",
    "DOT": "`.`",
    "MINUS": "`-`",
    "$END": "the end of the rule",
}
_VALUE_STARTERS = {"NAME", "STRING", "INT", "DECIMAL", "DATE", "TIMESTAMP", "_TRUE", "_FALSE"}


def check_nesting(text: str) -> None:
    """E107 where brackets nest deeper than the parser (and Python's stack) can follow."""
    depth = 0
    in_string = False
    escaped = False
    for i, char in enumerate(text):
        if in_string:
            escaped, in_string = (False, True) if escaped else (char == "\\", char != '"')
        elif char == '"':
            in_string = True
        elif char in "([":
            depth += 1
            if depth > MAX_NESTING:
                raise RuleProblem(
                    "E107",
                    f"brackets nest deeper than {MAX_NESTING} levels",
                    ast.Span(i, i + 1),
                    "split the rule into segments and use `in segment`",
                )
        elif char in ")]":
            depth = max(0, depth - 1)


def syntax_problem(text: str, error: UnexpectedInput) -> RuleProblem:
    """Lark's error as a RuleProblem that says what was expected, where."""
    pos = error.pos_in_stream if error.pos_in_stream is not None else len(text)
    if isinstance(error, UnexpectedCharacters):
        char = text[pos]
        if char == '"':
            return RuleProblem(
                "E104",
                "unterminated string",
                ast.Span(pos, len(text.split("\n")[0])),
                'close the string with `"` on the same line; in YAML, ` #` '
                "starts a comment unless the rule is quoted or a block (`where: |`)",
            )
        if char == "'":
            return RuleProblem(
                "E101",
                "unexpected character `'`",
                ast.Span(pos, pos + 1),
                'strings use double quotes: "like this"',
            )
        if text.startswith(("&&", "||"), pos):
            word = "and" if char == "&" else "or"
            return RuleProblem(
                "E101",
                f"unexpected `{text[pos : pos + 2]}`",
                ast.Span(pos, pos + 2),
                f"write `{word}`",
            )
        if text.startswith("==", pos - 1) or char == "=":
            return RuleProblem(
                "E101", "unexpected `=`", ast.Span(pos, pos + 1), "equality is a single `=`"
            )
        return RuleProblem(
            "E101",
            f"unexpected character `{char}`",
            ast.Span(pos, pos + 1),
            _expected_hint(error.allowed or set()),
        )
    assert isinstance(error, UnexpectedToken)
    token = error.token
    expected = set(error.expected)
    if token.type == "$END":
        end = len(text.rstrip())
        return RuleProblem(
            "E103",
            "the rule ends too early",
            ast.Span(max(0, end - 1), end),
            _expected_hint(expected),
        )
    word = str(token)
    span = ast.Span(token.start_pos or 0, token.end_pos or (token.start_pos or 0) + len(word))
    if (
        token.type == "COMPARE"
        and word == "="
        and text.startswith("==", (token.start_pos or 1) - 1)
    ):
        return RuleProblem("E102", "unexpected `=`", span, "equality is a single `=`")
    known = known_mistake(text, word, span)
    if known is not None:
        return known
    return RuleProblem("E102", f"unexpected `{word}`", span, _expected_hint(expected))


def known_mistake(text: str, word: str, span: ast.Span) -> RuleProblem | None:
    """E102 for a mistake people make often, with the rule as it should be written,
    where the generic `expected ...` would not say it (docs/errors.md#e102)."""
    for detect in _MISTAKES:
        found = detect(text, word, span)
        if found is not None:
            return found
    return None


def _did_not(text: str, word: str, span: ast.Span) -> RuleProblem | None:
    """`did not purchase`: `not` negates the whole `did`, so it comes first."""
    before = re.search(r"\bdid\s+not\s+$", text[: span.start], re.IGNORECASE)
    if before is None:
        return None
    return RuleProblem(
        "E102",
        "`not` goes before `did`",
        ast.Span(before.start(), span.end),
        f"write `not did {word}`",
    )


_FREQUENCY = re.compile(r"(?:at\s+(?:least|most)|exactly)\s+\d+\s+times?\b", re.IGNORECASE)
_DID_WINDOW = re.compile(r"\b(?:within|before|after|between)\b", re.IGNORECASE)


def _frequency_after_window(text: str, word: str, span: ast.Span) -> RuleProblem | None:
    """`did purchase within 90 days at least 2 times`: the grammar takes the frequency
    right after the event (docs/language.md#did)."""
    frequency = _FREQUENCY.match(text, span.start)
    if frequency is None:
        return None
    dids = list(re.finditer(r"\bdid\b", text[: span.start], re.IGNORECASE))
    if not dids:
        return None
    did = dids[-1].start()
    windows = list(_DID_WINDOW.finditer(text, did, span.start))
    if not windows:
        return None
    start = windows[-1].start()
    fixed = f"{text[did:start].rstrip()} {frequency.group()} {text[start : span.start].rstrip()}"
    return RuleProblem(
        "E102",
        "the frequency comes before the window",
        ast.Span(span.start, frequency.end()),
        f"write `{fixed}`",
    )


_WINDOW = re.compile(r"within\s+(?:last\s+)?\d+\s+\w+", re.IGNORECASE)


def _window_after_aggregate(text: str, word: str, span: ast.Span) -> RuleProblem | None:
    """`sum(purchase.amount) > 100 within 12 months`: the window chooses the events an
    aggregate reads, so it goes inside its parentheses (docs/language.md#aggregates)."""
    window = _WINDOW.match(text, span.start)
    call = _last_aggregate(text, span.start) if window is not None else None
    if window is None or call is None:
        return None
    start, close = call
    fixed = f"{text[start:close]} {window.group()}{text[close : span.start].rstrip()}"
    return RuleProblem(
        "E102",
        "a window after a comparison belongs inside the aggregate",
        ast.Span(span.start, window.end()),
        f"write `{fixed}`",
    )


def _last_aggregate(text: str, end: int) -> tuple[int, int] | None:
    """Where the last aggregate call before `end` starts, and where its `)` is."""
    calls = [m for m in re.finditer(r"\b(\w+)\s*\(", text[:end]) if m.group(1) in RULE_AGGREGATES]
    for call in reversed(calls[-_LOOK_AT_CALLS:]):
        depth = 0
        for i in range(call.end() - 1, end):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            if depth == 0:
                return call.start(), i
    return None


def _within_the(text: str, word: str, span: ast.Span) -> RuleProblem | None:
    """`within the last 30 days`: windows are `within 30 days` (or `within next`)."""
    if word.lower() != "the" or not re.search(r"\bwithin\s+$", text[: span.start], re.I):
        return None
    rest = re.match(r"the\s+(last\s+|next\s+)?(\d+\s+\w+)", text[span.start :], re.I)
    next_ = "next " if rest and (rest.group(1) or "").strip().lower() == "next" else ""
    duration = rest.group(2) if rest else "30 days"
    return RuleProblem(
        "E102", "unexpected `the`", span, f"write `within {next_}{duration}`, without `the`"
    )


_EQUALS_STRING = re.compile(r'([^\W\d][\w.]*)\s*(=|!=|<>)\s*("(?:[^"\\\n]|\\.)*")\s*$')


def _ignoring_case(text: str, word: str, span: ast.Span) -> RuleProblem | None:
    """`city = "munich" ignoring case`: `ignoring case` follows only a text test
    (docs/language.md#text); an equality ignoring case compares `lower(x)`."""
    if word.lower() != "ignoring":
        return None
    said = (
        "`ignoring case` follows only `contains`, `starts with`, `ends with`, `matches` or `like`"
    )
    words = re.match(r"ignoring\s+case\b", text[span.start :], re.IGNORECASE)
    span = ast.Span(span.start, span.start + words.end()) if words else span
    equals = _EQUALS_STRING.search(text, max(0, span.start - _LOOK_BACK), span.start)
    if equals is None:
        return RuleProblem("E102", "unexpected `ignoring case`", span, said)
    name, op, value = equals.groups()
    fixed = f"lower({name}) {op} {value.lower()}"
    return RuleProblem("E102", "unexpected `ignoring case`", span, f"{said}; write `{fixed}`")


# how far back the detectors look, so that a hostile rule costs no more than a line's worth
_LOOK_BACK = 500
_LOOK_AT_CALLS = 16

_MISTAKES = (
    _did_not,
    _frequency_after_window,
    _window_after_aggregate,
    _within_the,
    _ignoring_case,
)


def _expected_hint(expected: set[str]) -> str:
    if expected & _VALUE_STARTERS and len(expected) > 6:
        return "expected a value or a condition here"
    readable = sorted({_readable(name) for name in expected})
    if not readable:
        return "check the rule's syntax (docs/language.md)"
    return "expected " + ", ".join(readable[:8]) + (" ..." if len(readable) > 8 else "")


def _readable(terminal: str) -> str:
    if terminal in _READABLE:
        return _READABLE[terminal]
    keyword = terminal[1:] if terminal.startswith("_") and terminal[1:].isalpha() else terminal
    return f"`{keyword.lower()}`"
