"""The output of `segdsl test`: text for people, JSON for scripts (docs/cli.md#segdsl-test),
GitHub annotations for pull requests. Stable across runs: the tests in the order of their
files, customers in the order they are given."""

from __future__ import annotations

from typing import Any

from segdsl.diagnostics import json_text, shown
from segdsl.review.explain import render as render_explanation
from segdsl.review.testing import Difference, Outcome, TestReport, TestResult


def render(report: TestReport, form: str) -> str:
    if form == "json":
        return json_text(to_json(report))
    if form == "github":
        return _github(report)
    return _text(report)


def to_json(report: TestReport) -> dict[str, Any]:
    return {
        "engine": report.engine,
        "passed": report.passed,
        "failed": report.failed,
        "tests": [_test_json(r) for r in report.results],
    }


def _test_json(result: TestResult) -> dict[str, Any]:
    return {
        "name": result.name,
        "file": result.file,
        "line": result.line,
        "column": result.column,
        "as_of": result.as_of.isoformat(),
        "customers": result.customers,
        "passed": result.passed,
        "expectations": [_outcome_json(o) for o in result.outcomes],
    }


def _outcome_json(outcome: Outcome) -> dict[str, Any]:
    document: dict[str, Any] = {
        "target": outcome.target,
        "kind": outcome.kind,
        "line": outcome.line,
        "column": outcome.column,
        "passed": outcome.passed,
    }
    if outcome.kind == "buckets":
        document["expected"] = {str(k): b for k, b in outcome.expected}
        document["actual"] = {str(k): b for k, b in outcome.actual}
    else:
        document["expected"] = [_plain(k) for k in outcome.expected]
        if outcome.kind == "includes":
            document["excluded"] = [_plain(k) for k in outcome.excluded]
        document["actual"] = [_plain(k) for k in outcome.actual]
    document["differences"] = [
        {
            "customer": _plain(d.customer),
            "expected": d.expected,
            "actual": d.actual,
            "trace": None if d.trace is None else d.trace.to_json(),
        }
        for d in outcome.differences
    ]
    return document


def _plain(value: Any) -> Any:
    return value if isinstance(value, int | float | str | bool) or value is None else str(value)


def _keys(keys: Any) -> str:
    return "[" + ", ".join(shown(str(k)) for k in keys) + "]"


def _text(report: TestReport) -> str:
    if not report.results:
        return "no tests (docs/files.md#test-files)"
    width = max(len(shown(r.name)) for r in report.results)
    lines: list[str] = []
    for result in report.results:
        checks = len(result.outcomes)
        failing = sum(not o.passed for o in result.outcomes)
        status = "PASS" if result.passed else "FAIL"
        people = result.customers
        counts = (
            f"{checks} expectation{'s' * (checks != 1)}, {people} customer{'s' * (people != 1)}"
        )
        if failing:
            counts += f", {failing} failing"
        lines.append(f"{status}  {shown(result.name).ljust(width)}  {counts}")
        for outcome in result.outcomes:
            if not outcome.passed:
                lines += _failure(result, outcome)
    summary = f"\n\n{report.passed} passed, {report.failed} failed ({report.engine})"
    return "\n".join(lines) + summary


def _failure(result: TestResult, outcome: Outcome) -> list[str]:
    where = f"{shown(result.file)}:{outcome.line}:{outcome.column}"
    lines = [f"  {where}: {shown(outcome.target)}"]
    if outcome.kind == "buckets":
        lines.append("    expected: " + _buckets(outcome.expected))
        lines.append("    actual:   " + _buckets(outcome.actual))
    elif outcome.kind == "includes":
        lines.append(
            f"    expected: includes {_keys(outcome.expected)}, excludes {_keys(outcome.excluded)}"
        )
        lines.append(f"    actual:   {_keys(outcome.actual)}")
    else:
        lines.append(f"    expected: {_keys(outcome.expected)}")
        lines.append(f"    actual:   {_keys(outcome.actual)}")
    for difference in outcome.differences:
        lines += _difference(difference)
    return lines


def _buckets(pairs: Any) -> str:
    return "{" + ", ".join(f"{shown(str(k))}: {shown(str(b))}" for k, b in pairs) + "}"


def _verdict(value: bool | str | None) -> str:
    if isinstance(value, bool):
        return "a member" if value else "not a member"
    return "no bucket" if value is None else f"bucket {shown(value)}"


def _difference(difference: Difference) -> list[str]:
    lines = [
        f"    customer {shown(str(difference.customer))}: expected {_verdict(difference.expected)}"
        f", is {_verdict(difference.actual)}"
    ]
    if difference.trace is not None:
        text = render_explanation(difference.trace, "text").splitlines()
        # the rule's file and size on this fixture, then its clause table
        lines += ["      " + line if line else "" for line in [text[0], *text[3:]]]
    return lines


def _github(report: TestReport) -> str:
    lines = []
    for result in report.results:
        for outcome in result.outcomes:
            if outcome.passed:
                continue
            customers = ", ".join(
                f"{d.customer} (expected {_verdict(d.expected)}, is {_verdict(d.actual)})"
                for d in outcome.differences
            )
            message = f"test `{result.name}`: `{outcome.target}` differs for {customers}"
            lines.append(
                f"::error file={_escape(result.file, True)},line={outcome.line},"
                f"col={outcome.column},title=segdsl test::{_escape(message)}"
            )
    lines.append(f"{report.passed} passed, {report.failed} failed ({report.engine})")
    return "\n".join(lines)


def _escape(text: str, property_: bool = False) -> str:
    """GitHub's workflow-command escaping (as render_github does for diagnostics)."""
    text = shown(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text
