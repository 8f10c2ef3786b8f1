"""What each page shows, worked out from the feed model (pure): the templates only lay it out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from ..config.roles import roles_for
from ..feed.model import Feed, Item
from ..feed.notes import clip, to_text
from ..feed.transcripts import Cue, TranscriptError, is_timed, read_cues
from . import jsonld
from .i18n import base_language, format_date, format_duration, format_size, strings, timestamp

SUMMARY_BYTES = 320
BYLINE_GROUPS = frozenset({"writing"})
"""Credits shown as a signature line after the notes ("Texte et récit : …"), as the agency's pages do."""


@dataclass(frozen=True)
class Meta:
    """The page's head: canonical URL, social cards, JSON-LD."""

    url: str
    title: str
    description: str
    image: str
    image_alt: str
    og_type: str
    locale: str
    jsonld: str
    audio: str | None = None
    audio_type: str | None = None


@dataclass(frozen=True)
class Stamp:
    """A point in the audio: a chapter, or the start of a transcript paragraph."""

    start: float
    label: str
    text: str
    speaker: str | None = None

    @property
    def at(self) -> str:
        """The start for a media fragment (``#t=24.887``)."""
        return f"{self.start:.3f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Episode:
    """One episode as its page and the index show it."""

    item: Item
    url: str
    date: str
    date_iso: str
    duration: str
    size: str
    summary: str
    credits: tuple[tuple[str, str], ...]
    byline: tuple[tuple[str, str], ...]
    chapters: tuple[Stamp, ...]
    transcript: tuple[Stamp, ...]
    image: str
    image_alt: str


@dataclass(frozen=True)
class Pager:
    """Where one index page sits among the others."""

    number: int
    count: int
    url: str
    newer: str | None
    older: str | None


def page_key(number: int) -> str:
    """``index.html``, ``page/2/index.html``…"""
    return "index.html" if number == 1 else f"page/{number}/index.html"


def page_url(feed: Feed, number: int) -> str:
    return feed.base_url if number == 1 else f"{feed.base_url}page/{number}/"


def pagers(feed: Feed, per_page: int) -> list[tuple[Pager, tuple[Item, ...]]]:
    """The index pages, newest episodes first; one page even with no episode."""
    chunks = [feed.items[i : i + per_page] for i in range(0, len(feed.items), per_page)] or [()]
    out = []
    for n, chunk in enumerate(chunks, start=1):
        newer = page_url(feed, n - 1) if n > 1 else None
        older = page_url(feed, n + 1) if n < len(chunks) else None
        out.append((Pager(n, len(chunks), page_url(feed, n), newer, older), chunk))
    return out


def episode_view(feed: Feed, item: Item, tz: tzinfo | None = None) -> Episode:
    """Dates in the show's language and time zone; credits split into the block and the signature line."""
    lang = feed.language
    local = item.published.astimezone(tz) if tz else item.published
    t = strings(lang)
    joined = [(role, ", ".join(names)) for role, names in item.credits]
    block = tuple((r, n) for r, n in joined if not _is_byline(r))
    byline = tuple((r, n) for r, n in joined if _is_byline(r))
    return Episode(
        item=item,
        url=item.page_url or item.link,
        date=format_date(local, lang),
        date_iso=local.isoformat(),
        duration=format_duration(item.duration),
        size=format_size(item.enclosure_length, lang),
        summary=summary(item),
        credits=block,
        byline=byline,
        chapters=tuple(Stamp(c.start, timestamp(c.start), c.title) for c in sorted(item.chapters, key=_start)),
        transcript=transcript(item.transcript.source if item.transcript else None),
        image=item.image_url or feed.image_url,
        image_alt=t["artwork"].format(title=item.title),
    )


def _start(chapter: object) -> float:
    return float(getattr(chapter, "start", 0.0))


def _is_byline(role: str) -> bool:
    return any(r.group in BYLINE_GROUPS for r in roles_for(role))


def summary(item: Item) -> str:
    """The notes' first paragraph, short enough for a list or a card."""
    first_paragraph = item.notes_html.split("</p>", 1)[0]
    text = to_text(first_paragraph) if first_paragraph.strip() else item.text
    first = text.split("\n\n", 1)[0].replace("\n", " ").strip()
    return clip(first, SUMMARY_BYTES)


def transcript(source: Path | None) -> tuple[Stamp, ...]:
    """One line per cue, the speaker named where the voice changes; empty when untimed or unreadable."""
    if source is None or not is_timed(source):
        return ()
    try:
        cues = read_cues(source)
    except (TranscriptError, OSError):
        return ()
    return tuple(_lines(cues))


def _lines(cues: list[Cue]) -> list[Stamp]:
    out: list[Stamp] = []
    voice: str | None = None
    for cue in cues:
        text = " ".join(cue.text.split())
        if not text:
            continue
        changed = cue.speaker is not None and cue.speaker != voice
        voice = cue.speaker
        out.append(Stamp(cue.start, timestamp(cue.start), text, cue.speaker if changed else None))
    return out


def locale(language: str) -> str:
    """``fr`` → ``fr_FR`` for Open Graph (a region only when the tag has none we can guess)."""
    parts = language.replace("_", "-").split("-")
    if len(parts) > 1:
        return f"{parts[0].lower()}_{parts[1].upper()}"
    lang = base_language(language)
    return {"en": "en_US", "fr": "fr_FR"}.get(lang, f"{lang}_{lang.upper()}")


def episode_meta(feed: Feed, view: Episode) -> Meta:
    item = view.item
    return Meta(
        url=view.url,
        title=item.title,
        description=view.summary,
        image=view.image,
        image_alt=view.image_alt,
        og_type="article",
        locale=locale(feed.language),
        jsonld=jsonld.dumps(jsonld.episode(feed, item, view.summary)),
        audio=item.enclosure_url,
        audio_type=item.enclosure_type,
    )


def index_meta(feed: Feed, pager: Pager) -> Meta:
    t = strings(feed.language)
    title = feed.title
    if pager.number > 1:
        title += " — " + t["page_of"].format(page=pager.number, pages=pager.count)
    return Meta(
        url=pager.url,
        title=title,
        description=clip(feed.description, SUMMARY_BYTES),
        image=feed.image_url,
        image_alt=t["artwork"].format(title=feed.title),
        og_type="website",
        locale=locale(feed.language),
        jsonld=jsonld.dumps(jsonld.series(feed)),
    )
