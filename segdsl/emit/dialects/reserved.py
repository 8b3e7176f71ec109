"""Words that a dialect reads as its own, so that a table, column or alias of that name
must be quoted there: data, one set per kind of engine (emit/dialects/base.py `quoted`).

sqlglot already quotes the reserved words of the dialects it keeps a list for (BigQuery,
DuckDB, MySQL and its family, Presto and Trino, Redshift, Exasol); these sets cover the
others. Quoting a word that did not need it changes nothing on an engine that folds
unquoted names to lower case or keeps their case, so `ANYWHERE` is one generous set for
all of them: the reserved words of PostgreSQL (`pg_get_keywords()`, categories R and T),
T-SQL, Spark's ANSI mode and Hive, SQLite and SQL:2016's core. Snowflake and Oracle fold
unquoted names to upper case, so a quoted lower-case name means another table there:
each gets the list of its vendor's documentation and nothing more.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


ANYWHERE = _words(
    """
    abort all alter analyse analyze and any array as asc asymmetric authorization backup
    begin between binary both break browse bulk by cascade case cast check checkpoint close
    clustered collate collation column commit compute concurrently constraint contains
    containstable continue convert create cross cube current current_catalog current_date
    current_role current_schema current_time current_timestamp current_user cursor database
    dbcc deallocate declare default deferrable delete deny desc describe disk distinct
    distributed do drop dump else end errlvl escape except exchange exec execute exists exit
    extended external false fetch file fillfactor filter following for foreign freetext
    freetexttable freeze from full function global goto grant group grouping having
    holdlock identity identity_insert identitycol if ilike import in index initially inner
    insert intersect interval into is isnull join key kill lateral leading left like limit
    lineno load local localtime localtimestamp macro map merge national natural nocheck
    nonclustered not notnull null nullif of off offset offsets on only open
    opendatasource openquery openrowset openxml option or order out outer over overlaps
    partition percent pivot placing plan preceding primary print proc procedure public
    qualify raiserror range read readtext reconfigure reduce references replication
    restore restrict return returning revert revoke right rollback rollup row rowcount
    rowguidcol rows rule save schema select session_user set sets setuser shutdown similar
    some start statistics symmetric system_user table tablesample textsize then to top
    trailing tran transaction transform trigger true truncate try_convert tsequal unbounded
    union unique unknown unpivot update updatetext use user using values variadic varying
    verbose view waitfor when where while window with within writetext
    """
)

SNOWFLAKE = _words(
    """
    account all alter and any as between by case cast check column connect connection
    constraint create cross current current_date current_time current_timestamp
    current_user database delete distinct drop else exists false following for from full
    grant group gscluster having ilike in increment inner insert intersect into is issue
    join lateral left like localtime localtimestamp minus natural not null of on or order
    organization qualify regexp revoke right rlike row rows sample schema select set some
    start table tablesample then to trigger true try_cast union unique update using values
    view when whenever where window with
    """
)

ORACLE = _words(
    """
    access add all alter and any as asc audit between by char check cluster column comment
    compress connect create current date decimal default delete desc distinct drop else
    exclusive exists file float for from grant group having identified immediate in
    increment index initial insert integer intersect into is level like lock long
    maxextents minus mlslabel mode modify noaudit nocompress not nowait null number of
    offline on online option or order pctfree prior public raw rename resource revoke row
    rowid rownum rows select session set share size smallint start successful synonym
    sysdate table then to trigger uid union unique update user validate values varchar
    varchar2 view whenever where with
    """
)
