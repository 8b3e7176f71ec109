"""The base class of segdsl's dialects: what every dialect does unless its class says otherwise.

A dialect is a class made of tables and a few methods (see the package docstring); the
base class is also the whole definition of a plain dialect (Trino, Oracle, ...), of which
segdsl knows nothing beyond what sqlglot's generator translates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlglot import exp

from segdsl.diagnostics import Diagnostic, SegdslError
from segdsl.emit.dialects.regex import RegexNotPortable, translate
from segdsl.emit.dialects.reserved import ANYWHERE
from segdsl.operators import OPERATORS, SQL, Build, Builder

# a LIKE pattern's characters that the dialect would read as more than themselves, each with
# the text that stands for it literally (segdsl's `like` knows only `%` and `_`)
BACKSLASH_ESCAPES = (("\\", "\\\\"),)

# a name that every engine reads as itself when unquoted: any other name is quoted
PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_]*")

# name of the function lowering writes for `last(E.prop)` / `first(E.prop)` (DuckDB's own):
# True when it picks the latest event, False for the earliest
PICKS = {"ARG_MAX_NULL": True, "ARG_MIN_NULL": False}


# what a dialect may refuse besides an operator (by its name in segdsl/operators.py):
# `last(E.prop)`/`first(E.prop)` (the pick of lowering's ARG_MAX_NULL) and an unpinned
# *as of* (the clock)
FEATURES = frozenset({"pick", "clock"})


@dataclass(frozen=True)
class Refusal:
    """Why a dialect cannot express a feature: `why` may name the dialect as `{dialect}`."""

    feature: str
    why: str


NO_REGEX = Refusal(
    "`matches`",
    "segdsl translates RE2 patterns only for "
    "engines whose regular expressions it knows (see docs/engines.md)",
)
NO_PICK = Refusal(
    "`last(E.prop)` or `first(E.prop)`",
    "segdsl knows no aggregate there that keeps a missing property of the latest event",
)
NO_EQUIVALENT = "its regular expressions have no equivalent"
NO_UTC_CLOCK = Refusal(
    "the current time (an unpinned *as of*)",
    "{dialect} has no CONVERT_TIMEZONE to read the clock in UTC; "
    "pass --as-of (or `as_of=`) to pin it",
)


def cannot_express(dialect: str, feature: str, why: str) -> SegdslError:
    return SegdslError(
        [
            Diagnostic(
                "E501",
                f"the {dialect} dialect cannot express {feature}: {why}",
                hint="compile for another dialect, or rewrite the rule without this feature",
            )
        ]
    )


def unsupported(feature: str, why: str) -> Builder:
    """A builder that refuses: E501 for the dialect being compiled."""

    def refuse(b: Build, *args: SQL) -> SQL:
        raise cannot_express(b.dialect.name, feature, why)

    return refuse


def is_clock(node: exp.Expr) -> bool:
    """`CAST(CURRENT_TIMESTAMP AT TIME ZONE 'UTC' AS TIMESTAMP)`: *as of* when not pinned."""
    return bool(
        isinstance(node, exp.Cast)
        and isinstance(node.this, exp.AtTimeZone)
        and isinstance(node.this.this, exp.CurrentTimestamp)
    )


class Dialect:
    """One SQL dialect as segdsl writes it. Subclasses state their differences:

    - `operators`: operator name → builder, used instead of the operator's own builder in
      segdsl/operators/ (looked up along the class hierarchy, nearest class first);
    - `refuses`: feature (an operator's name, "pick" or "clock") → the Refusal that makes
      it E501 here, or None where a subclass lifts its parent's refusal (looked up the same
      way). The SQL builders consult it, and so does the check of a project for a dialect
      before any SQL exists (emit/refusals.py), so both report the same problems;
    - `regex`: the flavour of the engine's regular expressions ("re2", or one that
      regex.translate knows: "are", "java", "rust"), None when segdsl does not know it;
    - `like_escapes`: what LIKE reads as an escape or a class, and its literal spelling;
    - `clock`, `pick`, `rewrite`, `finish`: the nodes that lowering builds directly;
    - `reserved`: the words that must be quoted as names there (emit/dialects/reserved.py);
    - `casts_mixed_numbers`: `if` and `coalesce` of a float with integers or decimals get
      those cast to a double, for an engine that finds no common type for them.
    """

    name = ""  # sqlglot's name of the dialect; a plain dialect gets its own when made
    operators: Mapping[str, Builder] = {}
    refuses: Mapping[str, Refusal | None] = {"matches": NO_REGEX, "pick": NO_PICK}
    regex: str | None = None
    like_escapes: tuple[tuple[str, str], ...] = ()
    reserved: frozenset[str] = ANYWHERE
    casts_mixed_numbers = False

    def __init__(self, name: str | None = None) -> None:
        if name is not None:
            self.name = name

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        unknown = set(vars(cls).get("operators", {})) - set(OPERATORS)
        if unknown:
            raise TypeError(f"{cls.__name__}.operators names no operator: {sorted(unknown)}")
        unknown = set(vars(cls).get("refuses", {})) - set(OPERATORS) - FEATURES
        if unknown:
            raise TypeError(f"{cls.__name__}.refuses names no feature: {sorted(unknown)}")

    def refusal(self, feature: str) -> Refusal | None:
        """Why the dialect refuses `feature` (an operator's name, "pick", "clock"), if it does."""
        for cls in type(self).__mro__:
            table: Mapping[str, Refusal | None] = vars(cls).get("refuses", {})
            if feature in table:
                return table[feature]
        return None

    def refused(self, refusal: Refusal) -> SegdslError:
        return cannot_express(self.name, refusal.feature, refusal.why.format(dialect=self.name))

    def builder(self, op: str) -> Builder:
        """The builder of operator `op`: a refusing one where the dialect refuses it, else
        the nearest class's row, else the operator's own."""
        refusal = self.refusal(op)
        if refusal is not None:
            return unsupported(refusal.feature, refusal.why.format(dialect=self.name))
        for cls in type(self).__mro__:
            table: Mapping[str, Builder] = vars(cls).get("operators", {})
            if op in table:
                return table[op]
        return OPERATORS[op].build

    # ---- facts that operator builders ask for (operators.DialectFacts) --------------------

    def matches(self, b: Build, x: SQL, p: SQL) -> SQL:
        """`x matches p` (an unanchored RE2 search) in the dialect's own regular expressions."""
        if self.regex == "re2":
            return exp.RegexpLike(this=x, expression=p)
        text, _ = self.translated(p)
        return exp.RegexpLike(this=x, expression=exp.Literal.string(text))

    def translated(self, p: SQL) -> tuple[str, str]:
        """The literal RE2 pattern `p` in the dialect's flavour: (pattern, flags)."""
        assert isinstance(p, exp.Literal) and p.is_string
        refusal = self.pattern_refusal(p.this)
        if refusal is not None:
            raise self.refused(refusal)
        return self.translate_pattern(p.this)

    def translate_pattern(self, pattern: str) -> tuple[str, str]:
        """The RE2 `pattern` in the dialect's flavour, (pattern, flags); raises
        regex.RegexNotPortable for what its regular expressions cannot say."""
        assert self.regex is not None
        return translate(pattern, self.regex)

    def pattern_refusal(self, pattern: str) -> Refusal | None:
        """Why `matches` cannot take the RE2 `pattern` here (where it takes patterns)."""
        if self.regex == "re2" or self.refusal("matches") is not None:
            return None
        try:
            self.translate_pattern(pattern)
        except RegexNotPortable as problem:
            return Refusal(f"`matches` with {problem}", NO_EQUIVALENT)
        return None

    def hex_to_int(self, b: Build, digits: SQL, count: int) -> SQL:
        """The number written by `count` lower-case hex digits, in portable SQL: each digit's
        place in '0123456789abcdef' times its power of 16 (SUBSTRING and STRPOS run
        everywhere)."""
        total: SQL | None = None
        for place in range(count):
            digit = exp.Substring(
                this=digits.copy(),
                start=exp.Literal.number(place + 1),
                length=exp.Literal.number(1),
            )
            value = exp.cast(
                exp.Sub(
                    this=exp.StrPosition(this=exp.Literal.string("0123456789abcdef"), substr=digit),
                    expression=exp.Literal.number(1),
                ),
                "bigint",
            )
            term = exp.Mul(this=value, expression=exp.Literal.number(16 ** (count - 1 - place)))
            total = term if total is None else exp.Add(this=total, expression=term)
        assert total is not None
        return exp.Paren(this=total)

    # ---- names ---------------------------------------------------------------------------

    def quoted(self, query: exp.Expr) -> exp.Expr:
        """`query` with every name quoted that needs it here (docs/files.md#names): one
        not made of lower-case letters, digits and `_` (a capital, a space, a leading
        digit, a dot), or a reserved word. Names that need nothing are written as they
        are, so the SQL of ordinary names does not change."""
        if not any(self._needs_quotes(i) for i in query.find_all(exp.Identifier)):
            return query
        query = query.copy()
        for identifier in query.find_all(exp.Identifier):
            if self._needs_quotes(identifier):
                identifier.set("quoted", True)
        return query

    def _needs_quotes(self, identifier: exp.Identifier) -> bool:
        if identifier.quoted or isinstance(identifier.parent, exp.Func):  # DATEDIFF(day, …)
            return False
        return not PLAIN_NAME.fullmatch(identifier.name) or identifier.name in self.reserved

    # ---- nodes that lowering builds directly ---------------------------------------------

    def adapt(self, query: exp.Expr) -> exp.Expr:
        """A copy of `query` with the dialect's differences applied, children first."""
        query = query.copy()
        for node in reversed(list(query.dfs())):
            changed = self.adapted(node)
            if changed is not node:
                if node is query:
                    query = changed
                else:
                    node.replace(changed)
        return self.finish(query)

    def adapted(self, node: exp.Expr) -> exp.Expr:
        if is_clock(node):
            refusal = self.refusal("clock")
            if refusal is not None:
                raise self.refused(refusal)
            return self.clock(node)
        pick = _pick_call(node)
        if pick is not None:
            refusal = self.refusal("pick")
            if refusal is not None:
                raise self.refused(refusal)
            latest, prop, time, where = pick

            def filtered(aggregate: exp.Expr) -> exp.Expr:
                return (
                    exp.Filter(this=aggregate, expression=where) if where is not None else aggregate
                )

            return self.pick(latest, prop, time, filtered)
        return self.rewrite(node)

    def clock(self, node: exp.Expr) -> exp.Expr:
        """The unpinned *as of*, UTC now as a timestamp without time zone."""
        return node

    def pick(
        self, latest: bool, prop: exp.Expr, time: exp.Expr, filtered: Callable[[exp.Expr], exp.Expr]
    ) -> exp.Expr:
        """`ARG_MAX_NULL(prop, time)` (`ARG_MIN_NULL` when not `latest`): the property on the
        latest event, even where it is missing; `filtered` adds the aggregate's FILTER.
        Reached only where `refuses` lifts "pick", in a class that defines this method."""
        raise NotImplementedError(f"{type(self).__name__} lifts the refusal of `pick`")

    def rewrite(self, node: exp.Expr) -> exp.Expr:
        """Any other node, in this dialect (casts, interval arithmetic, ...)."""
        return node

    def finish(self, query: exp.Expr) -> exp.Expr:
        """The whole statement, once its nodes are rewritten."""
        return query


def _pick_call(node: exp.Expr) -> tuple[bool, exp.Expr, exp.Expr, exp.Expr | None] | None:
    """(latest, prop, time, FILTER condition) of an `ARG_MAX_NULL` call, with its FILTER."""
    inner = node.this if isinstance(node, exp.Filter) else node
    if not (isinstance(inner, exp.Anonymous) and str(inner.this).upper() in PICKS) or (
        inner is node and isinstance(node.parent, exp.Filter)
    ):  # rewritten with its FILTER
        return None
    prop, time = inner.expressions
    where = node.expression if isinstance(node, exp.Filter) else None
    return PICKS[str(inner.this).upper()], prop, time, where
