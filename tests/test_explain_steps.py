"""`segdsl explain` on a sequence (docs/cli.md#segdsl-explain): under its `did`, one clause
per step, counting the customers who reach it. The counts and one customer's yes or no are
proven against chains found in plain Python over the same rows (docs/semantics.md#sequences:
each step strictly later than the one before, within its `within`; `then not` a wait with no
such event), on a small shop of seeded random sessions: view, maybe a cart, maybe a checkout
or a purchase.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

import segdsl
from segdsl import cli
from segdsl.review.explain import MAX_CLAUSES, Clause, Explanation

AS_OF = dt.datetime(2025, 6, 30, 12)
CUSTOMERS = 120
SCHEMA = """customers:
  table: customers
  key: customer_id
  fields:
    country: {column: country_code, type: string}
events:
  events:
    table: events
    key: customer_id
    time: ts
    name: event_name
    names: [view, cart, checkout]
    properties: {url: string}
  purchase:
    table: orders
    key: customer_id
    time: ordered_at
    properties: {amount: decimal}
"""
FUNNEL = (
    'did view(url starts with "/p/") within 7 days then cart within 1 hour '
    "then checkout within 1 day"
)
ABANDONED = "not did view within 7 days then cart within 1 hour then not checkout within 2 hours"
# over lines, with a comment holding a `)` inside the first step's filter
BOUGHT = """country = "DE"
  and did view(url starts with "/p/"  # a product page (not /home)
    ) then purchase(amount > 20) within 2 days"""
BLOCK = "".join(f"      {line}\n" for line in BOUGHT.splitlines())
SEGMENTS = f"""segments:
  funnel:
    where: '{FUNNEL}'
  abandoned:
    where: '{ABANDONED}'
  bought:
    where: |-
{BLOCK}"""


# ---- the rows, and the chains found in Python --------------------------------------------


@dataclass(frozen=True)
class Row:
    stream: str  # "events" or "orders"
    customer: int
    ts: dt.datetime
    name: str  # the event's name; "purchase" for an order
    url: str | None = None
    amount: float | None = None


def sessions(seed: int = 7) -> tuple[dict[int, str], list[Row]]:
    """Customers (key → country) and their events: sessions of a view, a cart 0 to 90
    minutes later, then a checkout 0 to 30 hours later or a purchase 0 to 3 days later,
    each with its own chance; times to the second, some of them after *as of*."""
    rng = random.Random(seed)
    countries = {key: rng.choice(["DE", "FR", "DE", "ES"]) for key in range(1, CUSTOMERS + 1)}
    rows: list[Row] = []
    for key in countries:
        for _ in range(rng.randint(0, 3)):
            t = AS_OF - dt.timedelta(seconds=rng.randint(-86_400, 12 * 86_400))
            rows.append(Row("events", key, t, "view", url=rng.choice(["/p/1", "/p/2", "/home"])))
            if rng.random() < 0.6:
                t += dt.timedelta(seconds=rng.randint(0, 90 * 60))
                rows.append(Row("events", key, t, "cart", url="/cart"))
                if rng.random() < 0.5:
                    later = dt.timedelta(seconds=rng.randint(0, 30 * 3600))
                    rows.append(Row("events", key, t + later, "checkout", url="/checkout"))
            if rng.random() < 0.4:
                later = dt.timedelta(seconds=rng.randint(1, 3 * 86_400))
                amount = rng.choice([5.0, 25.0, 60.0])
                rows.append(Row("orders", key, t + later, "purchase", amount=amount))
    return countries, rows


@dataclass(frozen=True)
class Step:
    """A step as Python checks it: which rows are its events, and how it follows the last."""

    events: Callable[[Row], bool]
    within: dt.timedelta | None = None
    negated: bool = False


def reaches(rows: list[Row], steps: list[Step]) -> bool:
    """Whether the customer's rows hold a chain through `steps` (the first step's window is
    in its test). After each step, the times that end a chain so far."""
    ends = [r.ts for r in rows if r.ts <= AS_OF and steps[0].events(r)]
    for step in steps[1:]:
        times = [r.ts for r in rows if r.ts <= AS_OF and step.events(r)]
        if step.negated:
            assert step.within is not None
            wait = step.within
            ends = [x for x in ends if not any(x < t <= min(x + wait, AS_OF) for t in times)]
        else:
            ends = [
                t
                for t in times
                if any(x < t and (step.within is None or t <= x + step.within) for x in ends)
            ]
    return bool(ends)


def named(name: str, test: Callable[[Row], bool] = lambda r: True) -> Callable[[Row], bool]:
    return lambda r: r.name == name and test(r)


def product_page(row: Row) -> bool:
    return row.url is not None and row.url.startswith("/p/")


def last_week(row: Row) -> bool:  # `within 7 days`: as of - 7 days <= t (<= as of, always)
    return row.ts >= AS_OF - dt.timedelta(days=7)


STEPS = {
    "funnel": [
        Step(named("view", lambda r: product_page(r) and last_week(r))),
        Step(named("cart"), dt.timedelta(hours=1)),
        Step(named("checkout"), dt.timedelta(days=1)),
    ],
    "abandoned": [
        Step(named("view", last_week)),
        Step(named("cart"), dt.timedelta(hours=1)),
        Step(named("checkout"), dt.timedelta(hours=2), negated=True),
    ],
    "bought": [
        Step(named("view", product_page)),
        Step(named("purchase", lambda r: (r.amount or 0) > 20), dt.timedelta(days=2)),
    ],
}
PREFIXES = {  # each step's clause, as written
    "funnel": [
        'did view(url starts with "/p/") within 7 days',
        'did view(url starts with "/p/") within 7 days then cart within 1 hour',
        FUNNEL,
    ],
    "abandoned": [
        "did view within 7 days",
        "did view within 7 days then cart within 1 hour",
        ABANDONED.removeprefix("not "),
    ],
    "bought": [
        'did view(url starts with "/p/"  # a product page (not /home)\n    )',
        'did view(url starts with "/p/"  # a product page (not /home)\n    ) then purchase(amount'
        " > 20) within 2 days",
    ],
}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[int, str], list[Row]]:
    """The project on disk: segdsl.yaml, schema.yaml, the segments and a DuckDB warehouse."""
    root = tmp_path_factory.mktemp("steps")
    countries, rows = sessions()
    (root / "segments").mkdir()
    (root / "segdsl.yaml").write_text(
        "name: steps\nschema: schema.yaml\nsegments: [segments/]\nwarehouse: warehouse.duckdb\n"
        "dialect: duckdb\n",
        encoding="utf-8",
    )
    (root / "schema.yaml").write_text(SCHEMA, encoding="utf-8")
    (root / "segments" / "funnels.yaml").write_text(SEGMENTS, encoding="utf-8")
    with duckdb.connect(str(root / "warehouse.duckdb")) as connection:
        connection.execute("CREATE TABLE customers (customer_id BIGINT, country_code VARCHAR)")
        connection.executemany("INSERT INTO customers VALUES (?, ?)", list(countries.items()))
        connection.execute(
            "CREATE TABLE events (customer_id BIGINT, ts TIMESTAMP, event_name VARCHAR, "
            "url VARCHAR)"
        )
        connection.executemany(
            "INSERT INTO events VALUES (?, ?, ?, ?)",
            [(r.customer, r.ts, r.name, r.url) for r in rows if r.stream == "events"],
        )
        connection.execute(
            "CREATE TABLE orders (customer_id BIGINT, ordered_at TIMESTAMP, amount DECIMAL(12,2))"
        )
        connection.executemany(
            "INSERT INTO orders VALUES (?, ?, ?)",
            [(r.customer, r.ts, r.amount) for r in rows if r.stream == "orders"],
        )
    return root, countries, rows


@pytest.fixture(scope="module")
def project(shop: tuple[Path, dict[int, str], list[Row]]) -> segdsl.Project:
    return segdsl.load(shop[0])


def reach(shop: tuple[Path, dict[int, str], list[Row]], segment: str) -> dict[int, list[bool]]:
    """Customer → whether they reach each step of the segment's sequence, by Python."""
    _, countries, rows = shop
    steps = STEPS[segment]
    by_customer: dict[int, list[Row]] = {key: [] for key in countries}
    for row in rows:
        by_customer[row.customer].append(row)
    return {
        key: [reaches(own, steps[:k]) for k in range(1, len(steps) + 1)]
        for key, own in by_customer.items()
    }


