"""Exact playing time of an MP4/M4A audio track from its edit list (standard library only).

An AAC encoder puts priming samples (usually 1024 or 2112) before the first real sample and
pads the last frame. The track's media duration counts them all; the edit list (``elst``) says
which part plays: skip ``media_time`` samples, then play ``segment_duration`` (in the movie's
time scale). Players and ``ffmpeg`` honour it, so the duration is what the edit list says.
Where there is no usable edit list, iTunes' ``iTunSMPB`` gapless tag (priming, padding, sample
count) is the other source; see :func:`itunsmpb_duration`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

MAX_MOOV = 64 << 20
"""A ``moov`` box larger than this is not read (bytes)."""


@dataclass(frozen=True)
class _Track:
    handler: bytes
    media_scale: int
    media_duration: int
    edits: tuple[tuple[int, int], ...]  # (segment duration in movie time scale, media time or -1)


def _boxes(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, body start, body end) of each box in ``data[start:end]``; stops at a damaged size."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1 and pos + 16 <= end:
            size, header = struct.unpack_from(">Q", data, pos + 8)[0], 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            return
        yield kind, pos + header, pos + size
        pos += size


def _child(data: bytes, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    for found, body, stop in _boxes(data, start, end):
        if found == kind:
            return body, stop
    return None


boxes = _boxes
child = _child


def read_moov(handle: BinaryIO) -> bytes | None:
    """The body of the top-level ``moov`` box, found by jumping over the others (``mdat`` is never read)."""
    pos = 0
    while True:
        handle.seek(pos)
        head = handle.read(16)
        if len(head) < 8:
            return None
        size, kind = struct.unpack_from(">I4s", head)
        header = 8
        if size == 1 and len(head) == 16:
            size, header = struct.unpack_from(">Q", head, 8)[0], 16
        if kind == b"moov":
            if size < header or size > MAX_MOOV:
                return None
            handle.seek(pos + header)
            return handle.read(size - header)
        if size < header:  # size 0 (to the end) or damaged: no moov after it
            return None
        pos += size


def _full_box(data: bytes, body: int) -> tuple[int, int]:
    """(version, offset of the content) of a full box (version, 24-bit flags)."""
    return data[body], body + 4


def media_header(data: bytes, body: int) -> tuple[int, int]:
    version, pos = _full_box(data, body)
    if version == 1:
        scale, duration = struct.unpack_from(">IQ", data, pos + 16)
    else:
        scale, duration = struct.unpack_from(">II", data, pos + 8)
    return int(scale), int(duration)


def movie_scale(data: bytes, body: int) -> int:
    version, pos = _full_box(data, body)
    return int(struct.unpack_from(">I", data, pos + (16 if version == 1 else 8))[0])


def edit_list(data: bytes, body: int) -> tuple[tuple[int, int], ...]:
    version, pos = _full_box(data, body)
    (count,) = struct.unpack_from(">I", data, pos)
    fmt, step = (">Qq", 20) if version == 1 else (">Ii", 12)
    edits = []
    for n in range(min(count, 1000)):
        segment, media_time = struct.unpack_from(fmt, data, pos + 4 + n * step)
        edits.append((int(segment), int(media_time)))
    return tuple(edits)


def _track(data: bytes, start: int, end: int) -> _Track | None:
    mdia = _child(data, start, end, b"mdia")
    if mdia is None:
        return None
    mdhd, hdlr = _child(data, *mdia, b"mdhd"), _child(data, *mdia, b"hdlr")
    if mdhd is None or hdlr is None:
        return None
    scale, duration = media_header(data, mdhd[0])
    edts = _child(data, start, end, b"edts")
    elst = _child(data, *edts, b"elst") if edts else None
    edits = edit_list(data, elst[0]) if elst else ()
    return _Track(data[hdlr[0] + 8 : hdlr[0] + 12], scale, duration, edits)


def _playing_time(track: _Track, scale: int) -> float | None:
    """Seconds the edit list plays (one media segment, as AAC encoders write), or None without one."""
    segments = [(segment, media_time) for segment, media_time in track.edits if media_time >= 0]
    if len(segments) != 1 or track.media_scale <= 0 or scale <= 0:
        return None
    segment, media_time = segments[0]
    rest = (track.media_duration - media_time) / track.media_scale  # everything after the priming
    if segment == 0:  # "until the end of the media"
        return rest if rest > 0 else None
    return min(segment / scale, rest) if rest > 0 else segment / scale


def mp4_duration(moov: bytes | None) -> float | None:
    """Playing time (seconds) of the first sound track per its edit list; None if there is no edit list.

    ``moov`` is the body of the file's ``moov`` box (:func:`read_moov`); a damaged box gives None.
    """
    if moov is None:
        return None
    try:
        mvhd = _child(moov, 0, len(moov), b"mvhd")
        if mvhd is None:
            return None
        scale = movie_scale(moov, mvhd[0])
        for kind, start, end in _boxes(moov, 0, len(moov)):
            track = _track(moov, start, end) if kind == b"trak" else None
            if track is not None and track.handler == b"soun":
                return _playing_time(track, scale)
    except (struct.error, IndexError):
        return None
    return None


def aac_channels(moov: bytes | None) -> int | None:
    """Channels of the first AAC sample entry's AudioSpecificConfig, where it settles the count: an
    explicit "no SBR" extension (so no parametric stereo) or a channel configuration other than mono.

    mutagen reports the sample entry's count (often a fixed 2) for mono AAC with explicit signalling.
    ``moov`` is the body of the file's ``moov`` box (:func:`read_moov`).
    """
    found = find_box(moov, [b"trak", b"mdia", b"minf", b"stbl", b"stsd"]) if moov else None
    if moov is None or found is None or found[1] - found[0] < 8 + 36:
        return None
    entry = found[0] + 8  # past the full-box header and the entry count
    if moov[entry + 4 : entry + 8] != b"mp4a":
        return None
    version = struct.unpack_from(">H", moov, entry + 16)[0]
    children = entry + 36 + {0: 0, 1: 16, 2: 36}.get(version, 0)
    esds = _child(moov, children, entry + struct.unpack_from(">I", moov, entry)[0], b"esds")
    config = _decoder_config(moov[esds[0] + 4 : esds[1]]) if esds else None
    return _asc_channels(config) if config else None


def find_box(data: bytes, path: list[bytes]) -> tuple[int, int] | None:
    span: tuple[int, int] | None = (0, len(data))
    for kind in path:
        span = _child(data, *span, kind) if span else None
    return span


def _descriptor(data: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the MPEG-4 descriptor at ``pos`` (sizes are 7 bits a byte)."""
    tag, size, pos = data[pos], 0, pos + 1
    for _ in range(4):
        byte = data[pos]
        size, pos = size << 7 | byte & 0x7F, pos + 1
        if not byte & 0x80:
            break
    return tag, pos, pos + size


