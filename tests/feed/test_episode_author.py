"""An episode's own author: itunes:author on the item, and "Un documentaire de …" on its page."""

from __future__ import annotations

from pathlib import Path

import lxml.html
from conftest import NOW, SAMPLE_EPISODE, add_episode, episode_yaml
from lxml import etree

from apa_feed.build import Options, build_project

ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"


def test_the_episode_author_is_written_and_shown(project: Path) -> None:
    add_episode(project, "2025-12-01-guest", episode_yaml("Invitée", "2025-12-01", author="Awa Diallo"))
    built = build_project(Options(project / "feed.yaml", now=NOW))
    items = etree.fromstring(built.rss).findall("channel/item")
    assert [i.findtext(f"{ITUNES}author") for i in items] == ["Awa Diallo", None]  # the sample keeps the show's
    pages = {a.key: a.data for a in built.publication.assets if a.key.endswith("index.html") and a.data}
    guest = lxml.html.fromstring(pages["episodes/2025-12-01-guest/index.html"])
    sample = lxml.html.fromstring(pages[f"episodes/{SAMPLE_EPISODE}/index.html"])
    byline = '//p[@class="byline"]'
    assert guest.xpath(f'{byline}/span[@class="author"]')[0].text == "Awa Diallo"
    assert sample.xpath(f'{byline}/span[@class="author"]')[0].text == "Agence Presse Audio"
    assert guest.xpath(byline)[0].text_content().startswith("Un documentaire de")
