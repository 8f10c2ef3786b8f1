"""MP4 chapters (standard library only): read a QuickTime chapter track; write a Nero ``chpl`` box.

Reading: Apple's tools and ffmpeg's mov/mp4/ipod muxers give the sound track a ``tref/chap``
reference to a text track; each text sample is one chapter (its time from ``stts`` in the text
track's time scale, its title a 2-byte length then UTF-8, or UTF-16 after a byte-order mark).
mutagen only reads the Nero ``chpl`` box, which ffmpeg also writes but Apple's tools do not.

Writing: mutagen cannot write MP4 chapters, so :func:`write_chpl` rebuilds the ``moov`` box itself:
any old ``chpl`` is replaced, a ``tref/chap`` reference to an old chapter track is removed (the
track stays, unreferenced: readers, this one included, would prefer its stale titles to the new
list), and when ``moov`` lies before the media data the chunk offsets (``stco``/``co64``) of every
track are moved by the size change.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..feed.chapters import Chapter
from .mp4time import boxes, child, edit_list, media_header, movie_scale, read_moov

CHPL_UNITS = 10_000_000
"""chpl start times are in 100 ns units."""
_CONTAINERS = (b"trak", b"mdia", b"minf", b"stbl")
TEXT_HANDLERS = (b"text", b"sbtl")
"""Handler types of a chapter text track (QuickTime ``text``; ffmpeg and some tools write ``sbtl``)."""
MAX_SAMPLES = 10_000
"""Chapter samples read at most (a damaged table cannot make the reader loop for ever)."""
MAX_TITLE = 4096
"""Bytes of a text sample read at most."""


def chpl_box(chapters: list[tuple[float, str]]) -> bytes:
    """A version-1 ``chpl`` box: a count, then each start (100 ns) and UTF-8 title (at most 255 of each)."""
    body = bytes([1, 0, 0, 0]) + bytes(4) + bytes([min(len(chapters), 255)])
    for start, title in chapters[:255]:
        raw = title.encode("utf-8")[:255]
        while raw:  # do not cut a character in half
            try:
                raw.decode("utf-8")
                break
            except UnicodeDecodeError:
                raw = raw[:-1]
        body += struct.pack(">QB", round(start * CHPL_UNITS), len(raw)) + raw
    return _box(b"chpl", body)


def _box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


def write_chpl(path: Path, chapters: list[tuple[float, str]]) -> None:
    """Put ``chapters`` (start seconds, title) into the MP4 file at ``path``, in place; ValueError if it has no moov."""
    data = path.read_bytes()
    top = list(_spans(data, 0, len(data)))
    found = [(start, body, end) for kind, start, body, end in top if kind == b"moov"]
    if not found or found[0][1] - found[0][0] != 8:
        raise ValueError("no moov box with a 32-bit size")
    start, body_start, end = found[0]
    moov = _box(b"moov", _new_moov_body(data[body_start:end], chpl_box(chapters)))
    delta = len(moov) - (end - start)
    if delta and any(kind == b"mdat" and box_start > start for kind, box_start, _, _ in top):
        moov = _shift_chunk_offsets(moov, delta, after=start)
    tmp = path.with_name(f".{path.name}.chpl{os.getpid()}")
    try:
        tmp.write_bytes(data[:start] + moov + data[end:])
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _new_moov_body(body: bytes, chpl: bytes) -> bytes:
    """The moov children with ``udta`` holding ``chpl`` (replacing an old one; a new ``udta`` if none),
    and no ``tref/chap`` reference left: the old chapter track would otherwise outrank the new list."""
    parts, has_udta = [], False
    for kind, start, body_start, end in _spans(body, 0, len(body)):
        if kind == b"udta":
            has_udta = True
            parts.append(_box(b"udta", _without(body, body_start, end, b"chpl") + chpl))
        elif kind == b"trak" and _descend_to(body, body_start, end, [b"tref", b"chap"]) is not None:
            parts.append(_box(b"trak", _trak_without_chap(body, body_start, end)))
        else:
            parts.append(body[start:end])
    if not has_udta:
        parts.append(_box(b"udta", chpl))
    return b"".join(parts)


def _without(data: bytes, start: int, end: int, kind: bytes) -> bytes:
    """The boxes in ``data[start:end]`` except those of type ``kind``, as bytes."""
    return b"".join(data[s:e] for k, s, _, e in _spans(data, start, end) if k != kind)


def _trak_without_chap(data: bytes, start: int, end: int) -> bytes:
    """A trak body with its ``tref`` cleared of ``chap`` (the ``tref`` dropped if nothing else is in it)."""
    parts = []
    for kind, box_start, body_start, box_end in _spans(data, start, end):
        if kind != b"tref":
            parts.append(data[box_start:box_end])
        elif kept := _without(data, body_start, box_end, b"chap"):
            parts.append(_box(b"tref", kept))
    return b"".join(parts)


def _spans(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int, int]]:
    """(type, box start, body start, box end) of each box: boxes are contiguous, so each starts where the last ended."""
    pos = start
    for kind, body_start, box_end in boxes(data, start, end):
        yield kind, pos, body_start, box_end
        pos = box_end


def _shift_chunk_offsets(moov: bytes, delta: int, after: int) -> bytes:
    """Add ``delta`` to every chunk offset past ``after`` in each track's stco/co64 table."""
    out = bytearray(moov)
    for kind, start, end in boxes(moov, 8, len(moov)):
        stbl = _descend(moov, start, end) if kind == b"trak" else None
        if stbl is None:
            continue
        for table, fmt in ((b"stco", ">I"), (b"co64", ">Q")):
            span = child(moov, *stbl, table)
            if span is None:
                continue
            (count,) = struct.unpack_from(">I", moov, span[0] + 4)
            step = struct.calcsize(fmt)
            for n in range(count):
                pos = span[0] + 8 + n * step
                (offset,) = struct.unpack_from(fmt, moov, pos)
                if offset > after:
                    struct.pack_into(fmt, out, pos, offset + delta)
    return bytes(out)


