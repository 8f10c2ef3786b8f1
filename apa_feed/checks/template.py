"""An unedited template: what ``apa-feed init`` and ``apa-feed new`` write, left as they wrote it (warnings: the
show works, but it would publish placeholders)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from ..audio.artwork import is_placeholder_cover
from ..errors import Problem
from .context import Ctx, episode_file
from .podcasting import PLACEHOLDER_DOMAINS

SHOW_TITLE = "My Podcast"
"""The title ``init`` gives a show when it is given none."""
SHOW_DESCRIPTION = "What the show is about, in a sentence or two."
"""The description ``init`` writes in feed.yaml."""
EPISODE_DESCRIPTION = "Show notes in Markdown."
"""The notes ``new`` writes in episode.yaml."""


def is_example(url: str | None) -> bool:
    """A URL at one of RFC 2606's example domains (what ``init`` and the docs write)."""
    host = (urlsplit(url).hostname or "") if url else ""
    return any(host == d or host.endswith(f".{d}") for d in PLACEHOLDER_DOMAINS)


def example_links(ctx: Ctx) -> list[Problem]:
    """``link`` and ``base_url`` (the show's, an episode's ``link``) left at an example domain."""
    show = ctx.show
    what = {
        "link": "apps and the website send listeners to this page",
        "base_url": "the feed and its media would be published under it, where no app can download them",
    }
    found = [
        _warning(ctx, ctx.feed_yaml, name, f'"{value}" is an example address: {what[name]}', "use the show's own")
        for name, value in (("link", show.link), ("base_url", show.base_url))
        if is_example(value)
    ]
    found += [
        _warning(ctx, episode_file(ep), "link", f'"{ep.meta.link}" is an example address', "use the episode's page")
        for ep in ctx.inputs
        if is_example(ep.meta.link)
    ]
    return found


def placeholder_texts(ctx: Ctx) -> list[Problem]:
    """The title and descriptions ``init`` and ``new`` write, still there."""
    show, path = ctx.show, ctx.feed_yaml
    found = []
    if show.title.strip().casefold() == SHOW_TITLE.casefold():
        what = f'"{SHOW_TITLE}" is the title apa-feed init gives a show by default'
        found.append(_warning(ctx, path, "title", what, "give the show its name"))
    if SHOW_DESCRIPTION in show.description:
        what = f'"{SHOW_DESCRIPTION}" is the placeholder apa-feed init writes'
        found.append(_warning(ctx, path, "description", what, "say what the show is about"))
    what = f'"{EPISODE_DESCRIPTION}" is the placeholder apa-feed new writes'
    found += [
        _warning(ctx, episode_file(ep), "description", what, "write the episode's notes")
        for ep in ctx.inputs
        if EPISODE_DESCRIPTION in ep.meta.description
    ]
    return found


def placeholder_cover(ctx: Ctx) -> list[Problem]:
    """The plain cover ``init`` makes, still the show's artwork."""
    if not is_placeholder_cover(ctx.show.image):
        return []
    return [
        _warning(
            ctx,
            ctx.show.image,
            "image",
            "is the plain placeholder apa-feed init made; apps would show it as the show's artwork",
            "put the show's artwork there (a square JPEG or PNG, 1400–3000 px)",
        )
    ]


def _warning(ctx: Ctx, path: Path, name: str, message: str, hint: str) -> Problem:
    return ctx.at(path, name, message, "warning", "", hint)


TEMPLATE_RULES = (example_links, placeholder_texts, placeholder_cover)
