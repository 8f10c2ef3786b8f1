"""The website: pages parsed with a real HTML parser (lxml), their words, links, metadata and assets."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest
from conftest import NOW, SAMPLE_EPISODE, add_episode, episode_yaml

from apa_feed.build import BuiltShow, Options, build_project
from apa_feed.site import ThemeError
from apa_feed.site.i18n import format_date, format_duration, format_size

EPISODE_KEY = f"episodes/{SAMPLE_EPISODE}/index.html"
BASE = "https://agencepresseaudio.example/podcast/"
HtmlElement = lxml.html.HtmlElement


def build(root: Path) -> BuiltShow:
    return build_project(Options(root / "feed.yaml", now=NOW))


def pages(built: BuiltShow) -> dict[str, bytes]:
    return {a.key: a.data for a in built.publication.assets if a.key.endswith(".html") and a.data is not None}


def parse(data: bytes) -> HtmlElement:
    return lxml.html.document_fromstring(data.decode("utf-8"))


def text(el: HtmlElement) -> str:
    return " ".join(el.text_content().split())


def one(doc: HtmlElement, xpath: str) -> HtmlElement:
    found = doc.xpath(xpath)
    assert len(found) == 1, (xpath, found)
    return found[0]


def meta(doc: HtmlElement, prop: str) -> str:
    return str(one(doc, f'//meta[@property="{prop}" or @name="{prop}"]').get("content"))


def edit_feed(root: Path, extra: str) -> None:
    path = root / "feed.yaml"
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")


@pytest.fixture
def episode(project: Path) -> HtmlElement:
    return parse(pages(build(project))[EPISODE_KEY])


def test_publish_makes_index_episode_page_and_a_content_addressed_stylesheet(project: Path) -> None:
    built = build(project)
    keys = {a.key: a for a in built.publication.assets}
    assert set(pages(built)) == {"index.html", EPISODE_KEY}
    css = [a for a in keys.values() if a.key.startswith("assets/style-")]
    assert len(css) == 1 and css[0].content_type == "text/css; charset=utf-8"
    assert css[0].key == f"assets/style-{css[0].sha256[:12]}.css" and "immutable" in css[0].cache_control
    for key in pages(built):
        asset = keys[key]
        assert asset.content_type == "text/html; charset=utf-8"
        assert asset.cache_control == "public, max-age=300"
        assert asset.data is not None and asset.sha256 == hashlib.sha256(asset.data).hexdigest()
        assert asset.size == len(asset.data)
        assert one(parse(asset.data), '//link[@rel="stylesheet"]').get("href") == BASE + css[0].key


def test_episode_page_reads_like_the_agency_page(episode: HtmlElement) -> None:
    assert episode.get("lang") == "fr"
    assert text(one(episode, "//h1")) == "Coopération/ Mali-Turquie : L’arsenal militaire turc en vitrine à Bamako"
    assert text(one(episode, '//p[@class="byline"]')) == "Un documentaire de Agence Presse Audio"
    assert text(one(episode, '//p[@class="lead"]')).startswith("Les entreprises turques ont déployé leur savoir-faire")
    facts = {text(dt): text(dt.getnext()) for dt in episode.xpath('//dl[@class="facts"]//dt')}
    assert facts == {"Mise en ligne": "12 novembre 2025", "Durée": "1 min 43 s"}
    assert one(episode, '//dl[@class="facts"]//time').get("datetime") == "2025-11-12T00:00:00+01:00"


def test_credits_block_and_signature_line(episode: HtmlElement) -> None:
    credits = [(text(dt), text(dt.getnext())) for dt in episode.xpath('//section[@class="credits"]//dt')]
    assert credits == [
        ("Réalisation", "Agence Presse Audio"),
        ("Mise en onde & mix", "Agence Presse Audio"),
        ("Illustration", "Agence Presse Audio"),
        ("Production", "Agence Presse Audio"),
    ]
    assert text(one(episode, '//section[@class="credits"]/h2')) == "Crédits"
    assert text(one(episode, '//p[@class="signature"]')) == "Texte et récit : Sam Rivers"


def test_player_download_chapters_and_transcript(episode: HtmlElement) -> None:
    audio = one(episode, "//audio")
    src = str(audio.get("src"))
    assert src.startswith(BASE + f"episodes/{SAMPLE_EPISODE}/audio-") and src.endswith(".mp3")
    assert audio.get("controls") is not None and audio.get("preload") == "metadata"
    download = one(episode, '//p[@class="download"]')
    assert one(download, "a").get("href") == src and text(download) == "Télécharger l’épisode (605 Ko)"
    chapters = episode.xpath('//section[@class="chapters"]//a')
    assert [(a.get("data-start"), text(a)) for a in chapters] == [
        ("0", "0:00 Introduction"),
        ("24.887", "0:24 Le salon de Bamako"),
        ("54.465", "0:54 La stratégie malienne"),
        ("89.932", "1:29 Crédits"),
    ]
    assert chapters[1].get("href") == src + "#t=24.887"  # a media fragment: seeks without JavaScript too
    transcript = one(episode, '//section[@class="transcript"]')
    assert [text(p) for p in transcript.xpath('.//p[@class="speaker"]')] == ["Sam Rivers"]
    lines = transcript.xpath('.//p[@class="cue"]')
    assert text(lines[1]) == "0:01 Mali-Turquie : L’arsenal militaire turc en vitrine à Bamako."
    assert lines[1].xpath(".//a/@data-start") == ["1.523"]


def test_head_has_feed_canonical_cards_and_json_ld(project: Path, episode: HtmlElement) -> None:
    url = BASE + f"episodes/{SAMPLE_EPISODE}/"
    assert one(episode, '//link[@rel="alternate"][@type="application/rss+xml"]').get("href") == BASE + "feed.xml"
    assert one(episode, '//link[@rel="canonical"]').get("href") == url
    assert meta(episode, "og:url") == url and meta(episode, "og:title").startswith("Coopération/ Mali-Turquie")
    assert meta(episode, "og:audio") == one(episode, "//audio").get("src")
    assert meta(episode, "og:image").startswith(BASE + f"episodes/{SAMPLE_EPISODE}/cover-")
    assert meta(episode, "twitter:card") == "summary" and meta(episode, "twitter:image") == meta(episode, "og:image")
    doc = json.loads(one(episode, '//script[@type="application/ld+json"]').text)
    assert doc["@type"] == "PodcastEpisode" and doc["url"] == url
    assert doc["partOfSeries"] == {"@type": "PodcastSeries", "name": "Agence Presse Audio — Documentaires", "url": BASE}
    assert doc["timeRequired"] == "PT1M43S" and doc["associatedMedia"]["contentUrl"] == meta(episode, "og:audio")
    index = parse(pages(build(project))["index.html"])
    series = json.loads(one(index, '//script[@type="application/ld+json"]').text)
    assert series["@type"] == "PodcastSeries" and series["webFeed"] == BASE + "feed.xml"


def test_headings_do_not_skip_levels(project: Path) -> None:
    for key, data in pages(build(project)).items():
        levels = [int(h.tag[1]) for h in parse(data).xpath("//h1|//h2|//h3|//h4|//h5|//h6")]
        assert levels[0] == 1 and levels.count(1) == 1, key
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (key, levels)


def test_index_subscribe_block_and_episodes_newest_first(project: Path) -> None:
    edit_feed(
        project,
        "directories:\n  - {name: Apple Podcasts, url: 'https://podcasts.apple.com/podcast/id1'}\n"
        "  - {name: Spotify, url: 'https://open.spotify.com/show/x'}\n",
    )
    add_episode(project, "2025-12-01-second", episode_yaml("Second <épisode>", "2025-12-01"))
    index = parse(pages(build(project))["index.html"])
    assert one(index, "//header//img").get("alt") == "Illustration de « Agence Presse Audio — Documentaires »"
    field = one(index, '//input[@id="feed-url"]')
    assert field.get("value") == BASE + "feed.xml" and field.get("readonly") is not None
    assert text(one(index, '//label[@for="feed-url"]')) == "Adresse du flux RSS"
    assert one(index, "//button[@data-copy]").get("data-copy") == "feed-url"
    assert [(a.get("href"), text(a)) for a in index.xpath('//ul[@class="directories"]//a')] == [
        ("https://podcasts.apple.com/podcast/id1", "Apple Podcasts"),
        ("https://open.spotify.com/show/x", "Spotify"),
    ]
    entries = index.xpath('//ol[@class="episode-list"]/li')
    assert [text(one(li, ".//h3")) for li in entries] == [
        "Second <épisode>",
        "Coopération/ Mali-Turquie : L’arsenal militaire turc en vitrine à Bamako",
    ]
    assert text(one(entries[1], './/p[@class="meta"]')) == "12 novembre 2025 · 1 min 43 s"
    assert one(entries[0], ".//h3/a").get("href") == BASE + "episodes/2025-12-01-second/"


def test_drafts_and_future_episodes_get_no_page_and_no_link(project: Path) -> None:
    add_episode(project, "2025-12-01-draft", episode_yaml("Draft", "2025-12-01", draft="true"))
    add_episode(project, "2026-03-01-later", episode_yaml("Later", "2026-03-01T09:00:00+01:00"))
    built = build(project)
    assert not [k for k in pages(built) if "draft" in k or "later" in k]
    for key, data in pages(built).items():
        assert b"2025-12-01-draft" not in data and b"2026-03-01-later" not in data, key
        assert b"Draft" not in data and b"Later" not in data, key


def test_index_is_paginated_by_episodes_per_page(project: Path) -> None:
    edit_feed(project, "episodes_per_page: 2\n")
    for day in ("2025-12-01", "2025-12-02", "2025-12-03", "2025-12-04"):
        add_episode(project, f"{day}-ep", episode_yaml(f"Ep {day}", day))
    found = pages(build(project))
    keys = ["index.html", "page/2/index.html", "page/3/index.html"]
    assert [k for k in found if not k.startswith("episodes/")] == keys
    titles = [[text(h) for h in parse(found[k]).xpath('//ol[@class="episode-list"]//h3')] for k in keys]
    assert titles[0] == ["Ep 2025-12-04", "Ep 2025-12-03"] and len(titles[2]) == 1
    second = parse(found["page/2/index.html"])
    assert one(second, '//link[@rel="canonical"]').get("href") == BASE + "page/2/"
    assert one(second, '//nav//a[@rel="prev"]').get("href") == BASE
    assert one(second, '//nav//a[@rel="next"]').get("href") == BASE + "page/3/"
    assert not parse(found["index.html"]).xpath('//nav//a[@rel="prev"]')


def test_same_show_renders_byte_identical_pages(project: Path) -> None:
    first = pages(build(project))
    assert pages(build_project(Options(project / "feed.yaml", now=datetime(2030, 1, 1, tzinfo=UTC)))) == first


def test_english_show_speaks_english(project: Path) -> None:
    path = project / "feed.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("language: fr", "language: en"), encoding="utf-8")
    doc = parse(pages(build(project))[EPISODE_KEY])
    assert doc.get("lang") == "en"
    assert text(one(doc, '//p[@class="byline"]')) == "A documentary by Agence Presse Audio"
    assert text(one(doc, '//dl[@class="facts"]//time')) == "November 12, 2025"
    assert text(one(doc, '//p[@class="download"]')) == "Download the episode (605 KB)"


def test_feed_items_link_to_their_pages(project: Path) -> None:
    built = build(project)
    assert built.publication.feed.link == BASE
    assert [i.link for i in built.publication.feed.items] == [BASE + f"episodes/{SAMPLE_EPISODE}/"]


def test_no_website_publishes_no_page(project: Path) -> None:
    edit_feed(project, "website: false\n")
    built = build(project)
    assert pages(built) == {} and not [a for a in built.publication.assets if a.key.startswith("assets/")]


def test_theme_templates_and_stylesheet_override_the_built_in_ones(project: Path) -> None:
    theme = project / "theme"
    theme.mkdir()
    (theme / "episode.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1 class="mine">'
        "{{ episode.item.title|upper }}</h1>{% endblock %}\n",
        encoding="utf-8",
    )
    (theme / "style.css").write_text("body { color: black; }\n", encoding="utf-8")
    built = build(project)
    doc = parse(pages(built)[EPISODE_KEY])
    assert text(one(doc, '//h1[@class="mine"]')).startswith("COOPÉRATION/ MALI-TURQUIE")
    css = next(a for a in built.publication.assets if a.key.startswith("assets/style-"))
    assert css.data == b"body { color: black; }\n"
    assert parse(pages(built)["index.html"]).xpath('//section[@class="subscribe"]')  # index.html still built in


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            "{% extends 'base.html' %}\n{% block content %}\n{% if %}\n{% endblock %}\n",
            "theme/episode.html:3: template syntax error: Expected an expression, got 'end of statement block'",
        ),
        (
            "{% extends 'base.html' %}\n{% block content %}\n<p>{{ episode.nope }}</p>\n{% endblock %}\n",
            "theme/episode.html:3: 'apa_feed.site.pages.Episode object' has no attribute 'nope'",
        ),
    ],
)
def test_a_broken_theme_template_is_a_located_error(project: Path, template: str, expected: str) -> None:
    (project / "theme").mkdir()
    (project / "theme" / "episode.html").write_text(template, encoding="utf-8")
    with pytest.raises(ThemeError) as caught:
        build(project)
    assert str(caught.value) == expected


def test_text_from_the_producer_is_escaped(project: Path) -> None:
    add_episode(project, "2025-12-01-x", episode_yaml("<script>alert(1)</script>", "2025-12-01"))
    found = pages(build(project))
    assert b"<script>alert(1)" not in found["index.html"]
    assert b"<script>alert(1)" not in found["episodes/2025-12-01-x/index.html"]
    doc = parse(found["episodes/2025-12-01-x/index.html"])
    assert text(one(doc, "//h1")) == "<script>alert(1)</script>"
    assert json.loads(one(doc, '//script[@type="application/ld+json"]').text)["name"] == "<script>alert(1)</script>"


@pytest.mark.parametrize(
    ("when", "language", "expected"),
    [
        (datetime(2025, 11, 12), "fr", "12 novembre 2025"),
        (datetime(2025, 2, 1), "fr-CA", "1er février 2025"),
        (datetime(2025, 8, 15), "fr", "15 août 2025"),
        (datetime(2025, 11, 12), "en", "November 12, 2025"),
        (datetime(2025, 11, 12), "sw", "November 12, 2025"),
    ],
)
def test_dates_are_written_the_way_the_language_writes_them(when: datetime, language: str, expected: str) -> None:
    assert format_date(when, language) == expected


@pytest.mark.parametrize(
    ("size", "language", "expected"),
    [
        (619415, "fr", "605 Ko"),
        (619415, "en", "605 KB"),
        (512, "fr", "512 o"),
        (5 * 1024 * 1024 + 300 * 1024, "fr", "5,3 Mo"),
        (5 * 1024 * 1024 + 300 * 1024, "en", "5.3 MB"),
        (150 * 1024 * 1024, "en", "150 MB"),
    ],
)
def test_file_sizes(size: int, language: str, expected: str) -> None:
    assert format_size(size, language) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [
        (103, "1 min 43 s"),
        (45, "45 s"),
        (120, "2 min"),
        (3725, "1 h 02 min"),
        (65, "1 min 05 s"),
    ],
)
def test_durations(seconds: int, expected: str) -> None:
    assert format_duration(seconds) == expected


def test_publish_writes_the_site_and_a_broken_theme_is_one_error_line(project: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "apa_feed", "publish"], cwd=project, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (project / "public" / "index.html").is_file() and (project / "public" / EPISODE_KEY).is_file()
    (project / "theme").mkdir()
    (project / "theme" / "index.html").write_text("{% extends 'base.html' %}\n{% block content %}{% endblok %}\n")
    done = subprocess.run([sys.executable, "-m", "apa_feed", "build"], cwd=project, capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (
        1,
        "error: theme/index.html:2: template syntax error: Encountered "
        "unknown tag 'endblok'. Jinja was looking for the following tags: "
        "'endblock'. The innermost block that needs to be closed is 'block'.\n",
    )
    assert "Traceback" not in done.stdout + done.stderr
