"""Rule text → AST. With syntax_errors.py, the only module that imports lark.

The grammar (segdsl/syntax/segdsl.lark) is LALR; every alias there has a method here that
builds the dataclass of the same meaning. Syntax errors become `RuleProblem`s with
a span in the rule text; the document layer maps spans to lines and columns of
the YAML file.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from decimal import Decimal
from functools import cache
from typing import Any, TypeGuard, get_args
from typing import Literal as Lit

import lark
from lark import Lark, Token, Transformer, Tree, v_args
from lark.exceptions import UnexpectedInput, VisitError
from lark.grammar import Rule
from lark.lexer import TerminalDef
from lark.tree import Meta

from segdsl.syntax import ast, tables
from segdsl.syntax.problems import RuleProblem
from segdsl.syntax.syntax_errors import check_nesting, syntax_problem

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "/": "/"}
_UNITS = {"minute", "hour", "day", "week", "month", "year"}


_OPTIONS: dict[str, Any] = {
    "parser": "lalr",
    "lexer": "contextual",
    "propagate_positions": True,
    "maybe_placeholders": True,
}


@cache
def _parser() -> Lark:
    """From the tables shipped beside the grammar (segdsl/syntax/tables.py says why), or
    built from the grammar when those are stale. Never lark's `cache=True`: that unpickles
    a file of the shared temporary folder."""
    grammar = tables.grammar_text()
    text = tables.shipped()
    loaded = tables.decode(text, grammar, lark.__version__) if text else None
    if loaded is not None:
        return Lark.load(loaded)
    return _build(grammar)


def _build(grammar: str) -> Lark:
    return Lark(grammar, **_OPTIONS)


def parser_tables() -> str:
    """The JSON that segdsl/syntax/segdsl.lark.json holds: the tables of the grammar now."""
    grammar = tables.grammar_text()
    data, memo = _build(grammar).memo_serialize([TerminalDef, Rule])
    return tables.encode({"data": data, "memo": memo}, grammar, lark.__version__)


def parse_rule(text: str) -> ast.Expr:
    """Parse one rule; raise `RuleProblem` (E1xx) with the culprit's span."""
    if not text.strip():
        raise RuleProblem(
            "E108",
            "the rule is empty",
            ast.Span(0, len(text)),
            'write a condition, e.g. `country = "DE"`',
        )
    check_nesting(text)
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as error:
        raise syntax_problem(text, error) from None
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    try:
        result: ast.Expr = _ToAst().transform(tree)
    except VisitError as error:
        if isinstance(error.orig_exc, RuleProblem):
            raise error.orig_exc from None
        raise
    except RecursionError:
        raise RuleProblem(
            "E107",
            "the rule nests too deeply",
            ast.Span(0, len(text)),
            "split it into segments and combine them with `in segment`",
        ) from None
    finally:
        sys.setrecursionlimit(limit)
    return result


# a string literal (the grammar's STRING) or the `#` that starts a comment outside one
_STRING_OR_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"|#')


def has_comment(text: str) -> bool:
    """Whether the rule holds a `#` comment, which its tree does not keep."""
    return any(m.group() == "#" for m in _STRING_OR_COMMENT.finditer(text))


# what the grammar ignores between two tokens: white space and `#` comments
_IGNORED = re.compile(r"(?:\s+|#[^\n]*)*")


def event_set_end(did: ast.Did, text: str) -> int:
    """Where `did`'s event set `E` or `E(f)` ends in `text`: after its event's name, or after
    the filter's closing parenthesis. The tree keeps the filter's span, not the parentheses';
    between the filter and its `)` the grammar allows only white space and comments (which
    may hold a `)`), so the `)` is the first character after them."""
    if did.filter is None:
        return did.event_span.end
    gap = _IGNORED.match(text, did.filter.span.end)
    assert gap is not None and text[gap.end()] == ")"  # the grammar's `"(" expr ")"`
    return gap.end() + 1


def first_step_span(did: ast.Did, text: str) -> ast.Span:
    """The span of a sequence's first step, `did A (f) WINDOW` without its `then` steps
    (docs/semantics.md#sequences: the window belongs to the first step): a rule of its own."""
    end = did.window.span.end if did.window is not None else event_set_end(did, text)
    return ast.Span(did.span.start, end)


_DECIMAL_DIGITS = 38
_LARGEST = 2**63 - 1


def _whole(token: Token) -> int:
    """A whole number of the rule: a 64-bit integer, which every engine holds alike
    (docs/language.md#numbers)."""
    value = int(token)
    if value > _LARGEST:
        raise RuleProblem(
            "E320",
            f"`{token}` is beyond the largest integer, {_LARGEST}",
            _tspan(token),
            "engines read larger whole numbers each its own way; write a smaller one",
        )
    return value


