"""The largest projects docs/performance.md#supported-sizes says segdsl supports, checked
within the time it states and with the codes it promises: 16,000 unknown segment
references and 16,000 unknown events in 2,000 segment files, and a chain of traits 100
deep, whose members are computed again here in SQL of our own.

"Did you mean" hints are compared with `difflib.get_close_matches` over every known
name, the computation the hints made before `NameIndex` (segdsl/diagnostics.py)."""

from __future__ import annotations

import datetime as dt
import difflib
import random
import shutil
import time
from collections import Counter
from pathlib import Path

import duckdb
import pytest

import segdsl
from segdsl.demo import write_demo
from segdsl.diagnostics import FuzzyBudget, NameIndex

FILES = 1_990  # with the demo's 10, the 2,000 segment files a project may have
UNKNOWN = 16_000
CHECK_SECONDS = 12.0  # CPU seconds; docs/performance.md states what was measured
UNSOUGHT = " (too many unknown names to look for a close one)"
TRAITS_MARKER = (
    "traits:                        # derived fields, written in the rule language itself\n"
)


def previous_hint(name: str, candidates: list[str], kind: str) -> str:
    """The hint as segdsl wrote it before the index: every candidate compared."""
    names = sorted(set(candidates))
    by_case = [c for c in names if c.lower() == name.lower()]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    match = by_case[0] if by_case else close[0] if close else None
    if match:
        return f"did you mean `{match}`?"
    if not names:
        return f"no {kind} are defined"
    shown = ", ".join(f"`{n}`" for n in names[:12])
    more = f" and {len(names) - 12} more" if len(names) > 12 else ""
    return f"known {kind}: {shown}{more}"


def test_the_index_suggests_what_comparing_every_name_did() -> None:
    rng = random.Random(12)
    letters = "abcAB_1é"
    for _ in range(500):
        size = rng.randint(0, 30)
        known = ["".join(rng.choices(letters, k=rng.randint(0, 10))) for _ in range(size)]
        index = NameIndex(known, "things")
        for _ in range(8):
            name = "".join(rng.choices(letters, k=rng.randint(0, 12)))
            assert index.hint(name) == previous_hint(name, known, "things"), (name, known)


def test_past_the_budget_a_name_is_reported_without_a_suggestion() -> None:
    known = [f"segment_{i}" for i in range(1_000)]
    index = NameIndex(known, "segments", FuzzyBudget(work=25_000))
    first, second = index.hint("segment_1x"), index.hint("segment_2x")
    assert first == previous_hint("segment_1x", known, "segments")
    assert second.startswith("known segments: `segment_0`, `segment_1`, ")
    assert second.endswith("and 988 more" + UNSOUGHT)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo(tmp_path_factory.mktemp("largest") / "demo", customers=200, seed=7).directory


def project(demo: Path, where: Path, files: dict[str, str], traits: str = "") -> Path:
    shutil.copytree(demo, where)
    schema = where / "schema.yaml"
    schema.write_text(schema.read_text().replace(TRAITS_MARKER, "traits:\n" + traits))
    for name, text in files.items():
        (where / name).write_text(text)
    return where


@pytest.mark.slow
def test_16000_unknown_segments_and_events_in_2000_files(demo: Path, tmp_path: Path) -> None:
    files = {}
    for i in range(FILES):
        ks = range(i * UNKNOWN // FILES, (i + 1) * UNKNOWN // FILES)
        files[f"segments/gen{i}.yaml"] = "segments:\n" + "".join(
            f"  s{k}:\n    where: in segment nosuch{k} or did noevent{k} within 7 days\n"
            for k in ks
        )
    root = project(demo, tmp_path / "p", files)
    started = time.process_time()
    loaded = segdsl.load(root)
    diagnostics = loaded.check()
    spent = time.process_time() - started

    assert spent < CHECK_SECONDS
    assert Counter(d.code for d in diagnostics) == {"E203": UNKNOWN, "E206": UNKNOWN}
    messages = {d.message for d in diagnostics}
    assert messages == {f"unknown segment `nosuch{k}`" for k in range(UNKNOWN)} | {
        f"unknown event `noevent{k}`" for k in range(UNKNOWN)
    }
    assert all(d.location and d.location.path.startswith("segments/gen") for d in diagnostics)

    # Each look at the segments costs a comparison with 16,000 names: FUZZY_WORK allows a
    # few dozen, and the events share what is left. Every other name is reported with the
    # plain hint and the reason it suggests nothing.
    env = loaded.environment
    assert env is not None
    known = {
        "E203": (list(loaded.segments), "segments"),
        "E206": ([*env.events(), *env.streams], "events"),
    }
    plain = {
        code: previous_hint("?", names, kind) + UNSOUGHT for code, (names, kind) in known.items()
    }
    compared: Counter[str] = Counter()
    rng = random.Random(3)
    for d in diagnostics:
        if d.hint.endswith(UNSOUGHT):
            assert d.hint == plain[d.code]
        else:
            compared[d.code] += 1
            names, kind = known[d.code]
            if compared[d.code] <= 10 or rng.random() < 0.2:  # each look at 16,000 costs
                assert d.hint == previous_hint(d.message.split("`")[1], names, kind)
    assert 10 < compared["E203"] < 100
    assert compared["E206"] > 10


@pytest.mark.slow
def test_a_chain_of_100_traits_is_accepted_and_runs(demo: Path, tmp_path: Path) -> None:
    """t0 = t1 + 1 = ... = age + 99: members are those older than 31."""
    traits = "".join(f"  t{i}: t{i + 1} + 1\n" for i in range(99)) + "  t99: age\n"
    files = {"segments/chain.yaml": "segments:\n  chain:\n    where: t0 > 130\n"}
    root = project(demo, tmp_path / "p", files, traits)
    loaded = segdsl.load(root)
    assert [d.code for d in loaded.check()] == []
    members = loaded.run(["chain"], as_of=dt.datetime(2025, 12, 31)).members("chain")
    with duckdb.connect(str(root / "warehouse.duckdb"), read_only=True) as db:
        rows = db.sql("SELECT customer_id FROM customers WHERE age > 31").fetchall()
    expected = sorted(key for (key,) in rows)
    assert members == expected
    assert 0 < len(expected) < 200


@pytest.mark.slow
def test_one_more_trait_is_refused_once(demo: Path, tmp_path: Path) -> None:
    """A 3,000-trait chain and a 150-segment chain: one E311, one E313, not one a member."""
    traits = "".join(f"  t{i}: t{i + 1} + 1\n" for i in range(3_000)) + "  t3000: age\n"
    chain = "".join(f"  c{i}:\n    where: in segment c{i - 1} and age > 1\n" for i in range(1, 150))
    files = {
        "segments/traits.yaml": "segments:\n  deep:\n    where: t0 > 130\n",
        "segments/chain.yaml": "segments:\n  c0:\n    where: age > 30\n" + chain,
    }
    root = project(demo, tmp_path / "p", files, traits)
    codes = Counter(d.code for d in segdsl.load(root).check())
    assert codes == {"E311": 1, "E313": 1}
