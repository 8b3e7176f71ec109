"""`segdsl explain`: every clause's count, the funnel along each `and` and one customer's
trace, proven against the reference evaluator over the demo warehouse's rows (a second
implementation that shares no SQL with the counting statement), on DuckDB and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from support import engines

import segdsl
from segdsl import cli, reference
from segdsl.review.explain import Clause, Explanation

AS_OF = dt.datetime(2025, 12, 31, 12)
# a rule with `or`, `not`, parentheses, a segment reference, a comment and several lines
MIXED = """segments:
  mixed:
    where: |-
      (country in EU or tag = "awaits-sale")
        and not (did purchase within 90 days and inactive_days > 30)  # lapsed buyers
        and not in segment abandoned_cart
"""
EXPLAINED = ["mixed", "abandoned_cart", "eu_sale_waiters_mailable", "night_owls", "inactive_month"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = engines.build_demo(tmp_path_factory.mktemp("explain") / "demo")
    (root / "segments" / "mixed.yaml").write_text(MIXED, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def project(demo: Path) -> segdsl.Project:
    return segdsl.load(demo)


@pytest.fixture(scope="module")
def rows(demo: Path) -> dict[str, list[dict[str, Any]]]:
    """The warehouse's tables as rows (column → value), for the reference evaluator."""
    return {
        table.name: [
            dict(zip([c.name for c in table.columns], row, strict=True)) for row in table.rows
        ]
        for table in engines.read_warehouse(demo / "warehouse.duckdb")
    }


@pytest.fixture(scope="module")
def rules(project: segdsl.Project) -> reference.Rules:
    return reference.Rules.of(project)


@pytest.fixture(scope="module")
def explained(project: segdsl.Project) -> dict[str, Explanation]:
    return {name: project.explain(name, as_of=AS_OF) for name in EXPLAINED}


def walk(clauses: tuple[Clause, ...]) -> Iterator[Clause]:
    for clause in clauses:
        yield clause
        yield from walk(clause.clauses)


def test_every_clause_counts_as_the_reference_evaluator_does(
    explained: dict[str, Explanation], rules: reference.Rules, rows: Any
) -> None:
    checked = 0
    for name, explanation in explained.items():
        assert explanation.customers == len(rows["customers"])
        assert explanation.members == len(reference.members(rules, name, rows, AS_OF))
        for clause in walk(explanation.clauses):
            assert clause.members == len(reference.members(rules, clause.rule, rows, AS_OF)), (
                name,
                clause.rule,
            )
            checked += 1
    assert checked >= 12
    (leaf,) = explained["inactive_month"].clauses  # a rule of one clause: itself
    assert leaf.rule == "inactive_days > 30" and leaf.members == explained["inactive_month"].members


def test_the_funnel_counts_the_customers_still_in_after_each_operand(
    explained: dict[str, Explanation], rules: reference.Rules, rows: Any
) -> None:
    mixed = explained["mixed"]
    assert [c.rule for c in mixed.clauses] == [
        'country in EU or tag = "awaits-sale"',
        "not (did purchase within 90 days and inactive_days > 30)",
        "not in segment abandoned_cart",
    ]
    texts = [c.rule for c in mixed.clauses]
    for k, clause in enumerate(mixed.clauses):
        prefix = " and ".join(f"({t})" for t in texts[: k + 1])
        assert clause.still_in == len(reference.members(rules, prefix, rows, AS_OF))
    assert mixed.clauses[-1].still_in == mixed.members
    funnel = [c.still_in for c in mixed.clauses]
    assert funnel == sorted(funnel, reverse=True) and funnel[0] > funnel[-1] > 0
    (negated,) = mixed.clauses[1].clauses  # the `and` under the `not`: a funnel of its own
    inner = [c.rule for c in negated.clauses]
    assert [c.still_in for c in negated.clauses] == [
        len(reference.members(rules, inner[0], rows, AS_OF)),
        negated.members,
    ]
    assert all(c.still_in is None for c in mixed.clauses[0].clauses)  # an `or`'s operands


def test_line_and_column_point_at_the_clause_in_the_file(
    demo: Path, explained: dict[str, Explanation]
) -> None:
    lines = (demo / "segments" / "mixed.yaml").read_text(encoding="utf-8").splitlines()
    for clause in walk(explained["mixed"].clauses):
        line = lines[clause.line - 1]
        assert line[clause.column - 1 :].startswith(clause.rule.split("\n")[0]), clause
    assert [(c.line, c.column) for c in explained["mixed"].clauses] == [(4, 8), (5, 13), (6, 13)]


@pytest.mark.parametrize(
    ("segment", "member"), [("mixed", True), ("mixed", False), ("inactive_month", False)]
)
def test_a_customer_trace_is_the_reference_evaluators(
    project: segdsl.Project, rules: reference.Rules, rows: Any, segment: str, member: bool
) -> None:
    members = reference.members(rules, segment, rows, AS_OF)
    keys = sorted(r["customer_id"] for r in rows["customers"])
    key = next(k for k in keys if (k in members) == member)
    traced = project.explain(segment, customer=str(key), as_of=AS_OF)
    assert traced.customer == key and traced.holds is member
    for clause in walk(traced.clauses):
        holds = reference.evaluate(rules, clause.rule, rows, AS_OF)[key]
        assert clause.holds is holds, clause.rule
    if not member:  # someone is out: some top clause says why
        assert not all(c.holds for c in traced.clauses)


