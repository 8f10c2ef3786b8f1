"""The rendered feed: golden output, Apple's tags, real consumers, GUID stability, drafts and schedule."""

from __future__ import annotations

import os
import shutil
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import podcastparser
import pytest
from conftest import NOW, REPO, SAMPLE_EPISODE, add_episode, copy_sample, episode_yaml
from lxml import etree

from apa_feed.build import Options, build_project
from apa_feed.feed.model import is_live
from apa_feed.feed.notes import clip, render_notes, to_text, xml_safe

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
GOLDEN = REPO / "tests" / "golden" / "sample-feed.xml"


def build(root: Path, **options: object) -> bytes:
    return build_project(Options(root / "feed.yaml", now=NOW, **options)).rss  # type: ignore[arg-type]


def channel(rss: bytes) -> etree._Element:
    return etree.fromstring(rss).find("channel")


def test_sample_feed_matches_golden(project: Path) -> None:
    rss = build(project)
    if os.environ.get("APA_FEED_UPDATE_GOLDEN"):
        GOLDEN.write_bytes(rss)
    assert rss == GOLDEN.read_bytes(), "run with APA_FEED_UPDATE_GOLDEN=1 to accept a deliberate change"


def test_same_input_gives_byte_identical_output(project: Path) -> None:
    assert build(project) == build(project)


def test_channel_has_every_tag_apple_requires(project: Path) -> None:
    ch = channel(build(project))
    for tag in ("title", "link", "description", "language", "copyright"):
        assert ch.findtext(tag), tag
    assert ch.find(f"{ITUNES}image").get("href").startswith("https://agencepresseaudio.example/podcast/artwork/")
    assert ch.findtext(f"{ITUNES}explicit") == "false"
    assert ch.findtext(f"{ITUNES}author") == "Agence Presse Audio"
    assert ch.findtext(f"{ITUNES}owner/{ITUNES}email") == "podcast@agencepresseaudio.example"
    assert ch.findtext(f"{ITUNES}type") == "episodic"
    top = ch.find(f"{ITUNES}category")
    assert top.get("text") == "Society & Culture"
    assert top.find(f"{ITUNES}category").get("text") == "Documentary"
    self_link = ch.find("{http://www.w3.org/2005/Atom}link")
    assert (self_link.get("rel"), self_link.get("href")) == (
        "self",
        "https://agencepresseaudio.example/podcast/feed.xml",
    )
    assert ch.findtext("lastBuildDate") == "Wed, 12 Nov 2025 00:00:00 +0100"


def test_item_has_enclosure_guid_duration_and_notes(project: Path) -> None:
    item = channel(build(project)).find("item")
    audio = project / "episodes" / SAMPLE_EPISODE / "audio.mp3"
    enclosure = item.find("enclosure")
    assert enclosure.get("length") == str(audio.stat().st_size)
    assert enclosure.get("type") == "audio/mpeg"
    guid = item.find("guid")
    assert (guid.text, guid.get("isPermaLink")) == ("5b0f3f9e-6a51-4c57-9a43-2f1d8f0c7e21", "false")
    assert item.findtext(f"{ITUNES}duration") == "103"
    assert item.findtext("pubDate") == "Wed, 12 Nov 2025 00:00:00 +0100"
    assert item.findtext(f"{ITUNES}episodeType") == "full"
    notes = item.findtext(f"{CONTENT}encoded")
    assert "<li>Mise en onde &amp; mix : Agence Presse Audio</li>" in notes
    assert "<li>Texte et récit : Sam Rivers</li>" in notes
    assert "Mise en onde & mix : Agence Presse Audio" in item.findtext("description")
    assert len(item.findtext("description").encode()) <= 4000


def test_feedparser_reads_every_item(project: Path) -> None:
    add_episode(project, "2025-12-01-second", episode_yaml("Second", "2025-12-01", season="2", episode="3"))
    parsed = feedparser.parse(build(project))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title == "Agence Presse Audio — Documentaires"
    assert [e.title for e in parsed.entries] == [
        "Second",
        "Coopération/ Mali-Turquie : L’arsenal militaire turc en vitrine à Bamako",
    ]
    for entry in parsed.entries:
        assert entry.enclosures[0].length == "619415"
        assert entry.itunes_duration == "103"
        assert entry.id
        assert entry.itunes_episodetype == "full"  # (feedparser maps only the legacy yes/clean explicit values)


def test_podcastparser_reads_every_item(project: Path, tmp_path: Path) -> None:
    add_episode(project, "2025-12-01-second", episode_yaml("Second", "2025-12-01"))
    feed_file = tmp_path / "feed.xml"
    feed_file.write_bytes(build(project))
    with feed_file.open("rb") as handle:
        parsed = podcastparser.parse("https://agencepresseaudio.example/podcast/feed.xml", handle)
    assert parsed["title"] == "Agence Presse Audio — Documentaires"
    assert len(parsed["episodes"]) == 2
    for ep in parsed["episodes"]:
        assert ep["total_time"] == 103
        assert ep["guid"]
        assert ep["enclosures"][0]["file_size"] == 619415
        assert ep["enclosures"][0]["mime_type"] == "audio/mpeg"


def guids(rss: bytes) -> list[str]:
    return [g.text for g in channel(rss).iter("guid")]


