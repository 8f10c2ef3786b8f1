"""The feed model: Show + episodes + file facts → final URLs, GUIDs, order (pure, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from ..audio.probe import AudioInfo
from ..config.analytics import Prefix, through
from ..config.episodes import EpisodeMeta, Soundbite
from ..config.roles import roles_for
from ..config.show import Link, Person, Podcasting20, Show
from .assets import Asset as Asset
from .assets import FileFacts as FileFacts
from .assets import content_asset as content_asset
from .assets import episode_prefix as episode_prefix
from .assets import generated_asset as generated_asset
from .assets import slugify as slugify
from .assets import unique_assets
from .assets import url as url
from .chapters import JSON_CHAPTERS_TYPE, Chapter, to_json_chapters
from .notes import ShowNotes, clip, credits_html, join_text, to_text, xml_safe

CREDITS_HEADING = {"fr": "Crédits", "en": "Credits", "es": "Créditos", "de": "Mitwirkende"}


@dataclass(frozen=True)
class PersonRef:
    """``podcast:person``: a name with a taxonomy role and group."""

    name: str
    role: str
    group: str
    href: str | None = None
    img: str | None = None


@dataclass(frozen=True)
class TranscriptRef:
    """``podcast:transcript``: where the published transcript is and what it is."""

    url: str
    type: str
    language: str
    captions: bool
    source: Path


@dataclass(frozen=True)
class RemoteItem:
    """``podcast:remoteItem`` in the podroll: a sibling show as its own feed publishes it."""

    feed_guid: str
    feed_url: str
    title: str
    medium: str = "podcast"


@dataclass(frozen=True)
class Item:
    """One episode as the feed shows it."""

    guid: str
    title: str
    link: str
    published: datetime
    html: str
    text: str
    """The notes and credits as plain text, cut to Apple's limit."""
    enclosure_url: str
    enclosure_length: int
    enclosure_type: str
    duration: int
    image_url: str | None
    season: int | None
    episode: int | None
    episode_type: str
    explicit: bool
    keywords: tuple[str, ...]
    slug: str = ""
    page_url: str | None = None
    """The episode's page on the show's website (None when the show has no website)."""
    notes_html: str = ""
    """The show notes alone, without the credits block that ``html`` ends with."""
    credits: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(role in the producer's words, names), in the order roles first appear."""
    persons: tuple[PersonRef, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    chapters_url: str | None = None
    transcript: TranscriptRef | None = None
    duration_exact: float = 0.0
    soundbites: tuple[Soundbite, ...] = ()
    season_name: str | None = None
    author: str | None = None
    """The episode's own author, when it is not the show's."""
    text_size: int = 0
    """The size of the plain text before it was cut, in UTF-8 bytes."""


@dataclass(frozen=True)
class Feed:
    """The channel and its items, newest first."""

    title: str
    link: str
    description: str
    language: str
    author: str
    owner_name: str
    owner_email: str
    image_url: str
    categories: tuple[tuple[str, str], ...]
    explicit: bool
    type: str
    copyright: str | None
    self_url: str
    last_build: datetime | None
    items: tuple[Item, ...]
    podcast_guid: str = ""
    p20: Podcasting20 = Podcasting20()
    """The show's Podcasting 2.0 settings (locked, funding, licence, medium, location, …), as feed.yaml gives them."""
    persons: tuple[PersonRef, ...] = ()
    base_url: str = ""
    website: str = ""
    """The show's own website (feed.yaml ``link``); ``link`` is the published index when there is one."""
    directories: tuple[Link, ...] = ()
    hubs: tuple[str, ...] = ()
    """WebSub hubs (``<atom:link rel="hub">``)."""
    analytics: tuple[Prefix, ...] = ()
    """The analytics prefixes the enclosure URLs went through, in the order applied."""
    new_feed_url: str | None = None
    """``itunes:new-feed-url``: where the feed moved."""
    podroll: tuple[RemoteItem, ...] = ()
    """The sibling shows feed.yaml's ``podroll:`` recommends."""


@dataclass(frozen=True)
class EpisodeInput:
    """An episode with the facts read from its files."""

    meta: EpisodeMeta
    audio: AudioInfo
    audio_file: FileFacts
    image_file: FileFacts | None
    chapters: tuple[Chapter, ...] = ()
    transcript_file: FileFacts | None = None
    transcript_type: str = ""
    voices: frozenset[str] = frozenset()
    """Speakers named in the transcript."""
    chapter_images: tuple[tuple[int, FileFacts], ...] = ()
    """Pictures of chapters (index into ``chapters``), taken from the audio's tags."""
    notes: ShowNotes = ShowNotes("", (), "")
    """The episode's description, rendered."""


@dataclass(frozen=True)
class Publication:
    """A built feed and the files it references."""

    feed: Feed
    assets: tuple[Asset, ...]
    """The feed's files, then the website's (the last ``site`` of them)."""
    skipped: tuple[tuple[str, str], ...]
    site: int = 0


def is_live(meta: EpisodeMeta, now: datetime) -> bool:
    """An episode is in the feed unless it is a draft or dated in the future."""
    return not held_back(meta, now)


def held_back(meta: EpisodeMeta, now: datetime) -> str:
    """Why an episode stays out of the feed ("draft", "scheduled"), or "" when it is in it."""
    return "draft" if meta.draft else "scheduled" if meta.published > now else ""


def build_feed(
    show: Show,
    show_image: FileFacts,
    episodes: list[EpisodeInput],
    now: datetime,
    podcast_guid: str = "",
    preview: frozenset[str] = frozenset(),
    podroll: tuple[RemoteItem, ...] = (),
) -> Publication:
    """Assemble the feed: only live episodes (and those held back for a reason ``preview`` names: ``serve --drafts``,
    ``--future``), newest first, every URL under ``base_url``; ``podroll`` is the sibling shows it recommends."""
    image = content_asset("artwork", show_image)
    assets = [image]
    items = []
    skipped = []
    for ep in episodes:
        why = held_back(ep.meta, now)
        if why and why not in preview:
            skipped.append((ep.meta.slug, why))
            continue
        item, files = item_of(show, ep, podcast_guid)
        items.append(item)
        assets.extend(files)
    items.sort(key=recency, reverse=True)
    feed = replace(channel(show, url(show, image.key), tuple(items), podcast_guid), podroll=podroll)
    return Publication(feed, tuple(unique_assets(assets)), tuple(skipped))


def recency(item: Item) -> tuple[datetime, int, str]:
    """The feed's order, highest first: the publication instant (a date alone is midnight, so a time
    of day orders the episodes of a day), then the episode number (one without a number comes after
    the numbered ones of the same instant), then the folder's slug. Never the GUID: a random GUID
    would shuffle the episodes of a day."""
    return item.published, item.episode if item.episode is not None else -1, item.slug


def channel(show: Show, image_url: str, items: tuple[Item, ...], podcast_guid: str) -> Feed:
    """The feed: the show's channel around ``items`` (newest first)."""
    return Feed(
        title=xml_safe(show.title),
        link=show.base_url if show.website else show.link,
        description=clip(xml_safe(show.description)),
        language=show.language,
        author=xml_safe(show.author),
        owner_name=xml_safe(show.owner.name),
        owner_email=show.owner.email,
        image_url=image_url,
        categories=show.categories,
        explicit=show.explicit,
        type=show.type,
        copyright=xml_safe(show.copyright) if show.copyright else None,
        self_url=url(show, show.feed_file),
        last_build=max((i.published for i in items), default=None),
        items=items,
        podcast_guid=podcast_guid,
        p20=show.p20,
        persons=show_persons(show),
        base_url=show.base_url,
        website=show.link,
        directories=show.directories,
        hubs=show.notify.websub,
        analytics=show.analytics,
        new_feed_url=show.new_feed_url,
    )


def show_persons(show: Show) -> tuple[PersonRef, ...]:
    """The show's regular people as ``podcast:person`` entries."""
    return persons(show.p20.people, frozenset())


def persons(people: tuple[Person, ...] | list[Person], voices: frozenset[str]) -> tuple[PersonRef, ...]:
    """Each credit as one person per taxonomy role it names (unmapped roles are left to the credits block)."""
    found: dict[tuple[str, str], PersonRef] = {}
    for p in people:
        for role in roles_for(p.role, voiced=p.name in voices):
            found.setdefault((p.name, role.role), PersonRef(xml_safe(p.name), role.role, role.group, p.href, p.img))
    return tuple(found.values())


def item_of(show: Show, ep: EpisodeInput, podcast_guid: str = "") -> tuple[Item, list[Asset]]:
    """A live episode's feed item and the files it publishes; its enclosure URL goes through the show's
    analytics prefixes (``podcast_guid`` names the show to OP3)."""
    meta = ep.meta
    folder = episode_prefix(meta)[:-1]
    audio = content_asset(folder, ep.audio_file, ep.audio.mime_type)
    files = [audio] if meta.remote is None else []
    image_url = None
    if ep.image_file is not None:
        image = content_asset(folder, ep.image_file)
        files.append(image)
        image_url = url(show, image.key)
    chapters_url, transcript = None, None
    listed = _with_images(show, folder, ep, files)
    if listed:
        chapters = generated_asset(folder, "chapters.json", to_json_chapters(listed), JSON_CHAPTERS_TYPE)
        files.append(chapters)
        chapters_url = url(show, chapters.key)
    if ep.transcript_file is not None:
        asset = content_asset(folder, ep.transcript_file, ep.transcript_type)
        files.append(asset)
        transcript = _transcript_ref(show, ep, url(show, asset.key))
    body = ep.notes.html
    credits = _credits(meta)
    credits_block = credits_html(_heading(show), [(r, list(n)) for r, n in credits], _colon(show))
    notes = body + credits_block
    text = join_text(ep.notes.text, to_text(credits_block))
    page = None if meta.link or not show.website else url(show, f"{folder}/")
    item = Item(
        guid=meta.guid or "",
        title=xml_safe(meta.title),
        link=meta.link or page or show.link,
        published=meta.published,
        html=notes,
        text=clip(text),
        text_size=len(text.encode("utf-8")),
        enclosure_url=through(meta.remote.url if meta.remote else url(show, audio.key), show.analytics, podcast_guid),
        enclosure_length=ep.audio_file.size,
        enclosure_type=ep.audio.mime_type,
        duration=round(ep.audio.duration),
        image_url=image_url,
        season=meta.season,
        episode=meta.episode,
        episode_type=meta.episode_type,
        explicit=show.explicit if meta.explicit is None else meta.explicit,
        keywords=tuple(xml_safe(k) for k in meta.keywords),
        slug=slugify(meta.slug),
        page_url=page if show.website else None,
        notes_html=body,
        credits=credits,
        persons=_item_persons(show, ep),
        chapters=listed,
        chapters_url=chapters_url,
        transcript=transcript,
        duration_exact=ep.audio.duration,
        soundbites=meta.soundbites,
        season_name=xml_safe(meta.season_name) if meta.season_name else None,
        author=xml_safe(meta.author) if meta.author else None,
    )
    return item, files


def _with_images(show: Show, folder: str, ep: EpisodeInput, files: list[Asset]) -> tuple[Chapter, ...]:
    """The chapters, each picture published (added to ``files``) and linked as the chapter's ``img``."""
    chapters = list(ep.chapters)
    for index, facts in ep.chapter_images:
        picture = content_asset(folder, facts)
        files.append(picture)
        chapters[index] = replace(chapters[index], image=url(show, picture.key))
    return tuple(chapters)


def _item_persons(show: Show, ep: EpisodeInput) -> tuple[PersonRef, ...]:
    """The show's people, then the episode's credits: an item's people replace the channel's in apps."""
    credited = [Person(c.name, c.role, c.href, c.img) for c in ep.meta.credits]
    return persons([*show.p20.people, *credited], ep.voices)


def _transcript_ref(show: Show, ep: EpisodeInput, link: str) -> TranscriptRef:
    assert ep.transcript_file is not None
    language = ep.meta.transcript_language or show.language
    timed = ep.transcript_type in ("text/vtt", "application/x-subrip", "application/json")
    return TranscriptRef(link, ep.transcript_type, language, timed, ep.transcript_file.path)


def _heading(show: Show) -> str:
    return CREDITS_HEADING.get(show.language.split("-")[0].lower(), "Credits")


def _colon(show: Show) -> str:
    """French puts a space before a colon."""
    return " : " if show.language.split("-")[0].lower() == "fr" else ": "


def _credits(meta: EpisodeMeta) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Credits grouped by role, in the order roles first appear."""
    grouped: dict[str, list[str]] = {}
    for credit in meta.credits:
        grouped.setdefault(xml_safe(credit.role), []).append(xml_safe(credit.name))
    return tuple((role, tuple(names)) for role, names in grouped.items())
