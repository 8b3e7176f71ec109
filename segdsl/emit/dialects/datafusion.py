"""Apache DataFusion: PostgreSQL's SQL with its differences, and the sqlglot dialect that
writes it (sqlglot has none of its own)."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.dialects.postgres import Postgres as PostgresSQL

from segdsl.emit.dialects.postgres import Postgres

# sqlglot registers a dialect under its class's name, so sqlglot's DataFusion is made here
# under the name "DataFusion", apart from segdsl's class of that name below
SQLGLOT_DATAFUSION = type(
    "DataFusion",
    (PostgresSQL,),
    {
        "__doc__": "DataFusion's parser reads PostgreSQL's syntax and its functions are "
        "mostly PostgreSQL's, so it is written as PostgreSQL plus segdsl's rewrites "
        "(segdsl.emit.dialects.datafusion.DataFusion). Defining it registers the name "
        '"datafusion" with sqlglot.',
        "__module__": __name__,
    },
)


class DataFusion(Postgres):
    """Regular expressions are Rust's; an interval cannot be multiplied by a number."""

    name = "datafusion"
    regex = "rust"

    def rewrite(self, node: exp.Expr) -> exp.Expr:
        """A computed shift (`DateAdd`, in next_anniversary) becomes an interval cast from
        text, `CAST('3 YEAR' AS INTERVAL)`, whose month arithmetic clamps Feb 29 to Feb 28
        like PostgreSQL's."""
        if isinstance(node, exp.DateAdd) and not isinstance(node.expression, exp.Literal):
            text = exp.Concat(
                expressions=[
                    exp.cast(node.expression, "text"),
                    exp.Literal.string(f" {node.text('unit').upper()}"),
                ]
            )
            return exp.Add(this=node.this, expression=exp.cast(text, "interval"))
        return node
