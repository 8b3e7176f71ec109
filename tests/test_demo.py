"""`segdsl demo`: the generated warehouse is deterministic, plausible and safe to write,
and every example segment finds some customers but not all.

The generator runs once per module at 4,000 customers (enough for the rarer behaviour
segments, such as abandoned carts, to be non-empty on any seed); only the determinism
test generates again, since comparing two runs is its whole point.
"""

from __future__ import annotations

import datetime as dt
import math
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

import segdsl
from segdsl.cli import main
from segdsl.demo import _FILES, DEMO_AS_OF, DemoRefused, DemoSummary, write_demo
from segdsl.demo.data import ERASED_PER_CUSTOMER

CUSTOMERS = 4_000
TABLES = ("customers", "customer_tags", "events", "orders")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoSummary:
    return write_demo(tmp_path_factory.mktemp("demo") / "project", customers=CUSTOMERS, seed=7)


@pytest.fixture(scope="module")
def db(demo: DemoSummary) -> Any:
    con = duckdb.connect(str(demo.directory / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


def scalar(con: Any, sql: str) -> Any:
    return con.execute(sql).fetchall()[0][0]


def checksum(path: Path) -> list[tuple[int, int]]:
    """Row count and an order-sensitive hash of every row, per table."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [
            con.execute(f"SELECT count(*), sum(hash(rowid, t)) FROM {table} t").fetchall()[0]
            for table in TABLES
        ]
    finally:
        con.close()


def test_summary_counts_the_tables(demo: DemoSummary, db: Any) -> None:
    counts = {t: scalar(db, f"SELECT count(*) FROM {t}") for t in TABLES}
    assert (demo.customers, demo.tags, demo.events, demo.orders) == tuple(counts.values())
    assert demo.customers == CUSTOMERS
    assert 20 * CUSTOMERS < demo.events < 32 * CUSTOMERS  # about 26 per customer
    assert 1.4 * CUSTOMERS < demo.orders < 2.6 * CUSTOMERS  # about 2 per customer
    assert sorted(p.name for p in demo.directory.iterdir()) == [
        ".segdsl",
        "schema.yaml",
        "segdsl.yaml",
        "segments",
        "tests",
        "warehouse.duckdb",
    ]


def test_same_seed_same_warehouse_other_seed_other(demo: DemoSummary, tmp_path: Path) -> None:
    again = write_demo(tmp_path / "again", customers=CUSTOMERS, seed=7)
    other = write_demo(tmp_path / "other", customers=CUSTOMERS, seed=8)
    first = checksum(demo.directory / "warehouse.duckdb")
    assert checksum(again.directory / "warehouse.duckdb") == first
    assert checksum(other.directory / "warehouse.duckdb") != first


def test_column_types(db: Any) -> None:
    types = dict(
        db.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'customers'"
        ).fetchall()
    )
    assert types["customer_id"] == "BIGINT" and types["income"] == "DECIMAL(12,2)"
    assert types["birth_date"] == "DATE" and types["signup_at"] == "TIMESTAMP"
    assert types["marketing_consent"] == "BOOLEAN" and types["latitude"] == "DOUBLE"
    assert (
        scalar(
            db,
            "SELECT data_type FROM information_schema.columns WHERE "
            "table_name = 'orders' AND column_name = 'amount'",
        )
        == "DECIMAL(12,2)"
    )
    keys = scalar(
        db,
        "SELECT constraint_column_names FROM duckdb_constraints() "
        "WHERE table_name = 'customers' AND constraint_type = 'PRIMARY KEY'",
    )
    assert keys == ["customer_id"]


def test_nothing_happens_after_as_of(db: Any) -> None:
    assert scalar(db, "SELECT max(ts) FROM events") <= DEMO_AS_OF
    assert scalar(db, "SELECT max(ordered_at) FROM orders") <= DEMO_AS_OF
    assert scalar(db, "SELECT max(greatest(signup_at, last_seen_at)) FROM customers") <= DEMO_AS_OF
    assert scalar(db, "SELECT min(signup_at) FROM customers") >= DEMO_AS_OF - dt.timedelta(
        days=4 * 366
    )


def test_customers_are_consistent(db: Any) -> None:
    assert scalar(db, "SELECT count(*) FROM customers WHERE last_seen_at < signup_at") == 0
    assert scalar(
        db,
        "SELECT count(DISTINCT customer_id) = max(customer_id) AND min(customer_id) "
        "= 1 FROM customers",
    )
    # last_seen_at is the latest event, and missing exactly for customers without events
    assert (
        scalar(
            db,
            "SELECT count(*) FROM customers c LEFT JOIN (SELECT customer_id, max(ts) m "
            "FROM events GROUP BY ALL) e USING (customer_id) "
            "WHERE c.last_seen_at IS DISTINCT FROM e.m",
        )
        == 0
    )
    rows = db.execute("SELECT birth_date, age FROM customers").fetchall()
    as_of = DEMO_AS_OF.date()
    for birth, age in rows:
        expected = (
            None
            if birth is None
            else (as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day)))
        )
        assert age == expected
    assert min(age for _, age in rows if age is not None) >= 18


def test_erased_accounts_keep_their_events_and_orders(db: Any) -> None:
    """One key in a hundred beyond the customers has a history but no customer row (an
    account deleted on request); no tag outlives its customer."""
    erased = math.ceil(CUSTOMERS * ERASED_PER_CUSTOMER)
    for table in ("events", "orders"):
        keys = db.execute(
            f"SELECT min(customer_id), max(customer_id), count(DISTINCT customer_id) "
            f"FROM {table} WHERE customer_id NOT IN "
            f"(SELECT customer_id FROM customers)"
        ).fetchall()[0]
        assert keys[0] > CUSTOMERS and keys[1] <= CUSTOMERS + erased, table
        assert keys[2] > erased / 4, table  # most erased accounts had a history
    assert (
        scalar(
            db,
            "SELECT count(*) FROM customer_tags WHERE customer_id NOT IN "
            "(SELECT customer_id FROM customers)",
        )
        == 0
    )


def test_missing_and_edge_values_occur(db: Any) -> None:
    counts = db.execute("""SELECT count(*) FILTER (email IS NULL), count(*) FILTER (email = ''),
        count(*) FILTER (email <> lower(email)), count(*) FILTER (phone IS NULL),
        count(*) FILTER (birth_date IS NULL), count(*) FILTER (birth_date < DATE '1970-01-01'),
        count(*) FILTER (month(birth_date) = 2 AND day(birth_date) = 29),
        count(*) FILTER (latitude IS NULL), count(*) FILTER (gender IS NULL),
        count(*) FILTER (marketing_consent IS NULL), count(*) FILTER (nps IS NULL),
        count(*) FILTER (last_seen_at IS NULL) FROM customers""").fetchall()[0]
    assert all(0 < n < CUSTOMERS for n in counts), counts
    assert scalar(db, "SELECT min(nps) = 0 AND max(nps) = 10 FROM customers")
    assert scalar(db, "SELECT count(*) FILTER (epoch_us(signup_at) % 1000 <> 0) FROM customers")


def test_eu_share_is_sane(demo: DemoSummary, db: Any) -> None:
    eu = yaml.safe_load((demo.directory / "schema.yaml").read_text())["sets"]["EU"]
    share = scalar(db, f"SELECT avg((country_code IN {tuple(eu)})::INTEGER) FROM customers")
    assert 0.6 < share < 0.9
    assert scalar(db, "SELECT count(DISTINCT country_code) FROM customers") >= 16


def test_events_and_orders_are_in_time_order(db: Any) -> None:
    for table, time in (("events", "ts"), ("orders", "ordered_at")):
        unsorted = f"""SELECT count(*) FROM (SELECT {time} < lag({time}) OVER (ORDER BY rowid)
                       AS back FROM {table}) WHERE back"""
        assert scalar(db, unsorted) == 0, table
    assert scalar(db, "SELECT bool_and(order_id = rowid + 1) FROM orders")


def test_event_names_and_behaviour(db: Any, demo: DemoSummary) -> None:
    schema = yaml.safe_load((demo.directory / "schema.yaml").read_text())
    names = {r[0] for r in db.execute("SELECT DISTINCT event_name FROM events").fetchall()}
    assert names == set(schema["events"]["events"]["names"])
    assert {r[0] for r in db.execute("SELECT DISTINCT device FROM events").fetchall()} == {
        "desktop",
        "mobile",
        "tablet",
    }
    # every checkout became one order, a little later
    assert scalar(db, "SELECT count(*) FROM events WHERE event_name = 'checkout'") == demo.orders
    abandoned = """SELECT count(*) FROM (SELECT customer_id FROM events GROUP BY ALL
        HAVING count(*) FILTER (event_name = 'add_to_cart') > 0
           AND count(*) FILTER (event_name = 'checkout') = 0)"""
    assert scalar(db, abandoned) > CUSTOMERS / 50
    sleeping = """SELECT count(*) FROM (SELECT customer_id FROM orders GROUP BY ALL
        HAVING count(*) >= 3 AND max(ordered_at) < TIMESTAMP '2025-07-01')"""
    assert scalar(db, sleeping) > CUSTOMERS / 100
    december = scalar(db, "SELECT avg((month(ordered_at) = 12)::INTEGER) FROM orders")
    assert december > 1.5 / 12  # Christmas shopping
    no_orders = scalar(
        db,
        "SELECT count(*) FROM customers WHERE customer_id NOT IN (SELECT customer_id FROM orders)",
    )
    assert no_orders > CUSTOMERS / 3
    # newsletter readers open far more mails than they click, mostly not on the day they buy
    opens, clicks = db.execute(
        "SELECT count(*) FILTER (event_name = 'email_open'), "
        "count(*) FILTER (event_name = 'email_click') FROM events"
    ).fetchall()[0]
    assert 8 * clicks < opens < 30 * clicks
    mobile = scalar(
        db, "SELECT avg((device = 'mobile')::INTEGER) FROM events WHERE event_name = 'page_view'"
    )
    assert 0.45 < mobile < 0.7


def test_tags_are_distinct_and_at_most_four(db: Any) -> None:
    per_customer = db.execute(
        "SELECT count(*), count(DISTINCT tag) FROM customer_tags GROUP BY customer_id"
    ).fetchall()
    assert all(n == distinct <= 4 for n, distinct in per_customer)
    assert 0 < len(per_customer) < CUSTOMERS
    assert scalar(db, "SELECT count(DISTINCT tag) FROM customer_tags") == 7


def test_refuses_to_overwrite_a_project(tmp_path: Path) -> None:
    (tmp_path / "segdsl.yaml").write_text("name: mine\n")
    with pytest.raises(DemoRefused, match="segdsl.yaml"):
        write_demo(tmp_path, customers=10)
    assert (tmp_path / "segdsl.yaml").read_text() == "name: mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["segdsl.yaml"]


def test_refuses_to_overwrite_a_warehouse(tmp_path: Path) -> None:
    (tmp_path / "warehouse.duckdb").write_bytes(b"precious")
    with pytest.raises(DemoRefused, match="warehouse.duckdb"):
        write_demo(tmp_path, customers=10)
    assert (tmp_path / "warehouse.duckdb").read_bytes() == b"precious"


def test_a_failed_build_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(path: Path, *args: object) -> dict[str, int]:
        duckdb.connect(str(path)).execute("CREATE TABLE half (x INTEGER)").close()
        raise KeyboardInterrupt

    monkeypatch.setattr("segdsl.demo.build_warehouse", crash)
    with pytest.raises(KeyboardInterrupt):
        write_demo(tmp_path / "project", customers=10)
    assert not (tmp_path / "project").exists()  # the run made the folder, and removed it


def test_rejects_an_empty_base(tmp_path: Path) -> None:
    with pytest.raises(DemoRefused, match="between 1 and"):
        write_demo(tmp_path, customers=0)


def test_project_and_schema_files(demo: DemoSummary, db: Any) -> None:
    project = yaml.safe_load((demo.directory / "segdsl.yaml").read_text())
    assert project == {
        "name": "demo",
        "schema": "schema.yaml",
        "segments": ["segments/"],
        "tests": ["tests/"],
        "warehouse": "warehouse.duckdb",
        "dialect": "duckdb",
    }
    schema = yaml.safe_load((demo.directory / "schema.yaml").read_text())
    assert set(schema) == {"customers", "events", "sets", "traits"}
    assert schema["traits"]["ltv"] == "sum(purchase.amount)"
    assert schema["traits"]["orders_12m"] == "count(purchase within 12 months)"
    assert schema["traits"]["aov"] == "avg(purchase.amount)"
    assert " ".join(schema["traits"]["lead_score"].split()) == (
        "10 * count(email_open within 30 days) + 5 * count(email_click within 30 days) "
        "+ if(did pricing_view within 7 days, 30, 0)"
    )
    assert all(isinstance(v, str) for values in schema["sets"].values() for v in values)
    assert "NO" in schema["sets"]["NORDICS"]
    columns = {
        (t, c)
        for t, c in db.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
        ).fetchall()
    }
    mapped = set()
    for name, field in schema["customers"]["fields"].items():
        spec = field if isinstance(field, dict) else {"type": field}
        table = spec.get("table", "customers")
        mapped |= (
            {(table, spec["lat"]), (table, spec["lon"])}
            if spec["type"] == "geo"
            else {(table, spec.get("column", name))}
        )
    customer_columns = {pair for pair in columns if pair[0] == "customers"}
    assert customer_columns <= mapped <= columns
    for stream in schema["events"].values():
        props = {(stream["table"], p) for p in stream["properties"]}
        assert props <= columns and (stream["table"], stream["time"]) in columns


def test_segment_files(demo: DemoSummary) -> None:
    files = sorted((demo.directory / "segments").glob("*.yaml"))
    assert {f.stem for f in files} >= {
        "demographic",
        "geographic",
        "contact",
        "reactivation",
        "behavioural",
        "lifecycle",
        "value",
        "engagement",
    }
    names: list[str] = []
    rules: list[str] = []
    for path in files:
        assert path.read_text().startswith("# "), path  # every file explains itself
        document = yaml.safe_load(path.read_text())
        assert "segments" in document and set(document) <= {"segments", "segmentations"}, path
        for name, segment in document["segments"].items():
            assert (
                {"description", "owner", "labels", "where"}
                <= set(segment)
                <= {"description", "owner", "labels", "where", "min_size"}
            ), name
            assert isinstance(segment["where"], str) and isinstance(segment["labels"], list)
            names.append(name)
            rules.append(segment["where"])
        for name, buckets in document.get("segmentations", {}).items():
            assert all(isinstance(b, dict) and len(b) == 1 for b in buckets), name
            assert list(buckets[-1]) == ["else"] and len(buckets) >= 2, name
            names.append(name)
            rules += [rule for bucket in buckets[:-1] for rule in bucket.values()]
    assert len(names) == len(set(names))
    wheres = " ".join(rules)
    for feature in (
        "matches",
        "ignoring case",
        "in segment",
        "distance_km",
        "next_anniversary",
        "within 30 days",
        "is set",
        "count(tag)",
        # behaviour: docs/semantics.md#events
        "not did ",
        "at least 2 times",
        "exactly 1 time",
        "between 2025-12-01 and",
        'purchase(category = "shoes")',
        "hour(last(purchase))",
        'last(page_view.device) = "mobile"',
        "first(",
        "max(purchase.amount within",
        "percentile(ltv)",
        "cume_share(ltv)",
        'bucket(100, "q4-holdout") < 5',
        'lead_temperature in ["hot", "warm"]',
    ):
        assert feature in wheres, feature
    assert any("where: >\n" in path.read_text() for path in files)  # a multi-line rule


def test_the_lifecycle_segmentation_of_the_spec(demo: DemoSummary) -> None:
    document = yaml.safe_load((demo.directory / "segments" / "lifecycle.yaml").read_text())
    assert document["segmentations"]["lifecycle"] == [
        {"lead": "not did purchase and did signup"},
        {"vip": "in segment gold"},
        {"sleeping": "count(purchase) >= 3 and not did purchase within 180 days"},
        {"active": "did purchase within 90 days"},
        {"else": "other"},
    ]


def test_every_template_is_written() -> None:
    packaged = {
        p.name
        for p in (resources.files("segdsl.demo") / "files").iterdir()
        if p.name.endswith(".yaml")
    }
    assert packaged == set(_FILES.values())


def test_the_demo_checks_clean(demo: DemoSummary) -> None:
    errors = [d for d in segdsl.load(demo.directory).check() if d.severity == "error"]
    assert errors == []


@pytest.fixture(scope="module")
def sizes(demo: DemoSummary) -> dict[tuple[str, str | None], int]:
    result = segdsl.load(demo.directory).run(as_of=DEMO_AS_OF)
    try:
        assert result.total() == CUSTOMERS
        return {(s.name, s.bucket): s.members for s in result.sizes()}
    finally:
        result.connection.close()


def test_every_segment_and_bucket_is_non_trivial(
    demo: DemoSummary, sizes: dict[tuple[str, str | None], int]
) -> None:
    project = segdsl.load(demo.directory)
    assert len(project.segments) >= 80 and len(project.segmentations) >= 7
    trivial = {key: n for key, n in sizes.items() if not 0 < n < CUSTOMERS}
    assert trivial == {}
    for name, segmentation in project.segmentations.items():
        buckets = {bucket.name for bucket in segmentation.buckets}
        found = {b: n for (s, b), n in sizes.items() if s == name}
        assert set(found) == buckets, name  # every bucket, the else bucket included, has members
        assert sum(found.values()) == CUSTOMERS, name
    assert {name for name, bucket in sizes if bucket is None} == set(project.segments)


def test_behaviour_sizes_are_plausible(sizes: dict[tuple[str, str | None], int]) -> None:
    share = {key: n / CUSTOMERS for key, n in sizes.items()}
    assert 0.04 < share["q4_holdout", None] < 0.06
    assert share["top_20_percent", None] == pytest.approx(0.2, abs=0.01)
    assert 0.45 < share["subject_line_test", "variant_a"] < 0.55
    assert share["abandoned_cart", None] < share["viewed_product_not_bought", None] < 0.2
    assert share["lifecycle", "vip"] < share["lifecycle", "sleeping"] < share["lifecycle", "lead"]
    assert share["abc_class", "A"] < share["abc_class", "C"]
    assert (
        share["lead_temperature", "hot"]
        < share["lead_temperature", "warm"]
        < share["lead_temperature", "cold"]
    )
    assert share["usage_intensity", "heavy"] < share["usage_intensity", "light"]
    assert share["value_tier", "vip"] < share["value_tier", "regular"]
    assert share["christmas_shoppers_2025", None] < share["december_shoppers", None]
    assert share["sleeping_buyers", None] < share["lapsed_buyers", None]


def test_the_command_line_checks_and_runs_the_demo(
    demo: DemoSummary, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--project", str(demo.directory), "check"]) == 0
    assert "ok:" in capsys.readouterr().out
    assert main(["--project", str(demo.directory), "run", "--as-of", "2025-12-31T12:00:00"]) == 0
    out = capsys.readouterr().out
    assert f"{CUSTOMERS:,} customers, as of 2025-12-31 12:00:00" in out
    assert "abandoned_cart" in out and "lead_temperature" in out