def walk(clauses: tuple[Clause, ...]) -> Iterator[Clause]:
    for clause in clauses:
        yield clause
        yield from walk(clause.clauses)


def sequence(explanation: Explanation) -> Clause:
    """The explanation's one `did` with steps under it."""
    (did,) = (c for c in walk(explanation.clauses) if c.clauses and c.clauses[0].step == 1)
    return did


# ---- the counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("segment", list(STEPS))
def test_each_step_counts_the_customers_who_reach_it(
    shop: tuple[Path, dict[int, str], list[Row]], project: segdsl.Project, segment: str
) -> None:
    expected = reach(shop, segment)
    did = sequence(project.explain(segment, as_of=AS_OF))
    assert [s.rule for s in did.clauses] == PREFIXES[segment]
    assert [s.step for s in did.clauses] == list(range(1, len(STEPS[segment]) + 1))
    counts = [sum(r[k] for r in expected.values()) for k in range(len(STEPS[segment]))]
    assert [s.members for s in did.clauses] == counts
    assert [s.still_in for s in did.clauses] == counts  # reaching step k is reaching those before
    assert did.members == counts[-1]
    assert (did.still_in is None) is (segment != "bought")  # only an `and`'s operand has one
    assert all(
        s.clauses == () and (s.line, s.column) == (did.line, did.column) for s in did.clauses
    )
    assert counts[0] > counts[-1] > 0, counts  # the rows make a funnel that narrows


