"""What an old feed says, as plain records (strings as found): one :class:`OldFeed` and its :class:`OldItem` s."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Person:
    """``podcast:person``: a name, a role (taxonomy words), optional page and picture."""

    name: str
    role: str
    href: str | None
    img: str | None


@dataclass(frozen=True)
class Linked:
    """A tag pointing at a file: ``podcast:transcript``, ``podcast:chapters``."""

    url: str
    type: str
    language: str | None = None


@dataclass(frozen=True)
class OldItem:
    """One ``<item>`` as written (``index`` counts from 1, in document order)."""

    index: int
    title: str
    guid: str | None
    pub_date: str | None
    enclosure_url: str | None
    enclosure_type: str
    notes: str
    image_url: str | None
    season: str | None
    episode: str | None
    episode_type: str | None
    explicit: str | None
    link: str | None
    keywords: tuple[str, ...]
    people: tuple[Person, ...]
    transcripts: tuple[Linked, ...]
    chapters: Linked | None
    enclosure_length: str | None = None
    duration: str | None = None
    itunes_title: str | None = None


@dataclass(frozen=True)
class OldFeed:
    """The ``<channel>`` as written."""

    title: str
    description: str
    language: str | None
    link: str | None
    author: str | None
    owner_name: str | None
    owner_email: str | None
    managing_editor: str | None
    image_url: str | None
    categories: tuple[tuple[str, str], ...]
    explicit: str | None
    type: str | None
    copyright: str | None
    self_url: str | None
    new_feed_url: str | None
    podcast_guid: str | None
    locked: str | None
    funding: tuple[tuple[str, str], ...]
    license: str | None
    medium: str | None
    people: tuple[Person, ...]
    items: tuple[OldItem, ...]
