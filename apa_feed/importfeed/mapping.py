"""What the old feed says → what apa-feed will write: feed.yaml values, episode plans, the lock (pure, no I/O)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from html import unescape
from typing import Any
from urllib.parse import urlsplit

from ..config import episodes as episode_schema
from ..feed.notes import to_text
from ..publish.lockfile import podcast_guid
from .fetch import ImportFailed, is_http_url
from .markdown import split_credits, to_markdown
from .order import same_day_order
from .records import EpisodePlan, Fetch, OldFeed, OldItem, Person, ShowPlan
from .values import (
    MAX_NUMBER,
    MIME_ALIASES,
    TRANSCRIPT_TYPES,
    audio_name,
    category,
    explicit,
    folder_name,
    parse_date,
    parse_duration,
    positive,
    same_site,
    suffix_for,
    url_path_name,
)

PLACEHOLDER_EMAIL = "podcast@example.com"
PLACEHOLDER_URL = "https://example.com/podcast/"


def label(item: OldItem) -> str:
    """``item 3 ("Title")``: how messages name an item."""
    return f'item {item.index} ("{item.title}")' if item.title else f"item {item.index}"


def plan_import(
    feed: OldFeed, source: str, reference: bool = False, given_url: str | None = None, now: datetime | None = None
) -> ShowPlan:
    """Decide every file and value of the import; raise :class:`ImportFailed` for what cannot be kept.
    ``given_url`` is the feed's URL as the producer gives it (``--feed-url``), first of all; ``now`` dates
    the items without a date when the feed gives no date of its own."""
    warnings: list[str] = []
    feed_url = _feed_url(feed, source, given_url, warnings)
    if not feed.podcast_guid and not feed_url:
        raise ImportFailed(
            f"{source}: the feed has no podcast:guid and names no URL of its own (atom:link "
            f'rel="self"); import it from its URL, or give that URL with --feed-url'
        )
    values = _show_values(feed, feed_url, warnings)
    old_sites = [u for u in (feed_url, source, feed.self_url) if u and is_http_url(u)]
    undated = _undated(feed, now)
    planned = [_episode(item, feed, warnings, reference, old_sites, undated) for item in feed.items]
    _title_note(feed.items, warnings)
    episodes = tuple(_unique_folders(same_day_order([p for p in planned if p is not None], warnings)))
    _check_guids(episodes, source)
    return ShowPlan(
        values=values,
        image_url=feed.image_url,
        feed_url=feed_url or "",
        podcast_guid=feed.podcast_guid or podcast_guid(feed_url or ""),
        episodes=episodes,
        warnings=tuple(warnings),
        skipped=len(planned) - len(episodes),
    )


def _feed_url(feed: OldFeed, source: str, given: str | None, warnings: list[str]) -> str | None:
    if given:
        named = feed.new_feed_url or feed.self_url
        if named and named != given and is_http_url(named):
            warnings.append(f"the feed names its URL {named}; kept {given}, as --feed-url says")
        return given
    for candidate in (feed.new_feed_url, feed.self_url, source):
        if candidate and is_http_url(candidate):
            return candidate
    return None


def base_url(feed_url: str | None) -> str:
    """The folder of the old feed's URL: where its files were, until the producer names the new place."""
    if not feed_url:
        return PLACEHOLDER_URL
    parts = urlsplit(feed_url)
    return f"{parts.scheme}://{parts.netloc}{parts.path.rsplit('/', 1)[0]}/"


def _show_values(feed: OldFeed, feed_url: str | None, warnings: list[str]) -> dict[str, Any]:
    owner_name, owner_email = _owner(feed, warnings)
    values: dict[str, Any] = {
        "title": feed.title or _missing("title", "Untitled", warnings),
        "description": _plain(feed.description) or _missing("description", feed.title or "Podcast", warnings),
        "language": feed.language or _missing("language", "en", warnings),
        "link": feed.link if feed.link and is_http_url(feed.link) else _missing("link", base_url(feed_url), warnings),
        "base_url": base_url(feed_url),
        "author": feed.author or owner_name,
        "owner": {"name": owner_name, "email": owner_email},
        "image": "cover.jpg",
        "categories": _categories(feed, warnings),
        "explicit": bool(explicit(feed.explicit)),
        "type": feed.type if feed.type in ("episodic", "serial") else "episodic",
        "copyright": feed.copyright,
        "timezone": "UTC",
    }
    values.update(_p20_values(feed))
    return {k: v for k, v in values.items() if v not in (None, "", [], {})}


def _missing(name: str, value: str, warnings: list[str]) -> str:
    warnings.append(f'the feed has no {name}; wrote "{value}" in feed.yaml: check it')
    return value


