"""The compile path: `segdsl check` and `segdsl compile` of 1,000 rules in 100 files.

Both are timed as whole processes (start-up included, as CI sees them) against
the floor: a process that only imports lark and parses the same rule texts with
segdsl's grammar. The rules are generated from templates with varying numbers,
names and windows, so that no two compile to the same aggregate by accident.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

from .hand import AS_OF
from .measure import Timing, interleave, process

GRAMMAR = str(resources.files("segdsl.syntax") / "segdsl.lark")
FILES, PER_FILE = 100, 10

_TEMPLATES = [
    "country in EU and inactive_days > {a}",
    'age between {b} and {c} and gender = "female"',
    "did add_to_cart within {d} days and not did checkout within {d} days",
    "sum(purchase.amount within {e} days) > {f}",
    "count(purchase) >= {g} and not did purchase within {h} days",
    'did page_view(url starts with "/p/P0{a}") at least {g} times within {d} days',
    'email is set and marketing_consent and tag = "awaits-sale" and nps >= {i}',
    'lower(city) starts with "m" and signup_at within {j} months or nps >= {i}',
    "percentile(ltv) >= {k} and did purchase within {e} days",
    'last(page_view.device) = "mobile" and hour(last(purchase)) >= {l}',
]


def rules(count: int = FILES * PER_FILE) -> list[str]:
    out = []
    for n in range(count):
        values = {
            "a": n % 97,
            "b": 18 + n % 30,
            "c": 40 + n % 30,
            "d": 1 + n % 60,
            "e": 30 + n % 300,
            "f": 100 + n,
            "g": 1 + n % 5,
            "h": 90 + n % 180,
            "i": n % 11,
            "j": 1 + n % 12,
            "k": 50 + n % 50,
            "l": n % 24,
        }
        out.append(_TEMPLATES[n % len(_TEMPLATES)].format(**values))
    return out


def write_project(directory: Path) -> list[str]:
    """A demo project (100 customers) whose segments are the generated rules."""
    import shutil

    from segdsl.demo import write_demo

    shutil.rmtree(directory, ignore_errors=True)  # a --work folder reused from an earlier run
    write_demo(directory, customers=100)
    for old in (directory / "segments").iterdir():
        old.unlink()
    texts = rules()
    for f in range(FILES):
        body = ["segments:"]
        for i in range(PER_FILE):
            body.append(f"  s_{f}_{i}:\n    where: '{texts[f * PER_FILE + i]}'")
        (directory / "segments" / f"f{f:03}.yaml").write_text("\n".join(body) + "\n")
    return texts


def measure_compile_path(directory: Path, runs: int) -> dict[str, Timing]:
    texts = write_project(directory)
    floor = (
        f"import lark\np = lark.Lark(open({GRAMMAR!r}).read(), parser='lalr', "
        "lexer='contextual', propagate_positions=True, maybe_placeholders=True)\n"
        f"for t in {texts!r}: p.parse(t)"
    )
    cli = [sys.executable, "-m", "segdsl.cli", "--project", str(directory)]
    return interleave(
        {
            "check": process(*cli, "check"),
            "compile": process(
                *cli, "compile", "--dialect", "duckdb", "--as-of", AS_OF.isoformat()
            ),
            "floor": process(sys.executable, "-c", floor),
            "start-up": process(sys.executable, "-m", "segdsl.cli", "--help"),
        },
        runs,
    )