def _step(
    meta: Meta,
    event: Token,
    event_filter: ast.Expr | None,
    within: ast.Duration | None,
    negated: bool,
) -> ast.Step:
    return ast.Step(_nfc(event), _tspan(event), event_filter, within, negated, span=_span(meta))


def _span(meta: Meta) -> ast.Span:
    return ast.Span(meta.start_pos, meta.end_pos)


def _tspan(token: Token) -> ast.Span:
    start = token.start_pos or 0
    return ast.Span(start, token.end_pos if token.end_pos is not None else start + len(token))


def _history(
    moved: Lit["entered", "left"], meta: Meta, name: Token, within: ast.Duration | None
) -> ast.SegmentHistory:
    return ast.SegmentHistory(
        moved, _nfc(name), name_span=_tspan(name), within=within, span=_span(meta)
    )


def _decode_string(token: Token) -> str:
    raw = str(token)[1:-1]
    out: list[str] = []
    i = 0
    while i < len(raw):
        char = raw[i]
        if char != "\\":
            out.append(char)
            i += 1
            continue
        start = (token.start_pos or 0) + 1 + i
        nxt = raw[i + 1] if i + 1 < len(raw) else ""
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt == "u" and re.fullmatch(r"[dD][89a-fA-F][0-9a-fA-F]{2}", raw[i + 2 : i + 6]):
            raise RuleProblem(  # half of a UTF-16 pair: no character, no UTF-8 for it
                "E105",
                f"`\\{raw[i + 1 : i + 6]}` is half of a UTF-16 surrogate pair, not a character",
                ast.Span(start, start + 6),
                "write the character itself, or \\uXXXX of a character outside D800-DFFF",
            )
        elif nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", raw[i + 2 : i + 6]):
            out.append(chr(int(raw[i + 2 : i + 6], 16)))
            i += 6
        else:
            raise RuleProblem(
                "E105",
                f"invalid escape `\\{nxt}` in a string",
                ast.Span(start, start + 2),
                _escape_hint(raw),
            )
    return "".join(out)


def _escape_hint(raw: str) -> str:
    """For a backslash that starts no escape, as in a regular expression's `\\d`: the
    string with each such backslash doubled, as docs/language.md#text writes patterns."""
    fixed = re.sub(
        r"\\(.?)",
        lambda m: m.group() if m.group(1) in _ESCAPES or m.group(1) == "u" else "\\" + m.group(),
        raw,
    )
    return (
        f'escapes are \\" \\\\ \\n \\t and \\uXXXX; a backslash itself is `\\\\`: write `"{fixed}"`'
    )


def _is_compare_op(symbol: str) -> TypeGuard[ast.CompareOp]:
    return symbol in get_args(ast.CompareOp)


def _is_text_op(name: str) -> TypeGuard[ast.TextOp]:
    return name in get_args(ast.TextOp)


def _is_arith_op(symbol: str) -> TypeGuard[ast.ArithOp]:
    return symbol in get_args(ast.ArithOp)


def _nfc(token: Token) -> str:
    """A name as the project's files spell it: names are NFC (document/formats.py), so
    `é` typed as `e` and a combining accent is the same name as `é`."""
    return unicodedata.normalize("NFC", str(token))


def _is_unit(word: str) -> TypeGuard[ast.Unit]:
    return word in _UNITS


