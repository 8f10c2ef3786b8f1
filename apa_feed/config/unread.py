"""What reading the episodes would otherwise pass over in silence: a folder under episodes/ whose
episode file is misnamed or missing, and keywords written as one text with commas."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import Problem, display_path
from .locate import Located

AUDIO_SUFFIXES = frozenset({".mp3", ".m4a", ".m4b", ".mp4", ".aac", ".ogg", ".oga", ".opus", ".flac", ".wav"})
"""What a folder under episodes/ holds when it is meant to be an episode."""


def unread_folder(folder: Path, names: frozenset[str], wanted: str) -> list[Problem]:
    """Why a folder under episodes/ without its episode file ``wanted`` (holding the files ``names``) is worth
    a message: an ``episode.yml`` or another spelling that is not read (an error: the episode would silently
    stay out of the feed), or audio with no episode file (a warning: it may not be ready yet)."""
    misnamed = sorted(n for n in names if n.lower() in ("episode.yaml", "episode.yml"))
    if misnamed:
        return [
            Problem(
                display_path(folder / misnamed[0]),
                message=f"not read: apa-feed reads only {wanted}, so this episode is not in the feed",
                hint=f"rename it to {wanted}",
            )
        ]
    audio = sorted(n for n in names if os.path.splitext(n)[1].lower() in AUDIO_SUFFIXES)
    if not audio:
        return []
    return [
        Problem(
            display_path(folder) + "/",
            severity="warning",
            message=f"holds audio ({audio[0]}) but no {wanted}, so it is not in the feed",
            hint=f'create its {wanted} (title, date, audio, description); apa-feed new "TITLE" writes one to start '
            "from",
        )
    ]


def split_keywords(words: tuple[str, ...], where: Located, problems: list[Problem]) -> tuple[str, ...]:
    """``keywords: a, b`` (one text, not a list) read as the keywords a and b, as a producer means it, with a
    note in ``problems`` saying so; ``keywords: [a, b]`` and ``keywords: ["a, b"]`` are kept as written."""
    if len(words) != 1 or "," not in words[0] or "keywords[0]" in where:
        return words
    split = tuple(w.strip() for w in words[0].split(",") if w.strip())
    line, column = where.at("keywords")
    listed = ", ".join(f'"{w}"' for w in split)
    problems.append(
        Problem(
            display_path(where.file),
            line,
            column,
            "keywords",
            f"one text with commas, read as {len(split)} keywords: {listed}",
            f"write them as a list, [{', '.join(split)}], to say so",
            "info",
        )
    )
    return split
