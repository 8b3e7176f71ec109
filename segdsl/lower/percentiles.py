"""The window functions behind `percentile(x)` and `cume_share(x)`: a population's value
per customer, and the one-row CTE of the least x that passes each percentile cut."""

from __future__ import annotations

from sqlglot import exp

from segdsl.check.bound import PopulationKind
from segdsl.lower.events import Cuts
from segdsl.lower.expressions import literal


def population_value(kind: PopulationKind, x: exp.Expr, key: exp.Expr) -> exp.Expr:
    """percentile: 100 × customers with a smaller x / customers with any x;
    cume_share: 100 × running total of x (x descending, key ascending) / total of x."""
    if kind == "percentile":
        rank = exp.Window(
            this=exp.Anonymous(this="RANK", expressions=[]),
            order=exp.Order(
                expressions=[exp.Ordered(this=x.copy(), desc=False, nulls_first=False)]
            ),
        )
        share = exp.Div(
            this=exp.Mul(
                this=exp.Literal.number("100.0"),
                expression=exp.Paren(this=exp.Sub(this=rank, expression=exp.Literal.number(1))),
            ),
            expression=exp.Window(this=exp.Count(this=x.copy())),
        )
    else:
        # where NULLs sort does not matter: a missing x adds nothing to the running sum
        # and gets no share, and keys are never missing; each dialect's default order
        # then needs no NULLS clause (BigQuery, MySQL and T-SQL cannot spell NULLS LAST
        # in a SUM window)
        running = exp.Window(
            this=exp.Sum(this=x.copy()),
            order=exp.Order(
                expressions=[
                    exp.Ordered(this=x.copy(), desc=True, nulls_first=None),
                    exp.Ordered(this=key, desc=False, nulls_first=True),
                ]
            ),
            spec=exp.WindowSpec(
                kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW"
            ),
        )
        share = exp.Div(
            this=exp.Mul(this=exp.Literal.number("100.0"), expression=running),
            expression=exp.Window(this=exp.Sum(this=x.copy())),
            typed=False,
            safe=True,
        )
    return exp.Case(
        ifs=[exp.If(this=exp.Is(this=x, expression=exp.null()), true=exp.null())], default=share
    )


def cuts_select(cuts: Cuts, values: exp.Select) -> exp.Select:
    """One row: per cut `percentile(x) >= c` (or `> c`), the least x whose percentile
    passes, from the distinct values of x with their number of customers (the
    percentile of a value: 100 × customers below it / customers with any x). `values`
    selects x, as `v`, for every customer."""
    distinct = (
        exp.select("v", exp.Count(this=exp.Star()).as_("n"))
        .from_(values.subquery("x"), copy=False)
        .where(exp.Not(this=exp.Is(this=exp.column("v"), expression=exp.null())), copy=False)
        .group_by("v")
    )
    # v is never NULL here: NULLS FIRST is what BigQuery, MySQL and T-SQL do anyway, and
    # NULLS LAST would have to be spelt out there (which sqlglot refuses in a SUM window)
    below = exp.Sub(
        this=exp.Window(
            this=exp.Sum(this=exp.column("n")),
            order=exp.Order(
                expressions=[exp.Ordered(this=exp.column("v"), desc=False, nulls_first=True)]
            ),
            spec=exp.WindowSpec(
                kind="ROWS", start="UNBOUNDED", start_side="PRECEDING", end="CURRENT ROW"
            ),
        ),
        expression=exp.column("n"),
    )
    everyone = exp.Window(this=exp.Sum(this=exp.column("n")))
    share = exp.Div(
        this=exp.Mul(
            this=exp.Literal.number("100.0"),
            expression=exp.Paren(this=exp.cast(below, "bigint")),
        ),
        expression=exp.cast(everyone, "bigint"),
    )
    ranked = exp.select("v", share.as_("pct")).from_(distinct.subquery("d"), copy=False)
    least = [
        exp.Min(
            this=exp.Case(
                ifs=[
                    exp.If(
                        this=exp.GTE(this=exp.column("pct"), expression=literal(c))
                        if op == "ge"
                        else exp.GT(this=exp.column("pct"), expression=literal(c)),
                        true=exp.column("v"),
                    )
                ]
            )
        ).as_(f"t{i}")
        for i, (op, c) in enumerate(cuts.cuts, 1)
    ]
    return exp.select(*least).from_(ranked.subquery("r"), copy=False)
