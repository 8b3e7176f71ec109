"""`segdsl fmt`: every rule in its canonical spelling, spliced into the YAML as written.

The demo's rules are spelled badly on purpose (upper-case keywords, `<>`, `within last`,
extra parentheses and spaces), then formatted: the SQL of every segment and the members
of every segment and bucket on DuckDB are those of the demo as shipped, and the YAML
around the rules (comments, order, quotes) is unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

import segdsl
from segdsl import cli
from segdsl.demo import write_demo

AS_OF = dt.datetime(2025, 12, 31, 12)
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fmt") / "demo"
    write_demo(root, customers=1000, seed=7)
    return root


def sizes(project: segdsl.Project) -> dict[str, list[object]]:
    """Every segment's and bucket's members on the demo warehouse, keys sorted."""
    result = project.run(as_of=AS_OF)
    found: dict[str, list[object]] = {n: sorted(result.members(n)) for n in result.segments}
    for name in result.segmentations:
        for bucket in result.connection.execute(
            f"SELECT DISTINCT {name} FROM {result.relation.alias} WHERE {name} IS NOT NULL"
        ).fetchall():
            found[f"{name}.{bucket[0]}"] = sorted(result.members(name, bucket[0]))
    return found


def misspelled(rule: str) -> str:
    """The same rule, spelled as nobody should: the words between its strings mangled."""
    parts, at = [], 0
    for found in _STRING.finditer(rule):
        parts += [_mangle(rule[at : found.start()]), found.group()]
        at = found.end()
    parts.append(_mangle(rule[at:]))
    return "(" + "".join(parts).strip() + ")"


def _mangle(words: str) -> str:
    words = re.sub(r"\band\b", "  AND ", words)
    words = re.sub(r"\bor\b", " OR  ", words)
    words = re.sub(r"\bwithin (\d)", r"WITHIN LAST \1", words)
    return words.replace("!=", "<>").replace("\n", " ")


def scramble(root: Path) -> None:
    """Each rule of the demo's segment files misspelled, in double quotes, in its place."""
    project = segdsl.load(root)
    rules = [s.where for s in project.segments.values()]
    rules += [b.rule for s in project.segmentations.values() for b in s.buckets if b.rule]
    for path in {t.source.path for t in rules}:
        text = (root / path).read_text(encoding="utf-8")
        for rule in sorted(
            (t for t in rules if t.source.path == path), key=lambda t: -t.node_start
        ):
            span = text[rule.node_start : rule.node_end]
            after = span[len(span.rstrip()) :]  # a block's line breaks stay
            written = json.dumps(misspelled(rule.value), ensure_ascii=False)
            text = text[: rule.node_start] + written + after + text[rule.node_end :]
        (root / path).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def scrambled(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fmt") / "scrambled"
    shutil.copytree(demo, root)
    scramble(root)
    return root


@pytest.fixture(scope="module")
def formatted(scrambled: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fmt") / "formatted"
    shutil.copytree(scrambled, root)
    done = segdsl.load(root).fmt()
    assert len(done.changes) == len(done.files) == 10 and not done.diagnostics
    return root


def test_formatted_rules_mean_what_they_meant(demo: Path, formatted: Path) -> None:
    original = segdsl.load(demo)
    project = segdsl.load(formatted)
    assert project.check() == original.check()
    names = [*original.segments, *original.segmentations]
    assert [project.compile([n], as_of=AS_OF) for n in names] == [
        original.compile([n], as_of=AS_OF) for n in names
    ]
    assert sizes(project) == sizes(original)


def test_the_yaml_around_the_rules_stays(demo: Path, formatted: Path) -> None:
    """Comments, keys, order and quotes are as written: only the rules' characters change,
    and each rule kept the double quotes it was given."""
    for path in (formatted / "segments").iterdir():
        text = path.read_text()
        shipped = (demo / "segments" / path.name).read_text()
        assert [ln for ln in text.splitlines() if ln.lstrip().startswith("#")] == [
            ln for ln in shipped.splitlines() if ln.lstrip().startswith("#")
        ]
        assert json.dumps(unruled(yaml.safe_load(text)), default=str) == json.dumps(
            unruled(yaml.safe_load(shipped)), default=str
        )
        assert not re.search(r"\b(AND|OR|LAST)\b|<>", text)
        assert all(line.split("where: ", 1)[1].startswith('"') for line in wheres(text))


def unruled(data: object) -> object:
    """A segment file's data, keys in their order, without the rules' text."""
    if isinstance(data, dict):
        return {k: "RULE" if k == "where" else unruled(v) for k, v in data.items()}
    if isinstance(data, list):
        return [{k: "RULE" for k in item} if isinstance(item, dict) else item for item in data]
    return data


def wheres(text: str) -> list[str]:
    return [line for line in text.splitlines() if "where: " in line]


def test_fmt_twice_is_fmt_once(formatted: Path) -> None:
    texts = {p: p.read_text() for p in (formatted / "segments").iterdir()}
    assert segdsl.load(formatted).fmt().changes == ()
    assert {p: p.read_text() for p in texts} == texts


def test_comments_quotes_and_blocks(tmp_path: Path, demo: Path) -> None:
    root = tmp_path / "p"
    shutil.copytree(demo, root, ignore=shutil.ignore_patterns("segments", "warehouse.duckdb"))
    (root / "segments").mkdir()
    text = (
        "# yaml-language-server: $schema=../.segdsl/schema/segments.json\n"
        "segments:\n"
        "  plain:   # a comment after the key\n"
        "    owner: me\n"
        "    where: age >= 18 AND (country IN EU)   # after the rule\n"
        "  quoted:\n"
        "    where: 'country <> \"DE\"'\n"
        "  block:\n"
        "    where: |\n"
        "      age > 1 AND\n"
        "        age < (5)\n"
        "\n"
        "  # a comment between segments\n"
        "  commented:\n"
        "    where: >\n"
        "      age > 1 # this stays, and so does the rule\n"
        "      AND age < 5\n"
        '  flow: {where: "age > 1  OR  age < 5", owner: me}\n'
        "segmentations:\n"
        "  s:\n"
        "    - one: age>1\n"
        "    - else: rest\n"
    )
    (root / "segments" / "a.yaml").write_text(text)
    assert cli.main(["--project", str(root), "fmt"]) == 0
    assert (root / "segments" / "a.yaml").read_text() == (
        "# yaml-language-server: $schema=../.segdsl/schema/segments.json\n"
        "segments:\n"
        "  plain:   # a comment after the key\n"
        "    owner: me\n"
        "    where: age >= 18 and country in EU   # after the rule\n"
        "  quoted:\n"
        "    where: 'country != \"DE\"'\n"
        "  block:\n"
        "    where: |\n"
        "      age > 1\n"
        "      and age < 5\n"
        "\n"
        "  # a comment between segments\n"
        "  commented:\n"
        "    where: >\n"
        "      age > 1 # this stays, and so does the rule\n"
        "      AND age < 5\n"
        '  flow: {where: "age > 1 or age < 5", owner: me}\n'
        "segmentations:\n"
        "  s:\n"
        "    - one: age > 1\n"
        "    - else: rest\n"
    )


def test_check_prints_the_diff_and_writes_nothing(
    formatted: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = tmp_path / "again"
    shutil.copytree(formatted, root, ignore=shutil.ignore_patterns("warehouse.duckdb"))
    path = root / "segments" / "value.yaml"
    text = path.read_text()
    path.write_text(text.replace('"percentile(ltv) >= 80"', '"percentile(ltv)>=80"'))
    capsys.readouterr()
    monkeypatch.chdir(root)
    assert cli.main(["fmt", "--check"]) == 1
    out, err = capsys.readouterr()
    assert path.read_text() != text
    assert out.splitlines()[:2] == ["--- a/segments/value.yaml", "+++ b/segments/value.yaml"]
    assert '-    where: "percentile(ltv)>=80"' in out.splitlines()
    assert '+    where: "percentile(ltv) >= 80"' in out.splitlines()
    assert err == "1 of 10 segment files would be formatted\n"
    assert cli.main(["fmt"]) == 0
    assert cli.main(["fmt", "--check"]) == 0 and path.read_text() == text


def test_paths_find_their_project(
    formatted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`segdsl fmt demo/segments/a.yaml` from the folder above, as pre-commit runs it;
    only the files named change, and files that hold no rules are left alone."""
    root = tmp_path / "repo" / "demo"
    shutil.copytree(formatted, root, ignore=shutil.ignore_patterns("warehouse.duckdb"))
    for name in ("value.yaml", "contact.yaml"):
        path = root / "segments" / name
        lines = path.read_text().splitlines(keepends=True)
        path.write_text(
            "".join(ln.replace(" and ", "  AND  ") if "where: " in ln else ln for ln in lines)
        )
    before = {p.name: p.read_text() for p in (root / "segments").iterdir()}
    monkeypatch.chdir(tmp_path / "repo")
    assert (
        cli.main(["fmt", "demo/segments/value.yaml", "demo/schema.yaml", "demo/segdsl.yaml"]) == 0
    )
    after = {p.name: p.read_text() for p in (root / "segments").iterdir()}
    assert [n for n in before if before[n] != after[n]] == ["value.yaml"]
    assert "  AND  " not in after["value.yaml"] and "  AND  " in after["contact.yaml"]
    assert "  AND  " in before["value.yaml"]


def test_a_file_with_errors_is_left_as_it_is(
    scrambled: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = tmp_path / "broken"
    shutil.copytree(scrambled, root, ignore=shutil.ignore_patterns("warehouse.duckdb"))
    broken = root / "segments" / "value.yaml"
    broken.write_text(broken.read_text().replace("percentile(ltv)", "percentile(ltvv)"))
    text = broken.read_text()
    capsys.readouterr()
    monkeypatch.chdir(root)
    assert cli.main(["fmt"]) == 1
    out, err = capsys.readouterr()
    assert broken.read_text() == text
    assert "error[E201]: unknown field `ltvv`" in err and "formatted segments/value.yaml" not in out
    assert "formatted segments/behavioural.yaml" in out


def test_a_link_out_of_the_project_is_neither_read_nor_written(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "linked"
    shutil.copytree(demo, root, ignore=shutil.ignore_patterns("warehouse.duckdb"))
    outside = tmp_path / "outside.yaml"
    outside.write_text("segments:\n  x:\n    where: age > 1  AND  age < 5\n")
    (root / "segments" / "evil.yaml").symlink_to(outside)
    capsys.readouterr()
    assert cli.main(["--project", str(root), "fmt"]) == 1
    assert "E425" in capsys.readouterr().err
    assert cli.main(["--project", str(root), "fmt", str(outside)]) == 1
    assert "error[E425]: `" + str(outside) + "` is outside the project" in capsys.readouterr().err
    assert outside.read_text() == "segments:\n  x:\n    where: age > 1  AND  age < 5\n"


def test_a_link_inside_the_project_is_written_through(demo: Path, tmp_path: Path) -> None:
    """The file the link leads to is formatted; the link stays a link."""
    root = tmp_path / "inner"
    shutil.copytree(demo, root, ignore=shutil.ignore_patterns("warehouse.duckdb"))
    (root / "shared").mkdir()
    target = root / "shared" / "x.yaml"
    target.write_text("segments:\n  x:\n    where: age > 1  AND  age < 5\n")
    (root / "segments" / "x.yaml").symlink_to(target)
    formatted = segdsl.load(root).fmt()
    assert [c.path for c in formatted.changes] == ["segments/x.yaml"]
    assert (root / "segments" / "x.yaml").is_symlink()
    assert target.read_text() == "segments:\n  x:\n    where: age > 1 and age < 5\n"
