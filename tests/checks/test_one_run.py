"""Issue 15, "one run shows everything": ``check`` reports what every stage can find even when an earlier stage
found errors, runs the identity guard, fails on warnings under ``--strict``, always answers ``--json`` with JSON,
names the YAML line behind a bad file, turns silent skips into messages and flags an unedited template. Each
through the CLI, on a real copy of the sample show with real audio."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from audiogen import write_text_file
from conftest import REPO, SAMPLE_EPISODE, add_episode, episode_yaml
from lxml import etree
from PIL import Image
from typer.testing import CliRunner

from apa_feed.cli import app

runner = CliRunner()
EPISODE = f"episodes/{SAMPLE_EPISODE}/episode.yaml"
TITLE = "Coopération/ Mali-Turquie : L’arsenal militaire turc en vitrine à Bamako"
GUID = "5b0f3f9e-6a51-4c57-9a43-2f1d8f0c7e21"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def lines(text: str) -> list[str]:
    assert "Traceback" not in text, text
    return text.strip().splitlines()


def small_cover(path: Path) -> None:
    Image.new("RGB", (1000, 1000), (200, 10, 10)).save(path, "JPEG")


def test_a_broken_feed_yaml_leaves_its_cover_the_episodes_and_their_numbers_checked(project: Path) -> None:
    edit(project / "feed.yaml", "explicit: false", "explicit: yes")
    small_cover(project / "cover.jpg")
    add_episode(project, "2025-12-01-bad-yaml", episode_yaml("Bad", "2025-12-01", season="zero"))
    add_episode(project, "2025-12-02-three", episode_yaml("Trois", "2025-12-02", episode="3"))
    add_episode(project, "2025-12-03-three-again", episode_yaml("Encore trois", "2025-12-03", episode="3"))
    result = runner.invoke(app, ["check", "--loudness", "off"])
    assert result.exit_code == 1
    assert lines(result.stderr) == [
        "error: cover.jpg: image: expected 1400–3000 px on a side, got 1000×1000 px (named at feed.yaml:13:8) [Apple]",
        'error: episodes/2025-12-01-bad-yaml/episode.yaml:5:9: season: expected a whole number of 1 or more, got "zero"',
        "error: episodes/2025-12-03-three-again/episode.yaml:5:10: episode: episode 3 is numbered twice (also in "
        "episodes/2025-12-02-three/episode.yaml) [Apple]",
        'error: feed.yaml:17:11: explicit: expected true or false, got "yes"',
        "4 problems in 4 files.",
    ]


def test_a_broken_episode_leaves_the_others_probed_and_every_rule_run(project: Path) -> None:
    """Read errors, a file that is not audio, a rule error across episodes, the cover and a warning: one run."""
    small_cover(project / "cover.jpg")
    add_episode(project, "2025-12-01-bad-yaml", episode_yaml("Bad", "2025-12-01", season="zero"))
    write_text_file(add_episode(project, "2025-12-02-not-audio", episode_yaml("Pas audio", "2025-12-02")) / "audio.mp3")
    add_episode(project, "2025-12-03-three", episode_yaml("Trois", "2025-12-03", episode="3"))
    add_episode(project, "2025-12-04-three-again", episode_yaml("Encore trois", "2025-12-04", episode="3"))
    add_episode(project, "2025-12-05-named", episode_yaml("Agence Presse Audio — Documentaires : bonus", "2025-12-05"))
    expected = [
        "error: cover.jpg: image: expected 1400–3000 px on a side, got 1000×1000 px (named at feed.yaml:13:8) [Apple]",
        'error: episodes/2025-12-01-bad-yaml/episode.yaml:5:9: season: expected a whole number of 1 or more, got "zero"',
        "error: episodes/2025-12-02-not-audio/audio.mp3: audio: not a readable audio file (no MPEG audio frames "
        "found) (named at episodes/2025-12-02-not-audio/episode.yaml:3:8)",
        "error: episodes/2025-12-04-three-again/episode.yaml:5:10: episode: episode 3 is numbered twice (also in "
        "episodes/2025-12-03-three/episode.yaml) [Apple]",
        "warning: episodes/2025-12-05-named/episode.yaml:1:8: title: repeats the show's name; apps show it beside the "
        "title already; keep the show's name out of the episode's title [Apple]",
    ]
    result = runner.invoke(app, ["check", "--loudness", "off"])
    assert result.exit_code == 1
    assert lines(result.stderr) == [*expected, "4 problems in 4 files."]
    for command in (["build"], ["publish"]):  # they refuse, with the same list
        refused = runner.invoke(app, command)
        assert refused.exit_code == 1
        assert lines(refused.stderr)[:-1] == expected
    assert not (project / "public").exists()
    assert "guid:" not in (project / "episodes/2025-12-03-three/episode.yaml").read_text(encoding="utf-8")


@pytest.fixture
def published(project: Path) -> Path:
    """The sample as published: its apa-feed.lock beside it."""
    shutil.copy(REPO / "apa-feed.lock", project / "apa-feed.lock")
    assert runner.invoke(app, ["check", "--loudness", "off"]).exit_code == 0
    return project


VANISH = f'"{TITLE}" (published 2025-11-12) would vanish from subscribers\' apps'


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda root: edit(root / EPISODE, "audio: audio.mp3\n", "audio: audio.mp3\ndraft: true\n"),
            f"error: {EPISODE}:4:8: draft: {VANISH}: it is a draft (draft: true); if this is intended, publish "
            "with --allow-removal",
        ),
        (
            lambda root: edit(root / EPISODE, "date: 2025-11-12", "date: 2099-01-01"),
            f"error: {EPISODE}:2:7: date: {VANISH}: its date is in the future (2099-01-01 00:00 Europe/Paris); if "
            "this is intended, publish with --allow-removal",
        ),
        (
            lambda root: shutil.rmtree(root / "episodes" / SAMPLE_EPISODE),
            f"error: apa-feed.lock: {SAMPLE_EPISODE}: {VANISH}: {EPISODE} is gone; if this is intended, publish "
            "with --allow-removal",
        ),
        (
            lambda root: edit(root / EPISODE, "date: 2025-11-12", "date: 2025-11-13"),
            f"error: {EPISODE}:2:7: date: pubDate moves from 2025-11-12T00:00:00+01:00 to 2025-11-13T00:00:00+01:00: "
            "the episode would jump in every list, and some apps download it again; if this is intended, publish "
            "with --allow-redate",
        ),
        (
            lambda root: edit(root / EPISODE, f"guid: {GUID}", "guid: 6b0f3f9e-6a51-4c57-9a43-2f1d8f0c7e21"),
            f'error: {EPISODE}:41:7: guid: GUID changes from "{GUID}" to "6b0f3f9e-6a51-4c57-9a43-2f1d8f0c7e21": '
            "every subscriber's app would download the episode again and list it twice; put back "
            f'"guid: {GUID}"; if this is intended, publish with --allow-guid-change',
        ),
    ],
    ids=["draft", "future-date", "folder-removed", "date-moved", "guid-changed"],
)
def test_check_runs_the_identity_guard_with_the_specific_reason_and_flag(
    published: Path, change: Callable[[Path], object], expected: str
) -> None:
    change(published)
    result = runner.invoke(app, ["check", "--loudness", "off"])
    assert result.exit_code == 1
    assert expected in lines(result.stderr)
    assert lines(result.stderr)[-1] == "1 problem in 1 file."


def test_publish_gives_the_same_specific_reason(published: Path) -> None:
    edit(published / EPISODE, "date: 2025-11-12", "date: 2099-01-01")
    result = runner.invoke(app, ["publish", "--dry-run"])
    assert result.exit_code == 1
    assert f"  {SAMPLE_EPISODE}: {VANISH}: its date is in the future (2099-01-01 00:00 Europe/Paris)" in lines(
        result.stderr
    )


def test_a_broken_episode_is_not_also_reported_as_removed(published: Path) -> None:
    edit(published / EPISODE, "audio: audio.mp3", "audio: audio.mp3\nseason: zero")
    result = runner.invoke(app, ["check", "--loudness", "off"])
    assert result.exit_code == 1
    assert [line for line in lines(result.stderr) if line.startswith("error")] == [
        f'error: {EPISODE}:4:9: season: expected a whole number of 1 or more, got "zero"'
    ]


def test_strict_fails_on_warnings(project: Path) -> None:
    assert runner.invoke(app, ["check", "--loudness", "off", "--strict"]).exit_code == 0
    edit(project / "feed.yaml", "explicit: false\n", "")
    assert runner.invoke(app, ["check", "--loudness", "off"]).exit_code == 0
    result = runner.invoke(app, ["check", "--loudness", "off", "--strict"])
    assert result.exit_code == 1
    assert lines(result.stderr) == [
        'warning: feed.yaml:2:1: explicit: not set, so the feed says "false"; say it: add "explicit: false" (or true) '
        "to feed.yaml [Apple]",
        "1 warning; --strict counts them as problems.",
    ]
    as_json = runner.invoke(app, ["check", "--loudness", "off", "--strict", "--json"])
    assert as_json.exit_code == 1
    summary = json.loads(as_json.stdout)["summary"]
    assert (summary["ok"], summary["warnings"], summary["text"]) == (
        False,
        1,
        "1 warning; --strict counts them as problems.",
    )


@pytest.mark.parametrize(
    ("args", "mistake", "expected"),
    [
        ([], lambda root: edit(root / "feed.yaml", "title: Agence", "title: [Agence"), ["feed.yaml"]),
        (
            [],
            lambda root: (root / "apa-feed.lock").write_text("{not json", encoding="utf-8"),
            ["apa-feed.lock", "cover.jpg"],
        ),
        (["--base-url", "ftp://x"], lambda root: None, ["--base-url"]),
    ],
    ids=["yaml-syntax", "damaged-lock", "bad-base-url"],
)
def test_check_json_is_json_whatever_stops_it(
    project: Path, args: list[str], mistake: Callable[[Path], object], expected: list[str]
) -> None:
    """A YAML syntax error (the cover it would name cannot be known), a damaged lock (reported with the other
    problems), a bad option: JSON on stdout, nothing on stderr, exit 1."""
    small_cover(project / "cover.jpg")
    mistake(project)
    result = runner.invoke(app, ["check", "--loudness", "off", "--json", *args])
    assert (result.exit_code, result.stderr) == (1, "")
    data = json.loads(result.stdout)
    assert [p["file"] for p in data["problems"]] == expected
    assert all(p["severity"] == "error" and p["message"] for p in data["problems"])
    assert data["summary"]["ok"] is False and data["summary"]["errors"] == len(expected)


def test_a_damaged_lock_is_reported_with_the_other_problems(project: Path) -> None:
    (project / "apa-feed.lock").write_text("{not json", encoding="utf-8")
    small_cover(project / "cover.jpg")
    result = runner.invoke(app, ["check", "--loudness", "off"])
    assert result.exit_code == 1
    assert [line.split(":")[1] for line in lines(result.stderr)[:-1]] == [" apa-feed.lock", " cover.jpg"]


def test_image_and_audio_problems_name_the_episode_yaml_line(project: Path) -> None:
    folder = add_episode(project, "2025-12-01-art", episode_yaml("Art", "2025-12-01", image="art.jpg"))
    small_cover(folder / "art.jpg")
    write_text_file(add_episode(project, "2025-12-02-text", episode_yaml("Texte", "2025-12-02")) / "audio.mp3")
    result = runner.invoke(app, ["check", "--loudness", "off"])
    assert result.exit_code == 1
    assert lines(result.stderr)[:2] == [
        "error: episodes/2025-12-01-art/art.jpg: image: expected 1400–3000 px on a side, got 1000×1000 px "
        "(named at episodes/2025-12-01-art/episode.yaml:5:8) [Apple]",
        "error: episodes/2025-12-02-text/audio.mp3: audio: not a readable audio file (no MPEG audio frames found) "
        "(named at episodes/2025-12-02-text/episode.yaml:3:8)",
    ]


def test_a_folder_with_audio_and_no_episode_yaml_is_a_warning(project: Path) -> None:
    folder = project / "episodes" / "2025-12-01-forgotten"
    folder.mkdir()
    shutil.copy(project / "episodes" / SAMPLE_EPISODE / "audio.mp3", folder / "interview.mp3")
    (project / "episodes" / "notes").mkdir()  # no audio: nothing to say
    result = runner.invoke(app, ["check", "--loudness", "off"])
    assert result.exit_code == 0
    assert lines(result.stderr) == [
        "warning: episodes/2025-12-01-forgotten/: holds audio (interview.mp3) but no episode.yaml, so it is not in "
        'the feed; create its episode.yaml (title, date, audio, description); apa-feed new "TITLE" writes one to '
        "start from"
    ]


def test_an_episode_yml_is_an_error_saying_to_rename_it(project: Path) -> None:
    folder = add_episode(project, "2025-12-01-yml", episode_yaml("Yml", "2025-12-01"))
    (folder / "episode.yaml").rename(folder / "episode.yml")
    result = runner.invoke(app, ["check", "--loudness", "off"])
    assert result.exit_code == 1
    assert lines(result.stderr) == [
        "error: episodes/2025-12-01-yml/episode.yml: not read: apa-feed reads only episode.yaml, so this episode is "
        "not in the feed; rename it to episode.yaml",
        "1 problem in 1 file.",
    ]
    (folder / "episode.yml").rename(folder / "episode.yaml")
    assert runner.invoke(app, ["check", "--loudness", "off"]).exit_code == 0


def test_keywords_given_as_one_text_are_split_with_a_note(project: Path) -> None:
    """A producer who writes ``keywords: Mali, Turquie`` means two keywords: they are read so, and check says so."""
    edit(project / EPISODE, "keywords: [Mali, Turquie, défense, Bamako]", "keywords: Mali, Turquie , défense")
    result = runner.invoke(app, ["check", "--loudness", "off"])
    assert result.exit_code == 0
    assert lines(result.stderr) == [
        f'info: {EPISODE}:5:11: keywords: one text with commas, read as 3 keywords: "Mali", "Turquie", "défense"; '
        "write them as a list, [Mali, Turquie, défense], to say so"
    ]
    feed = etree.fromstring(runner.invoke(app, ["build"]).stdout_bytes)
    assert [c.text for c in feed.findall("channel/item/category")] == ["Mali", "Turquie", "défense"]


def test_an_unedited_template_gets_warnings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert runner.invoke(app, ["new", "Premier"]).exit_code == 0
    (folder,) = (tmp_path / "episodes").iterdir()
    shutil.copy(REPO / "episodes" / SAMPLE_EPISODE / "audio.mp3", folder / "audio.mp3")
    edit(folder / "episode.yaml", "draft: true", "draft: false")
    result = runner.invoke(app, ["check", "--loudness", "off"])
    assert result.exit_code == 0, result.output
    assert lines(result.stderr) == [
        "warning: cover.jpg: image: is the plain placeholder apa-feed init made; apps would show it as the show's "
        "artwork (named at feed.yaml:11:8); put the show's artwork there (a square JPEG or PNG, 1400–3000 px)",
        f'warning: episodes/{folder.name}/episode.yaml:4:14: description: "Show notes in Markdown." is the '
        "placeholder apa-feed new writes; write the episode's notes",
        'warning: feed.yaml:2:8: title: "My Podcast" is the title apa-feed init gives a show by default; give the '
        "show its name",
        'warning: feed.yaml:3:14: description: "What the show is about, in a sentence or two." is the placeholder '
        "apa-feed init writes; say what the show is about",
        'warning: feed.yaml:5:7: link: "https://example.com/" is an example address: apps and the website send '
        "listeners to this page; use the show's own",
        'warning: feed.yaml:6:11: base_url: "https://example.com/podcast/" is an example address: the feed and its '
        "media would be published under it, where no app can download them; use the show's own",
        'warning: feed.yaml:10:10: owner.email: "podcast@example.com" is an example address: Spotify sends the code '
        "that proves the show is yours to the feed's owner email; use an address whose inbox you read [Spotify]",
    ]
    assert runner.invoke(app, ["check", "--loudness", "off", "--strict"]).exit_code == 1
    Image.new("RGB", (1400, 1400), (33, 48, 80)).save(tmp_path / "cover.png", "PNG")  # the same colour, not ours
    edit(tmp_path / "feed.yaml", "image: cover.jpg", "image: cover.png")
    assert "placeholder apa-feed init made" not in runner.invoke(app, ["check", "--loudness", "off"]).stderr
