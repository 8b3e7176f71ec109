"""`segdsl explain`: a segment's rule as a tree of its clauses, each counted on the
warehouse, with the funnel along each `and` and each sequence; for one customer, each
clause's yes or no.

The clauses are the operands of the rule's `and`, `or` and `not`, down to the leaves (a
comparison, a `did`, an `in segment`: a segment reference is a leaf, not expanded). A
sequence `did A then B then C` has its steps as clauses: its prefixes `did A`, `did A then
B` and the whole `did`, each holding for the customers who reach that step
(docs/semantics.md#sequences: a chain to step k holds a chain to every step before it), so
the sequence's steps are a funnel as an `and`'s operands are (docs/cli.md#segdsl-explain).
Each clause is counted as the compiler counts any rule: its text, a slice of the segment's
`where` that keeps its place in the file, becomes a segment of its own
(`Reviewed.with_rules`), and the segment and all its clauses run as ONE statement, one
row per customer with one column each. The funnel comes from that result, not from more
SQL: `a and b` holds exactly where `a` and `b` both do (two-valued logic), so the
customers still in after the k-th operand are those whose first k columns are all true.
A customer's trace is that customer's row of the same result: the counts and the trace
come from one statement and cannot disagree.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from segdsl.diagnostics import Diagnostic, SegdslError, did_you_mean, json_text, shown
from segdsl.document.formats import normal_name
from segdsl.document.source import Text
from segdsl.review.inputs import CustomerInputs
from segdsl.review.protocol import Reviewed
from segdsl.syntax import ast
from segdsl.syntax.parser import first_step_span, parse_rule

MAX_CLAUSES = 200
"""Clauses one `explain` counts: each is a column of the statement (docs/cli.md)."""


@dataclass(frozen=True)
class Clause:
    """One clause of the rule, as written, and what the warehouse says of it."""

    rule: str  # the clause's text, as written in the segment's `where`
    line: int  # where it starts in the YAML file (1-based)
    column: int
    members: int  # customers for whom this clause alone holds
    still_in: int | None  # along an `and` or a sequence: customers all clauses so far hold for
    holds: bool | None  # with a customer: whether the clause holds for them
    inputs: dict[str, Any] | None  # with a customer: the values that decided a leaf or a `did`
    clauses: tuple[Clause, ...]  # the operands of an `and`, `or` or `not`; a sequence's steps
    step: int | None = None  # for a step of a sequence: how many steps it reaches (1: the first)


@dataclass(frozen=True)
class Explanation:
    """What `segdsl explain` reports: the segment, its size and its clauses."""

    segment: str
    file: str
    as_of: dt.datetime
    customers: int
    members: int
    customer: Any  # the key asked about (converted to the key's type), or None
    holds: bool | None  # with a customer: whether they are a member
    clauses: tuple[Clause, ...]

    def to_json(self) -> dict[str, Any]:
        """The JSON document of `--format json` (docs/cli.md#segdsl-explain)."""
        document: dict[str, Any] = {
            "segment": self.segment,
            "file": self.file,
            "as_of": self.as_of.isoformat(),
            "customers": self.customers,
            "members": self.members,
        }
        if self.customer is not None:
            document |= {"customer": _json_value(self.customer), "holds": self.holds}
        document["clauses"] = [_clause_json(c, self.customer is not None) for c in self.clauses]
        return document


@dataclass
class _Node:
    """A clause while it is counted: its place in the rule and its column's name."""

    tree: ast.Expr  # the clause, or for a step the sequence's `did`
    column: str
    conjunction: bool  # its operands are a funnel: an `and`'s operands or a sequence's steps
    operands: list[_Node]
    span: ast.Span  # the clause's text in the rule: the tree's, or a sequence's prefix
    step: int | None = None  # for a step of a sequence: how many steps its prefix takes


def explain(
    project: Reviewed,
    segment: str,
    customer: object = None,
    as_of: dt.datetime | None = None,
    warehouse: Path | str | Any = None,
) -> Explanation:
    segment = normal_name(segment)  # as the files' names are kept (NFC)
    source = _segment_source(project, segment)
    errors = [d for d in project.check() if d.severity == "error"]
    if errors:
        raise SegdslError(sorted(errors, key=Diagnostic.sort_key))
    text = source.where
    names = _Names({*project.segments, *project.segmentations})
    root = _node(parse_rule(text.value), names, segment, text)
    nodes = _walk(root)
    if root.operands:  # the segment's own column is the whole rule's; a leaf keeps its own,
        root.column = segment  # so that the run is one row per customer (two columns at least)
    rules = {n.column: (_slice(text, n.span), source.path) for n in nodes if n.column != segment}
    result = project.with_rules(rules).run([segment, *rules], as_of, warehouse)
    members = {size.name: size.members for size in result.sizes()}
    funnels = [
        [[o.column for o in node.operands[: k + 1]] for k in range(len(node.operands))]
        for node in nodes
        if node.conjunction
    ]
    counts = iter(result.conjunctions([group for funnel in funnels for group in funnel]))
    still_in = {
        operand.column: next(counts)
        for node in nodes
        if node.conjunction
        for operand in node.operands
    }
    key, row, inputs = None, None, None
    if customer is not None:
        key, row = _customer_row(result, customer)
        inputs = CustomerInputs(project, warehouse, key, result.as_of)

    def clause(node: _Node) -> Clause:
        span = node.span
        location = text.location(span)
        return Clause(
            text.value[span.start : span.end],
            location.line,
            location.column,
            members[node.column],
            still_in.get(node.column),
            None if row is None else bool(row[node.column]),
            inputs.of(node.tree, text.value) if inputs is not None and _has_inputs(node) else None,
            tuple(clause(o) for o in node.operands),
            node.step,
        )

    total = result.total()
    assert total is not None  # a run of several columns counts every customer
    return Explanation(
        segment,
        source.path,
        result.as_of,
        total,
        members[segment],
        key,
        None if row is None else bool(row[segment]),
        tuple(clause(node) for node in _tops(root)),
    )


def _tops(root: _Node) -> list[_Node]:
    """The clauses listed first: the operands of the rule's `and`, `or` or `not`, else the
    rule itself (a leaf, or a sequence with its steps under it)."""
    return root.operands if isinstance(root.tree, ast.And | ast.Or | ast.Not) else [root]


def _has_inputs(node: _Node) -> bool:
    """Whether the clause lists the values that decided it: a leaf does, and so does a
    sequence's `did` (its count after each step, docs/cli.md#segdsl-explain); an `and`, `or`
    and `not` do not (their operands carry theirs), nor a step (its sequence carries them)."""
    return node.step is None and (not node.operands or isinstance(node.tree, ast.Did))


def _segment_source(project: Reviewed, segment: str) -> Any:
    if segment in project.segments:
        return project.segments[segment]
    if segment in project.segmentations:
        buckets = [b.name for b in project.segmentations[segment].buckets if b.rule is not None]
        raise SegdslError(
            [
                Diagnostic(
                    "E462",
                    f"`{segment}` is a segmentation; explain takes a segment",
                    hint="write the bucket's rule as a segment (`in segment` keeps it in one "
                    f"place) and explain that; its buckets: {', '.join(buckets)}",
                )
            ]
        )
    known = [*project.segments, *project.segmentations]
    raise SegdslError(
        [
            Diagnostic(
                "E203",
                f"unknown segment `{segment}`",
                hint=did_you_mean(segment, known, "segments"),
            )
        ]
    )


class _Names:
    """Column names for the clauses that no segment or segmentation of the project has, in
    any case: some engines tell a result's columns apart without case (E209)."""

    def __init__(self, taken: set[str]):
        self.prefix = "explain_clause_"
        while any(name.lower().startswith(self.prefix) for name in taken):
            self.prefix += "x_"
        self.count = 0

    def next(self) -> str:
        self.count += 1
        return f"{self.prefix}{self.count}"


def _node(tree: ast.Expr, names: _Names, segment: str, text: Text) -> _Node:
    """The clause `tree` and its operands (or a sequence's steps), down to the leaves; at most
    MAX_CLAUSES in all (E463)."""
    node = _Node(tree, _column(names, segment, text), _is_funnel(tree), [], tree.span)
    node.operands = _operands(tree, names, segment, text)
    return node


def _is_funnel(tree: ast.Expr) -> bool:
    return isinstance(tree, ast.And) or (isinstance(tree, ast.Did) and bool(tree.steps))


def _operands(tree: ast.Expr, names: _Names, segment: str, text: Text) -> list[_Node]:
    """The clauses under `tree`: an `and`'s or `or`'s operands, a `not`'s operand, and a
    sequence's steps, which are leaves."""
    operands: Sequence[ast.Expr] = ()
    if isinstance(tree, ast.And | ast.Or):
        operands = tree.items
    elif isinstance(tree, ast.Not):
        operands = (tree.operand,)
    elif isinstance(tree, ast.Did) and tree.steps:
        return [
            _Node(tree, _column(names, segment, text), False, [], span, step)
            for step, span in enumerate(_prefixes(tree, text.value), start=1)
        ]
    return [_node(operand, names, segment, text) for operand in operands]


def _prefixes(did: ast.Did, text: str) -> list[ast.Span]:
    """A sequence's prefixes, one per step: `did A (f) WINDOW`, then the text from `did` to
    the end of each `then` step, the last being the whole `did`. Each is a rule of its own
    (a contiguous slice of the text) that holds for the customers who reach that step."""
    return [
        first_step_span(did, text),
        *(ast.Span(did.span.start, step.span.end) for step in did.steps),
    ]


def _column(names: _Names, segment: str, text: Text) -> str:
    """A new clause's column; refused beyond MAX_CLAUSES (E463), before any statement runs."""
    if names.count >= MAX_CLAUSES:
        raise SegdslError(
            [
                Diagnostic(
                    "E463",
                    f"`{segment}` has more than {MAX_CLAUSES} clauses, more than explain counts",
                    text.location(ast.Span(0, len(text.value))),
                    "split the rule into segments combined with `in segment`, and explain those",
                )
            ]
        )
    return names.next()


def _walk(node: _Node) -> list[_Node]:
    return [node, *(n for operand in node.operands for n in _walk(operand))]


def _slice(text: Text, span: ast.Span) -> Text:
    """The clause's text, each character still at its place in the file."""
    return dataclasses.replace(
        text,
        value=text.value[span.start : span.end],
        offsets=text.offsets[span.start : span.end],
    )


def _customer_row(result: Any, customer: object) -> tuple[Any, dict[str, Any]]:
    """The customer's key in the key's type, and their row of the result (E460, E461)."""
    spelled = str(customer)
    key = result.key_value(spelled)
    if key is None:
        kind = str(result.relation.types[0])
        raise SegdslError(
            [
                Diagnostic(
                    "E461",
                    f"`{spelled}` is not a customer key: `{result.key}` holds {kind} values",
                    hint=f"give --customer a {kind} value, as the key is in the warehouse",
                )
            ]
        )
    row = result.row(key)
    if row is None:
        raise SegdslError(
            [
                Diagnostic(
                    "E460",
                    f"no customer has the key `{spelled}`",
                    hint=f"a key of `{result.key}` in the customers table; "
                    "`segdsl run --out members.csv` lists every customer",
                )
            ]
        )
    return key, row


# ---- output -----------------------------------------------------------------------------


def render(explanation: Explanation, form: str) -> str:
    """The text (for people) or JSON (for scripts) of `segdsl explain`."""
    if form == "json":
        return json_text(explanation.to_json())
    return _text(explanation)


def _text(explanation: Explanation) -> str:
    traced = explanation.customer is not None
    header = ["clause", "at", "members", "still in"] + (["holds"] if traced else [])
    rows: list[list[str] | str] = []  # a table row, or a line of inputs under its clause

    def add(clause: Clause, depth: int) -> None:
        rows.append(
            [
                "  " * depth + shown(" ".join(clause.rule.split())),
                f"{clause.line}:{clause.column}",
                f"{clause.members:,}",
                "" if clause.still_in is None else f"{clause.still_in:,}",
            ]
            + ([_yes(clause.holds)] if traced else [])
        )
        for name, value in (clause.inputs or {}).items():
            shown_value = (
                " to ".join("open" if v is None else str(v) for v in value)
                if name == "window"
                else _shown_value(value)
            )
            rows.append("  " * (depth + 2) + shown(f"{name} = {shown_value}"))
        for operand in clause.clauses:
            add(operand, depth + 1)

    for clause in explanation.clauses:
        add(clause, 0)
    table = [header, *(r for r in rows if isinstance(r, list))]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    numeric = {2, 3}

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    share = explanation.members / explanation.customers if explanation.customers else 0.0
    lines = [
        f"{shown(explanation.segment)} ({shown(explanation.file)}): "
        f"{explanation.members:,} of {explanation.customers:,} customers ({100 * share:.1f}%), "
        f"as of {explanation.as_of.isoformat(sep=' ')}",
    ]
    if traced:
        verdict = "a member" if explanation.holds else "not a member"
        lines.append(f"customer {shown(str(explanation.customer))}: {verdict}")
    lines += ["", line(header), "  ".join("-" * w for w in widths)]
    lines += [r if isinstance(r, str) else line(r) for r in rows]
    return "\n".join(lines)


def _shown_value(value: Any) -> str:
    """A value as a rule writes it: text quoted, a missing value `null`."""
    if isinstance(value, list):
        return "[" + ", ".join(_shown_value(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return json.dumps(value, ensure_ascii=False)


def _yes(holds: bool | None) -> str:
    return "yes" if holds else "no"


def _clause_json(clause: Clause, traced: bool) -> dict[str, Any]:
    document: dict[str, Any] = {
        "rule": clause.rule,
        "line": clause.line,
        "column": clause.column,
        "members": clause.members,
    }
    if clause.step is not None:
        document["step"] = clause.step
    if clause.still_in is not None:
        document["still_in"] = clause.still_in
    if traced:
        document |= {"holds": clause.holds, "inputs": clause.inputs or {}}
    document["clauses"] = [_clause_json(c, traced) for c in clause.clauses]
    return document


def _json_value(value: Any) -> Any:
    return value if isinstance(value, int | float | str | bool) else str(value)
