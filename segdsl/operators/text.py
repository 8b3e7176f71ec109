"""Builders of the text tests: `like` without an escape character, and `... any of [...]`."""

# Builders reach sqlglot through `b.exp` (a ModuleType, so every node they make is Any to
# mypy): that keeps the operator table free of sqlglot at run time, for `segdsl check`.
# mypy: disable-error-code="no-any-return"

from __future__ import annotations

from segdsl.operators.build import SQL, Build, Builder


def _replace_in_pattern(b: Build, p: SQL, pairs: tuple[tuple[str, str], ...]) -> SQL:
    """The pattern with each `old` replaced by `new`: folded when it is a literal."""
    e = b.exp
    if isinstance(p, e.Literal) and p.is_string:
        text = p.this
        for old, new in pairs:
            text = text.replace(old, new)
        return e.Literal.string(text)
    for old, new in pairs:
        p = e.Anonymous(
            this="REPLACE", expressions=[p, e.Literal.string(old), e.Literal.string(new)]
        )
    return p


def like(b: Build, x: SQL, p: SQL) -> SQL:
    """segdsl's `like` has no escape character: what the dialect's LIKE would read as an
    escape (a backslash, T-SQL's `[`) is made to stand for itself."""
    return b.exp.Like(this=x, expression=_replace_in_pattern(b, p, b.dialect.like_escapes))


def any_of(base: str) -> Builder:
    """The dialect's own `base` test for each pattern, joined with OR (where x or a pattern
    is missing that test is not TRUE; a `not` or a yes/no used as a value is made definite
    by lowering). The checker writes an empty list as FALSE, so some pattern is here."""

    def build_any_of(b: Build, x: SQL, *patterns: SQL) -> SQL:
        test = b.dialect.builder(base)
        tests = [test(b, x.copy(), pattern) for pattern in patterns]
        if len(tests) == 1:
            return tests[0]
        return b.exp.Paren(this=b.exp.or_(*tests, wrap=True, copy=False))

    return build_any_of
