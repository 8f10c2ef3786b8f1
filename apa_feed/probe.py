"""Audio facts from the file itself: duration, size and MIME type (mutagen lives here only)."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import mutagen
from mutagen.mp3 import BitrateMode

from .errors import ApaFeedError
from .mpegscan import scan_mp3

MIME_BY_FORMAT = {
    "MP3": "audio/mpeg",
    "MP4": "audio/x-m4a",
    "OggOpus": "audio/ogg",
    "OggVorbis": "audio/ogg",
    "FLAC": "audio/flac",
    "WAVE": "audio/wav",
}
APPLE_FORMATS = {"MP3", "MP4"}
"""The audio formats Apple Podcasts lists for RSS enclosures (MP3, and AAC in M4A)."""

EXTENSIONS = {
    "MP3": (".mp3",),
    "MP4": (".m4a", ".mp4", ".aac"),
    "OggOpus": (".opus", ".ogg"),
    "OggVorbis": (".ogg", ".oga"),
    "FLAC": (".flac",),
    "WAVE": (".wav",),
}
SHORTFALL = 0.9
"""A file holding less than this share of the bytes its header promises is cut short."""


class AudioError(ApaFeedError):
    """An audio file that cannot be used: missing, empty, unreadable or of an unknown format."""


@dataclass(frozen=True)
class AudioInfo:
    """What the feed needs to know about one audio file."""

    duration: float
    size: int
    mime_type: str
    format: str
    duration_source: str = "header"
    """``header`` (the file's own headers) or ``scan`` (MPEG frames counted, where the header only estimates)."""

    @property
    def apple_accepts(self) -> bool:
        """Whether Apple Podcasts plays this format from a feed."""
        return self.format in APPLE_FORMATS

    def extension_matches(self, path: Path) -> bool:
        """Whether the file name's extension agrees with the content."""
        return path.suffix.lower() in EXTENSIONS.get(self.format, ())


def probe(path: Path) -> AudioInfo:
    """Read ``path``'s duration, size and MIME type; raise :class:`AudioError` if it is not usable audio."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise AudioError("file not found") from None
    if size == 0:
        raise AudioError("empty file (0 bytes)")
    audio = _open(path)
    kind = type(audio).__name__
    if kind not in MIME_BY_FORMAT:
        raise AudioError(f"{kind} audio is not supported (expected MP3 or M4A/AAC)")
    length = float(getattr(audio.info, "length", 0.0) or 0.0)
    if length <= 0:
        raise AudioError("no audio found in the file (duration 0)")
    _check_complete(audio.info, length, size)
    if kind == "MP3" and getattr(audio.info, "bitrate_mode", None) == BitrateMode.UNKNOWN:
        scanned = scan_mp3(path)  # no Xing/Info/VBRI header: mutagen extrapolated from the first frame
        if scanned is not None and scanned.frames > 0:
            return AudioInfo(scanned.duration, size, MIME_BY_FORMAT[kind], kind, "scan")
    return AudioInfo(length, size, MIME_BY_FORMAT[kind], kind)


def _open(path: Path) -> mutagen.FileType:
    try:
        audio: mutagen.FileType | None = mutagen.File(path)
    except mutagen.MutagenError as exc:
        reason = "no MPEG audio frames found" if "sync" in str(exc) else "the data is damaged"
        raise AudioError(f"not a readable audio file ({reason})") from None
    except (OSError, ValueError, IndexError, KeyError, UnicodeDecodeError, struct.error):
        raise AudioError("not a readable audio file (the data is damaged)") from None
    if audio is None or audio.info is None:
        raise AudioError("not an audio format apa-feed knows (expected MP3 or M4A/AAC)")
    return audio


def _check_complete(info: object, length: float, size: int) -> None:
    """Refuse a file cut short: fewer bytes than its header's duration × bitrate needs."""
    bitrate = int(getattr(info, "bitrate", 0) or 0)
    promised = bitrate * length / 8
    if bitrate > 0 and size < SHORTFALL * promised:
        held = size * 8 / bitrate
        raise AudioError(
            f"the file is cut short: its header promises {length:.1f} s of audio but it holds about {held:.1f} s"
        )
