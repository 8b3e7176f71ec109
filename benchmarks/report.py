"""Results → one Markdown table (printed), RESULTS.md (with details) and the scale chart."""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

ORDERS = ("time", "random")
SEGMENT_TARGET, SEGMENT_GOAL = 1.2, 1.1


def _ratio(a: dict[str, Any], b: dict[str, Any]) -> tuple[float, float]:
    return a["cpu"] / b["cpu"], a["wall"] / b["wall"]


def _mib(n: float) -> str:
    """Peak RSS; 0 means measured in a shared process (the percentile pair), so none."""
    return f"{n / 2**20:,.0f} MiB" if n else "(in-process)"


def _seconds(t: dict[str, Any]) -> str:
    lo, hi = t["wall_range"]
    return f"{t['wall']:.3f} s ({lo:.3f}–{hi:.3f}); CPU {t['cpu']:.3f} s"


def segment_ratios(segments: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """Per segment: median CPU and wall ratio, compiled / best hand-written."""
    out = {}
    for name, case in segments.items():
        compiled, hand = case["compiled"], case["hand"]
        out[name] = tuple(
            statistics.median(c[i] for c in compiled)  # type: ignore[assignment]
            / statistics.median(h[i] for h in hand)
            for i in (0, 1)
        )
    return out


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """(measure, time order, random order, target, verdict) — ratios as `CPU / wall`."""
    out = []
    by_order = results["orders"]

    def cell(order: str, value: tuple[float, float] | None) -> str:
        return "—" if value is None else f"{value[0]:.2f} / {value[1]:.2f}"

    def verdict(values: list[tuple[float, float] | None], limits: list[float]) -> str:
        pairs = [(v, lim) for v, lim in zip(values, limits, strict=True) if v is not None]
        return "met" if all(v[0] <= lim for v, lim in pairs) else "missed"

    per = {o: segment_ratios(by_order[o]["segments"]) for o in ORDERS if o in by_order}
    for label, pick in (("median", lambda r: statistics.median(r)), ("worst", lambda r: max(r))):
        values: list[tuple[float, float] | None] = []
        for order in ORDERS:
            ratios = per.get(order)
            if not ratios:
                values.append(None)
                continue
            worst = max(ratios, key=lambda n: ratios[n][0])
            values.append(
                (pick([r[0] for r in ratios.values()]), pick([r[1] for r in ratios.values()]))
                if label == "median"
                else ratios[worst]
            )
        worst_names = [max(per[o], key=lambda n: per[o][n][0]) for o in ORDERS if per.get(o)]
        name = (
            f"each segment, compiled / best hand-written ({label}"
            + (f": {', '.join(dict.fromkeys(worst_names))}" if label == "worst" else "")
            + ")"
        )
        out.append(
            (
                name,
                cell("time", values[0]),
                cell("random", values[1]),
                "≤ 1.2 (goal 1.1) per segment",
                verdict(values, [SEGMENT_TARGET] * 2) if label == "worst" else "",
            )
        )
    over = [
        sum(r[0] > SEGMENT_TARGET for r in per[o].values()) if per.get(o) else None for o in ORDERS
    ]
    total = len(next(iter(per.values()))) if per else 0
    out.append(
        (
            f"segments over 1.2 (CPU), of {total} (random: of those that read events)",
            *(str(n) if n is not None else "—" for n in over),
            "0",
            "met" if not any(over) else "missed",
        )
    )
    for key, label, limits in (
        (
            "run/hand",
            "all segments+segmentations in one `run` / best hand-written set plan",
            [1.0, 1.0],
        ),
        ("run/floor", "all segments+segmentations in one `run` / floor", [1.5, 3.0]),
        (
            "percentile/aggregate",
            "percentile segment (top_20_percent) / its aggregate",
            [1.25, 1.25],
        ),
    ):
        values = [by_order[o]["ratios"].get(key) if o in by_order else None for o in ORDERS]
        target = " / ".join(f"≤ {lim}" for lim in dict.fromkeys(limits))
        if key == "run/floor":
            target = "≤ 1.5 (≤ 3 random)"
        out.append(
            (
                label,
                cell("time", values[0]),
                cell("random", values[1]),
                target,
                verdict(values, limits),
            )
        )

    def peaks(order: str) -> str:
        timings = by_order.get(order, {}).get("timings", {})
        short = {"segdsl": "run", "hand-written": "hand", "floor": "floor"}
        return (
            " · ".join(
                f"{short[name.split()[0]]} {t['rss'] / 2**20:,.0f}"
                for name, t in timings.items()
                if name.split()[0] in short
            )
            or "—"
        )

    out.append(
        (
            "peak RSS, MiB, whole process (run · hand-written set plan · floor)",
            peaks("time"),
            peaks("random"),
            "",
            "",
        )
    )
    frames = results.get("frames")
    if frames:
        out.append(
            (
                "peak RSS, MiB, whole process (segdsl · pandas · polars, data loaded)",
                " · ".join(
                    f"{e} {frames[e]['rss'] / 2**20:,.0f}" for e in ("segdsl", "pandas", "polars")
                ),
                "—",
                "",
                "",
            )
        )
        for engine, goal in (("pandas", 10.0), ("polars", 3.0)):
            speed = (
                frames[engine]["cpu"] / frames["segdsl"]["cpu"],
                frames[engine]["wall"] / frames["segdsl"]["wall"],
            )
            out.append(
                (
                    (f"{engine} / segdsl, {len(frames['names'])} segments end to end (speed-up)"),
                    cell("time", speed),
                    "—",
                    f"≥ {goal:g}",
                    "met" if speed[0] >= goal else "missed",
                )
            )
    compile_ = results.get("compile")
    if compile_:
        check = _ratio(compile_["check"], compile_["floor"])
        out.append(
            (
                "`segdsl check` 1,000 rules / lark-only floor (whole process)",
                cell("time", check),
                "",
                "≤ 2",
                "met" if check[0] <= 2 else "missed",
            )
        )
        per_rule = compile_["compile"]["wall"] / 1000 * 1000
        out.append(
            (
                "`segdsl compile` (duckdb) 1,000 rules, ms per segment (whole process, wall)",
                f"{per_rule:.2f} ms",
                "",
                "≤ 5 ms",
                "met" if per_rule <= 5 else "missed",
            )
        )
        start = compile_["start-up"]["wall"]
        out.append(
            (
                "start-up, `segdsl --help` (wall)",
                f"{start:.3f} s",
                "",
                "≤ 0.3 s",
                "met" if start <= 0.3 else "missed",
            )
        )
    return out


def table(results: dict[str, Any]) -> str:
    lines = [
        "| measure | time order (CPU / wall) | random order (CPU / wall) | target | |",
        "|---|---:|---:|---|---|",
    ]
    lines += [f"| {' | '.join(row)} |" for row in rows(results)]
    return "\n".join(lines)


def details(results: dict[str, Any]) -> str:
    """Medians with min–max and peak RSS of every timed command; the per-segment table."""
    lines = ["| order | command | wall, median (min–max); CPU | peak RSS |", "|---|---|---|---:|"]
    for order in ORDERS:
        for name, t in results["orders"].get(order, {}).get("timings", {}).items():
            lines.append(f"| {order} | {name} | {_seconds(t)} | {_mib(t['rss'])} |")
    frames = results.get("frames")
    if frames:
        for engine in ("segdsl", "pandas", "polars"):
            t = frames[engine]
            load = t["extra"].get("load", 0.0)
            extra = f"; load to Arrow and frames {load:.2f} s (not included)" if load else ""
            lines.append(
                f"| time | {engine} ({len(frames['names'])} segments){extra} | "
                f"{_seconds(t)} | {_mib(t['rss'])} |"
            )
    compile_ = results.get("compile")
    if compile_:
        for name, t in compile_.items():
            lines.append(f"| — | {name} (whole process) | {_seconds(t)} | |")
    lines += [
        "",
        (
            "Per segment, compiled / fastest hand-written variant (medians of CPU and wall "
            "time, interleaved in one process):"
        ),
        "",
        (
            "| segment | members | time order: ratio (CPU / wall) | hand variant | "
            "random order: ratio | hand variant |"
        ),
        "|---|---:|---:|---|---:|---|",
    ]
    orders = results["orders"]
    per = {o: segment_ratios(orders[o]["segments"]) for o in ORDERS if o in orders}
    for name, case in orders["time"]["segments"].items():
        cells = []
        for order in ORDERS:
            ratio = per.get(order, {}).get(name)
            best = orders.get(order, {}).get("segments", {}).get(name, {}).get("best", "")
            flag = " ⚠" if ratio and ratio[0] > SEGMENT_TARGET else ""
            cells += ["—" if ratio is None else f"{ratio[0]:.2f} / {ratio[1]:.2f}{flag}", best]
        lines.append(f"| {name} | {case['members']:,} | {' | '.join(cells)} |")
    return "\n".join(lines)


def scale_table(scale: dict[str, Any]) -> str:
    lines = [
        (
            "| customers | events | `run` all, wall (min–max) | CPU | peak RSS | floor, wall | "
            "floor peak RSS | run / floor (CPU) |"
        ),
        "|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size in sorted(scale["sizes"], key=lambda s: s["customers"]):
        run, floor = size["run"], size["floor"]
        lo, hi = run["wall_range"]
        lines.append(
            f"| {size['customers']:,} | {size['events']:,} | {run['wall']:.2f} s "
            f"({lo:.2f}–{hi:.2f}) | {run['cpu']:.2f} s | {_mib(run['rss'])} | "
            f"{floor['wall']:.2f} s | {_mib(floor['rss'])} | "
            f"{run['cpu'] / floor['cpu']:.2f} |"
        )
    return "\n".join(lines)


def chart(scale: dict[str, Any], path: Path) -> bool:
    """The scale curve (time and peak RSS against customers, log-log); False without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    sizes = sorted(scale["sizes"], key=lambda s: s["customers"])
    x = [s["customers"] for s in sizes]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for key, label in (("run", "segdsl run, all segments"), ("floor", "floor: one GROUP BY")):
        left.plot(x, [s[key]["wall"] for s in sizes], marker="o", label=label)
        right.plot(x, [s[key]["rss"] / 2**30 for s in sizes], marker="o", label=label)
    for axis, unit in ((left, "wall time, s"), (right, "peak RSS, GiB")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("customers (20+ events each)")
        axis.set_ylabel(unit)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    figure.suptitle("segdsl: cost against warehouse size (medians)")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return True


def results_md(
    results: dict[str, Any] | None, scale: dict[str, Any] | None, chart_name: str | None
) -> str:
    meta = (results or scale or {})["meta"]
    parts = [
        "# Benchmark results",
        "",
        (
            "Written by `python -m benchmarks` (see docs/performance.md). Ratios are the "
            "result; absolute times are for orientation only."
        ),
        "",
        f"- date: {meta['date']}",
        f"- machine: {meta['machine']}",
        f"- versions: {meta['versions']}",
        f"- segdsl: {meta.get('code', '?')}",
        (
            "- the machine may be shared with other work during the run: wall times are "
            "noisy, CPU-time ratios less so."
        ),
        *(f"- {note}" for note in meta.get("notes", [])),
        "",
    ]
    if results:
        m = results["meta"]
        parts += [
            (
                f"## Ratios ({m['customers']:,} customers, {m['events']:,} events, "
                f"{m['runs']} interleaved runs after a warm-up, medians)"
            ),
            "",
            (
                "Each cell is `CPU ratio / wall ratio`. Random order: the same warehouse with "
                "`events` and `orders` rewritten in random row order (no row group can be "
                "skipped by time); segments that read only customer fields are not rerun "
                "there."
            ),
            "",
            table(results),
            "",
            "- floor: `" + m["floor"] + "`.",
            "- best hand-written set plan: "
            + ", ".join(
                f"{o}: {results['orders'][o]['best_set_plan']}"
                for o in ORDERS
                if o in results["orders"]
            )
            + " (see benchmarks/hand.py).",
            "- percentile segment: `top_20_percent` against `" + m["aggregate"] + "`.",
            "- pandas and polars (lazy, `collect_all`) compute the same members as segdsl "
            "(checked before timing) for: "
            + ", ".join(f"`{n}`" for n in results["frames"]["names"])
            + "; over the four tables loaded into Arrow (decimals as float64). Their "
            "time excludes loading; segdsl's includes loading the project, checking, "
            "compiling, running and fetching the members, from its DuckDB file. Time "
            "order only."
            if results.get("frames")
            else "",
            "",
            "## Details",
            "",
            details(results),
            "",
        ]
    if scale:
        when = ""
        if scale["meta"].get("code") != meta.get("code"):  # measured apart, by --scale
            when = (
                f" Measured at segdsl {scale['meta'].get('code', '?')}, "
                f"{scale['meta']['date']}, on the demo of that commit."
            )
        parts += [
            "## Scale",
            "",
            (
                f"`{scale['meta']['runs']}` interleaved runs per size of "
                "`segdsl run` (all segments and segmentations) and the floor, each in a fresh "
                "process; peak RSS is the whole process's." + when
            ),
            "",
            scale_table(scale),
            "",
        ]
        if chart_name:
            parts += [f"![scale]({chart_name})", ""]
    return "\n".join(parts)


def engines_md(measured: dict[str, Any]) -> str:
    """ENGINES.md: per engine, each event segment's compiled/hand-written wall ratio."""
    meta = measured["meta"]
    parts = [
        "# Benchmark results on other engines",
        "",
        "Written by `python -m benchmarks --engines ...` (benchmarks/engines.py). Each ratio "
        "is the wall time of segdsl's compiled statement over that of the fastest hand-written "
        "variant (benchmarks/hand.py, translated by sqlglot from DuckDB's SQL) giving the same "
        "members; medians of interleaved runs after a warm-up.",
        "",
        f"- date: {meta['date']}",
        f"- machine: {meta['machine']} (shared with other work during the run)",
        f"- segdsl: {meta.get('code', '?')}",
        f"- data: {meta['customers']:,} customers, {meta['events']:,} events, {meta['runs']} runs",
        "",
    ]
    for name, found in measured["engines"].items():
        segments = found["segments"]
        parts += [
            f"## {found.get('version', name)}",
            "",
            f"Median ratio over {len(segments)} segments: "
            + (f"**{found['median_ratio']:.2f}x**" if found["median_ratio"] else "none measured")
            + (
                f"; slowest relative to hand-written: `{found['worst']}`." if found["worst"] else ""
            ),
            "",
            "| segment | members | compiled (s) | hand-written (s) | variant | ratio |",
            "| --- | ---: | ---: | ---: | --- | ---: |",
        ]
        for segment, row in sorted(segments.items()):
            parts.append(
                f"| `{segment}` | {row['members']:,} | {row['compiled']:.3f} | "
                f"{row['hand']:.3f} | {row['variant']} | {row['ratio']:.2f} |"
            )
        if found["left_out"]:
            parts += ["", "Hand-written variants left out on this engine:", ""]
            parts += [f"- `{k}`: {v}" for k, v in sorted(found["left_out"].items())]
        parts.append("")
    return "\n".join(parts)