def _plain(html: str) -> str:
    """Plain text of a channel description given as HTML, escaped or in CDATA (its entities read once)."""
    text = html if "<" in html else unescape(html)
    return to_text(text) if "<" in text else text.strip()


def _owner(feed: OldFeed, warnings: list[str]) -> tuple[str, str]:
    name, email = feed.owner_name, feed.owner_email
    if not email and feed.managing_editor and "@" in feed.managing_editor:
        email, _, rest = feed.managing_editor.partition(" ")
        name = name or rest.strip(" ()") or None
    name = name or feed.author or feed.title or "Owner"
    if not email:
        email = _missing("owner email (itunes:owner)", PLACEHOLDER_EMAIL, warnings)
    return name, email


def _categories(feed: OldFeed, warnings: list[str]) -> list[str]:
    kept: list[str] = []
    for top, sub in feed.categories:
        name, note = category(top, sub)
        if note:
            warnings.append(note)
        if name and name not in kept:
            kept.append(name)
    if not kept:
        warnings.append("the feed has no category on Apple's list; add one to categories in feed.yaml")
    return kept


def _p20_values(feed: OldFeed) -> dict[str, Any]:
    """Podcasting 2.0 tags, under feed.yaml's names (written only if feed.yaml has those fields)."""
    locked = (feed.locked or "").lower()
    return {
        "locked": True if locked == "yes" else None,
        "funding": [{"url": u, "text": t or "Support the show"} for u, t in feed.funding if is_http_url(u)],
        "license": feed.license,
        "medium": feed.medium,
        "people": [_person(p) for p in feed.people],
    }


def _person(p: Person) -> dict[str, str]:
    found = {"name": p.name, "role": p.role, "href": p.href or "", "img": p.img or ""}
    return {k: v for k, v in found.items() if v and (k not in ("href", "img") or is_http_url(v))}


def _undated(feed: OldFeed, now: datetime | None) -> tuple[datetime, str]:
    """The date of an item without one (podcast apps list it all the same), and what that date is."""
    built = parse_date(feed.build_date)
    if built is not None:
        return built, "the feed's own date"
    return (now or datetime.now(UTC)).replace(microsecond=0), "the time of the import"


def _episode(
    item: OldItem,
    feed: OldFeed,
    warnings: list[str],
    reference: bool,
    old_sites: list[str],
    undated: tuple[datetime, str],
) -> EpisodePlan | None:
    if not item.enclosure_url or not is_http_url(item.enclosure_url):
        what = "no <enclosure>" if not item.enclosure_url else f'its enclosure "{item.enclosure_url}" is not http(s)'
        warnings.append(f"{label(item)}: {what}; skipped")
        return None
    published = parse_date(item.pub_date)
    if published is None:
        published, what = undated
        given = f'pubDate "{item.pub_date}" is not a date' if item.pub_date else "no pubDate"
        warnings.append(f"{label(item)}: {given}; dated {published.isoformat()}, {what}: check it")
    guid = item.guid
    if not guid:
        guid = item.enclosure_url
        warnings.append(f"{label(item)}: no <guid>; its enclosure URL is kept as its GUID, as podcast apps used it")
    audio = Fetch(item.enclosure_url, audio_name(item.enclosure_url, item.enclosure_type))
    values = _episode_values(item, published, audio.name, warnings)
    dropped = values.pop("link", None)
    if dropped and not any(same_site(dropped, u) for u in (*old_sites, item.enclosure_url)):
        values["link"], dropped = dropped, None  # a page of the producer's own site, not of the old host
    remote, missing = _remote(item)
    if reference:
        if missing:
            raise ImportFailed(
                f"{label(item)}: --reference needs {' and '.join(missing)} from the old feed; "
                "import without --reference to download the audio and read them from it"
            )
        del values["audio"]
        values["enclosure"] = remote
    return EpisodePlan(
        folder=folder_name(published, values["title"]),
        values=values,
        guid=guid,
        published=published,
        enclosure_url=item.enclosure_url,
        title=values["title"],
        audio=None if reference else audio,
        index=item.index,
        image_url=item.image_url if item.image_url and item.image_url != feed.image_url else None,
        extras=_extras(item),
        remote={k: v for k, v in remote.items() if v},
        remote_missing=tuple(missing),
        dropped_link=dropped,
    )


def _remote(item: OldItem) -> tuple[dict[str, Any], list[str]]:
    """``enclosure:`` for an episode kept where it is (the URL, what the old feed said of it), and what it lacks."""
    length = positive(item.enclosure_length)
    duration = parse_duration(item.duration)
    kind = MIME_ALIASES.get(item.enclosure_type.lower(), item.enclosure_type.lower())
    missing = [
        what
        for what, ok in (
            ("the enclosure's length", length),
            ("itunes:duration", duration),
            ("the enclosure's type", kind in episode_schema.REMOTE_TYPES),
        )
        if not ok
    ]
    return {"url": item.enclosure_url, "length": length, "type": kind, "duration": duration}, missing


