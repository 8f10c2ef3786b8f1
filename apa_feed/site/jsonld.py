"""schema.org JSON-LD for the pages: the show as a PodcastSeries, each episode as a PodcastEpisode."""

from __future__ import annotations

import json
from typing import Any

from ..feed.model import Feed, Item
from .i18n import iso_duration


def series(feed: Feed) -> dict[str, Any]:
    """The show."""
    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "PodcastSeries",
        "name": feed.title,
        "description": feed.description,
        "url": feed.base_url,
        "image": feed.image_url,
        "inLanguage": feed.language,
        "webFeed": feed.self_url,
        "author": {"@type": "Organization", "name": feed.author},
    }
    if feed.copyright:
        doc["copyrightNotice"] = feed.copyright
    return doc


def episode(feed: Feed, item: Item, summary: str) -> dict[str, Any]:
    """One episode, with its audio and the show it belongs to."""
    doc: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "PodcastEpisode",
        "name": item.title,
        "url": item.page_url,
        "datePublished": item.published.isoformat(),
        "description": summary,
        "inLanguage": feed.language,
        "timeRequired": iso_duration(item.duration),
        "image": item.image_url or feed.image_url,
        "associatedMedia": {
            "@type": "AudioObject",
            "contentUrl": item.enclosure_url,
            "encodingFormat": item.enclosure_type,
            "contentSize": str(item.enclosure_length),
            "duration": iso_duration(item.duration),
        },
        "partOfSeries": {"@type": "PodcastSeries", "name": feed.title, "url": feed.base_url},
    }
    if item.episode is not None:
        doc["episodeNumber"] = item.episode
    if item.credits:
        doc["creator"] = [{"@type": "Person", "name": n} for n in _names(item)]
    return doc


def _names(item: Item) -> list[str]:
    seen: dict[str, None] = {}
    for _role, names in item.credits:
        seen.update(dict.fromkeys(names))
    return list(seen)


def dumps(doc: dict[str, Any]) -> str:
    """JSON safe inside ``<script>``: no ``<``, ``>`` or ``&`` can end or confuse the element."""
    text = json.dumps(doc, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
