"""Speed as ratios measured side by side in one run: `python -m benchmarks`.

Absolute times on a shared 2-core machine are noise; ratios of commands run
interleaved (A B A B ...) after a warm-up are the result, as medians of CPU time
and wall time, with peak RSS per command (each in a fresh process). See
docs/performance.md for what is compared and benchmarks/RESULTS.md for numbers.

    python -m benchmarks                      # 1M customers, 9 runs; writes RESULTS.md
    python -m benchmarks --random             # and the second column: rows in random order
    python -m benchmarks --warehouse /tmp/d   # reuse a demo project (segdsl demo /tmp/d)
    python -m benchmarks --scale              # run time and RSS at 0.1M, 1M and 10M
    python -m benchmarks --quick              # tiny and fast: the smoke test's run
    python -m benchmarks --engines postgres,spark --customers 100000
                                              # on other engines: writes ENGINES.md
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import frames, hand, report
from .compilepath import measure_compile_path
from .measure import Sample, Serving, Timing, interleave, run_worker, worker
from .warehouses import WAREHOUSE, demo_project, random_order_copy

HERE = Path(__file__).resolve().parent
_START = time.perf_counter()


def _log(message: str) -> None:
    print(f"[{time.perf_counter() - _START:6.0f} s] {message}", file=sys.stderr, flush=True)


AGGREGATE = f"SELECT customer_id, sum(amount) FROM orders WHERE ordered_at <= {hand.NOW} GROUP BY 1"


def _uses_events(sql: str) -> bool:
    return " events" in sql or " orders" in sql


def _sql(warehouse: Path, sql: str) -> Any:
    return worker({"kind": "sql", "warehouse": str(warehouse), "sql": sql})


def execution(project: Path, runs: int, pick_runs: int, every_segment: bool) -> dict[str, Any]:
    """All execution measures on one warehouse (one row order)."""
    import segdsl

    loaded = segdsl.load(project)
    warehouse = project / WAREHOUSE
    cases = {}
    for name in loaded.segments:
        compiled = loaded.compile([name], "duckdb", hand.AS_OF, pretty=False)
        if every_segment or _uses_events(compiled):
            cases[name] = {"compiled": compiled, "variants": hand.SEGMENTS[name]}
    _log(f"{project.name}: {len(cases)} segments, compiled against hand-written")
    percentile_sql = loaded.compile(["top_20_percent"], "duckdb", hand.AS_OF, pretty=False)
    measured = run_worker(
        {
            "kind": "segments",
            "warehouse": str(warehouse),
            "cases": cases,
            "runs": runs,
            "pick_runs": pick_runs,
            "pairs": {
                "percentile": {
                    "top_20_percent compiled": percentile_sql,
                    "its aggregate": AGGREGATE,
                }
            },
        }
    )
    segments = measured["segments"]
    # The two hand-written set plans race; the faster one meets segdsl. The race is the
    # set plans' warm-up.
    _log(f"{project.name}: all segments against the hand-written set plan and the floor")
    plans = hand.set_plans()
    race = interleave(
        {shape: _sql(warehouse, sql) for shape, sql in plans.items()}, pick_runs, warmups=0
    )
    best = min(race, key=lambda shape: race[shape].cpu)
    commands = {
        "segdsl run, all": worker(
            {"kind": "run", "project": str(project), "as_of": hand.AS_OF.isoformat()}
        ),
        f"hand-written set plan ({best})": _sql(warehouse, plans[best]),
        "floor": _sql(warehouse, hand.FLOOR),
    }
    for name in ("segdsl run, all", "floor"):  # warm-ups
        commands[name]()
    timings = interleave(commands, runs, warmups=0)
    run, set_plan, floor = timings.values()
    percentile = {
        label: Timing(tuple(Sample(cpu, wall) for cpu, wall in samples))
        for label, samples in measured["pairs"]["percentile"].items()
    }
    timings.update(percentile)
    pct, aggregate = percentile.values()
    return {
        "segments": segments,
        "best_set_plan": best,
        "timings": {name: t.to_json() for name, t in timings.items()},
        "ratios": {
            "run/hand": (run.cpu / set_plan.cpu, run.wall / set_plan.wall),
            "run/floor": (run.cpu / floor.cpu, run.wall / floor.wall),
            "percentile/aggregate": (pct.cpu / aggregate.cpu, pct.wall / aggregate.wall),
        },
    }


def data_frames(project: Path, runs: int) -> dict[str, Any]:
    """segdsl against pandas and polars on the frames segments; members checked first.

    pandas and polars each run in one process that loads the data once (their loading is
    timed apart, not compared); segdsl runs in a fresh process each time, as a user's
    `run` does."""
    warehouse = str(project / WAREHOUSE)
    segdsl_job = {"kind": "frames", "engine": "segdsl", "project": str(project)}
    _log("segdsl against pandas and polars")
    with contextlib.ExitStack() as stack:
        # The warm-up round returns the members, which must agree before anything is timed.
        # Each engine loads and runs it alone (a load is timed, if apart).
        want = run_worker({**segdsl_job, "members": True})["members"]
        served: dict[str, Serving] = {}
        for engine in frames.ENGINES:
            server = served[engine] = stack.enter_context(
                Serving({"kind": "frames", "engine": engine, "warehouse": warehouse})
            )
            got = server.request(members=True)["members"]
            wrong = [name for name in want if got.get(name) != want[name]]
            if wrong or set(got) != set(want):
                raise AssertionError(
                    f"{engine} disagrees with segdsl on {wrong or set(got) ^ set(want)}"
                )
        timings = interleave({"segdsl": worker(segdsl_job), **served}, runs, warmups=0)
    return {"names": frames.NAMES, **{name: t.to_json() for name, t in timings.items()}}


def _revision() -> str:
    """The commit measured, and whether the compiler had uncommitted changes."""
    import subprocess

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], check=False, cwd=HERE.parent, capture_output=True, text=True
        ).stdout.strip()

    dirty = git("status", "--porcelain", "--", "segdsl")
    return git("rev-parse", "--short", "HEAD") + (
        " with uncommitted changes in segdsl/" if dirty else ""
    )


def meta(project: Path | None, runs: int) -> dict[str, Any]:
    import duckdb
    import pandas
    import polars
    import pyarrow
    import sqlglot

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    out = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}",
        "versions": f"Python {platform.python_version()}, duckdb {duckdb.__version__}, "
        f"sqlglot {sqlglot.__version__}, pandas {pandas.__version__}, "
        f"polars {polars.__version__}, pyarrow {pyarrow.__version__}",
        "runs": runs,
        "floor": hand.FLOOR,
        "aggregate": AGGREGATE,
        "code": _revision(),
    }
    if project is not None:
        connection = duckdb.connect(str(project / WAREHOUSE), read_only=True)
        out["customers"], out["events"] = connection.execute(
            "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM events)"
        ).fetchone()
        connection.close()
    return out


def scale(sizes: list[int], runs: int, base: Path) -> dict[str, Any]:
    """`segdsl run` of everything and the floor at each size: time and peak RSS."""
    out: dict[str, Any] = {"meta": meta(None, runs), "sizes": []}
    for customers in sizes:
        project = demo_project(base / f"demo-{customers}", customers)
        warehouse = project / WAREHOUSE
        timings = interleave(
            {
                "run": worker(
                    {"kind": "run", "project": str(project), "as_of": hand.AS_OF.isoformat()}
                ),
                "floor": _sql(warehouse, hand.FLOOR),
            },
            runs,
        )
        size = meta(project, runs)
        out["sizes"].append(
            {
                "customers": size["customers"],
                "events": size["events"],
                **{name: t.to_json() for name, t in timings.items()},
            }
        )
        _log(f"scale: {customers:,} customers done")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--customers",
        type=int,
        default=1_000_000,
        help="size of the generated demo warehouse (default 1,000,000)",
    )
    parser.add_argument("--runs", type=int, default=9, help="timed runs per command (default 9)")
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        metavar="DIR",
        help="an existing demo project folder (segdsl demo DIR) to measure",
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=None,
        metavar="DIR",
        help="where to write generated projects (default: a temporary folder)",
    )
    parser.add_argument(
        "--random",
        action="store_true",
        help="also the second column, events in random order (about 6 more minutes at 1M)",
    )
    parser.add_argument(
        "--scale", action="store_true", help="instead: run time and peak RSS at --sizes"
    )
    parser.add_argument(
        "--sizes",
        default="100000,1000000,10000000",
        help="customer counts for --scale (default 100000,1000000,10000000)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="2,000 customers, 1 run, no compile path: checks that it all works",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=HERE,
        metavar="DIR",
        help="where RESULTS.md, the JSON results and the chart go",
    )
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep the phases already in --out/results.json; measure the rest",
    )
    parser.add_argument(
        "--engines",
        default=None,
        metavar="NAMES",
        help="instead: the event segments on these engines (postgres, spark) against "
        "hand-written SQL; writes engines.json and ENGINES.md in --out",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="measure nothing: rewrite RESULTS.md from the JSON results in --out",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.customers, args.runs = min(args.customers, 2_000), 1
    work = args.work or Path(tempfile.mkdtemp(prefix="segdsl-bench-"))
    args.out.mkdir(parents=True, exist_ok=True)
    results_json, scale_json = args.out / "results.json", args.out / "scale.json"
    if args.engines:
        from . import engines

        project = args.warehouse or demo_project(work / f"demo-{args.customers}", args.customers)
        measured = {
            "meta": meta(project, args.runs),
            "engines": engines.measure(project, args.runs, args.engines.split(","), _log),
        }
        (args.out / "engines.json").write_text(json.dumps(measured, indent=1))
        (args.out / "ENGINES.md").write_text(report.engines_md(measured))
        print(report.engines_md(measured))
        return 0
    if args.scale and not args.report:
        sizes = [int(s) for s in args.sizes.split(",")]
        scaled = scale(sizes, args.runs, work)
        if scale_json.exists():  # keep the sizes measured before, unless measured again
            before = json.loads(scale_json.read_text())["sizes"]
            scaled["sizes"] += [s for s in before if s["customers"] not in sizes]
        scale_json.write_text(json.dumps(scaled, indent=1))
        print(report.scale_table(json.loads(scale_json.read_text())))
    elif not args.report:
        _log("demo project")
        project = args.warehouse or demo_project(work / f"demo-{args.customers}", args.customers)
        pick_runs = 1
        results: dict[str, Any] = {"meta": meta(project, args.runs), "orders": {}}
        if args.resume and results_json.exists():
            results = json.loads(results_json.read_text())

        def save() -> None:  # after every phase: a late failure keeps what was measured
            results_json.write_text(json.dumps(results, indent=1))

        if "time" not in results["orders"]:
            results["orders"]["time"] = execution(project, args.runs, pick_runs, every_segment=True)
            save()
        if "frames" not in results:
            results["frames"] = data_frames(project, args.runs)
            save()
        if not args.quick and "compile" not in results:
            _log("compile path")
            results["compile"] = {
                name: t.to_json()
                for name, t in measure_compile_path(
                    work / "compile-path", max(3, args.runs)
                ).items()
            }
            save()
        if args.random and "random" not in results["orders"]:
            _log("copy with events in random order")
            shuffled = random_order_copy(project, work / f"random-{project.name}")
            results["orders"]["random"] = execution(
                shuffled, args.runs, pick_runs, every_segment=False
            )
            save()
        print(report.table(results))
    results = json.loads(results_json.read_text()) if results_json.exists() else None
    scaled = json.loads(scale_json.read_text()) if scale_json.exists() else None
    chart = scaled is not None and report.chart(scaled, args.out / "scale.png")
    (args.out / "RESULTS.md").write_text(
        report.results_md(results, scaled, "scale.png" if chart else None)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