def test_inputs_are_the_customers_values_by_hand_written_sql(
    demo: Path, project: segdsl.Project, rules: reference.Rules, rows: Any
) -> None:
    members = sorted(reference.members(rules, "abandoned_cart", rows, AS_OF))
    key = members[0]
    traced = project.explain("abandoned_cart", customer=key, as_of=AS_OF)
    added, _ = traced.clauses
    with duckdb.connect(str(demo / "warehouse.duckdb"), read_only=True) as connection:
        ((carts,),) = connection.execute(
            "SELECT count(*) FROM events WHERE customer_id = ? AND event_name = 'add_to_cart' "
            "AND ts > ? - INTERVAL 7 DAY AND ts <= ?",
            [key, AS_OF, AS_OF],
        ).fetchall()
        ((country, consent),) = connection.execute(
            "SELECT country_code, marketing_consent FROM customers WHERE customer_id = ?", [key]
        ).fetchall()
    assert carts >= 1 and added.inputs == {
        "count(add_to_cart within 7 days)": carts,
        "window": ["2025-12-24T12:00:00", "2025-12-31T12:00:00"],
    }
    mailable = project.explain("eu_sale_waiters_mailable", customer=key, as_of=AS_OF)
    reference_clause, consent_clause, _ = mailable.clauses
    assert reference_clause.inputs == {}  # a segment reference: its yes or no is the input
    assert consent_clause.inputs == {"marketing_consent": consent}
    eu = project.explain("eu_sale_waiters", customer=key, as_of=AS_OF)
    assert eu.clauses[0].inputs == {"country": country}


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(list(args))
    return status, out.getvalue(), err.getvalue()


def test_json_has_the_documented_shape(demo: Path, explained: dict[str, Explanation]) -> None:
    status, out, _ = run_cli(
        "--project", str(demo), "explain", "mixed", "--as-of", "2025-12-31T12:00:00",
        "--customer", "7", "--format", "json",
    )  # fmt: skip
    assert status == 0
    document = json.loads(out)
    assert list(document) == [
        "segment", "file", "as_of", "customers", "members", "customer", "holds", "clauses",
    ]  # fmt: skip
    assert document["as_of"] == "2025-12-31T12:00:00" and document["customer"] == 7
    first = document["clauses"][0]
    assert list(first) == [
        "rule", "line", "column", "members", "still_in", "holds", "inputs", "clauses",
    ]  # fmt: skip
    leaf = first["clauses"][0]  # `country in EU`, an operand of an `or`: no funnel
    assert "still_in" not in leaf and list(leaf["inputs"]) == ["country"]
    assert document["members"] == explained["mixed"].members
    status, again, _ = run_cli(
        "--project", str(demo), "explain", "mixed", "--as-of", "2025-12-31T12:00:00",
        "--format", "json",
    )  # fmt: skip
    assert "holds" not in again and "inputs" not in again


def test_text_is_an_aligned_table(demo: Path) -> None:
    status, out, _ = run_cli(
        "--project", str(demo), "explain", "abandoned_cart", "--as-of", "2025-12-31T12:00:00"
    )
    assert status == 0
    lines = out.splitlines()
    assert lines[0].startswith("abandoned_cart (segments/behavioural.yaml): ")
    header, rule, *table = lines[2:]
    assert header.split() == ["clause", "at", "members", "still", "in"]
    assert set(rule) == {"-", " "} and len(table) == 3
    end = header.index("members") + len("members")  # counts end under the heading
    assert all(row[end - 1].isdigit() and row[end : end + 1] in {" ", ""} for row in table)
    assert table[2].startswith("  did checkout within 7 days")  # under its `not`


def test_a_segmentation_is_refused_with_its_code(demo: Path) -> None:
    status, _, err = run_cli("--project", str(demo), "explain", "lifecycle")
    assert status == 1 and "error[E462]" in err


# ---- PostgreSQL: the same numbers ------------------------------------------------------


@pytest.fixture(scope="module")
def postgres_url(demo: Path, postgres_server: engines.PostgresServer) -> str:
    return engines.postgres_database(postgres_server, "review_explain", demo / "warehouse.duckdb")


@pytest.mark.postgres
def test_postgres_gives_the_same_explanation(
    project: segdsl.Project, explained: dict[str, Explanation], postgres_url: str
) -> None:
    for name in ["mixed", "abandoned_cart"]:
        assert project.explain(name, as_of=AS_OF, warehouse=postgres_url) == explained[name]
    on_duckdb = project.explain("mixed", customer=7, as_of=AS_OF)
    assert project.explain("mixed", customer="7", as_of=AS_OF, warehouse=postgres_url) == (
        on_duckdb
    )
