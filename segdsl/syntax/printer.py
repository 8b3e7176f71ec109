"""AST → rule text in one canonical spelling, which `segdsl fmt` writes (formatting.py).

`parse_rule(print_rule(tree)) == tree` for every tree the parser can produce (spans aside):
tests/test_properties.py checks it on random trees. The spelling: keywords in lower case,
single spaces, `within N days` (no `last`), `!=` (never `<>`), strings in double quotes
with `\\"`, `\\\\`, `\\n`, `\\t`, `\\r` and `\\uXXXX` for other control characters, and only
the parentheses the grammar (grammar/segdsl.lark) needs:

    or < and < not < predicate < + - < * / < unary - < atom
"""

from __future__ import annotations

import datetime as dt

from segdsl.operators import OPERATORS
from segdsl.syntax import ast

_OR, _AND, _NOT, _PREDICATE, _SUM, _PRODUCT, _UNARY, _ATOM = range(1, 9)
_FREQUENCY = {">=": "at least", "<=": "at most", "=": "exactly"}


def print_rule(tree: ast.Expr) -> str:
    """The canonical text of a rule."""
    return _text(tree)


def print_lines(tree: ast.Expr) -> list[str]:
    """The canonical text broken before each top-level `and` (or `or`), for a rule that
    is written on several lines; joined by spaces, the lines are `print_rule(tree)`."""
    if isinstance(tree, ast.Or | ast.And) and len(tree.items) > 1:
        word, least = ("or", _AND) if isinstance(tree, ast.Or) else ("and", _NOT)
        first, *rest = (_at(item, least) for item in tree.items)
        return [first, *(f"{word} {item}" for item in rest)]
    return [_text(tree)]


def _level(node: ast.Expr) -> int:
    if isinstance(node, ast.Or):
        return _OR
    if isinstance(node, ast.And):
        return _AND
    if isinstance(node, ast.Not):
        return _NOT
    if isinstance(node, ast.Predicate):
        return _PREDICATE
    if isinstance(node, ast.Arith):
        return _SUM if node.op in "+-" else _PRODUCT
    if isinstance(node, ast.Neg) or (
        isinstance(node, ast.Integer | ast.Decimal_) and _negative(node.value)
    ):
        return _UNARY
    return _ATOM


def _negative(value: object) -> bool:
    return str(value).startswith("-")


def _at(node: ast.Expr, least: int) -> str:
    """The node's text, in parentheses when it binds more loosely than its place needs."""
    text = _text(node)
    return f"({text})" if _level(node) < least else text


def _text(node: ast.Expr) -> str:
    method = globals()["_" + type(node).__name__.lower().rstrip("_")]
    result: str = method(node)
    return result


# ---- literals -------------------------------------------------------------------------------


def _string(node: ast.String) -> str:
    return quote(node.value)


def quote(value: str) -> str:
    out = ['"']
    for char in value:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 or char in "\u2028\u2029":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _integer(node: ast.Integer) -> str:
    return str(node.value)


def _decimal(node: ast.Decimal_) -> str:
    text = format(node.value, "f")
    return text if "." in text else text + ".0"


def _boolean(node: ast.Boolean) -> str:
    return "true" if node.value else "false"


def _null(node: ast.Null) -> str:
    return "null"


def _date(node: ast.Date) -> str:
    return node.value.isoformat()


def _timestamp(node: ast.Timestamp) -> str:
    value: dt.datetime = node.value
    return value.isoformat(timespec="microseconds" if value.microsecond else "seconds")


def _now(node: ast.Now) -> str:
    return "now"


def _today(node: ast.Today) -> str:
    return "today"


def _list(node: ast.List) -> str:
    return "[" + ", ".join(_text(item) for item in node.items) + "]"


def _duration(node: ast.Duration) -> str:
    return f"{node.amount} {node.unit}{'' if node.amount == 1 else 's'}"


def _ago(node: ast.Ago) -> str:
    return f"{_duration(node.duration)} ago"


