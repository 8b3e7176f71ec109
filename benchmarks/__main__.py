"""Speed as ratios measured side by side in one run: `python -m benchmarks [--customers N]`.

Absolute times on a shared 2-core machine are noise; ratios of commands run
interleaved (A B A B ...) after a warm-up are the result. CPU time and wall time
are both reported, as medians over the runs.

Compared:
- compiled SQL of a segment against the best hand-written SQL for it;
- all demo segments in one compiled statement against the floor
  (`SELECT customer_id, count(*) FROM events GROUP BY 1`);
- `segdsl check` of 1,000 rules (whole process) against a process that only
  imports lark and parses the same rule texts with our grammar.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

AS_OF = dt.datetime(2025, 12, 31, 12, 0, 0)
FLOOR = "SELECT customer_id, count(*) FROM events GROUP BY 1"

# The best hand-written SQL we found for each segment (each tried as EXISTS and as a
# prefiltered GROUP BY; the faster kept). Times are literal: AS_OF is fixed.
HAND_WRITTEN = {
    "bench_abandoned_cart": (
        "did add_to_cart within 7 days and not did checkout within 7 days",
        """SELECT customer_id FROM events
           WHERE ts >= TIMESTAMP '2025-12-24 12:00:00' AND ts <= TIMESTAMP '2025-12-31 12:00:00'
             AND event_name IN ('add_to_cart', 'checkout')
           GROUP BY customer_id
           HAVING count(*) FILTER (WHERE event_name = 'add_to_cart') > 0
              AND count(*) FILTER (WHERE event_name = 'checkout') = 0""",
    ),
    "bench_big_spenders_90d": (
        "sum(purchase.amount within 90 days) > 200",
        """SELECT customer_id FROM orders
           WHERE ordered_at >= TIMESTAMP '2025-10-02 12:00:00'
             AND ordered_at <= TIMESTAMP '2025-12-31 12:00:00'
           GROUP BY customer_id HAVING sum(amount) > 200""",
    ),
    "bench_sleeping": (
        "count(purchase) >= 3 and not did purchase within 180 days",
        """SELECT customer_id FROM orders WHERE ordered_at <= TIMESTAMP '2025-12-31 12:00:00'
           GROUP BY customer_id
           HAVING count(*) >= 3 AND max(ordered_at) < TIMESTAMP '2025-07-04 12:00:00'""",
    ),
}


def measure(commands: dict[str, Callable[[], object]], runs: int) -> dict[str, tuple[float, float]]:
    """Median (cpu, wall) seconds per command, interleaved, after one warm-up each."""
    for command in commands.values():
        command()
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            cpu, wall = time.process_time(), time.perf_counter()
            command()
            samples[name].append((time.process_time() - cpu, time.perf_counter() - wall))
    return {name: (statistics.median(s[0] for s in rows), statistics.median(s[1] for s in rows))
            for name, rows in samples.items()}


def execution(root: Path, runs: int) -> list[tuple[str, float, float]]:
    import duckdb

    import segdsl

    segments = root / "segments" / "bench.yaml"
    segments.write_text("segments:\n" + "".join(
        f"  {name}:\n    where: {rule}\n" for name, (rule, _) in HAND_WRITTEN.items()))
    try:
        project = segdsl.load(root)
        connection = duckdb.connect(str(root / "warehouse.duckdb"), read_only=True)
        connection.execute("SET TimeZone = 'UTC'")

        def query(sql: str) -> Callable[[], object]:
            return lambda: connection.execute(f"SELECT count(*) FROM ({sql})").fetchall()

        rows = []
        for name, (_, hand) in HAND_WRITTEN.items():
            compiled = project.compile([name], "duckdb", AS_OF, pretty=False)
            got = measure({"compiled": query(compiled), "hand": query(hand)}, runs)
            rows.append((f"{name}: compiled / hand-written",
                         got["compiled"][0] / got["hand"][0], got["compiled"][1] / got["hand"][1]))
        everything = project.compile(None, "duckdb", AS_OF, pretty=False)
        got = measure({"all": query(everything), "floor": query(FLOOR)}, runs)
        count = len(project.segments) + len(project.segmentations)
        rows.append((f"all {count} segments+segmentations / floor",
                     got["all"][0] / got["floor"][0], got["all"][1] / got["floor"][1]))
        return rows
    finally:
        segments.unlink()


def compile_path(root: Path, runs: int) -> list[tuple[str, float, float]]:
    """Whole-process `segdsl check` of 1,000 rules against lark parsing the same texts."""
    rules = [rule for rule, _ in HAND_WRITTEN.values()] + [
        'country in EU and inactive_days > 30 and tag = "awaits-sale"',
        'age between 25 and 40 and gender = "female" and email is set',
        'lower(city) starts with "m" and signup_at within 6 months or nps >= 9']
    project = Path(tempfile.mkdtemp()) / "p"
    subprocess.run([sys.executable, "-m", "segdsl.cli", "demo", str(project), "--customers",
                    "100"], check=True, capture_output=True)
    for old in (project / "segments").iterdir():
        old.unlink()
    texts = []
    for f in range(100):
        body = ["segments:"]
        for i in range(10):
            rule = rules[(f * 10 + i) % len(rules)]
            texts.append(rule)
            body.append(f"  s_{f}_{i}:\n    where: {rule}")
        (project / "segments" / f"f{f:03}.yaml").write_text("\n".join(body) + "\n")
    grammar = Path(__file__).parent.parent / "grammar" / "segdsl.lark"
    floor = (f"import lark; p = lark.Lark(open({str(grammar)!r}).read(), parser='lalr', "
             f"propagate_positions=True)\nfor t in {texts!r}: p.parse(t)")

    def process(*args: str) -> Callable[[], object]:
        return lambda: subprocess.run([sys.executable, *args], check=True, capture_output=True)

    got = measure({"check": process("-m", "segdsl.cli", "--project", str(project), "check"),
                   "floor": process("-c", floor),
                   "start": process("-m", "segdsl.cli", "--help")}, runs)
    return [("check 1,000 rules / lark-only floor", got["check"][1] / got["floor"][1],
             got["check"][1]),
            ("start-up (`segdsl --help`), seconds", got["start"][1], got["start"][1])]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--warehouse", type=Path, default=None,
                        help="an existing demo project folder to reuse")
    args = parser.parse_args()
    root = args.warehouse
    if root is None:
        from segdsl.demo import write_demo

        root = Path(tempfile.mkdtemp()) / "demo"
        write_demo(root, customers=args.customers)
    print(f"| measure (median of {args.runs}, interleaved) | CPU ratio | wall ratio |")
    print("|---|---:|---:|")
    for name, cpu, wall in execution(root, args.runs):
        print(f"| {name} | {cpu:.2f} | {wall:.2f} |")
    for name, ratio, seconds in compile_path(root, max(3, args.runs // 3)):
        print(f"| {name} | | {ratio:.2f} ({seconds:.2f} s) |")


if __name__ == "__main__":
    main()