def test_guid_survives_base_url_title_storage_and_audio_changes(project: Path) -> None:
    add_episode(project, "2025-12-01-second", episode_yaml("Second", "2025-12-01"))
    before = guids(build(project))  # the second episode gets its GUID written here
    ep = project / "episodes" / "2025-12-01-second"
    assert f"guid: {before[0]}" in (ep / "episode.yaml").read_text()
    (ep / "episode.yaml").write_text((ep / "episode.yaml").read_text().replace('"Second"', '"Renamed"'))
    shutil.copy(REPO / "cover.jpg", ep / "other.jpg")
    (ep / "audio.mp3").write_bytes((ep / "audio.mp3").read_bytes()[:300_000])
    moved = build(project, base_url="https://cdn.example.net/elsewhere/", storage="/tmp/other")
    assert guids(moved) == before
    assert b"cdn.example.net/elsewhere/" in moved


def test_guid_travels_with_the_project(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    add_episode(project, "2025-12-01-second", episode_yaml("Second", "2025-12-01"))
    first = guids(build(project))
    elsewhere = tmp_path_factory.mktemp("moved")
    shutil.copytree(project, elsewhere, dirs_exist_ok=True)
    assert guids(build(elsewhere)) == first


def test_drafts_and_future_episodes_are_absent_until_due(project: Path) -> None:
    add_episode(project, "2025-12-01-draft", episode_yaml("Draft", "2025-12-01", draft="true"))
    add_episode(project, "2026-03-01-later", episode_yaml("Later", "2026-03-01T09:00:00+01:00"))
    now = build_project(Options(project / "feed.yaml", now=NOW))
    titles = [i.title for i in now.publication.feed.items]
    assert "Draft" not in titles and "Later" not in titles
    assert dict(now.publication.skipped) == {"2025-12-01-draft": "draft", "2026-03-01-later": "scheduled"}
    due = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    later = build_project(Options(project / "feed.yaml", now=due))
    assert [i.title for i in later.publication.feed.items][0] == "Later"


def test_date_alone_takes_the_show_time_zone(project: Path) -> None:
    built = build_project(Options(project / "feed.yaml", now=NOW))
    published = built.publication.feed.items[0].published
    assert published.isoformat() == "2025-11-12T00:00:00+01:00"
    assert not is_live(replace(built_meta(project), published=published), datetime(2025, 11, 11, 22, 59, tzinfo=UTC))


def built_meta(root: Path):  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    from apa_feed.config.episodes import load_episodes

    return load_episodes(root, ZoneInfo("Europe/Paris"))[0]


def test_items_are_newest_first(project: Path) -> None:
    add_episode(project, "2024-01-01-old", episode_yaml("Old", "2024-01-01"))
    add_episode(project, "2025-12-24-new", episode_yaml("New", "2025-12-24"))
    titles = [i.findtext("title") for i in channel(build(project)).iter("item")]
    assert titles[0] == "New" and titles[-1] == "Old"


def test_characters_xml_forbids_are_removed(project: Path) -> None:
    add_episode(project, "2025-12-01-ctrl", episode_yaml("Bad\\x07 title\\x0b", "2025-12-01"))
    rss = build(project)
    assert etree.fromstring(rss) is not None
    assert "Bad title" in [i.findtext("title") for i in channel(rss).iter("item")]
    assert xml_safe("a\x00b\ufffec") == "abc"


def test_show_notes_keep_only_apple_tags() -> None:
    html = render_notes(
        "# Titre\n\nUn **gras** <script>alert(1)</script> [lien](https://x.example)\n\n- un\n- deux\n"
    ).html
    assert html == (
        '<p>Titre</p>\n<p>Un gras  <a href="https://x.example">lien</a></p>\n<ul>\n<li>un</li>\n<li>deux</li>\n</ul>'
    )
    assert to_text(html) == "Titre\n\nUn gras lien\n\n- un\n- deux"


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        ('<p>A <a href="https://x.fr/?a>b&amp;c">lien</a> &amp; co</p>', "A lien & co"),  # ">" inside a quoted value
        ("<p>un<!-- <p>caché</p> -->deux</p>", "undeux"),
        ("<P>Haut</P><UL><LI>un</LI></UL>", "Haut\n\n- un"),
        ("<p>ligne&#10;suite\nfin</p>", "ligne suite fin"),  # newlines in text are spaces, escaped or not
        ("a < b &lt; c", "a < b < c"),
        ("<p>Réalisation :</p><ol><li>Marie</li><li>Paul<br/>Jean</li></ol>", "Réalisation :\n\n- Marie\n- PaulJean"),
    ],
)
def test_to_text_reads_tags_as_an_html_parser_does(fragment: str, text: str) -> None:
    assert to_text(fragment) == text


def test_plain_text_is_clipped_to_4000_utf8_bytes() -> None:
    text = "é" * 3000  # 6000 bytes
    clipped = clip(text)
    assert len(clipped.encode("utf-8")) <= 4000
    assert clipped.endswith("…")
    assert clip("court") == "court"


def test_long_description_is_clipped_in_the_feed(project: Path) -> None:
    long_notes = "Un mot " * 1200
    add_episode(project, "2025-12-01-long", episode_yaml("Long", "2025-12-01").replace("Notes.", long_notes))
    item = channel(build(project)).find("item")
    assert item.findtext("title") == "Long"
    assert len(item.findtext("description").encode()) <= 4000
    assert len(item.findtext(f"{ITUNES}summary").encode()) <= 4000


def test_explicit_inherits_and_overrides(project: Path) -> None:
    add_episode(project, "2025-12-01-x", episode_yaml("X", "2025-12-01", explicit="true"))
    values = {i.findtext("title"): i.findtext(f"{ITUNES}explicit") for i in channel(build(project)).iter("item")}
    assert values["X"] == "true"
    assert list(values.values()).count("false") == 1


def test_copy_sample_is_complete(tmp_path: Path) -> None:
    copy_sample(tmp_path)
    assert build_project(Options(tmp_path / "feed.yaml", now=NOW)).publication.feed.items
