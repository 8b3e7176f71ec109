"""Interleaved timing: CPU time, wall time and peak memory, as medians with min and max.

On a shared machine the wall time of one query varies up to 2.3x between runs and
its CPU time by about a third, so every comparison runs its commands in turn
(A B A B ...), after one warm-up each, and reports medians and their ratios.

A command is a fresh worker process (its peak RSS is then its own: the whole
process's `VmHWM`, which unlike `ru_maxrss` does not count the parent's memory
copied at fork), a whole command line (CPU time from `wait4`, no RSS) or a
callable run in this process.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Sample:
    cpu: float  # seconds, all threads
    wall: float  # seconds
    rss: int = 0  # peak resident set of the whole process, bytes (0: not measured)
    extra: Mapping[str, Any] = field(default_factory=dict)  # what a worker reported besides


@dataclass(frozen=True)
class Timing:
    """All samples of one command."""

    samples: tuple[Sample, ...]

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def wall(self) -> float:
        return statistics.median(s.wall for s in self.samples)

    @property
    def rss(self) -> int:
        return max(s.rss for s in self.samples)

    def spread(self, what: str = "wall") -> tuple[float, float]:
        values = [getattr(s, what) for s in self.samples]
        return min(values), max(values)

    def extra(self, key: str) -> float:
        return statistics.median(float(s.extra[key]) for s in self.samples)

    def to_json(self) -> dict[str, Any]:
        return {
            "cpu": self.cpu,
            "wall": self.wall,
            "rss": self.rss,
            "cpu_range": self.spread("cpu"),
            "wall_range": self.spread("wall"),
            "runs": len(self.samples),
            "extra": {
                k: statistics.median(float(s.extra[k]) for s in self.samples)
                for k in (self.samples[0].extra if self.samples else {})
                if isinstance(self.samples[0].extra[k], (int, float))
            },
        }


Command = Callable[[], Sample]


def interleave(commands: Mapping[str, Command], runs: int, warmups: int = 1) -> dict[str, Timing]:
    """Run every command `warmups` times, then `runs` rounds of all of them in turn."""
    for _ in range(warmups):
        for command in commands.values():
            command()
    samples: dict[str, list[Sample]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            samples[name].append(command())
    return {name: Timing(tuple(rows)) for name, rows in samples.items()}


def in_process(action: Callable[[], object]) -> Command:
    """Time a callable in this process (CPU time of all its threads, wall time)."""

    def command() -> Sample:
        cpu, wall = time.process_time(), time.perf_counter()
        action()
        return Sample(time.process_time() - cpu, time.perf_counter() - wall)

    return command


def process(*argv: str, env: Mapping[str, str] | None = None) -> Command:
    """Time a whole process: wall time, and user+system CPU from `wait4`."""

    def command() -> Sample:
        sample, _ = _spawn(list(argv), env)
        return sample

    return command


def worker(job: Mapping[str, Any]) -> Command:
    """Run one job of `benchmarks.worker` in a fresh process.

    The times are those the worker measured around the job's timed part (no
    interpreter start-up, no imports); the RSS is the whole process's peak.
    """

    def command() -> Sample:
        _sample, out = _spawn([sys.executable, "-m", "benchmarks.worker", json.dumps(job)], None)
        report = json.loads(out.strip().splitlines()[-1])
        return Sample(report.pop("cpu"), report.pop("wall"), report.pop("rss"), report)

    return command


class Serving:
    """A worker process that loads once and runs its job on request (`worker --serve`):
    for data-frame engines, whose loading is not what is compared. Each call is one timed
    run; the RSS is the whole process's peak so far, loading included, as with a fresh
    worker. Use as a context manager, which ends the process."""

    def __init__(self, job: Mapping[str, Any]):
        environment = _environment(None)
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 -- closed in __exit__
        self.child = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.worker", "--serve", json.dumps(job)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            env=environment,
            text=True,
        )

    def request(self, **options: Any) -> dict[str, Any]:
        assert self.child.stdin is not None and self.child.stdout is not None
        self.child.stdin.write(json.dumps(options) + "\n")
        self.child.stdin.flush()
        line = self.child.stdout.readline()
        if not line:
            self.errors.seek(0)
            raise RuntimeError("benchmark worker failed:\n" + self.errors.read().decode()[-3000:])
        report: dict[str, Any] = json.loads(line)
        return report

    def __call__(self) -> Sample:
        report = self.request()
        return Sample(report.pop("cpu"), report.pop("wall"), report.pop("rss"), report)

    def __enter__(self) -> Serving:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.child.stdin is not None:
            self.child.stdin.close()
        self.child.wait()
        self.errors.close()


def run_worker(job: Mapping[str, Any]) -> dict[str, Any]:
    """Run one job in a fresh process and return its whole report (no timing)."""
    _, out = _spawn([sys.executable, "-m", "benchmarks.worker", json.dumps(job)], None)
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _environment(env: Mapping[str, str] | None) -> dict[str, str]:
    """This process's environment with `env` on top and the project first on PYTHONPATH,
    so that a worker imports this checkout's `benchmarks` and `segdsl`."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    environment = {**os.environ, **(env or {})}
    environment["PYTHONPATH"] = os.pathsep.join(
        p for p in (root, environment.get("PYTHONPATH")) if p
    )
    return environment


def _spawn(argv: list[str], env: Mapping[str, str] | None) -> tuple[Sample, str]:
    environment = _environment(env)
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=errors, env=environment)
        assert child.stdout is not None
        out = child.stdout.read().decode()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        child.stdout.close()
        if child.returncode != 0:
            errors.seek(0)
            raise RuntimeError(
                f"{' '.join(argv[:4])} ... failed ({child.returncode}):\n"
                + errors.read().decode()[-3000:]
            )
    return Sample(usage.ru_utime + usage.ru_stime, wall), out
