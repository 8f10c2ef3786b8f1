"""Pre-flight rules from PSP-1 (the Podcast Standards Project's RSS specification) and from Spotify, where
a producer's feed.yaml or episode.yaml can break them.

Elements apa-feed always writes (atom:link rel=self, link, itunes:explicit, itunes:image, podcast:locked,
podcast:guid, enclosure with url/length/type, guid…) are not checked here: tests/test_checks.py asserts them
on the sample feed.
"""

from __future__ import annotations

import re
import uuid

from ..errors import Problem
from .context import Ctx, episode_file, too_long

PSP = "PSP-1"
SPOTIFY = "Spotify"
PSP_TEXT_LIMIT = 255
"""PSP-1: "Node values are limited to 255 characters unless otherwise specified"."""
SEASON_IN_TITLE = re.compile(
    r"(?<!\w)(?:saison|season)\s*(?:n[°o]\.?\s*)?#?\s*\d{1,3}(?!\w)"  # not a year: "la saison 2025"
    r"|(?<!\w)(?P<se>s\d{1,3}\s?e\d{1,4})(?!\w)",
    re.IGNORECASE,
)
PLACEHOLDER_DOMAINS = ("example.com", "example.net", "example.org")
"""RFC 2606's example domains: what documentation (and ``apa-feed init``) put in feed.yaml."""
GUID_EXAMPLE = "9b024349-ccf0-5f69-a609-6b82873eab3c"


def categories(ctx: Ctx) -> list[Problem]:
    """PSP-1 requires ``itunes:category``; ``categories: []`` passes the schema but writes none."""
    if ctx.show.categories:
        return []
    return [
        ctx.at(
            ctx.feed_yaml,
            "categories",
            "empty: PSP-1 requires at least one itunes:category",
            rule=PSP,
            hint='add one from Apple\'s list, like "Society & Culture › Documentary"',
        )
    ]


def podcast_guid(ctx: Ctx) -> list[Problem]:
    """PSP-1: ``podcast:guid`` is a UUIDv5. A value given in feed.yaml (an imported show's) is kept as it is, so
    a wrong one is a warning: changing a published podcast:guid would break the show's identity."""
    value = ctx.show.p20.guid
    if value is None:
        return []
    try:
        parsed: uuid.UUID | None = uuid.UUID(value)
    except ValueError:
        parsed = None
    if parsed is not None and str(parsed) == value and parsed.version == 5:
        return []
    if parsed is not None and str(parsed) == value:
        message = f"is a version {parsed.version} UUID; PSP-1 expects version 5, made from the feed URL"
    else:
        message = f'expected a UUIDv5 like "{GUID_EXAMPLE}", got "{value}"'
    return [
        ctx.at(
            ctx.feed_yaml,
            "podcast_guid",
            message,
            "warning",
            PSP,
            "keep it if apps already know the show by it; otherwise remove the line and apa-feed computes one",
        )
    ]


def season_titles(ctx: Ctx) -> list[Problem]:
    """PSP-1: "Title values should not include season or episode numbers" (episode numbers: Apple's rule)."""
    found = []
    for ep in ctx.inputs:
        match = SEASON_IN_TITLE.search(ep.meta.title)
        if match is None:
            continue
        both = match.group("se") is not None
        what = "a season and episode number" if both else "a season number"
        hint = (
            'set "season:" and "episode:" instead; apps show the numbers from there'
            if both
            else 'set "season:" instead; apps show the number from there'
        )
        found.append(
            ctx.at(episode_file(ep), "title", f'contains {what} ("{match.group(0).strip()}")', "warning", PSP, hint)
        )
    return found


def node_lengths(ctx: Ctx) -> list[Problem]:
    """PSP-1's 255 characters for node values that no stricter Apple or Podcasting 2.0 rule covers: the
    show's ``podcast:updateFrequency`` and each episode's keywords (one ``<category>`` each)."""
    found = too_long(
        ctx, ctx.feed_yaml, "update_frequency", ctx.show.p20.update_frequency, PSP_TEXT_LIMIT, PSP, "warning"
    )
    for ep in ctx.inputs:
        for i, word in enumerate(ep.meta.keywords):
            found += too_long(ctx, episode_file(ep), f"keywords[{i}]", word, PSP_TEXT_LIMIT, PSP, "warning")
    return found


def owner_placeholder(ctx: Ctx) -> list[Problem]:
    """Spotify sends the code that proves a show is yours to the feed's ``itunes:email``: an example address
    left from the docs or ``apa-feed init`` can never receive it."""
    email = ctx.show.owner.email
    domain = email.rpartition("@")[2].lower()
    if not any(domain == d or domain.endswith(f".{d}") for d in PLACEHOLDER_DOMAINS):
        return []
    return [
        ctx.at(
            ctx.feed_yaml,
            "owner.email",
            f'"{email}" is an example address: Spotify sends the code that '
            "proves the show is yours to the feed's owner email",
            "warning",
            SPOTIFY,
            "use an address whose inbox you read",
        )
    ]


PSP_RULES = (categories, podcast_guid, season_titles, node_lengths, owner_placeholder)
