"""Credits as people: a producer's own words for a role (French or English) → the Podcast
Taxonomy's role and group, as ``podcast:person`` wants them (lower-case English)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

TAXONOMY: dict[str, tuple[str, ...]] = {
    "creative direction": (
        "director",
        "assistant director",
        "executive producer",
        "senior producer",
        "producer",
        "associate producer",
        "development producer",
        "creative director",
    ),
    "cast": ("host", "co-host", "guest host", "guest", "voice actor", "narrator", "announcer", "reporter"),
    "writing": (
        "author",
        "editorial director",
        "co-writer",
        "writer",
        "songwriter",
        "guest writer",
        "story editor",
        "managing editor",
        "script editor",
        "script coordinator",
        "researcher",
        "editor",
        "fact checker",
        "translator",
        "transcriber",
        "logger",
    ),
    "audio production": (
        "studio coordinator",
        "technical director",
        "technical manager",
        "audio engineer",
        "remote recording engineer",
        "post production engineer",
    ),
    "audio post-production": (
        "audio editor",
        "sound designer",
        "foley artist",
        "composer",
        "theme music",
        "music production",
        "music contributor",
    ),
    "administration": (
        "production coordinator",
        "booking coordinator",
        "production assistant",
        "content manager",
        "marketing manager",
        "sales representative",
        "sales manager",
    ),
    "visuals": ("graphic designer", "cover art designer"),
    "community": ("social media manager",),
    "misc.": ("consultant", "intern"),
    "video production": ("camera operator", "lighting designer", "camera grip", "assistant camera"),
    "video post-production": ("editor", "assistant editor"),
}
"""Podcast Taxonomy (podcasttaxonomy.com), the vocabulary of ``podcast:person`` role and group."""

GROUP_OF: dict[str, str] = {}
for _group, _roles in TAXONOMY.items():
    for _role in _roles:
        GROUP_OF.setdefault(_role, _group)  # "editor" is first a writing role

SYNONYMS: dict[str, tuple[str, ...]] = {
    "realisation": ("director",),
    "realisateur": ("director",),
    "realisatrice": ("director",),
    "direction": ("director",),
    "mise en scene": ("director",),
    "production": ("producer",),
    "producteur": ("producer",),
    "productrice": ("producer",),
    "production executive": ("executive producer",),
    "produced by": ("producer",),
    "presentation": ("host",),
    "presentateur": ("host",),
    "presentatrice": ("host",),
    "animation": ("host",),
    "animateur": ("host",),
    "animatrice": ("host",),
    "co-animation": ("co-host",),
    "invite": ("guest",),
    "invitee": ("guest",),
    "invites": ("guest",),
    "narration": ("narrator",),
    "recit": ("narrator",),
    "voix": ("voice actor",),
    "voix off": ("narrator",),
    "lecture": ("narrator",),
    "reportage": ("reporter",),
    "journaliste": ("reporter",),
    "texte": ("writer",),
    "textes": ("writer",),
    "ecriture": ("writer",),
    "redaction": ("writer",),
    "scenario": ("writer",),
    "texte et recit": ("writer",),
    "ecriture et narration": ("writer", "narrator"),
    "written and narrated by": ("writer", "narrator"),
    "auteur": ("author",),
    "autrice": ("author",),
    "recherche": ("researcher",),
    "documentation": ("researcher",),
    "traduction": ("translator",),
    "transcription": ("transcriber",),
    "redaction en chef": ("managing editor",),
    "mise en onde & mix": ("audio engineer",),
    "mise en onde et mix": ("audio engineer",),
    "mise en onde": ("audio engineer",),
    "mixage": ("audio engineer",),
    "mix": ("audio engineer",),
    "prise de son": ("audio engineer",),
    "ingenieur du son": ("audio engineer",),
    "son": ("audio engineer",),
    "montage": ("audio editor",),
    "habillage sonore": ("sound designer",),
    "design sonore": ("sound designer",),
    "musique": ("composer",),
    "musique originale": ("composer",),
    "generique": ("theme music",),
    "illustration": ("cover art designer",),
    "illustrations": ("cover art designer",),
    "visuel": ("cover art designer",),
    "pochette": ("cover art designer",),
    "graphisme": ("graphic designer",),
    "mixing": ("audio engineer",),
    "sound": ("audio engineer",),
    "artwork": ("cover art designer",),
    "illustration by": ("cover art designer",),
    "music": ("composer",),
    "editing": ("audio editor",),
    "written by": ("writer",),
    "hosted by": ("host",),
    "presented by": ("host",),
    "narrated by": ("narrator",),
    "research": ("researcher",),
    "sound design": ("sound designer",),
    "co-host": ("co-host",),
}
"""A producer's words (accents and case ignored) → taxonomy roles."""

NARRATED_WHEN_VOICED = frozenset({"texte et recit", "texte", "ecriture", "written by", "writer"})
"""Writing credits that also make the person the narrator when their voice is in the transcript."""


@dataclass(frozen=True)
class Role:
    """A taxonomy role and its group, e.g. ``director`` in ``creative direction``."""

    role: str
    group: str


def _fold(words: str) -> str:
    """Lower case, no accents, single spaces, no trailing punctuation."""
    plain = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode().lower()
    return " ".join(plain.replace("’", "'").split()).strip(" :.-")


def roles_for(words: str, voiced: bool = False) -> tuple[Role, ...]:
    """The taxonomy roles a producer's role text names; empty when it names none.

    ``voiced``: the person speaks in the episode (a voice of its transcript), so a writing
    credit such as "Texte et récit" also makes them its narrator.
    """
    key = _fold(words)
    names = SYNONYMS.get(key) or ((key,) if key in GROUP_OF else ())
    if voiced and key in NARRATED_WHEN_VOICED and "narrator" not in names:
        names = (*names, "narrator")
    return tuple(Role(name, GROUP_OF[name]) for name in names)


def role_choices() -> list[str]:
    """Every taxonomy role, for a hint."""
    return sorted(GROUP_OF)
