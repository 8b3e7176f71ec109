"""One benchmark job in a fresh process: `python -m benchmarks.worker JSON`.

With `--serve`, the process keeps what it loaded (the data frames) and runs the job once
per line it reads on stdin, printing a report line each time.

Prints one JSON line: `cpu` and `wall` seconds of the job's timed part (after
imports and, for the data-frame engines, after loading the data, whose time is
`load`), `rss`, the peak resident set of the whole process (imports, loading and
the job: `VmHWM`), and whatever else the job reports.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any


def _timed(action: Callable[[], Any]) -> tuple[Any, float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    result = action()
    return result, time.process_time() - cpu, time.perf_counter() - wall


def _connect(warehouse: str) -> Any:
    import duckdb

    connection = duckdb.connect(warehouse, read_only=True)
    connection.execute("SET TimeZone = 'UTC'")
    return connection


def sql(job: dict[str, Any]) -> dict[str, Any]:
    """Materialise one query into a TEMP table, as `segdsl run` does with its statement."""
    connection = _connect(job["warehouse"])
    _, cpu, wall = _timed(lambda: connection.execute(f"CREATE TEMP TABLE result AS {job['sql']}"))
    return {"cpu": cpu, "wall": wall}


def run(job: dict[str, Any]) -> dict[str, Any]:
    """`segdsl run` through the Python API: load, check, compile, execute, sizes."""
    import segdsl

    def action() -> int:
        result = segdsl.load(job["project"]).run(
            job.get("names"), as_of=dt.datetime.fromisoformat(job["as_of"])
        )
        return len(result.sizes())

    _, cpu, wall = _timed(action)
    return {"cpu": cpu, "wall": wall}


def frames(job: dict[str, Any]) -> dict[str, Any]:
    """The frames segments in pandas or polars, or in segdsl, after loading the data."""
    return _frames_job(job)({"members": job.get("members", False)})


def _frames_job(job: dict[str, Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Load the data (pandas, polars; timed as `load`), then a function that computes the
    members once per call. segdsl reads its DuckDB file itself, within the timed part."""
    from . import frames

    if job["engine"] == "segdsl":
        compute: Callable[[], Any] = lambda: frames.segdsl_segments(job["project"])  # noqa: E731
        load = 0.0
    else:
        to_frames, segments = frames.ENGINES[job["engine"]]
        start = time.perf_counter()
        data = to_frames(frames.load_arrow(job["warehouse"]))
        load = time.perf_counter() - start
        compute = lambda: segments(data)  # noqa: E731

    def once(options: dict[str, Any]) -> dict[str, Any]:
        members, cpu, wall = _timed(compute)
        report: dict[str, Any] = {"cpu": cpu, "wall": wall, "load": load}
        if options.get("members"):
            report["members"] = {name: [int(k) for k in keys] for name, keys in members.items()}
        return report

    return once


def segments(job: dict[str, Any]) -> dict[str, Any]:
    """Per-segment races in one process: compiled SQL against each hand-written variant.

    Every variant must return the compiled members; that first run of each query
    is also its warm-up and the first round of the variants' race (`pick_runs` rounds
    in all); the fastest by median CPU time meets the compiled SQL for `runs`
    interleaved rounds.
    """
    connection = _connect(job["warehouse"])

    def timed(query: str) -> tuple[float, float]:
        _, cpu, wall = _timed(
            lambda: connection.execute(f"CREATE OR REPLACE TEMP TABLE result AS {query}")
        )
        return cpu, wall

    def members(query: str) -> tuple[set[Any], float]:
        """The query's members, from a timed run (its CPU time is the first race sample)."""
        cpu, _ = timed(query)
        return {row[0] for row in connection.execute("SELECT * FROM result").fetchall()}, cpu

    report: dict[str, Any] = {}
    for name, case in job["cases"].items():
        compiled, variants = case["compiled"], case["variants"]
        want, _ = members(compiled)
        race: dict[str, list[float]] = {}
        for variant, query in variants.items():
            got, cpu = members(query)
            race[variant] = [cpu]
            if got != want:
                raise AssertionError(
                    f"{name}: hand-written `{variant}` has {len(got)} members, "
                    f"segdsl {len(want)}; they differ in {len(got ^ want)}"
                )
        best = next(iter(variants))
        if len(variants) > 1:
            for _ in range(job["pick_runs"] - 1):
                for variant, query in variants.items():
                    race[variant].append(timed(query)[0])
            best = min(race, key=lambda v: statistics.median(race[v]))
        samples: dict[str, list[tuple[float, float]]] = {"compiled": [], "hand": []}
        for _ in range(job["runs"]):
            samples["compiled"].append(timed(compiled))
            samples["hand"].append(timed(variants[best]))
        report[name] = {"best": best, "members": len(want), **samples}
    # queries compared without their members being the same (a percentile segment and the
    # aggregate it ranks): one warm-up each, then `runs` interleaved rounds
    pairs: dict[str, Any] = {}
    for name, queries in job.get("pairs", {}).items():
        for query in queries.values():
            timed(query)
        pairs[name] = {label: [] for label in queries}
        for _ in range(job["runs"]):
            for label, query in queries.items():
                pairs[name][label].append(timed(query))
    return {"cpu": 0.0, "wall": 0.0, "segments": report, "pairs": pairs}


JOBS = {"sql": sql, "run": run, "frames": frames, "segments": segments}


def peak_rss() -> int:
    """Bytes; VmHWM belongs to this process's own address space since its exec."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


SERVED = {"frames": _frames_job}


def main() -> None:
    if sys.argv[1] == "--serve":
        job = json.loads(sys.argv[2])
        once = SERVED[job["kind"]](job)
        for line in sys.stdin:
            print(json.dumps({**once(json.loads(line)), "rss": peak_rss()}), flush=True)
        return
    job = json.loads(sys.argv[1])
    report = JOBS[job["kind"]](job)
    print(json.dumps({**report, "rss": peak_rss()}))


if __name__ == "__main__":
    main()