def _descend(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    span: tuple[int, int] | None = (start, end)
    for kind in _CONTAINERS[1:]:
        span = child(data, *span, kind) if span else None
    return span


# --------------------------------------------------------------------------- reading a chapter track


def read_chapter_track(path: Path) -> tuple[Chapter, ...]:
    """The chapters of the QuickTime chapter track the first sound track refers to (``tref/chap``), in
    time order, each ending where its sample ends; () if there is none or its tables are damaged.

    Raises OSError if the file cannot be read.
    """
    with open(path, "rb") as handle:
        return chapter_track(handle, read_moov(handle))


def chapter_track(handle: BinaryIO, moov: bytes | None) -> tuple[Chapter, ...]:
    """:func:`read_chapter_track` of the file open as ``handle``, whose ``moov`` box body is ``moov``
    (:func:`~.mp4time.read_moov`, read once by the probe). Raises OSError if the file cannot be read."""
    if moov is None:
        return ()
    try:
        return _track_chapters(handle, moov)
    except (struct.error, IndexError, ValueError):
        return ()


def _track_chapters(handle: BinaryIO, moov: bytes) -> tuple[Chapter, ...]:
    mvhd = child(moov, 0, len(moov), b"mvhd")
    text = _chapter_trak(moov)
    if mvhd is None or text is None:
        return ()
    mdhd, stbl = _descend_to(moov, *text, [b"mdia", b"mdhd"]), _descend(moov, *text)
    if mdhd is None or stbl is None:
        return ()
    scale = media_header(moov, mdhd[0])[0]
    if scale <= 0:
        return ()
    offset = _edit_offset(moov, text, movie_scale(moov, mvhd[0]), scale)
    times = _sample_times(moov, stbl)
    places = _sample_places(moov, stbl)
    chapters = []
    for n, ((start, length), (where, size)) in enumerate(zip(times, places, strict=False)):
        handle.seek(where)
        title = _sample_text(handle.read(min(size, MAX_TITLE)))
        begin = max(0.0, offset + start / scale)
        end = offset + (start + length) / scale
        chapters.append(Chapter(begin, title or f"Chapter {n + 1}", end if end > begin else None))
    return tuple(sorted(chapters, key=lambda c: c.start))


def _chapter_trak(moov: bytes) -> tuple[int, int] | None:
    """(body start, end) of the text ``trak`` named by the first sound track's ``tref/chap``, or None."""
    traks: dict[int, tuple[int, int]] = {}
    handlers: dict[int, bytes] = {}
    chap: list[int] = []
    for kind, start, end in boxes(moov, 0, len(moov)):
        tkhd = child(moov, start, end, b"tkhd") if kind == b"trak" else None
        hdlr = _descend_to(moov, start, end, [b"mdia", b"hdlr"])
        if tkhd is None or hdlr is None:
            continue
        track_id = struct.unpack_from(">I", moov, tkhd[0] + (20 if moov[tkhd[0]] == 1 else 12))[0]
        traks[track_id], handlers[track_id] = (start, end), moov[hdlr[0] + 8 : hdlr[0] + 12]
        reference = _descend_to(moov, start, end, [b"tref", b"chap"])
        if handlers[track_id] == b"soun" and reference is not None and not chap:
            chap = [struct.unpack_from(">I", moov, pos)[0] for pos in range(reference[0], reference[1] - 3, 4)]
    return next((traks[i] for i in chap if handlers.get(i) in TEXT_HANDLERS), None)


def _descend_to(data: bytes, start: int, end: int, path: list[bytes]) -> tuple[int, int] | None:
    span: tuple[int, int] | None = (start, end)
    for kind in path:
        span = child(data, *span, kind) if span else None
    return span


def _edit_offset(moov: bytes, trak: tuple[int, int], movie: int, media: int) -> float:
    """Seconds to add to a media time: leading empty edits, less the first segment's media start."""
    elst = _descend_to(moov, *trak, [b"edts", b"elst"])
    empty = 0
    for segment, media_time in edit_list(moov, elst[0]) if elst else ():
        if media_time >= 0:
            return empty / movie - media_time / media if movie > 0 else 0.0
        empty += segment
    return 0.0


def _sample_times(moov: bytes, stbl: tuple[int, int]) -> list[tuple[int, int]]:
    """(start, duration) of each sample in media time units, from ``stts``."""
    stts = child(moov, *stbl, b"stts")
    if stts is None:
        return []
    (count,) = struct.unpack_from(">I", moov, stts[0] + 4)
    times: list[tuple[int, int]] = []
    now = 0
    for n in range(min(count, MAX_SAMPLES)):
        repeat, delta = struct.unpack_from(">II", moov, stts[0] + 8 + n * 8)
        for _ in range(min(repeat, MAX_SAMPLES - len(times))):
            times.append((now, delta))
            now += delta
    return times


def _sample_places(moov: bytes, stbl: tuple[int, int]) -> list[tuple[int, int]]:
    """(file offset, size) of each sample, from ``stsz``, ``stsc`` and ``stco``/``co64``."""
    stsz, stsc = child(moov, *stbl, b"stsz"), child(moov, *stbl, b"stsc")
    table, fmt = child(moov, *stbl, b"stco"), ">I"
    if table is None:
        table, fmt = child(moov, *stbl, b"co64"), ">Q"
    if stsz is None or stsc is None or table is None:
        return []
    uniform, count = struct.unpack_from(">II", moov, stsz[0] + 4)
    count = min(count, MAX_SAMPLES)
    sizes = [uniform] * count if uniform else list(struct.unpack_from(f">{count}I", moov, stsz[0] + 12))
    (chunks,) = struct.unpack_from(">I", moov, table[0] + 4)
    step = struct.calcsize(fmt)
    offsets = [struct.unpack_from(fmt, moov, table[0] + 8 + n * step)[0] for n in range(min(chunks, MAX_SAMPLES))]
    (runs,) = struct.unpack_from(">I", moov, stsc[0] + 4)
    per_chunk = [struct.unpack_from(">II", moov, stsc[0] + 8 + n * 12) for n in range(min(runs, MAX_SAMPLES))]
    places: list[tuple[int, int]] = []
    for chunk, offset in enumerate(offsets, 1):
        samples = next((per for first, per in reversed(per_chunk) if first <= chunk), 0)
        for _ in range(min(samples, len(sizes) - len(places))):
            size = sizes[len(places)]
            places.append((offset, size))
            offset += size
    return places


def _sample_text(sample: bytes) -> str:
    """A text sample's title: 2-byte length, then UTF-8 (UTF-16 after a byte-order mark); trailing atoms ignored."""
    if len(sample) < 2:
        return ""
    raw = sample[2 : 2 + struct.unpack_from(">H", sample)[0]]
    if raw[:2] in (b"\xfe\xff", b"\xff\xfe"):
        return raw.decode("utf-16", errors="replace").strip()
    return raw.decode("utf-8", errors="replace").strip()
