"""The ``analytics:`` prefixes of feed.yaml: services that count downloads by standing in front of each
enclosure URL (OP3, Podtrac, Blubrry, or any prefix given verbatim).

Each prefix takes the URL without its scheme: ``https://op3.dev/e,pg=GUID/cdn.example.com/a.mp3``. The list
applies in order: the first entry wraps the plain URL, the next wraps that. Only enclosures go through them
(never artwork, transcripts, chapters or pages), and GUIDs never depend on them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from yaml.nodes import MappingNode, Node, ScalarNode

from . import schema as s
from .yamlread import Context, describe, mapping_items

OP3 = "https://op3.dev/e"
PODTRAC = "https://dts.podtrac.com/redirect.mp3/"
BLUBRRY = "https://media.blubrry.com/"
SERVICES = ("op3", "podtrac", "blubrry")
EXPECTED = 'op3, podtrac, {blubrry: NAME} or a prefix URL like "https://example.com/track/"'
SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class Prefix:
    """One analytics prefix: ``name`` as feed.yaml says it (``op3``, ``podtrac``, ``blubrry: NAME`` or the
    URL), and the URL it puts in front of an enclosure's (``OP3`` alone: the show's GUID follows)."""

    name: str
    start: str

    def before(self, guid: str) -> str:
        """What goes in front of the scheme-less URL (OP3 names the show by its ``podcast:guid``)."""
        if self.start == OP3:
            return f"{OP3},pg={guid}/" if guid else f"{OP3}/"
        return self.start


def without_scheme(url: str) -> str:
    """``https://cdn.example.com/a.mp3`` → ``cdn.example.com/a.mp3``."""
    return SCHEME.sub("", url, count=1)


def through(url: str, chain: Sequence[Prefix], guid: str) -> str:
    """``url`` behind each prefix of ``chain`` in turn (the first wraps the plain URL)."""
    for prefix in chain:
        url = prefix.before(guid) + without_scheme(url)
    return url


def peel(url: str, chain: Sequence[Prefix] = ()) -> tuple[str, tuple[str, ...]]:
    """The URL under its analytics prefixes, without scheme, and the prefixes' names in the order they were
    applied (innermost first). Known services are recognised by their address; a verbatim prefix only when it
    is in ``chain``."""
    names: list[str] = []
    rest = url
    while True:
        found = _outer(rest, chain)
        if found is None:
            return without_scheme(rest), tuple(reversed(names))
        names.append(found[0])
        rest = rest[found[1] :]


def _outer(url: str, chain: Sequence[Prefix]) -> tuple[str, int] | None:
    """The name of the prefix ``url`` starts with (with or without its scheme) and its length."""
    bare = without_scheme(url)
    skipped = len(url) - len(bare)
    match = re.match(r"op3\.dev/e(?:,[^/]*)?/", bare)
    if match:
        return "op3", skipped + match.end()
    match = re.match(r"media\.blubrry\.com/([^/]+)/", bare)
    if match:
        return f"blubrry: {match[1]}", skipped + match.end()
    for name, start in [("podtrac", PODTRAC), *((p.name, p.start) for p in chain if p.name == p.start)]:
        if bare.startswith(without_scheme(start)):
            return name, skipped + len(without_scheme(start))
    return None


def prefix(node: Node, ctx: Context, path: str) -> Any:
    """One entry of ``analytics:``: a service's name, ``{blubrry: NAME}``, or a prefix URL."""
    if isinstance(node, MappingNode):
        return _blubrry(node, ctx, path)
    value = s.scalar(node, ctx, path, EXPECTED)
    if value is None:
        return s.INVALID
    if value == "blubrry":
        ctx.report(node, path, "blubrry needs the show's name there", 'write it as "{blubrry: NAME}"')
        return s.INVALID
    if value in SERVICES:
        return Prefix(value, OP3 if value == "op3" else PODTRAC)
    if "/" in value or ":" in value:
        return _verbatim(node, ctx, path, value)
    near = difflib.get_close_matches(value.lower(), SERVICES, n=1, cutoff=0.5)
    ctx.report(node, path, f"expected {EXPECTED}, got {s.quoted(value)}", f'did you mean "{near[0]}"?' if near else "")
    return s.INVALID


def _verbatim(node: Node, ctx: Context, path: str, value: str) -> Any:
    """A prefix URL: https (http is read; ``check`` warns about it), a host, a path ending in "/", nothing after."""
    try:
        parts = urlsplit(value)
    except ValueError:
        parts = urlsplit("")
    if parts.scheme not in ("https", "http") or not parts.netloc or " " in value:
        ctx.report(node, path, f'expected a prefix URL starting "https://", got {s.quoted(value)}')
    elif parts.query or parts.fragment or not value.endswith("/"):
        ctx.report(
            node, path, f'expected a prefix URL ending in "/" (the enclosure URL follows it), got {s.quoted(value)}'
        )
    else:
        return Prefix(value, value)
    return s.INVALID


def _blubrry(node: MappingNode, ctx: Context, path: str) -> Any:
    items = mapping_items(node, ctx, path)
    if len(items) != 1 or items[0][0] != "blubrry":
        keys = [key for key, _, _ in items]
        near = difflib.get_close_matches(keys[0], ["blubrry"], n=1) if len(keys) == 1 else []
        hint = 'did you mean "blubrry"?' if near else ""
        got = ", ".join(keys) or "an empty mapping"
        ctx.report(node, path, f"expected {{blubrry: NAME}} as a mapping, got {got}", hint)
        return s.INVALID
    name_node = items[0][2]
    where = f"{path}.blubrry"
    name = s.scalar(name_node, ctx, where, "the show's name at Blubrry") if isinstance(name_node, ScalarNode) else None
    if name is None:
        if not isinstance(name_node, ScalarNode):
            ctx.report(name_node, where, f"expected the show's name at Blubrry, got {describe(name_node)}")
        return s.INVALID
    if not SEGMENT.match(name):
        ctx.report(
            name_node,
            where,
            f"expected the show's name at Blubrry (letters, digits, '.', '_', '~' or '-'), got {s.quoted(name)}",
        )
        return s.INVALID
    return Prefix(f"blubrry: {name}", f"{BLUBRRY}{name}/")


def analytics_chain(value: tuple[Prefix, ...] | None) -> tuple[Prefix, ...]:
    """The prefixes ``analytics:`` gives, in order (None: none given)."""
    return tuple(value or ())


def insecure(chain: Sequence[Prefix]) -> list[tuple[int, Prefix]]:
    """The prefixes of ``chain`` (with their index) that are plain http: apps may refuse such enclosures."""
    return [(i, p) for i, p in enumerate(chain) if p.start.startswith("http://")]
