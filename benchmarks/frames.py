"""A representative set of demo segments in pandas and in polars (lazy).

What a data scientist would write instead of segdsl, over the same warehouse
loaded into Arrow (loading is timed apart). Each function returns, per segment
(or per `segmentation=bucket`), the sorted keys of its members; the benchmark
checks them against segdsl's before timing anything. Amounts are loaded as
float64 (pandas would otherwise hold Python Decimal objects); lifetime revenue
is ranked and summed in whole cents, as an analyst would once float drift moved
customers across a percentile or class boundary (it does at 1M customers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .hand import AS_OF

# The segments covered, by kind: attributes, tags, event windows, aggregates, last value,
# percentile, and two segmentations (one on cumulative share).
SEGMENTS = [
    "eu_customers",
    "women_25_44",
    "with_email",
    "awaits_sale",
    "eu_sale_waiters",
    "abandoned_cart",
    "viewed_product_not_bought",
    "repeat_shoe_buyers",
    "newsletter_fans",
    "sleeping_buyers",
    "lapsed_buyers",
    "mobile_browsers",
    "high_order_value",
    "top_20_percent",
]
SEGMENTATIONS = ["usage_intensity", "abc_class"]
BUCKETS = {"usage_intensity": ["heavy", "medium", "light", "none"], "abc_class": ["A", "B", "C"]}
NAMES = SEGMENTS + SEGMENTATIONS

EU = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
]
TABLES = ("customers", "events", "orders", "customer_tags")


def _days(n: int) -> np.datetime64:
    return np.datetime64(AS_OF, "us") - np.timedelta64(n, "D")


NOW = np.datetime64(AS_OF, "us")
D7, D14, D30, D90, D180 = (_days(n) for n in (7, 14, 30, 90, 180))
M12 = np.datetime64(AS_OF.replace(year=AS_OF.year - 1), "us")
DEC_1 = np.datetime64("2025-12-01T00:00:00", "us")


def load_arrow(warehouse: str) -> dict[str, Any]:
    """The four demo tables as Arrow tables, decimals as float64."""
    import duckdb
    import pyarrow as pa

    connection = duckdb.connect(warehouse, read_only=True)
    try:
        tables = {}
        for name in TABLES:
            table = connection.table(name).to_arrow_table()
            for i, column in enumerate(table.schema):
                if pa.types.is_decimal(column.type):
                    table = table.set_column(i, column.name, table.column(i).cast(pa.float64()))
            tables[name] = table
        return tables
    finally:
        connection.close()


def _sorted(keys: Any) -> Any:
    """The distinct keys, sorted, as a NumPy array: each engine hands over its members as
    an array (turned into Python lists only to check that they agree, untimed)."""
    return np.unique(np.asarray(keys))


# ---- pandas -------------------------------------------------------------------------------


def pandas_frames(tables: dict[str, Any]) -> dict[str, Any]:
    return {name: table.to_pandas() for name, table in tables.items()}


def pandas_segments(frames: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    c, t = frames["customers"], frames["customer_tags"]
    e = frames["events"]
    e = e[e["ts"] <= NOW]
    o = frames["orders"]
    o = o[o["ordered_at"] <= NOW]
    key = c["customer_id"]
    out: dict[str, Any] = {}
    eu = c["country_code"].isin(EU)
    out["eu_customers"] = key[eu]
    out["women_25_44"] = key[(c["gender"] == "female") & c["age"].between(25, 44)]
    out["with_email"] = key[c["email"].notna() & (c["email"] != "")]
    sale = t.loc[t["tag"] == "awaits-sale", "customer_id"].unique()
    out["awaits_sale"] = sale
    out["eu_sale_waiters"] = key[eu & (c["last_seen_at"] < DEC_1) & key.isin(sale)]
    # each filter takes only the columns it needs (a take of the string columns of 26M
    # rows is most of the work otherwise)
    week = e.loc[e["ts"] >= D7, ["customer_id", "event_name"]]
    # events and orders also hold keys that are no customer (erased accounts), so each
    # result drawn from them keeps only customers: a check on the small result, not on
    # the event rows
    customer = pd.Index(key)
    out["abandoned_cart"] = np.setdiff1d(
        week.loc[week["event_name"] == "add_to_cart", "customer_id"].unique(),
        week.loc[week["event_name"] == "checkout", "customer_id"].unique(),
    )
    views = e.loc[(e["ts"] >= D14) & (e["event_name"] == "page_view"), ["customer_id", "url"]]
    viewed = views.loc[views["url"].str.startswith("/p/"), "customer_id"].unique()
    out["viewed_product_not_bought"] = np.setdiff1d(
        viewed, o.loc[o["ordered_at"] >= D14, "customer_id"].unique()
    )
    shoes = o[(o["ordered_at"] >= D180) & (o["amount"] > 50) & (o["category"] == "shoes")]
    counts = shoes.groupby("customer_id").size()
    out["repeat_shoe_buyers"] = counts.index[counts >= 2]
    opens = (
        e.loc[(e["event_name"] == "email_open") & (e["ts"] >= D90), ["customer_id"]]
        .groupby("customer_id")
        .size()
    )
    out["newsletter_fans"] = opens.index[opens >= 4]
    for name in (
        "abandoned_cart",
        "viewed_product_not_bought",
        "repeat_shoe_buyers",
        "newsletter_fans",
    ):
        found = np.asarray(out[name])
        out[name] = found[np.isin(found, key)]
    per = o.groupby("customer_id").agg(
        n=("amount", "size"),
        last=("ordered_at", "max"),
        ltv=("amount", "sum"),
        aov=("amount", "mean"),
    )
    per = per[per.index.isin(customer)]
    out["sleeping_buyers"] = per.index[(per["n"] >= 3) & (per["last"] < D180)]
    out["lapsed_buyers"] = per.index[per["last"] < M12]
    out["high_order_value"] = per.index[per["aov"] >= 150]
    pages = e.loc[e["event_name"] == "page_view", ["customer_id", "ts", "device"]]
    last = pages.loc[pages.groupby("customer_id")["ts"].idxmax()]
    last = last[last["customer_id"].isin(customer)]
    out["mobile_browsers"] = last.loc[last["device"] == "mobile", "customer_id"]
    ltv = key.map(per["ltv"]).fillna(0.0)
    # ranks and shares on whole cents: float sums of equal totals can differ in the last bit
    cents = (ltv * 100).round().astype("int64")
    percentile = 100.0 * (cents.rank(method="min") - 1) / len(cents)
    out["top_20_percent"] = key[percentile >= 80]
    recent = o[o["ordered_at"] >= M12].groupby("customer_id").size()
    n12 = key.map(recent).fillna(0)
    tier = pd.Series(
        np.select([n12 >= 6, n12 >= 3, n12 >= 1], ["heavy", "medium", "light"], "none"),
        index=key.index,
    )
    ranked = pd.DataFrame({"k": key, "cents": cents}).sort_values(
        ["cents", "k"], ascending=[False, True]
    )
    share = 100.0 * ranked["cents"].cumsum() / ranked["cents"].sum()
    abc = np.select([share <= 80, share <= 95], ["A", "B"], "C")
    for bucket in BUCKETS["usage_intensity"]:
        out[f"usage_intensity={bucket}"] = key[tier == bucket]
    for bucket in BUCKETS["abc_class"]:
        out[f"abc_class={bucket}"] = ranked["k"][abc == bucket]
    return {name: _sorted(keys) for name, keys in out.items()}


# ---- polars (lazy) --------------------------------------------------------------------------


def polars_frames(tables: dict[str, Any]) -> dict[str, Any]:
    import polars as pl

    return {name: pl.from_arrow(table) for name, table in tables.items()}


def polars_segments(frames: dict[str, Any]) -> dict[str, Any]:
    import polars as pl

    col = pl.col
    c = frames["customers"].lazy()
    t = frames["customer_tags"].lazy()
    e = frames["events"].lazy().filter(col("ts") <= NOW)
    o = frames["orders"].lazy().filter(col("ordered_at") <= NOW)
    keys = col("customer_id")
    queries: dict[str, pl.LazyFrame] = {}
    eu = col("country_code").is_in(EU)
    queries["eu_customers"] = c.filter(eu).select(keys)
    queries["women_25_44"] = c.filter(
        (col("gender") == "female") & col("age").is_between(25, 44)
    ).select(keys)
    queries["with_email"] = c.filter(col("email") != "").select(keys)
    sale = t.filter(col("tag") == "awaits-sale").select(keys)
    queries["awaits_sale"] = sale
    queries["eu_sale_waiters"] = (
        c.filter(eu & (col("last_seen_at") < DEC_1))
        .select(keys)
        .join(sale, on="customer_id", how="semi")
    )
    # events and orders also hold keys that are no customer (erased accounts): each result
    # drawn from them is semi-joined to the customers once it is small
    customers = c.select(keys)

    def known(frame: pl.LazyFrame) -> pl.LazyFrame:
        return frame.join(customers, on="customer_id", how="semi")

    week = e.filter(col("ts") >= D7)
    queries["abandoned_cart"] = known(
        week.filter(col("event_name") == "add_to_cart")
        .select(keys)
        .join(week.filter(col("event_name") == "checkout"), on="customer_id", how="anti")
    )
    queries["viewed_product_not_bought"] = known(
        e.filter(
            (col("ts") >= D14)
            & (col("event_name") == "page_view")
            & col("url").str.starts_with("/p/")
        )
        .select(keys)
        .join(o.filter(col("ordered_at") >= D14), on="customer_id", how="anti")
    )
    queries["repeat_shoe_buyers"] = known(
        o.filter((col("ordered_at") >= D180) & (col("amount") > 50) & (col("category") == "shoes"))
        .group_by(keys)
        .len()
        .filter(col("len") >= 2)
        .select(keys)
    )
    queries["newsletter_fans"] = known(
        e.filter((col("event_name") == "email_open") & (col("ts") >= D90))
        .group_by(keys)
        .len()
        .filter(col("len") >= 4)
        .select(keys)
    )
    per = known(
        o.group_by(keys).agg(
            n=pl.len(),
            last=col("ordered_at").max(),
            ltv=col("amount").sum(),
            aov=col("amount").mean(),
        )
    )
    queries["sleeping_buyers"] = per.filter((col("n") >= 3) & (col("last") < D180)).select(keys)
    queries["lapsed_buyers"] = per.filter(col("last") < M12).select(keys)
    queries["high_order_value"] = per.filter(col("aov") >= 150).select(keys)
    queries["mobile_browsers"] = known(
        e.filter(col("event_name") == "page_view")
        .group_by(keys)
        .agg(col("device").sort_by("ts").last())
        .filter(col("device") == "mobile")
        .select(keys)
    )
    # ranks and shares on whole cents: float sums of equal totals can differ in the last bit
    # (and polars sums groups in parallel), and drift across the 80 % and 95 % lines
    everyone = (
        c.select(keys)
        .join(per.select(keys, "ltv"), on="customer_id", how="left")
        .select(keys, (col("ltv").fill_null(0.0) * 100).round().cast(pl.Int64).alias("cents"))
    )
    queries["top_20_percent"] = everyone.filter(
        100.0 * (col("cents").rank("min") - 1) / pl.len() >= 80
    ).select(keys)
    recent = o.filter(col("ordered_at") >= M12).group_by(keys).len()
    n12 = col("len").fill_null(0)
    tiers = (
        c.select(keys)
        .join(recent, on="customer_id", how="left")
        .select(
            keys,
            pl.when(n12 >= 6)
            .then(pl.lit("heavy"))
            .when(n12 >= 3)
            .then(pl.lit("medium"))
            .when(n12 >= 1)
            .then(pl.lit("light"))
            .otherwise(pl.lit("none"))
            .alias("bucket"),
        )
    )
    share = 100.0 * col("cents").cum_sum() / col("cents").sum()
    abc = everyone.sort(["cents", "customer_id"], descending=[True, False]).select(
        keys,
        pl.when(share <= 80)
        .then(pl.lit("A"))
        .when(share <= 95)
        .then(pl.lit("B"))
        .otherwise(pl.lit("C"))
        .alias("bucket"),
    )
    for name, frame in (("usage_intensity", tiers), ("abc_class", abc)):
        for bucket in BUCKETS[name]:
            queries[f"{name}={bucket}"] = frame.filter(col("bucket") == bucket).select(keys)
    results = pl.collect_all(list(queries.values()))
    return {
        name: _sorted(frame["customer_id"].to_numpy())
        for name, frame in zip(queries, results, strict=True)
    }


ENGINES: dict[
    str,
    tuple[Callable[[dict[str, Any]], dict[str, Any]], Callable[[dict[str, Any]], dict[str, Any]]],
] = {
    "pandas": (pandas_frames, pandas_segments),
    "polars": (polars_frames, polars_segments),
}


def segdsl_segments(project: str) -> dict[str, Any]:
    """The same members from segdsl: one `run` of the same segments and segmentations."""
    import segdsl

    result = segdsl.load(project).run(NAMES, as_of=AS_OF)
    key = f'"{result.key}"'

    def keys(condition: str) -> Any:
        relation = result.relation.filter(condition).project(key).order(key)
        return relation.fetchnumpy()[result.key]

    out = {name: keys(f'"{name}"') for name in SEGMENTS}
    for name in SEGMENTATIONS:
        for bucket in BUCKETS[name]:
            out[f"{name}={bucket}"] = keys(f"\"{name}\" = '{bucket}'")
    return out
