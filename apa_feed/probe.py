"""Audio facts from the file itself: duration, size and MIME type (mutagen lives here only)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import mutagen
from mutagen.mp3 import MP3
from mutagen.mp4 import MP4

from .errors import ApaFeedError

MIME_BY_FORMAT = {
    "MP3": "audio/mpeg",
    "MP4": "audio/x-m4a",
    "OggOpus": "audio/ogg",
    "OggVorbis": "audio/ogg",
    "FLAC": "audio/flac",
    "WAVE": "audio/wav",
}


class AudioError(ApaFeedError):
    """An audio file that cannot be used: missing, empty, unreadable or of an unknown format."""


@dataclass(frozen=True)
class AudioInfo:
    """What the feed needs to know about one audio file."""

    duration: float
    size: int
    mime_type: str
    format: str


def probe(path: Path) -> AudioInfo:
    """Read ``path``'s duration, size and MIME type; raise :class:`AudioError` if it is not usable audio."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise AudioError("file not found") from None
    if size == 0:
        raise AudioError("empty file (0 bytes)")
    try:
        audio = mutagen.File(path)
    except (mutagen.MutagenError, OSError, ValueError, IndexError, struct_error()) as exc:
        raise AudioError(f"not an audio file mutagen can read ({_reason(exc)})") from None
    if audio is None or audio.info is None:
        raise AudioError("not an audio format apa-feed knows (expected MP3 or M4A/AAC)")
    kind = type(audio).__name__
    length = float(getattr(audio.info, "length", 0.0) or 0.0)
    if length <= 0:
        raise AudioError("no audio found in the file (duration 0)")
    return AudioInfo(length, size, MIME_BY_FORMAT.get(kind, "application/octet-stream"), _format(audio))


def _format(audio: object) -> str:
    if isinstance(audio, MP3):
        return "MP3"
    if isinstance(audio, MP4):
        return "MP4"
    return type(audio).__name__


def struct_error() -> type[Exception]:
    """mutagen can leak ``struct.error`` on truncated headers."""
    import struct

    return struct.error


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text[:120]