# ---- names, calls, arithmetic ------------------------------------------------------------------


def _name(node: ast.Name) -> str:
    return node.name


def _attribute(node: ast.Attribute) -> str:
    return f"{_at(node.base, _ATOM)}.{node.name}"


def _call(node: ast.Call) -> str:
    return f"{node.name}({', '.join(_text(arg) for arg in node.args)})"


def _neg(node: ast.Neg) -> str:
    operand = _at(node.operand, _UNARY)
    return f"- {operand}" if operand.startswith("-") else f"-{operand}"


def _arith(node: ast.Arith) -> str:
    level = _SUM if node.op in "+-" else _PRODUCT
    return f"{_at(node.left, level)} {node.op} {_at(node.right, level + 1)}"


# ---- boolean structure and predicates --------------------------------------------------


def _or(node: ast.Or) -> str:
    return " or ".join(_at(item, _AND) for item in node.items)


def _and(node: ast.And) -> str:
    return " and ".join(_at(item, _NOT) for item in node.items)


def _not(node: ast.Not) -> str:
    return f"not {_at(node.operand, _NOT)}"


def _value(node: ast.Expr) -> str:
    return _at(node, _SUM)


def _compare(node: ast.Compare) -> str:
    return f"{_value(node.left)} {node.op} {_value(node.right)}"


def _in(node: ast.In) -> str:
    return f"{_value(node.value)} {'not in' if node.negated else 'in'} {_text(node.collection)}"


def _between(node: ast.Between) -> str:
    word = "not between" if node.negated else "between"
    return f"{_value(node.value)} {word} {_value(node.low)} and {_value(node.high)}"


def _isnull(node: ast.IsNull) -> str:
    return f"{_value(node.value)} is {'not ' if node.negated else ''}null"


def _isset(node: ast.IsSet) -> str:
    return f"{_value(node.value)} is {'not ' if node.negated else ''}set"


def _texttest(node: ast.TextTest) -> str:
    words = [
        _value(node.value),
        "not" if node.negated else "",
        OPERATORS[node.op].spelling or "",
        _value(node.pattern),
        "ignoring case" if node.ignore_case else "",
    ]
    return " ".join(w for w in words if w)


def _timetest(node: ast.TimeTest) -> str:
    return f"{_value(node.value)} {_window(node.window)}"


def _window(node: ast.Window) -> str:
    if isinstance(node, ast.WithinLast):
        return f"within {_duration(node.duration)}"
    if isinstance(node, ast.WithinNext):
        return f"within next {_duration(node.duration)}"
    if isinstance(node, ast.Before):
        return f"before {_value(node.bound)}"
    if isinstance(node, ast.After):
        return f"after {_value(node.bound)}"
    return f"between {_value(node.low)} and {_value(node.high)}"


def _did(node: ast.Did) -> str:
    text = f"did {node.event}"
    if node.filter is not None:
        text += f"({_text(node.filter)})"
    if node.frequency is not None:
        count = node.frequency.count
        text += f" {_FREQUENCY[node.frequency.op]} {count} time{'' if count == 1 else 's'}"
    if node.window is not None:
        text += f" {_window(node.window)}"
    return text + _steps(node.steps)


def _sequence(node: ast.Sequence) -> str:
    return _text(node.first) + _steps(node.steps)


def _steps(steps: tuple[ast.Step, ...]) -> str:
    text = ""
    for step in steps:
        text += f" then {'not ' if step.negated else ''}{step.event}"
        if step.filter is not None:
            text += f"({_text(step.filter)})"
        if step.within is not None:
            text += f" within {_duration(step.within)}"
    return text


def _insegment(node: ast.InSegment) -> str:
    return f"in segment {node.name}"


def _segmenthistory(node: ast.SegmentHistory) -> str:
    within = "" if node.within is None else f" within {_duration(node.within)}"
    return f"{node.moved} segment {node.name}{within}"
