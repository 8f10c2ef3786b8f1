"""What an old feed says, as plain records (strings as found): one :class:`OldFeed` and its :class:`OldItem` s;
and what the import decided of it: a :class:`ShowPlan` of :class:`EpisodePlan` s."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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
    build_date: str | None = None
    """``lastBuildDate``, else the channel's ``pubDate`` (Atom: ``updated``): the date of an undated item."""


@dataclass(frozen=True)
class Fetch:
    """A file to download into an episode's folder (or the show's)."""

    url: str
    name: str


@dataclass(frozen=True)
class EpisodePlan:
    """One episode to write: its folder, episode.yaml values and files, and what subscribers know of it."""

    folder: str
    values: dict[str, Any]
    guid: str
    published: datetime
    enclosure_url: str
    title: str
    audio: Fetch | None
    """The audio to download; None when the import references it where it is (``--reference``)."""
    index: int = 0
    image_url: str | None = None
    extras: tuple[Fetch, ...] = ()
    remote: dict[str, Any] = field(default_factory=dict)
    """``enclosure:`` should the download fail: the episode is then kept where it is served."""
    remote_missing: tuple[str, ...] = ()
    """What the old feed does not say of that enclosure (the producer fills it in)."""
    dropped_link: str | None = None
    """The episode's page on the old host, left out: apa-feed makes the episode's page."""


@dataclass(frozen=True)
class ShowPlan:
    """The whole import, decided before anything is written."""

    values: dict[str, Any]
    image_url: str | None
    feed_url: str
    podcast_guid: str
    episodes: tuple[EpisodePlan, ...]
    warnings: tuple[str, ...] = field(default_factory=tuple)
    skipped: int = 0
