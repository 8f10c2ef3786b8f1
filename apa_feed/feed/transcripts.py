"""Transcript files: their published MIME type, and their cues (time, speaker, text) for
timed formats (WebVTT with ``<v Speaker>`` voices, SRT, Podcast Index JSON)."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

TRANSCRIPT_TYPES = {
    ".vtt": "text/vtt",
    ".srt": "application/x-subrip",
    ".json": "application/json",
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
}
TIMED = {".vtt", ".srt", ".json"}
"""Formats with cue times: published with ``rel="captions"``."""

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{3})"
_CUE_TIMES = re.compile(rf"^{_TIME}\s*-->\s*{_TIME}")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_TAGS = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Cue:
    """One timed line of a transcript."""

    start: float
    end: float
    text: str
    speaker: str | None = None


class TranscriptError(ValueError):
    """A transcript that cannot be read; the message says why."""


def transcript_type(path: Path) -> str | None:
    """The MIME type a transcript file is published with, or None for an unknown kind."""
    return TRANSCRIPT_TYPES.get(path.suffix.lower())


def is_timed(path: Path) -> bool:
    """Whether the transcript has cue times (captions)."""
    return path.suffix.lower() in TIMED


def read_cues(path: Path) -> list[Cue]:
    """The cues of a VTT, SRT or JSON transcript (empty for HTML and text)."""
    suffix = path.suffix.lower()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise TranscriptError(f"cannot be read as UTF-8 text ({exc.__class__.__name__})") from None
    if suffix == ".json":
        return _json_cues(text)
    if suffix in (".vtt", ".srt"):
        if suffix == ".vtt" and not text.lstrip().startswith("WEBVTT"):
            raise TranscriptError('a WebVTT file must start with "WEBVTT"')
        return _text_cues(text)
    return []


def voices(cues: list[Cue]) -> frozenset[str]:
    """Every speaker named in the cues."""
    return frozenset(c.speaker for c in cues if c.speaker)


def _seconds(groups: tuple[str | None, ...]) -> float:
    hours, minutes, seconds, millis = (int(g or 0) for g in groups)
    return hours * 3600 + minutes * 60 + seconds + millis / 1000


def _text_cues(text: str) -> list[Cue]:
    cues = []
    for block in re.split(r"\r?\n\s*\r?\n", text.strip()):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            match = _CUE_TIMES.match(line.strip())
            if match:
                cues.append(_cue(match.groups(), lines[i + 1 :]))
                break
    return cues


def _cue(times: tuple[str | None, ...], lines: list[str]) -> Cue:
    body = " ".join(line.strip() for line in lines if line.strip())
    voice = _VOICE.search(body)
    plain = html.unescape(_TAGS.sub("", body)).strip()
    return Cue(_seconds(times[:4]), _seconds(times[4:]), plain, voice.group(1).strip() if voice else None)


def _json_cues(text: str) -> list[Cue]:
    try:
        doc = json.loads(text)
        segments = doc["segments"]
        return [
            Cue(float(s["startTime"]), float(s["endTime"]), str(s["body"]).strip(), s.get("speaker")) for s in segments
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise TranscriptError(f'expected Podcast Index JSON with "segments" ({exc.__class__.__name__})') from None
