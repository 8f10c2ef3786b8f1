"""The website's words in the show's language: UI strings, dates, durations and file sizes.

``STRINGS`` is a plain table: add a language by adding one entry (and its month names).
A language without an entry falls back to English.
"""

from __future__ import annotations

from datetime import datetime

STRINGS: dict[str, dict[str, str]] = {
    "fr": {
        "documentary_by": "Un documentaire de",
        "published": "Mise en ligne",
        "credits": "Crédits",
        "listen": "Écouter l’épisode",
        "notes": "Présentation",
        "chapters": "Chapitres",
        "transcript": "Transcription",
        "show_transcript": "Afficher la transcription",
        "download": "Télécharger l’épisode",
        "subscribe": "S’abonner",
        "feed_url": "Adresse du flux RSS",
        "copy": "Copier",
        "copied": "Adresse copiée",
        "episodes": "Épisodes",
        "duration": "Durée",
        "artwork": "Illustration de « {title} »",
        "all_episodes": "Tous les épisodes",
        "pagination": "Pages d’épisodes",
        "newer": "Épisodes plus récents",
        "older": "Épisodes plus anciens",
        "page_of": "Page {page} sur {pages}",
        "skip": "Aller au contenu",
        "network": "Nos émissions",
        "no_audio": "Votre navigateur ne lit pas l’audio : téléchargez l’épisode.",
        "colon": " : ",
    },
    "en": {
        "documentary_by": "A documentary by",
        "published": "Published",
        "credits": "Credits",
        "listen": "Listen to the episode",
        "notes": "Show notes",
        "chapters": "Chapters",
        "transcript": "Transcript",
        "show_transcript": "Show the transcript",
        "download": "Download the episode",
        "subscribe": "Subscribe",
        "feed_url": "RSS feed address",
        "copy": "Copy",
        "copied": "Address copied",
        "episodes": "Episodes",
        "duration": "Duration",
        "artwork": "Artwork for “{title}”",
        "all_episodes": "All episodes",
        "pagination": "Episode pages",
        "newer": "Newer episodes",
        "older": "Older episodes",
        "page_of": "Page {page} of {pages}",
        "skip": "Skip to content",
        "network": "Our shows",
        "no_audio": "Your browser does not play audio: download the episode.",
        "colon": ": ",
    },
}

MONTHS: dict[str, tuple[str, ...]] = {
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

SIZE_UNITS: dict[str, tuple[str, ...]] = {"fr": ("o", "Ko", "Mo", "Go"), "en": ("B", "KB", "MB", "GB")}
DECIMAL_COMMA = frozenset({"fr", "de", "es", "it", "pt"})


def base_language(language: str) -> str:
    """``fr-CA`` → ``fr``; the table's key for a BCP 47 tag."""
    return language.split("-")[0].lower()


def strings(language: str) -> dict[str, str]:
    """The UI strings of a language, English where the table has none."""
    return {**STRINGS["en"], **STRINGS.get(base_language(language), {})}


def format_date(when: datetime, language: str) -> str:
    """``12 novembre 2025`` in French, ``November 12, 2025`` in English."""
    lang = base_language(language)
    if lang == "en" or lang not in MONTHS:
        return f"{MONTHS['en'][when.month - 1]} {when.day}, {when.year}"
    day = "1er" if lang == "fr" and when.day == 1 else str(when.day)
    return f"{day} {MONTHS[lang][when.month - 1]} {when.year}"


def format_duration(seconds: int) -> str:
    """``1 min 43 s``, ``1 h 05 min``: hours and minutes, or minutes and seconds."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s" if secs else f"{minutes} min"
    return f"{secs} s"


def format_size(size: int, language: str) -> str:
    """``605 Ko`` / ``605 KB``, ``1,2 Mo`` / ``1.2 MB`` (units of 1024 bytes)."""
    lang = base_language(language)
    units = SIZE_UNITS.get(lang, SIZE_UNITS["en"])
    value = float(size)
    unit = 0
    while value >= 1024 and unit < len(units) - 1:
        value /= 1024
        unit += 1
    text = f"{value:.0f}" if unit < 2 or value >= 100 else f"{value:.1f}"
    if lang in DECIMAL_COMMA:
        text = text.replace(".", ",")
    return f"{text} {units[unit]}"


def iso_duration(seconds: int) -> str:
    """``PT1M43S``: schema.org's duration."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"


def timestamp(seconds: float) -> str:
    """``0:24``, ``1:02:05``: a chapter or cue start as players show it."""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
