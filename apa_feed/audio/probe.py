"""Audio facts from the file itself: exact duration, size, MIME type, stream, tags, cover, chapters.

mutagen lives in this package only (this module, :mod:`.tags`, :mod:`.chapters`,
:mod:`.tagwrite`). Durations are what a full decode plays: mutagen's figure where the file's
headers make it exact, an MPEG frame count (:mod:`.mpeg`) where an MP3 header only
estimates, and the MP4 edit list (:mod:`.mp4time`) so AAC priming samples are not counted.
"""

from __future__ import annotations

import mmap
import os
import struct
from pathlib import Path
from typing import Any, BinaryIO

import mutagen
from mutagen.flac import FLAC
from mutagen.mp3 import MP3, BitrateMode
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from mutagen.oggvorbis import OggVorbis
from mutagen.wave import WAVE

from ..errors import ApaFeedError
from .artwork import cover_info
from .chapters import chapter_pictures, read_chapters
from .info import APPLE_FORMATS, EXTENSIONS, MIME_BY_FORMAT, AudioInfo, CoverInfo, Tags
from .mp4time import aac_channels, itunsmpb_duration, mp4_duration, read_moov
from .mpeg import gapless, junk, mapped, scan
from .tags import find_cover, read_tags

__all__ = ["APPLE_FORMATS", "EXTENSIONS", "MIME_BY_FORMAT", "AudioError", "AudioInfo", "CoverInfo", "Tags",
           "extract_chapter_images", "extract_cover", "probe"]  # fmt: skip

SHORTFALL = 0.9
"""A file holding less than this share of the bytes its header promises is cut short."""
_FIXED_CODECS = {"OggOpus": "opus", "OggVorbis": "vorbis", "FLAC": "flac"}
_MPEG_STARTS = (b"ID3", b"\xff\xf2", b"\xff\xf3", b"\xff\xfa", b"\xff\xfb")
_MPEG_NAMES = (".mp3", ".mp2", ".mpg", ".mpeg")
"""What :meth:`mutagen.mp3.MP3.score` gives 2 points for (the start) and 1 (the name)."""
_MP4_CODECS = {"mp4a.40": "aac", "mp4a.67": "aac", "mp4a.66": "aac", "mp4a.6b": "mp3", "mp4a.69": "mp3",
               "alac": "alac", "ac-3": "ac3", "ec-3": "eac3"}  # fmt: skip
ITUNSMPB = "----:com.apple.iTunes:iTunSMPB"
OPUS_RATE = 48000
"""Opus always decodes at 48 kHz, whatever input rate its header records."""


class AudioError(ApaFeedError):
    """An audio file that cannot be used: missing, empty, unreadable or of an unknown format."""


def probe(path: Path) -> AudioInfo:
    """Read everything the feed needs from ``path``; raise :class:`AudioError` if it is not usable audio."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise AudioError("file not found") from None
    except OSError as exc:
        raise AudioError(f"cannot read the file ({exc.strerror or exc})") from None
    if size == 0:
        raise AudioError("empty file (0 bytes)")
    with _opened(path) as handle:
        return _probe(path, handle, size)


def _probe(path: Path, handle: BinaryIO, size: int) -> AudioInfo:
    """:func:`probe` on the file open as ``handle``: mutagen and the header readers all read this one handle."""
    audio = _load(path, handle)
    kind = type(audio).__name__
    if kind not in MIME_BY_FORMAT:
        raise AudioError(f"{kind} audio is not supported (expected MP3 or M4A/AAC)")
    length = float(getattr(audio.info, "length", 0.0) or 0.0)
    if length <= 0:
        raise AudioError("no audio found in the file (duration 0)")
    if kind in ("MP3", "WAVE"):  # their bitrate is exact; Ogg's is nominal, FLAC's is computed from the size
        _check_complete(audio.info, length, size)
    moov = read_moov(handle) if kind == "MP4" else None
    duration, source, bitrate = _duration(handle, moov, audio, kind, length)
    if not duration > 0:  # an MP4 whose edit list or header says 0 (or NaN) where mutagen saw some audio
        raise AudioError("no audio found in the file (duration 0)")
    chapters, images = read_chapters(audio, duration, handle, moov)
    cover = find_cover(audio)
    return AudioInfo(
        duration, size, MIME_BY_FORMAT[kind], kind, source,
        bitrate=bitrate or _header_bitrate(audio.info, kind) or round(size * 8 / duration),
        sample_rate=OPUS_RATE if kind == "OggOpus" else int(getattr(audio.info, "sample_rate", 0) or 0),
        channels=_channels(moov, audio.info, kind),
        codec=_codec(audio.info, kind),
        tags=read_tags(audio),
        cover=cover_info(cover) if cover else None,
        chapters=chapters,
        chapter_images=images,
    )  # fmt: skip


def extract_cover(path: Path) -> tuple[bytes, str] | None:
    """The embedded cover's bytes and MIME type (read from the image itself), front cover first;
    None if there is none or it is not an image Pillow reads. Raises :class:`AudioError` like :func:`probe`."""
    if not path.is_file():
        raise AudioError("file not found")
    with _opened(path) as handle:
        data = find_cover(_load(path, handle))
    info = cover_info(data) if data else None
    return (data, info.mime_type) if data and info else None


def extract_chapter_images(path: Path) -> dict[int, tuple[bytes, str]]:
    """Index into :attr:`AudioInfo.chapters` → bytes and MIME type (read from the image itself) of each
    chapter's embedded picture: ID3 CHAP frames' APIC sub-frames, JPEG or PNG only (the keys are
    :attr:`AudioInfo.chapter_images`). {} for other formats. Raises :class:`AudioError` like :func:`probe`."""
    if not path.is_file():
        raise AudioError("file not found")
    with _opened(path) as handle:
        return chapter_pictures(_load(path, handle))


def _opened(path: Path) -> BinaryIO:
    """``path`` open for reading; a file that cannot be opened (a folder, no permission) is unreadable audio."""
    try:
        return open(path, "rb")
    except OSError:
        raise AudioError("not a readable audio file (the data is damaged)") from None


def _sniff(name: str, head: bytes) -> list[Any] | None:
    """The mutagen classes the file's first bytes call for, whatever its name; None to let mutagen guess.

    mutagen weighs the extension as much as the content: a FLAC file named ``.mp3`` ties and is read as MP3.
    An ID3 tag or MPEG frame sync at the start *and* an MPEG name is MP3 for :func:`mutagen.File` too (3 points:
    no other format can score as much there), so mutagen need not score every format it knows.
    """
    if head.startswith(b"fLaC"):
        return [FLAC]
    if head.startswith(b"OggS"):
        return [OggOpus, OggVorbis]
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return [WAVE]
    if head[4:8] == b"ftyp":
        return [MP4]
    if head.startswith(_MPEG_STARTS) and name.lower().endswith(_MPEG_NAMES):
        return [MP3]
    return None


def _load(path: Path, handle: BinaryIO) -> Any:
    """mutagen's reading of the open file ``handle`` (``path`` is its name: mutagen weighs the extension)."""
    try:
        name = os.fspath(path)
        options = _sniff(name, handle.read(12))
        handle.seek(0)
        audio: mutagen.FileType | None = mutagen.File(fileobj=handle, filename=name, options=options)
    except mutagen.MutagenError as exc:
        reason = "no MPEG audio frames found" if "sync" in str(exc) else "the data is damaged"
        raise AudioError(f"not a readable audio file ({reason})") from None
    except (OSError, ValueError, IndexError, KeyError, UnicodeDecodeError, struct.error):
        raise AudioError("not a readable audio file (the data is damaged)") from None
    if audio is None or audio.info is None:
        raise AudioError("not an audio format apa-feed knows (expected MP3 or M4A/AAC)")
    return audio


