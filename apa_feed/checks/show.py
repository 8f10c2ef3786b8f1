"""Pre-flight rules about the show itself (``feed.yaml``)."""

from __future__ import annotations

import re

from ..config.analytics import insecure
from ..errors import Problem
from ..feed.notes import APPLE_LIMIT, xml_safe
from .context import Ctx, language, plain_http, role, too_long

FUNDING_TEXT_LIMIT = 128
TXT_VALUE_LIMIT = 4000
TXT_PURPOSE_LIMIT = 128
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


def show_language(ctx: Ctx) -> list[Problem]:
    """``language`` must name a real ISO 639 language (PSP-1: "specified in the ISO 639 format")."""
    return language(ctx, ctx.feed_yaml, "language", ctx.show.language, "PSP-1")


def show_lengths(ctx: Ctx) -> list[Problem]:
    """Apple's 255-character limit on the show's text values."""
    show, path = ctx.show, ctx.feed_yaml
    values = {"title": show.title, "author": show.author, "owner.name": show.owner.name, "copyright": show.copyright}
    return [p for name, value in values.items() for p in too_long(ctx, path, name, value)]


def show_description(ctx: Ctx) -> list[Problem]:
    """Apple's 4000 bytes for the description, counted in UTF-8; the feed clips it."""
    size = len(xml_safe(ctx.show.description).encode("utf-8"))
    if size <= APPLE_LIMIT:
        return []
    return [
        ctx.at(
            ctx.feed_yaml,
            "description",
            f"is {size} bytes in UTF-8; Apple allows {APPLE_LIMIT}, so the feed's description is cut there",
            "warning",
        )
    ]


def show_explicit(ctx: Ctx) -> list[Problem]:
    """Apple requires ``itunes:explicit``; apa-feed writes ``false`` when feed.yaml does not say."""
    if ctx.show.where is None or "explicit" in ctx.show.where:
        return []
    return [
        ctx.at(
            ctx.feed_yaml,
            "explicit",
            'not set, so the feed says "false"',
            "warning",
            hint=f'say it: add "explicit: false" (or true) to {ctx.feed_yaml.name}',
        )
    ]


def owner_email(ctx: Ctx) -> list[Problem]:
    """An owner email Apple can write to: valid local part and domain, not only the right shape."""
    email = ctx.show.owner.email
    local, _, domain = email.rpartition("@")
    labels = domain.split(".")
    if (
        len(email) <= 254
        and len(local) <= 64
        and _LOCAL.match(local)
        and all(_LABEL.match(label) for label in labels)
        and not labels[-1].isdigit()
    ):
        return []
    return [ctx.at(ctx.feed_yaml, "owner.email", f'expected an email address Apple can write to, got "{email}"')]


def funding(ctx: Ctx) -> list[Problem]:
    """Podcasting 2.0: funding text up to 128 characters (apps cut the rest)."""
    return [
        ctx.at(
            ctx.feed_yaml,
            f"funding[{i}].text",
            f"is {len(link.name)} characters long; apps may cut it after {FUNDING_TEXT_LIMIT}",
            "warning",
            "Podcasting 2.0",
        )
        for i, link in enumerate(ctx.show.p20.funding)
        if len(link.name) > FUNDING_TEXT_LIMIT
    ]


def txt(ctx: Ctx) -> list[Problem]:
    """Podcasting 2.0: ``podcast:txt`` up to 4000 characters, its purpose up to 128."""
    found = []
    for i, (purpose, value) in enumerate(ctx.show.p20.txt):
        found += too_long(ctx, ctx.feed_yaml, f"txt[{i}].value", value, TXT_VALUE_LIMIT, "Podcasting 2.0")
        found += too_long(ctx, ctx.feed_yaml, f"txt[{i}].purpose", purpose, TXT_PURPOSE_LIMIT, "Podcasting 2.0")
    return found


def people(ctx: Ctx) -> list[Problem]:
    """The show's people: roles the Podcast Taxonomy knows."""
    return [
        p
        for i, person in enumerate(ctx.show.p20.people)
        for p in role(ctx, ctx.feed_yaml, f"people[{i}].role", person.role)
    ]


def show_urls(ctx: Ctx) -> list[Problem]:
    """The show's Podcasting 2.0 URLs are https when base_url is."""
    p20 = ctx.show.p20
    urls: list[tuple[str, str | None]] = [("license_url", p20.license_url)]
    urls += [(f"funding[{i}].url", link.url) for i, link in enumerate(p20.funding)]
    for i, person in enumerate(p20.people):
        urls += [(f"people[{i}].href", person.href), (f"people[{i}].img", person.img)]
    return plain_http(ctx, ctx.feed_yaml, urls)


def analytics_http(ctx: Ctx) -> list[Problem]:
    """An analytics prefix on plain http puts every enclosure on plain http."""
    message = "is plain http: every enclosure goes through it, and apps may refuse plain http"
    found = insecure(ctx.show.analytics)
    return [
        ctx.at(ctx.feed_yaml, f"analytics[{i}]", f'"{p.start}" {message}', "warning", "", "use https") for i, p in found
    ]


def analytics_twice(ctx: Ctx) -> list[Problem]:
    """A prefix listed twice counts every download twice in its service."""
    chain = ctx.show.analytics
    repeated = [i for i, p in enumerate(chain) if p.start in {q.start for q in chain[:i]}]
    message = "is listed earlier too: its service would count every download twice"
    return [ctx.at(ctx.feed_yaml, f"analytics[{i}]", f'"{chain[i].name}" {message}', "warning", "", "list it once")
            for i in repeated]  # fmt: skip


SHOW_RULES = (
    show_language,
    show_lengths,
    show_description,
    show_explicit,
    owner_email,
    funding,
    txt,
    people,
    show_urls,
    analytics_http,
    analytics_twice,
)
