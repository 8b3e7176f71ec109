r"""Syntax errors of a rule as `RuleProblem`s (E101–E107): what Lark's LALR parser reports,
said in the language's words (`expected \`and\`, \`or\` ...`), with the culprit's span.
"""

from __future__ import annotations

from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

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
    return RuleProblem("E102", f"unexpected `{word}`", span, _expected_hint(expected))


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
