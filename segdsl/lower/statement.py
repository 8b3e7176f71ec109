"""Checked tree → one sqlglot SELECT. Only lower, emit and execute import sqlglot.

The statement's shapes live here: the key plus a column per segment and segmentation
(`select_columns`), or one segment's members (`select_members`), each joined to the event
groups, side tables and CTEs its expressions read. The expressions themselves are lowered
by lower/expressions.py (two-valued logic included), the percentile windows by
lower/percentiles.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

from sqlglot import exp

from segdsl.check import bound
from segdsl.check.meaning import negate
from segdsl.lower.drivers import AbsentGroups
from segdsl.lower.events import plan
from segdsl.lower.expressions import CUSTOMER, ExpressionLowering, definite
from segdsl.lower.groups import (
    KEY,
    group_select,
    sequence_select,
    values_select,
    warehouse_table,
)
from segdsl.lower.percentiles import cuts_select, population_value
from segdsl.types import Type

Q = TypeVar("Q", bound=exp.Query)


class Lowering(ExpressionLowering):
    """The whole statement: its shape, its FROM and joins, its CTEs (the `Build` context
    handed to operator builders, through `ExpressionLowering`)."""

    def select_members(self, name: str, values: Mapping[str, bound.Expr] = {}) -> exp.Query:
        """`SELECT key FROM customers WHERE rule` for one segment, in one of two shapes
        a set's statement does not need, where the shapes allow them
        (docs/performance.md#passes):

        - an `or` of tests of which one asks about a many-valued field (`life_stage =
          "student" or tag = "student"`) is a UNION ALL of its branches, each without the
          customers of the branches before it: under an OR, DuckDB answers the EXISTS for
          every customer, alone in a WHERE it is a semi-join (shape `union_branches`);
        - where only customers with rows in some event groups can be members (`_drivers`),
          the statement starts from those rows: one such group is inner-joined, several
          are a `key IN (… UNION ALL …)` (shape `driving_groups`).

        `values` (column → field or trait) are columns after the key: what `run --with`
        and `--measure` read of each member."""
        tree = self.segments[name]
        self._plan([tree, *values.values()])
        if (
            "union_branches" in self.shapes
            and isinstance(tree, bound.Or)
            and self._asks_values(tree)
            and not self._ctes()
        ):
            branches = [
                bound.And(Type.BOOLEAN, (item, *(negate(before) for before in tree.items[:i])))
                for i, item in enumerate(tree.items)
            ]
            return self._with_events(
                _union_all(
                    [
                        self._from(
                            exp.select(
                                self.key().as_(self.entity.key), *self._values(values)
                            ).where(self.condition(branch), copy=False)
                        )
                        for branch in branches
                    ]
                )
            )
        condition: exp.Expr = self.condition(tree)
        drivers = self._drivers(tree) if "driving_groups" in self.shapes else []
        if len(drivers) > 1:  # a member has a row in one of them, at least
            keys = _union_all([exp.select(exp.column(KEY)).from_(name) for name in drivers])
            condition = exp.and_(
                exp.In(this=self.key(), query=keys.subquery()), condition, copy=False
            )
        query = exp.select(self.key().as_(self.entity.key), *self._values(values)).where(
            condition, copy=False
        )
        return self._with_events(self._from(query, inner=drivers if len(drivers) == 1 else ()))

    def _drivers(self, tree: bound.Expr) -> list[str]:
        """The event groups that a member must have a row in, one of them at least: one
        group whose absence alone makes the rule false, else all the groups if their
        absence together does (lower/drivers.py); none when neither holds."""
        sequences = self.events.sequences
        names = [
            *(group.name for group in self.events.groups.values()),
            *(sequence.name for sequence in sequences.values()),
        ]
        alone = [[name] for name in names] if len(names) > 1 else []
        for candidates in [*alone, names]:

            def absent(
                node: bound.Aggregate | bound.Sequence,
                among: frozenset[str] = frozenset(candidates),
            ) -> bool:
                if isinstance(node, bound.Sequence):
                    return node in sequences and sequences[node].name in among
                return node in self.events.columns and self.events.columns[node][0] in among

            if candidates and AbsentGroups(absent, self.segments).holds(tree) is False:
                return candidates
        return []

    def _asks_values(self, node: bound.Expr) -> bool:
        """Whether a test on a many-valued field's values is part of `node`."""
        if isinstance(node, bound.Any | bound.CountValues):
            return True
        if isinstance(node, bound.SegmentRef):
            return self._asks_values(self.segments[node.name])
        return any(self._asks_values(child) for child in bound.operands(node))

    def select_columns(
        self,
        segments: Sequence[str],
        segmentations: Sequence[str],
        values: Mapping[str, bound.Expr] = {},
    ) -> exp.Select:
        """The key plus one boolean column per segment and one string column per segmentation,
        then one column per entry of `values` (as for `select_members`)."""
        self._plan(
            [
                *(self.segments[n] for n in segments),
                *(rule for n in segmentations for _, rule in self.segmentations[n].buckets),
                *values.values(),
            ]
        )
        columns: list[exp.Expr] = [self.key().as_(self.entity.key)]
        for name in segments:
            columns.append(definite(self.condition(self.segments[name])).as_(name))
        for name in segmentations:
            columns.append(self.segmentation(name).as_(name))
        columns += self._values(values)
        return self._with_events(self._from(exp.select(*columns)))

    def _values(self, values: Mapping[str, bound.Expr]) -> list[exp.Expr]:
        """A field's column as it is, missing values included; a yes/no trait computed by
        a rule made definite, as a segment's column is (two-valued logic)."""
        return [
            (
                definite(self.condition(tree))
                if tree.type is Type.BOOLEAN and not isinstance(tree, bound.Column)
                else self.value(tree)
            ).as_(name)
            for name, tree in values.items()
        ]

    def _plan(self, trees: Sequence[bound.Expr]) -> None:
        buckets = {n: [rule for _, rule in s.buckets] for n, s in self.segmentations.items()}
        tables = {self.entity.table} | {f.table for f in self.entity.fields.values() if f.table}
        self.events = plan(trees, self.segments, buckets, self.shapes, frozenset(tables))

    def _from(self, query: exp.Select, inner: Sequence[str] = ()) -> exp.Select:
        """Customers, left-joined to each event group, side table and population CTE that
        `query` reads. Only those: a CTE read twice (by the population values and here) is
        materialised by DuckDB, which costs more than computing it once."""
        read = {column.table for column in query.find_all(exp.Column)}
        query = query.from_(warehouse_table(self.entity.table, CUSTOMER), copy=False)
        for name in [*self._sides(), self.events.population]:
            if name in read:
                query = query.join(
                    exp.table_(name, alias=name),
                    on=exp.EQ(this=exp.column(KEY, table=name), expression=self.key()),
                    copy=False,
                    join_type="inner" if name in inner else "left",
                )
        for cuts in self.events.cuts.values():  # one row each
            if cuts.name in read:
                query = query.join(
                    exp.table_(cuts.name, alias=cuts.name), join_type="cross", copy=False
                )
        return query

    def _ctes(self) -> bool:
        return bool(
            self.events.groups
            or self.events.values
            or self.events.populations
            or self.events.cuts
            or self.events.sequences
        )

    def _with_events(self, query: Q) -> Q:
        for group in self.events.groups.values():
            query = query.with_(
                group.name,
                as_=group_select(group, self.value, self.condition, self.as_of()),
                copy=False,
            )
        for sequence in self.events.sequences.values():
            query = query.with_(
                sequence.name,
                as_=sequence_select(sequence, self.value, self.condition, self.as_of()),
                copy=False,
            )
        for values in self.events.values.values():
            customers = (warehouse_table(self.entity.table, CUSTOMER), self.key())
            query = query.with_(
                values.name, as_=values_select(values, self.condition, customers), copy=False
            )
        for cuts in self.events.cuts.values():
            per_customer = self._from(exp.select(self.value(cuts.value).as_("v")))
            query = query.with_(cuts.name, as_=cuts_select(cuts, per_customer), copy=False)
        if self.events.populations:
            population_values = [
                population_value(node.kind, self.value(node.value), self.key()).as_(column)
                for node, column in self.events.populations.items()
            ]
            query = query.with_(
                self.events.population,
                as_=self._from(exp.select(self.key().as_(KEY), *population_values)),
                copy=False,
            )
        return query

    def _sides(self) -> list[str]:
        return [
            *(group.name for group in self.events.groups.values()),
            *(values.name for values in self.events.values.values()),
            *(sequence.name for sequence in self.events.sequences.values()),
        ]


def _union_all(queries: Sequence[exp.Query]) -> exp.Query:
    union = queries[0]
    for query in queries[1:]:
        union = exp.union(union, query, distinct=False, copy=False)
    return union