def _duration(handle: BinaryIO, moov: bytes | None, audio: Any, kind: str, length: float) -> tuple[float, str, int]:
    """(seconds, ``header``/``scan``, bits per second or 0 for mutagen's) of the audio a full decode plays."""
    if kind == "MP3":
        with mapped(handle) as buf:
            return _mp3_duration(buf, audio.info, length)
    if kind == "MP4":
        exact = mp4_duration(moov)  # the edit list: priming samples and end padding left out
        if exact is None and audio.tags is not None and audio.tags.get(ITUNSMPB):
            exact = itunsmpb_duration(bytes(audio.tags[ITUNSMPB][0]).decode("latin-1"), int(audio.info.sample_rate))
        if exact is not None:
            return exact, "header", 0
    return length, "header", 0


def _mp3_duration(buf: mmap.mmap | None, info: Any, length: float) -> tuple[float, str, int]:
    """The Xing/Info frame count less the LAME tag's delay and padding (ffmpeg's libmp3lame tag included,
    which mutagen does not read); else, or past leading junk, a count of every frame."""
    header = gapless(buf)
    if header is not None and header.frames > 0:
        return header.duration, "header", 0
    if info.bitrate_mode == BitrateMode.UNKNOWN or getattr(info, "sketchy", False) or junk(buf):
        scanned = scan(buf)  # no usable Xing/Info/VBRI header: mutagen extrapolated from the first frame
        if scanned is not None and scanned.frames > 0:
            return scanned.duration, "scan", round(scanned.audio_bytes * 8 / scanned.duration)
    return length, "header", 0


def _channels(moov: bytes | None, info: Any, kind: str) -> int:
    found = aac_channels(moov) if kind == "MP4" else None  # mutagen may report a mono AAC as stereo
    return found or int(getattr(info, "channels", 0) or 0)


def _header_bitrate(info: Any, kind: str) -> int:
    """mutagen's bitrate where it measures the stream; 0 for Ogg, whose header only gives a nominal figure."""
    if kind.startswith("Ogg"):
        return 0
    bitrate = int(getattr(info, "bitrate", 0) or 0)
    if kind == "MP3" and info.bitrate_mode == BitrateMode.CBR:
        return round(bitrate, -3)  # mutagen divides the Info tag's byte count (tag frame included) by the duration
    return bitrate


def _codec(info: Any, kind: str) -> str:
    if kind == "MP3":
        return {1: "mp1", 2: "mp2"}.get(int(info.layer), "mp3")
    if kind == "MP4":
        codec = str(getattr(info, "codec", "")).lower()
        return next((name for prefix, name in _MP4_CODECS.items() if codec.startswith(prefix)), codec)
    if kind == "WAVE":
        bits, fmt = int(info.bits_per_sample), int(getattr(info, "audio_format", 1))
        if fmt == 3:
            return f"pcm_f{bits}le"
        return "pcm_u8" if bits == 8 else f"pcm_s{bits}le"
    return _FIXED_CODECS[kind]


def _check_complete(info: object, length: float, size: int) -> None:
    """Refuse a file cut short: fewer bytes than its header's duration × bitrate needs."""
    bitrate = int(getattr(info, "bitrate", 0) or 0)
    promised = bitrate * length / 8
    if bitrate > 0 and size < SHORTFALL * promised:
        held = size * 8 / bitrate
        raise AudioError(
            f"the file is cut short: its header promises {length:.1f} s of audio but it holds about {held:.1f} s"
        )