def _decoder_config(esds: bytes) -> bytes | None:
    """The DecoderSpecificInfo (AudioSpecificConfig) bytes inside an ``esds`` body."""
    try:
        tag, pos, _ = _descriptor(esds, 0)
        if tag != 3:
            return None
        flags = esds[pos + 2]
        pos += 3 + (2 if flags & 0x80 else 0) + (1 + esds[pos + 3] if flags & 0x40 else 0) + (2 if flags & 0x20 else 0)
        tag, pos, end = _descriptor(esds, pos)
        if tag != 4:
            return None
        tag, pos, end = _descriptor(esds, pos + 13)
        return esds[pos:end] if tag == 5 else None
    except IndexError:
        return None


def _asc_channels(config: bytes) -> int | None:
    bits = int.from_bytes(config, "big")
    total = len(config) * 8
    if total < 16 or bits >> (total - 5) != 2 or (bits >> (total - 9)) & 15 == 15:
        return None  # only plain AAC LC with a table sample rate is read here
    channels = (bits >> (total - 13)) & 15
    if channels != 1:
        return {2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 8}.get(channels)
    rest, left = bits & ((1 << (total - 16)) - 1), total - 16  # past 3 GASpecificConfig bits
    no_sbr = left >= 17 and rest >> (left - 11) == 0x2B7 and (rest >> (left - 16)) & 31 == 5 \
        and not (rest >> (left - 17)) & 1  # fmt: skip
    return 1 if no_sbr else None


def itunsmpb_duration(value: str, sample_rate: int) -> float | None:
    """Seconds from an ``iTunSMPB`` value (`` 00000000 00000840 000001C0 0000000000046E00 …``):
    the fourth field is the number of real samples; None if it is not usable."""
    fields = value.split()
    try:
        samples = int(fields[3], 16)
    except (IndexError, ValueError):
        return None
    return samples / sample_rate if samples > 0 and sample_rate > 0 else None
