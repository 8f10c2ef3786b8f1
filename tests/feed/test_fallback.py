"""What episode.yaml leaves out comes from the audio's own tags (title, date, description)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import NOW, REPO, SAMPLE_EPISODE
from lxml import etree
from mutagen.id3 import COMM, ID3, TDRC, TIT2

from apa_feed.build import Options, build_project
from apa_feed.errors import ProblemsFound


def tagged_episode(root: Path, slug: str, yaml: str, **frames: str) -> Path:
    folder = root / "episodes" / slug
    folder.mkdir(parents=True)
    audio = folder / "audio.mp3"
    audio.write_bytes((REPO / "episodes" / SAMPLE_EPISODE / "audio.mp3").read_bytes())
    tags = ID3()
    if "title" in frames:
        tags.add(TIT2(encoding=1, text=frames["title"]))  # UTF-16
    if "date" in frames:
        tags.add(TDRC(encoding=3, text=frames["date"]))
    if "comment" in frames:
        tags.add(COMM(encoding=0, lang="fra", desc="", text=frames["comment"]))  # Latin-1
    tags.save(audio, v2_version=4)
    (folder / "episode.yaml").write_text(yaml, encoding="utf-8")
    return folder


def test_title_date_and_notes_come_from_the_tags(project: Path) -> None:
    tagged_episode(
        project,
        "2025-12-03-tags",
        "audio: audio.mp3\n",
        title="Élections : le récit",
        date="2025-12-03",
        comment="Un épisode décrit par ses tags.",
    )
    rss = build_project(Options(project / "feed.yaml", now=NOW)).rss
    item = etree.fromstring(rss).find("channel/item")
    assert item.findtext("title") == "Élections : le récit"
    assert item.findtext("pubDate") == "Wed, 03 Dec 2025 00:00:00 +0100"  # midnight in the show's time zone
    assert item.findtext("description") == "Un épisode décrit par ses tags."


def test_episode_yaml_wins_over_the_tags(project: Path) -> None:
    tagged_episode(
        project,
        "2025-12-03-tags",
        "title: Mon titre\naudio: audio.mp3\n",
        title="Tag title",
        date="2025-12-03",
        comment="Notes",
    )
    item = etree.fromstring(build_project(Options(project / "feed.yaml", now=NOW)).rss).find("channel/item")
    assert item.findtext("title") == "Mon titre"


def test_missing_fields_without_tags_are_located_errors(project: Path) -> None:
    tagged_episode(project, "2025-12-03-bare", "audio: audio.mp3\n", date="2025")
    with pytest.raises(ProblemsFound) as found:
        build_project(Options(project / "feed.yaml", now=NOW))
    where = "error: episodes/2025-12-03-bare/episode.yaml"
    assert [p.render() for p in found.value.problems] == [
        f"{where}: date: missing required field, and the audio has no date (a full YYYY-MM-DD) tag to take it from",
        f"{where}: description: missing required field, and the audio has no comment tag to take it from",
        f"{where}: title: missing required field, and the audio has no title tag to take it from",
    ]
