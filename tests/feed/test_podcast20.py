"""Podcasting 2.0 in the feed: podcast:guid, locked, funding, transcript, chapters, person and the rest."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import podcastparser
import pytest
from conftest import NOW, SAMPLE_EPISODE, add_episode, episode_yaml
from lxml import etree

from apa_feed.build import Options, build_project
from apa_feed.config.roles import roles_for
from apa_feed.errors import ProblemsFound
from apa_feed.feed.chapters import Chapter, ChaptersError, from_json_chapters, to_json_chapters
from apa_feed.publish.lockfile import PODCAST_NAMESPACE, podcast_guid
from apa_feed.publish.run import publish

PC = "{https://podcastindex.org/namespace/1.0}"


def built(root: Path):  # type: ignore[no-untyped-def]
    return build_project(Options(root / "feed.yaml", now=NOW))


def channel(rss: bytes) -> etree._Element:
    return etree.fromstring(rss).find("channel")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_podcast_guid_follows_the_spec_example() -> None:
    assert podcast_guid("https://podnews.net/rss") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid("http://podnews.net/rss/") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert str(PODCAST_NAMESPACE) == "ead4c236-bf58-58c6-a2c6-a6b28d128cb6"


def test_sample_channel_has_guid_locked_funding_medium(project: Path) -> None:
    ch = channel(built(project).rss)
    expected = str(uuid.uuid5(PODCAST_NAMESPACE, "agencepresseaudio.example/podcast/feed.xml"))
    assert ch.findtext(f"{PC}guid") == expected
    locked = ch.find(f"{PC}locked")
    assert (locked.text, locked.get("owner")) == ("yes", "podcast@agencepresseaudio.example")
    funding = ch.find(f"{PC}funding")
    assert (funding.get("url"), funding.text) == (
        "https://agencepresseaudio.example/soutenir",
        "Soutenir Agence Presse Audio",
    )
    assert ch.findtext(f"{PC}medium") == "podcast"


def test_sample_item_links_transcript_and_chapters_that_are_published(project: Path) -> None:
    result = built(project)
    item = channel(result.rss).find("item")
    transcript = item.find(f"{PC}transcript")
    assert transcript.attrib == {"url": transcript.get("url"), "type": "text/vtt", "language": "fr", "rel": "captions"}
    chapters = item.find(f"{PC}chapters")
    assert chapters.get("type") == "application/json+chapters"
    assets = {a.key: a for a in result.publication.assets}
    base = "https://agencepresseaudio.example/podcast/"
    chapter_asset = assets[chapters.get("url").removeprefix(base)]
    doc = json.loads(chapter_asset.data)
    assert doc["version"] == "1.2.0"
    assert [c["startTime"] for c in doc["chapters"]] == [0, 24.887, 54.465, 89.932]
    assert doc["chapters"][1]["title"] == "Le salon de Bamako"
    vtt = assets[transcript.get("url").removeprefix(base)]
    assert vtt.content_type == "text/vtt"
    assert vtt.source.read_bytes().startswith(b"WEBVTT")


def test_french_credits_become_taxonomy_people_with_narrator_from_the_voice(project: Path) -> None:
    item = channel(built(project).rss).find("item")
    people = [(p.text, p.get("role"), p.get("group")) for p in item.findall(f"{PC}person")]
    assert people == [
        ("Agence Presse Audio", "director", "creative direction"),
        ("Agence Presse Audio", "audio engineer", "audio production"),
        ("Agence Presse Audio", "cover art designer", "visuals"),
        ("Agence Presse Audio", "producer", "creative direction"),
        ("Sam Rivers", "writer", "writing"),
        ("Sam Rivers", "narrator", "cast"),  # the VTT has <v Sam Rivers>
    ]


def test_writer_without_a_voice_in_the_transcript_is_not_the_narrator() -> None:
    assert [r.role for r in roles_for("Texte et récit")] == ["writer"]
    assert [r.role for r in roles_for("Texte et récit", voiced=True)] == ["writer", "narrator"]
    assert [r.role for r in roles_for("PRÉSENTATION")] == ["host"]
    assert [r.role for r in roles_for("Mise en onde et mix")] == ["audio engineer"]
    assert roles_for("Cantine") == ()


def test_show_people_are_restated_on_every_item(project: Path) -> None:
    append(
        project / "feed.yaml",
        "people:\n  - name: Awa Diallo\n    role: Présentation\n    href: https://agencepresseaudio.example/awa\n",
    )
    ch = channel(built(project).rss)
    host = ch.find(f"{PC}person")
    assert (host.text, host.get("role"), host.get("href")) == (
        "Awa Diallo",
        "host",
        "https://agencepresseaudio.example/awa",
    )
    first = ch.find("item").find(f"{PC}person")
    assert (first.text, first.get("role"), first.get("group")) == ("Awa Diallo", "host", "cast")


def test_all_channel_options_render(project: Path) -> None:
    append(
        project / "feed.yaml",
        "license: CC-BY-NC-4.0\nlocation:\n  name: Bamako, Mali\n  geo: geo:12.64,-8.0\n"
        "update_frequency: Chaque semaine\nupdate_rrule: FREQ=WEEKLY\n"
        "txt:\n  - purpose: verify\n    value: apple-123\nmedium: podcast\n",
    )
    ch = channel(built(project).rss)
    assert ch.findtext(f"{PC}license") == "CC-BY-NC-4.0"
    assert ch.find(f"{PC}location").attrib == {"geo": "geo:12.64,-8.0"}
    assert ch.find(f"{PC}updateFrequency").get("rrule") == "FREQ=WEEKLY"
    assert (ch.find(f"{PC}txt").get("purpose"), ch.findtext(f"{PC}txt")) == ("verify", "apple-123")


def test_yaml_chapters_season_soundbite_and_trailer(project: Path) -> None:
    text = episode_yaml("Bande-annonce", "2025-10-01", episode_type="trailer", season="2") + (
        "season_name: Sahel\nchapters:\n  - {start: 0, title: Début}\n  - {start: '1:05.5', title: Fin, "
        "url: https://example.com/fin}\nsoundbites:\n  - {start: 3, duration: 20, title: Extrait}\n"
    )
    add_episode(project, "2025-10-01-trailer", text)
    result = built(project)
    ch = channel(result.rss)
    trailer = ch.find(f"{PC}trailer")
    assert (trailer.text, trailer.get("season"), trailer.get("type")) == ("Bande-annonce", "2", "audio/mpeg")
    assert trailer.get("pubdate") == "Wed, 01 Oct 2025 00:00:00 +0200"
    item = ch.findall("item")[1]
    assert (item.findtext(f"{PC}season"), item.find(f"{PC}season").get("name")) == ("2", "Sahel")
    bite = item.find(f"{PC}soundbite")
    assert (bite.get("startTime"), bite.get("duration"), bite.text) == ("3", "20", "Extrait")
    chapters_url = item.find(f"{PC}chapters").get("url")
    data = {a.key: a for a in result.publication.assets}[chapters_url.split("/podcast/")[1]].data
    assert from_json_chapters(data) == (Chapter(0.0, "Début"), Chapter(65.5, "Fin", url="https://example.com/fin"))


def test_a_broken_chapters_file_is_a_located_error(project: Path) -> None:
    (project / "episodes" / SAMPLE_EPISODE / "chapters.json").write_text('{"chapters": [{"title": "x"}]}')
    with pytest.raises(ProblemsFound) as found:
        built(project)
    assert [p.render() for p in found.value.problems] == [
        f"error: episodes/{SAMPLE_EPISODE}/chapters.json: chapters: chapter 1: expected an object with a numeric "
        '"startTime"'
    ]


def test_a_transcript_of_unknown_kind_is_a_located_error(project: Path) -> None:
    folder = project / "episodes" / SAMPLE_EPISODE
    (folder / "notes.doc").write_text("x")
    append(folder / "episode.yaml", "transcript: notes.doc\n")
    with pytest.raises(ProblemsFound) as found:
        built(project)
    assert [p.render() for p in found.value.problems] == [
        f"error: episodes/{SAMPLE_EPISODE}/notes.doc: transcript: expected a WebVTT (.vtt), SRT (.srt), "
        "Podcast Index JSON (.json), HTML (.html) or text (.txt) transcript"
    ]


def test_srt_transcript_keeps_captions_rel_and_type(project: Path) -> None:
    folder = project / "episodes" / SAMPLE_EPISODE
    (folder / "transcript.vtt").unlink()
    (folder / "transcript.srt").write_text("1\n00:00:00,000 --> 00:00:01,173\nCoopération.\n", encoding="utf-8")
    item = channel(built(project).rss).find("item")
    transcript = item.find(f"{PC}transcript")
    assert (transcript.get("type"), transcript.get("rel")) == ("application/x-subrip", "captions")
    assert [p.get("role") for p in item.findall(f"{PC}person")][-1] == "writer"  # no voice in an SRT


def test_json_chapters_round_trip_and_errors() -> None:
    chapters = (Chapter(0, "A"), Chapter(12.5, "B", end=20, url="https://e.com/", image="https://e.com/i.jpg"))
    assert from_json_chapters(to_json_chapters(chapters)) == chapters
    with pytest.raises(ChaptersError, match="not valid JSON"):
        from_json_chapters(b"{")


def test_podcastparser_reads_the_chapters_link_and_feed(project: Path) -> None:
    import io

    parsed = podcastparser.parse("https://agencepresseaudio.example/podcast/feed.xml", io.BytesIO(built(project).rss))
    episode = parsed["episodes"][0]
    assert episode["guid"] == "5b0f3f9e-6a51-4c57-9a43-2f1d8f0c7e21"
    assert episode["total_time"] == 103


def test_podcast_guid_is_pinned_in_the_lock_and_survives_a_move(project: Path) -> None:
    publish(Options(project / "feed.yaml", now=NOW))
    first = channel(built(project).rss).findtext(f"{PC}guid")
    moved = build_project(Options(project / "feed.yaml", base_url="https://cdn.example.org/apa/", now=NOW))
    assert channel(moved.rss).findtext(f"{PC}guid") == first
    assert json.loads((project / "apa-feed.lock").read_text())["podcast_guid"] == first


def test_the_sample_feed_shows_every_tier_1_tag(project: Path) -> None:
    """Podcasting 2.0's first phase: locked, funding, transcript, chapters and soundbite."""
    ch = channel(built(project).rss)
    item = ch.find("item")
    assert ch.find(f"{PC}locked") is not None and ch.find(f"{PC}funding") is not None
    assert item.find(f"{PC}transcript") is not None and item.find(f"{PC}chapters") is not None
    bite = item.find(f"{PC}soundbite")
    assert (bite.get("startTime"), bite.get("duration"), bite.text) == (
        "24.887",
        "29.3",
        "Un arsenal dévoilé au Parc des expositions de Bamako",
    )