def _episode_values(item: OldItem, published: datetime, audio: str, warnings: list[str]) -> dict[str, Any]:
    body, credits = split_credits(item.notes) if item.notes else ("", [])
    notes = to_markdown(body) if body else ""
    if not notes:
        warnings.append(f"{label(item)}: no show notes; its title is used")
    values: dict[str, Any] = {
        "title": _title(item, warnings),
        "date": published.isoformat(),
        "description": notes or item.title or f"Episode {item.index}",
        "audio": audio,
        "season": _number(item, "itunes:season", item.season, warnings),
        "episode": _number(item, "itunes:episode", item.episode, warnings),
        "episode_type": (item.episode_type or "").lower() or None,
        "explicit": explicit(item.explicit),
        "keywords": list(item.keywords),
        "credits": credits or [_person(p) for p in item.people],  # the producer's own words when the notes had them
        "link": item.link if item.link and is_http_url(item.link) else None,
        "transcript_language": next((t.language for t in item.transcripts if t.language), None),
    }
    if values["episode_type"] not in (None, "full", "trailer", "bonus"):
        warnings.append(f'{label(item)}: episode type "{item.episode_type}" is not full, trailer or bonus; left out')
        values["episode_type"] = None
    return {k: v for k, v in values.items() if v not in (None, "", [])}


def _title(item: OldItem, warnings: list[str]) -> str:
    """``itunes:title`` when the item has one (the title Apple Podcasts shows), else ``<title>``, else the
    audio file's name (as podcast apps name an untitled episode)."""
    if item.itunes_title or item.title:
        return item.itunes_title or item.title
    stem = url_path_name(item.enclosure_url or "").rsplit(".", 1)[0].strip()
    return _missing(f"title in item {item.index}", stem or f"Episode {item.index}", warnings)


def _title_note(items: tuple[OldItem, ...], warnings: list[str]) -> None:
    differ = [i for i in items if i.itunes_title and i.title and i.itunes_title != i.title]
    if differ:
        first = differ[0]
        many = f"{len(differ)} items have" if len(differ) > 1 else "1 item has"
        warnings.append(
            f'{many} an itunes:title other than its <title> ({label(first)}: itunes:title "{first.itunes_title}"); '
            "kept itunes:title, the title Apple Podcasts shows, as the episode's title"
        )


def _number(item: OldItem, tag: str, value: str | None, warnings: list[str]) -> int | None:
    number = positive(value)
    if value and number is None:
        shown = value if len(value) <= 20 else f"{value[:20]}…"
        warnings.append(f'{label(item)}: {tag} "{shown}" is not a whole number from 1 to {MAX_NUMBER}; left out')
    return number


def _extras(item: OldItem) -> tuple[Fetch, ...]:
    found = []
    ranked = sorted(
        item.transcripts,
        key=lambda t: list(TRANSCRIPT_TYPES.values()).index(suffix_for(t.type, t.url, TRANSCRIPT_TYPES) or ".txt"),
    )
    for transcript in ranked[:1]:
        suffix = suffix_for(transcript.type, transcript.url, TRANSCRIPT_TYPES)
        if suffix:
            found.append(Fetch(transcript.url, f"transcript{suffix}"))
    if item.chapters and is_http_url(item.chapters.url):
        found.append(Fetch(item.chapters.url, "chapters.json"))
    return tuple(f for f in found if is_http_url(f.url))


def _unique_folders(plans: list[EpisodePlan]) -> list[EpisodePlan]:
    seen: set[str] = set()
    unique = []
    for plan in plans:
        folder, n = plan.folder, 2
        while folder in seen:
            folder, n = f"{plan.folder}-{n}", n + 1
        seen.add(folder)
        unique.append(plan if folder == plan.folder else replace(plan, folder=folder))
    return unique


def _check_guids(plans: tuple[EpisodePlan, ...], source: str) -> None:
    """Duplicate GUIDs, and GUIDs episode.yaml cannot hold, are errors: nothing is written."""
    by_guid: dict[str, list[int]] = {}
    for plan in plans:
        by_guid.setdefault(plan.guid, []).append(plan.index)
    twice = [f'"{g}" (items {", ".join(map(str, ix))})' for g, ix in by_guid.items() if len(ix) > 1]
    if twice:
        raise ImportFailed(
            f"{source}: items share a GUID: {'; '.join(twice)}; each episode needs its own, so nothing was imported"
        )
    bad = [p.guid for p in plans if not episode_schema.GUID.match(p.guid)]
    if bad:
        raise ImportFailed(
            f'{source}: GUID "{bad[0]}" has spaces or is over 200 characters; apa-feed cannot '
            "keep it yet, so nothing was imported"
        )
