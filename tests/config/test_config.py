"""Validation of feed.yaml and episode.yaml: a table of inputs and the exact messages a user sees."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLE_EPISODE

from apa_feed.build import Options, read_project
from apa_feed.config.show import load_show
from apa_feed.errors import ProblemsFound

FEED_CASES = [
    (
        "owner:\n  name: A\n  email: bob at example\n",
        "owner.email",
        'feed.yaml:3:10: owner.email: expected an email address like "name@example.com", got "bob at example"',
    ),
    ("titel: Typo\n", "titel", 'feed.yaml:1:1: titel: unknown field; did you mean "title"?'),
    ("explicit: yes\n", "explicit", 'feed.yaml:1:11: explicit: expected true or false, got "yes"'),
    (
        "type: serie\n",
        "type",
        'feed.yaml:1:7: type: expected one of episodic, serial, got "serie"; did you mean "serial"?',
    ),
    (
        "categories: [Society & Culture > Documentry]\n",
        "categories",
        "feed.yaml:1:14: categories[0]: expected a category from Apple Podcasts' list, got "
        '"Society & Culture > Documentry"; did you mean "Society & Culture › Documentary"?',
    ),
    (
        "language: french\n",
        "language",
        'feed.yaml:1:11: language: expected a BCP 47 language code like "fr" or "en-US", got "french"',
    ),
    (
        "link: www.example.com\n",
        "link",
        'feed.yaml:1:7: link: expected an http(s) URL like "https://example.com/", got "www.example.com"',
    ),
    ("image: missing.jpg\n", "image", 'feed.yaml:1:8: image: expected a file, got "missing.jpg" (no such file)'),
    (
        "timezone: Europe/Pariss\n",
        "timezone",
        'feed.yaml:1:11: timezone: expected an IANA time zone like "Europe/Paris" or "UTC", got "Europe/Pariss"',
    ),
    (
        "timezone: Europe\n",
        "timezone",
        'feed.yaml:1:11: timezone: expected an IANA time zone like "Europe/Paris" or "UTC", got "Europe"',
    ),
    ("title: [a, b]\n", "title", "feed.yaml:1:8: title: expected text, got a list"),
]


def write_feed(root: Path, replacement: str, field: str) -> None:
    """Replace ``field`` (and its indented block) in the sample feed.yaml with ``replacement`` at the top."""
    lines = (root / "feed.yaml").read_text(encoding="utf-8").splitlines()
    kept, skipping = [], False
    for line in lines:
        if line.startswith(f"{field}:"):
            skipping = True
            continue
        if skipping and (line.startswith(" ") or line.startswith("-")):
            continue
        skipping = False
        kept.append(line)
    (root / "feed.yaml").write_text(replacement + "\n".join(kept) + "\n", encoding="utf-8")


@pytest.mark.parametrize(("snippet", "field", "expected"), FEED_CASES, ids=[c[1] for c in FEED_CASES])
def test_feed_yaml_errors(project: Path, snippet: str, field: str, expected: str) -> None:
    write_feed(project, snippet, field.split(".")[0])
    with pytest.raises(ProblemsFound) as found:
        load_show(project / "feed.yaml")
    assert [p.render() for p in found.value.problems] == [f"error: {expected}"]


def test_language_no_is_norwegian_not_false(project: Path) -> None:
    write_feed(project, "language: no\n", "language")
    assert load_show(project / "feed.yaml").language == "no"


def test_duplicate_key_is_an_error(project: Path) -> None:
    text = (project / "feed.yaml").read_text(encoding="utf-8")
    (project / "feed.yaml").write_text(text + "explicit: true\n", encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        load_show(project / "feed.yaml")
    line = len(text.splitlines()) + 1
    first = text.splitlines().index("explicit: false") + 1
    assert [p.render() for p in found.value.problems] == [
        f"error: feed.yaml:{line}:1: explicit: duplicate key (first set on line {first})"
    ]


def test_missing_required_fields_are_all_reported(project: Path) -> None:
    (project / "feed.yaml").write_text("title: Only a title\n", encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        load_show(project / "feed.yaml")
    fields = [p.field for p in found.value.problems]
    assert fields == ["author", "base_url", "categories", "description", "image", "language", "link", "owner"]
    assert found.value.problems[0].render() == "error: feed.yaml:1:1: author: missing required field (text)"


def test_invalid_yaml_is_located(project: Path) -> None:
    (project / "feed.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        load_show(project / "feed.yaml")
    (problem,) = found.value.problems
    assert problem.render().startswith("error: feed.yaml:2:1: invalid YAML:")


EPISODE = f"episodes/{SAMPLE_EPISODE}/episode.yaml"
EPISODE_CASES = [
    (
        "date: 12/11/2025\n",
        "date",
        f'{EPISODE}:1:7: date: expected an ISO 8601 date like "2025-11-12" or "2025-11-12T08:30:00+01:00", '
        'got "12/11/2025"',
    ),
    ("episode: -3\n", "episode", f'{EPISODE}:1:10: episode: expected a whole number of 1 or more, got "-3"'),
    (
        "episode_type: bonnus\n",
        "episode_type",
        f'{EPISODE}:1:15: episode_type: expected one of full, trailer, bonus, got "bonnus"; did you mean "bonus"?',
    ),
    ("audio: .\n", "audio", f'{EPISODE}:1:8: audio: expected a file, got "." (a folder)'),
    (
        "credits:\n  - name: Sam\n    rol: Texte\n",
        "credits",
        f'{EPISODE}:3:5: credits[0].rol: unknown field; did you mean "role"?',
    ),
    ("draft: maybe\n", "draft", f'{EPISODE}:1:8: draft: expected true or false, got "maybe"'),
    (
        "guid: " + "x" * 1001 + "\n",
        "guid",
        f'{EPISODE}:1:7: guid: expected an identifier of 1 to 1000 characters, got "{"x" * 1001}"',
    ),
]


@pytest.mark.parametrize(("snippet", "field", "expected"), EPISODE_CASES, ids=[c[1] for c in EPISODE_CASES])
def test_episode_yaml_errors(project: Path, snippet: str, field: str, expected: str) -> None:
    path = project / EPISODE
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [ln for ln in lines if not ln.startswith(f"{field}:")]
    if field == "credits":
        start = lines.index("credits:")
        kept = lines[:start] + [ln for ln in lines[start + 1 :] if not ln.startswith("  ")]
    path.write_text(snippet + "\n".join(kept) + "\n", encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        read_project(Options(project / "feed.yaml"))
    assert [p.render() for p in found.value.problems] == [f"error: {expected}"]


def test_problems_from_every_file_are_reported_together(project: Path) -> None:
    write_feed(project, "explicit: nope\n", "explicit")
    path = project / EPISODE
    path.write_text("titel: x\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ProblemsFound) as found:
        read_project(Options(project / "feed.yaml"))
    assert [p.file for p in found.value.problems] == [EPISODE, "feed.yaml"]
    assert str(found.value) == "2 problems in 2 files; nothing was published."