def test_the_clauses_around_a_sequence_keep_their_counts(
    shop: tuple[Path, dict[int, str], list[Row]], project: segdsl.Project
) -> None:
    """A rule `not did ...` lists its did (as any `not` lists its operand), steps under it; in
    an `and` the did is an operand as before, its steps under it."""
    _, countries, _ = shop
    abandoned = project.explain("abandoned", as_of=AS_OF)
    (did,) = abandoned.clauses
    assert did.rule == ABANDONED.removeprefix("not ") and len(did.clauses) == 3
    assert abandoned.members == CUSTOMERS - did.members
    bought = project.explain("bought", as_of=AS_OF)
    country, did = bought.clauses
    germans = {k for k, c in countries.items() if c == "DE"}
    assert country.members == len(germans)
    reached = {k for k, r in reach(shop, "bought").items() if r[-1]}
    assert did.still_in == bought.members == len(germans & reached)


# ---- one customer -------------------------------------------------------------------------


@pytest.mark.parametrize("segment", list(STEPS))
def test_with_a_customer_each_step_says_whether_they_reach_it(
    shop: tuple[Path, dict[int, str], list[Row]], project: segdsl.Project, segment: str
) -> None:
    expected = reach(shop, segment)
    depths = {sum(r): key for key, r in sorted(expected.items(), reverse=True)}
    assert sorted(depths) == list(range(len(STEPS[segment]) + 1))  # some stop at every step
    for key in depths.values():
        did = sequence(project.explain(segment, customer=key, as_of=AS_OF))
        assert [s.holds for s in did.clauses] == expected[key], key
        assert did.holds is expected[key][-1]
        assert all(s.inputs is None for s in did.clauses)  # the did lists the counts
        assert did.inputs is not None
        counts = [v for name, v in did.inputs.items() if name.startswith("count(")]
        assert [c > 0 for c in counts] == expected[key], did.inputs


# ---- the command line and the limit ---------------------------------------------------------


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(list(args))
    return status, out.getvalue(), err.getvalue()


def test_the_json_has_a_clause_per_step(
    shop: tuple[Path, dict[int, str], list[Row]], project: segdsl.Project
) -> None:
    root = str(shop[0])
    expected = reach(shop, "funnel")
    key = next(k for k, r in sorted(expected.items()) if r == [True, True, False])
    status, out, err = run_cli(
        "--project", root, "explain", "funnel", "--as-of", "2025-06-30T12:00:00",
        "--customer", str(key), "--format", "json",
    )  # fmt: skip
    assert status == 0, err
    (did,) = json.loads(out)["clauses"]
    assert list(did) == [
        "rule", "line", "column", "members", "holds", "inputs", "clauses",
    ]  # fmt: skip
    assert [list(s) for s in did["clauses"]] == [
        ["rule", "line", "column", "members", "step", "still_in", "holds", "inputs", "clauses"]
    ] * 3  # fmt: skip
    assert [s["step"] for s in did["clauses"]] == [1, 2, 3]
    assert [s["holds"] for s in did["clauses"]] == [True, True, False]
    assert [s["inputs"] for s in did["clauses"]] == [{}, {}, {}]
    assert [s["rule"] for s in did["clauses"]] == PREFIXES["funnel"]
    counts = [sum(r[k] for r in expected.values()) for k in range(3)]
    assert [s["members"] for s in did["clauses"]] == counts
    status, text, _ = run_cli(
        "--project", root, "explain", "funnel", "--as-of", "2025-06-30T12:00:00"
    )  # fmt: skip
    assert status == 0
    steps = text.splitlines()[-3:]  # indented under the did, with their funnel
    assert all(line.startswith("  did view") for line in steps)
    assert [line.split()[-2:] for line in steps] == [[str(c), str(c)] for c in counts]


def test_steps_count_toward_the_clause_limit(
    shop: tuple[Path, dict[int, str], list[Row]],
) -> None:
    """An `or` of 50 three-step sequences is 201 clauses: refused (E463), as 201 leaves are."""
    root = shop[0]
    dids = " or ".join(f"did view then cart within {n} hours then checkout" for n in range(1, 51))
    assert MAX_CLAUSES + 1 == 1 + 50 * (1 + 3)  # the `or`, 50 dids and their steps
    path = root / "segments" / "many.yaml"
    path.write_text(f"segments:\n  many:\n    where: '{dids}'\n", encoding="utf-8")
    try:
        status, _, err = run_cli(
            "--project", str(root), "explain", "many", "--as-of", "2025-06-30T12:00:00"
        )
        assert status == 1 and "error[E463]" in err
    finally:
        path.unlink()
