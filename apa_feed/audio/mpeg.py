"""Exact MP3 duration by walking MPEG audio frame headers (no decode, standard library only).

A VBR MP3 without a Xing/Info/VBRI header has no frame count, so size-based estimates (what
mutagen falls back to) can be far off. :func:`scan_mp3` instead jumps from frame header to frame
header and counts the samples. A leading Xing/Info/VBRI frame is silent metadata: it is skipped
and not counted, and its numbers are not trusted. Encoder delay and padding (LAME's gapless
info) are *not* subtracted: the result is the raw frame duration, what a plain decoder plays.
"""

from __future__ import annotations

import mmap
import os
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, NamedTuple

FIRST_SYNC_WINDOW = 1 << 20
"""How far past the ID3v2 tag to look for the first frame (bytes)."""
RESYNC_WINDOW = 4096
"""Largest junk gap between frames that is skipped; a longer one ends the scan."""

_HEADER = struct.Struct(">I")
_V1_BITRATES = {
    3: (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),  # layer I
    2: (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),  # layer II
    1: (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),  # layer III
}
_V2_BITRATES = {
    3: (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    2: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    1: (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}  # by version bits


@dataclass(frozen=True)
class ScanResult:
    """What :func:`scan_mp3` counted (audio frames only, no Xing/Info/VBRI frame)."""

    frames: int
    samples: int  # frames × samples-per-frame
    sample_rate: int
    duration: float  # samples / sample_rate (seconds)
    audio_bytes: int  # bytes of the frames counted
    info_frame: bool = False
    """The stream starts with a Xing/Info/VBRI frame (skipped, not counted above)."""
    junk: int = 0
    """Bytes between the ID3v2 tag (or the file's start) and the first frame. Decoders such as ffmpeg
    only read a Xing/Info/LAME header found right there: past junk they play that frame as silence."""


class _Frame(NamedTuple):
    length: int
    samples: int
    sample_rate: int
    key: tuple[int, int, int]  # version bits, layer bits, sample rate: constant within a stream
    side_info: int  # layer III side information size (where a Xing/Info tag starts after the header)


@lru_cache(maxsize=4096)
def _parse(header: int) -> _Frame | None:
    """The frame that a 4-byte header describes, or None if it is not a valid (non free-format) header."""
    version, layer = (header >> 19) & 3, (header >> 17) & 3
    bitrate_index, rate_index = (header >> 12) & 15, (header >> 10) & 3
    if header >> 21 != 0x7FF or version == 1 or layer == 0 or rate_index == 3:
        return None
    if bitrate_index in (0, 15) or header & 3 == 2:  # free format, bad bitrate, reserved emphasis
        return None
    sample_rate = _SAMPLE_RATES[version][rate_index]
    bitrate = (_V1_BITRATES if version == 3 else _V2_BITRATES)[layer][bitrate_index] * 1000
    padding = (header >> 9) & 1
    mono = (header >> 6) & 3 == 3
    if layer == 3:  # layer I: 4-byte slots
        return _Frame((12 * bitrate // sample_rate + padding) * 4, 384, sample_rate, (version, layer, sample_rate), 0)
    samples = 576 if layer == 1 and version != 3 else 1152
    side_info = (17 if mono else 32) if version == 3 else (9 if mono else 17)
    length = samples // 8 * bitrate // sample_rate + padding
    return _Frame(length, samples, sample_rate, (version, layer, sample_rate), side_info)


def _frame_at(buf: mmap.mmap, pos: int) -> _Frame | None:
    if pos < 0 or pos + 4 > len(buf):
        return None
    return _parse(_HEADER.unpack_from(buf, pos)[0])


def _is_tag(buf: mmap.mmap, pos: int) -> bool:
    """True at a trailing ID3v1 or APEv2 tag: the end of the audio."""
    return buf[pos : pos + 3] == b"TAG" or buf[pos : pos + 8] == b"APETAGEX"


def _is_sync(buf: mmap.mmap, pos: int, key: tuple[int, int, int] | None) -> bool:
    """A valid header at ``pos`` whose next frame also validates (or the audio ends right there)."""
    frame = _frame_at(buf, pos)
    if frame is None or (key is not None and frame.key != key):
        return False
    after = pos + frame.length
    if after == len(buf) or (after < len(buf) and _is_tag(buf, after)):
        return True
    following = _frame_at(buf, after)
    return following is not None and following.key == frame.key


def _find_sync(buf: mmap.mmap, start: int, end: int, key: tuple[int, int, int] | None) -> int | None:
    """The first confirmed frame start in ``[start, end)``; jumps between 0xFF bytes, not byte by byte."""
    pos = buf.find(b"\xff", start, end)
    while pos != -1:
        if _is_sync(buf, pos, key):
            return pos
        pos = buf.find(b"\xff", pos + 1, end)
    return None


def _skip_id3v2(buf: mmap.mmap) -> int:
    """Offset just past any leading ID3v2 tags (header, synchsafe size, optional footer)."""
    pos = 0
    while buf[pos : pos + 3] == b"ID3" and pos + 10 <= len(buf):
        size_bytes = buf[pos + 6 : pos + 10]
        if any(b & 0x80 for b in size_bytes):
            break  # not synchsafe: not a real tag
        size = (size_bytes[0] << 21) | (size_bytes[1] << 14) | (size_bytes[2] << 7) | size_bytes[3]
        pos += 10 + size + (10 if buf[pos + 5] & 0x10 else 0)
    return pos


def _is_info_frame(buf: mmap.mmap, pos: int, frame: _Frame) -> bool:
    """True if the layer III frame at ``pos`` carries a Xing/Info or VBRI header instead of audio."""
    if frame.key[1] != 1:
        return False
    header = _HEADER.unpack_from(buf, pos)[0]
    offsets = [4 + frame.side_info] + ([6 + frame.side_info] if not header & 0x10000 else [])  # +2 after a CRC
    if any(buf[pos + off : pos + off + 4] in (b"Xing", b"Info") for off in offsets):
        return True
    return buf[pos + 36 : pos + 40] == b"VBRI"


def _walk(buf: mmap.mmap, pos: int, key: tuple[int, int, int]) -> tuple[int, int, int]:
    """Count (frames, samples, bytes) from ``pos`` until a tag, a long junk gap or the end of the file."""
    size, unpack, parse = len(buf), _HEADER.unpack_from, _parse
    frames = samples = audio_bytes = 0
    while pos + 4 <= size:
        frame = parse(unpack(buf, pos)[0])
        if frame is None or frame.key != key:
            resync = None if _is_tag(buf, pos) else _find_sync(buf, pos + 1, min(size, pos + 1 + RESYNC_WINDOW), key)
            if resync is None:
                break
            pos = resync
            continue
        end = pos + frame.length
        if end > size:
            break  # cut short: not a whole frame
        frames += 1
        samples += frame.samples
        audio_bytes += frame.length
        pos = end
    return frames, samples, audio_bytes


def _scan(buf: mmap.mmap) -> ScanResult | None:
    start = _skip_id3v2(buf)
    first = _find_sync(buf, start, min(len(buf), start + FIRST_SYNC_WINDOW), None)
    frame = None if first is None else _frame_at(buf, first)
    if first is None or frame is None:
        return None
    info = _is_info_frame(buf, first, frame)
    frames, samples, audio_bytes = _walk(buf, first + frame.length if info else first, frame.key)
    if frames == 0:
        return None
    return ScanResult(frames, samples, frame.sample_rate, samples / frame.sample_rate, audio_bytes, info, first - start)


def _junk(buf: mmap.mmap) -> int:
    start = _skip_id3v2(buf)
    first = _find_sync(buf, start, min(len(buf), start + FIRST_SYNC_WINDOW), None)
    return 0 if first is None else first - start


@dataclass(frozen=True)
class Gapless:
    """What a Xing/Info frame right after the ID3v2 tag says: audio frames, and the LAME tag's trim."""

    frames: int
    samples_per_frame: int
    sample_rate: int
    delay: int  # encoder delay (samples at the start to drop), 0 without a LAME tag
    padding: int  # samples of padding at the end to drop

    @property
    def duration(self) -> float:
        """Seconds a gapless decoder (ffmpeg, Apple's) plays."""
        return max(0, self.frames * self.samples_per_frame - self.delay - self.padding) / self.sample_rate


GAPLESS_ENCODERS = (b"LAME", b"Lavf", b"Lavc")
"""Encoder strings whose delay/padding fields ffmpeg trusts (LAME's tag, also written by ffmpeg's libmp3lame)."""


def _gapless(buf: mmap.mmap) -> Gapless | None:
    pos = _skip_id3v2(buf)
    frame = _frame_at(buf, pos)
    if frame is None or frame.key[1] != 1 or not _is_info_frame(buf, pos, frame):
        return None
    tag = pos + 4 + frame.side_info
    if buf[tag : tag + 4] not in (b"Xing", b"Info"):
        return None  # a VBRI frame, or a Xing tag after a CRC: left to mutagen
    (flags,) = _HEADER.unpack_from(buf, tag + 4)
    if not flags & 1:
        return None  # no frame count
    (frames,) = _HEADER.unpack_from(buf, tag + 8)
    lame = tag + 8 + 4 * bin(flags & 3).count("1") + (100 if flags & 4 else 0) + (4 if flags & 8 else 0)
    delay = padding = 0
    if buf[lame : lame + 4] in GAPLESS_ENCODERS and lame + 24 <= len(buf):
        trim = int.from_bytes(buf[lame + 21 : lame + 24], "big")
        delay, padding = trim >> 12, trim & 0xFFF
    return Gapless(frames, frame.samples, frame.sample_rate, delay, padding)


@contextmanager
def mapped(handle: BinaryIO) -> Iterator[mmap.mmap | None]:
    """The whole open file ``handle`` memory-mapped (read-only); None if it is under 4 bytes (no frame header).

    One map serves :func:`gapless`, :func:`junk` and :func:`scan` on the same file.
    """
    if os.fstat(handle.fileno()).st_size < 4:
        yield None
        return
    with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as buf:
        yield buf


def gapless(buf: mmap.mmap | None) -> Gapless | None:
    """The Xing/Info (+ LAME) header of the frame right after the ID3v2 tag, as ffmpeg reads it; None if absent.

    Past leading junk there is none (decoders do not look further).
    """
    return None if buf is None else _gapless(buf)


def junk(buf: mmap.mmap | None) -> int:
    """Bytes between the ID3v2 tag (or the start) and the first MPEG frame; 0 if none or no frame is found."""
    return 0 if buf is None else _junk(buf)


def scan(buf: mmap.mmap | None) -> ScanResult | None:
    """Count the MPEG audio frames in ``buf``; None if it holds no valid MPEG frame sequence."""
    return None if buf is None else _scan(buf)


def read_gapless(path: Path) -> Gapless | None:
    """:func:`gapless` of the file at ``path``. Raises OSError if the file cannot be opened."""
    with open(path, "rb") as file, mapped(file) as buf:
        return gapless(buf)


def leading_junk(path: Path) -> int:
    """:func:`junk` of the file at ``path`` (only its head is read). Raises OSError if the file cannot be opened."""
    with open(path, "rb") as file, mapped(file) as buf:
        return junk(buf)


def scan_mp3(path: Path) -> ScanResult | None:
    """:func:`scan` of the file at ``path``. Raises OSError if the file cannot be opened."""
    with open(path, "rb") as file, mapped(file) as buf:
        return scan(buf)
