"""Predicates for the reference evaluator (segdsl/reference/): each gives its positive test
and whether the node negates it, so that the evaluator can range the test over the values
of a many-valued field (some value passes; the negation: none does). Written from
docs/semantics.md; a text test's meaning on strings is its operator row's `evaluate`
(segdsl/operators/), which the SQL path does not use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from segdsl.document.environment import Environment
from segdsl.operators import OPERATORS
from segdsl.reference.values import Scope, compare
from segdsl.syntax import ast


class Evaluator(Protocol):
    """What a predicate asks of the evaluator (segdsl/reference/__init__.py)."""

    env: Environment

    def value(self, node: ast.Expr, scope: Scope) -> Any: ...

    def _in_window(self, t: Any, window: ast.Window, scope: Scope) -> bool: ...


Test = Callable[[Scope], bool]
Predicate = Callable[[Evaluator, Any], tuple[Test, bool]]


def positive_test(ev: Evaluator, node: ast.Predicate) -> tuple[Test, bool]:
    """The node's positive test, and whether the node is its negation."""
    return _PREDICATES[type(node)](ev, node)


def _compare_node(ev: Evaluator, node: ast.Compare) -> tuple[Test, bool]:
    op = "=" if node.op == "!=" else node.op  # `a != b` is `not (a = b)`
    return (lambda s: compare(op, ev.value(node.left, s), ev.value(node.right, s)), node.op == "!=")


def collection(ev: Evaluator, node: ast.Expr) -> list[Any]:
    """The items of a list literal, or the values of the named set."""
    if isinstance(node, ast.Name):
        return list(ev.env.sets[node.name].values)
    assert isinstance(node, ast.List)
    return [ev.value(item, Scope(None)) for item in node.items]  # type: ignore[arg-type]  # list items are constants: no customer needed


def _in_node(ev: Evaluator, node: ast.In) -> tuple[Test, bool]:
    items = collection(ev, node.collection)

    def test(scope: Scope) -> bool:
        x = ev.value(node.value, scope)
        return any(compare("=", x, item) for item in items)

    return test, node.negated


def _between_node(ev: Evaluator, node: ast.Between) -> tuple[Test, bool]:
    def test(scope: Scope) -> bool:
        x = ev.value(node.value, scope)
        return compare(">=", x, ev.value(node.low, scope)) and compare(
            "<=", x, ev.value(node.high, scope)
        )

    return test, node.negated


def _is_null_node(ev: Evaluator, node: ast.IsNull) -> tuple[Test, bool]:
    # positive form: the value is there; `x is null` is its negation
    return (lambda s: ev.value(node.value, s) is not None), not node.negated


def _is_set_node(ev: Evaluator, node: ast.IsSet) -> tuple[Test, bool]:
    def test(scope: Scope) -> bool:
        x = ev.value(node.value, scope)
        return x is not None and x != ""  # only "" (and missing) is not set: decision 11

    return test, node.negated


def _text_node(ev: Evaluator, node: ast.TextTest) -> tuple[Test, bool]:
    """A missing string or pattern matches nothing. `ignoring case` compares lower case,
    except for `matches`, where it is RE2's `(?i)` flag."""
    row = OPERATORS[node.op]
    assert row.evaluate is not None
    evaluate = row.evaluate

    def test(scope: Scope) -> bool:
        x = ev.value(node.value, scope)
        if row.pattern_list:
            patterns = collection(ev, node.pattern)
        else:
            patterns = [ev.value(node.pattern, scope)]
        if x is None or None in patterns:
            return False
        if node.ignore_case and node.op == "matches":
            patterns = ["(?i)" + p for p in patterns]
        elif node.ignore_case:
            x, patterns = x.lower(), [p.lower() for p in patterns]
        return bool(evaluate(x, *patterns))

    return test, node.negated


def _time_node(ev: Evaluator, node: ast.TimeTest) -> tuple[Test, bool]:
    return (lambda s: ev._in_window(ev.value(node.value, s), node.window, s)), False


_PREDICATES: dict[type, Predicate] = {
    ast.Compare: _compare_node,
    ast.In: _in_node,
    ast.Between: _between_node,
    ast.IsNull: _is_null_node,
    ast.IsSet: _is_set_node,
    ast.TextTest: _text_node,
    ast.TimeTest: _time_node,
}


def operands(node: ast.Predicate) -> list[ast.Expr]:
    """The values a predicate reads directly (where a many-valued field may be)."""
    if isinstance(node, ast.Compare):
        return [node.left, node.right]
    if isinstance(node, ast.Between):
        return [node.value, node.low, node.high]
    if isinstance(node, ast.TextTest):
        return [node.value, node.pattern]
    if isinstance(node, ast.In | ast.IsNull | ast.IsSet | ast.TimeTest):
        return [node.value]
    return []