@v_args(meta=True, inline=True)
class _ToAst(Transformer[Token, Any]):
    """One method per grammar alias; each returns the AST node of that name. A text test's
    operator (`-> starts_with`) is its name, for every name of `ast.TextOp` (`__default__`)."""

    def __default__(self, data: str, children: list[Any], meta: Meta) -> Any:
        if _is_text_op(str(data)):
            return str(data)
        return Tree(data, children, meta)

    def or_(self, meta: Meta, *items: ast.Expr) -> ast.Or:
        return ast.Or(tuple(items), span=_span(meta))

    def and_(self, meta: Meta, *items: ast.Expr) -> ast.And:
        return ast.And(tuple(items), span=_span(meta))

    def not_(self, meta: Meta, operand: ast.Expr) -> ast.Not:
        return ast.Not(operand, span=_span(meta))

    def compare(self, meta: Meta, left: ast.Expr, op: Token, right: ast.Expr) -> ast.Compare:
        symbol = "!=" if str(op) == "<>" else str(op)
        assert _is_compare_op(symbol)  # the grammar admits no other
        return ast.Compare(symbol, left, right, span=_span(meta))

    def in_(self, meta: Meta, value: ast.Expr, collection: ast.Expr) -> ast.In:
        return ast.In(value, collection, False, span=_span(meta))

    def not_in(self, meta: Meta, value: ast.Expr, collection: ast.Expr) -> ast.In:
        return ast.In(value, collection, True, span=_span(meta))

    def set_ref(self, meta: Meta, name: Token) -> ast.Name:
        return ast.Name(_nfc(name), span=_tspan(name))

    def between(self, meta: Meta, value: ast.Expr, low: ast.Expr, high: ast.Expr) -> ast.Between:
        return ast.Between(value, low, high, False, span=_span(meta))

    def not_between(
        self, meta: Meta, value: ast.Expr, low: ast.Expr, high: ast.Expr
    ) -> ast.Between:
        return ast.Between(value, low, high, True, span=_span(meta))

    def is_null(self, meta: Meta, value: ast.Expr) -> ast.IsNull:
        return ast.IsNull(value, False, span=_span(meta))

    def is_not_null(self, meta: Meta, value: ast.Expr) -> ast.IsNull:
        return ast.IsNull(value, True, span=_span(meta))

    def is_set(self, meta: Meta, value: ast.Expr) -> ast.IsSet:
        return ast.IsSet(value, False, span=_span(meta))

    def is_not_set(self, meta: Meta, value: ast.Expr) -> ast.IsSet:
        return ast.IsSet(value, True, span=_span(meta))

    def text_test(
        self, meta: Meta, value: ast.Expr, op: ast.TextOp, pattern: ast.Expr, case_rule: bool | None
    ) -> ast.TextTest:
        return ast.TextTest(
            op,
            value,
            pattern,
            bool(case_rule),
            False,
            span=_span(meta),
        )

    def not_text_test(
        self, meta: Meta, value: ast.Expr, op: ast.TextOp, pattern: ast.Expr, case_rule: bool | None
    ) -> ast.TextTest:
        return ast.TextTest(
            op,
            value,
            pattern,
            bool(case_rule),
            True,
            span=_span(meta),
        )

    def case_rule(self, meta: Meta) -> bool:
        return True

    def time_test(self, meta: Meta, value: ast.Expr, window: ast.Window) -> ast.TimeTest:
        return ast.TimeTest(value, window, span=_span(meta))

    def did(
        self,
        meta: Meta,
        event: Token,
        event_filter: ast.Expr | None,
        frequency: ast.Frequency | None,
        window: ast.Window | None,
        *steps: ast.Step,
    ) -> ast.Did:
        return ast.Did(
            event=_nfc(event),
            event_span=_tspan(event),
            filter=event_filter,
            frequency=frequency,
            window=window,
            steps=steps,
            span=_span(meta),
        )

    def then_step(
        self,
        meta: Meta,
        event: Token,
        event_filter: ast.Expr | None,
        within: ast.Duration | None,
    ) -> ast.Step:
        return _step(meta, event, event_filter, within, negated=False)

    def then_not_step(
        self,
        meta: Meta,
        event: Token,
        event_filter: ast.Expr | None,
        within: ast.Duration | None,
    ) -> ast.Step:
        return _step(meta, event, event_filter, within, negated=True)

    def step_within(self, meta: Meta, duration: ast.Duration) -> ast.Duration:
        return duration

    def sequence(self, meta: Meta, first: ast.Expr, *steps: ast.Step) -> ast.Sequence:
        return ast.Sequence(first, steps, span=_span(meta))

    def event_filter(self, meta: Meta, condition: ast.Expr) -> ast.Expr:
        return condition

    def at_least(self, meta: Meta, count: Token) -> ast.Frequency:
        return ast.Frequency(">=", _whole(count), span=_span(meta))

    def at_most(self, meta: Meta, count: Token) -> ast.Frequency:
        return ast.Frequency("<=", _whole(count), span=_span(meta))

    def exactly(self, meta: Meta, count: Token) -> ast.Frequency:
        return ast.Frequency("=", _whole(count), span=_span(meta))

    def in_segment(self, meta: Meta, name: Token) -> ast.InSegment:
        return ast.InSegment(_nfc(name), name_span=_tspan(name), span=_span(meta))

    def entered_segment(
        self, meta: Meta, name: Token, within: ast.Duration | None
    ) -> ast.SegmentHistory:
        return _history("entered", meta, name, within)

    def left_segment(
        self, meta: Meta, name: Token, within: ast.Duration | None
    ) -> ast.SegmentHistory:
        return _history("left", meta, name, within)

    def within_last(self, meta: Meta, duration: ast.Duration) -> ast.WithinLast:
        return ast.WithinLast(duration, span=_span(meta))

    def within_next(self, meta: Meta, duration: ast.Duration) -> ast.WithinNext:
        return ast.WithinNext(duration, span=_span(meta))

    def before(self, meta: Meta, bound: ast.Expr) -> ast.Before:
        return ast.Before(bound, span=_span(meta))

    def after(self, meta: Meta, bound: ast.Expr) -> ast.After:
        return ast.After(bound, span=_span(meta))

    def between_window(self, meta: Meta, low: ast.Expr, high: ast.Expr) -> ast.BetweenWindow:
        return ast.BetweenWindow(low, high, span=_span(meta))

    def arith(self, meta: Meta, left: ast.Expr, op: Token, right: ast.Expr) -> ast.Arith:
        symbol = str(op)
        assert _is_arith_op(symbol)  # the grammar admits no other
        return ast.Arith(symbol, left, right, span=_span(meta))

    def neg(self, meta: Meta, operand: ast.Expr) -> ast.Expr:
        if isinstance(operand, ast.Integer):
            return ast.Integer(-operand.value, span=_span(meta))
        if isinstance(operand, ast.Decimal_):
            return ast.Decimal_(-operand.value, span=_span(meta))
        return ast.Neg(operand, span=_span(meta))

    def name(self, meta: Meta, token: Token) -> ast.Name:
        return ast.Name(_nfc(token), span=_tspan(token))

    def call(self, meta: Meta, name: Token, arguments: list[ast.Expr] | None) -> ast.Call:
        return ast.Call(
            _nfc(name), tuple(arguments or ()), name_span=_tspan(name), span=_span(meta)
        )

    def arguments(self, meta: Meta, *items: ast.Expr) -> list[ast.Expr]:
        return list(items)

    def attribute(self, meta: Meta, base: ast.Expr, name: Token) -> ast.Attribute:
        return ast.Attribute(base, _nfc(name), name_span=_tspan(name), span=_span(meta))

    def duration(self, meta: Meta, amount: Token, unit: Token) -> ast.Duration:
        word = str(unit).lower().rstrip("s")
        assert _is_unit(word)
        return ast.Duration(_whole(amount), word, span=_span(meta))

    def ago(self, meta: Meta, duration: ast.Duration) -> ast.Ago:
        return ast.Ago(duration, span=_span(meta))

    def list(self, meta: Meta, *items: ast.Expr | None) -> ast.List:
        return ast.List(tuple(i for i in items if i is not None), span=_span(meta))

    def string(self, meta: Meta, token: Token) -> ast.String:
        return ast.String(_decode_string(token), span=_tspan(token))

    def integer(self, meta: Meta, token: Token) -> ast.Integer:
        return ast.Integer(_whole(token), span=_tspan(token))

    def decimal(self, meta: Meta, token: Token) -> ast.Decimal_:
        if len(str(token).replace(".", "").lstrip("0")) > _DECIMAL_DIGITS:
            raise RuleProblem(
                "E320",
                f"`{token}` has more than {_DECIMAL_DIGITS} digits",
                _tspan(token),
                "engines hold decimals of up to 38 digits, and round longer ones each its own way",
            )
        return ast.Decimal_(Decimal(str(token)), span=_tspan(token))

    def true(self, meta: Meta) -> ast.Boolean:
        return ast.Boolean(True, span=_span(meta))

    def false(self, meta: Meta) -> ast.Boolean:
        return ast.Boolean(False, span=_span(meta))

    def null(self, meta: Meta) -> ast.Null:
        return ast.Null(span=_span(meta))

    def now(self, meta: Meta) -> ast.Now:
        return ast.Now(span=_span(meta))

    def today(self, meta: Meta) -> ast.Today:
        return ast.Today(span=_span(meta))

    def date(self, meta: Meta, token: Token) -> ast.Date:
        try:
            value = dt.date.fromisoformat(str(token))
        except ValueError:
            raise RuleProblem(
                "E106",
                f"`{token}` is not a valid date",
                _tspan(token),
                "dates are YYYY-MM-DD with a real month and day",
            ) from None
        return ast.Date(value, span=_tspan(token))

    def timestamp(self, meta: Meta, token: Token) -> ast.Timestamp:
        try:
            value = dt.datetime.fromisoformat(str(token))
        except ValueError:
            raise RuleProblem(
                "E106",
                f"`{token}` is not a valid timestamp",
                _tspan(token),
                "timestamps are YYYY-MM-DDTHH:MM[:SS[.ffffff]]",
            ) from None
        return ast.Timestamp(value, span=_tspan(token))


if __name__ == "__main__":
    # `python -m segdsl.syntax.parser` writes the tables shipped beside the grammar
    from pathlib import Path

    target = Path(__file__).with_name(tables.TABLES)
    target.write_text(parser_tables(), encoding="utf-8")
    print(f"wrote {target}")
