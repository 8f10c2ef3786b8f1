"""Write MP4 chapters as a Nero ``moov/udta/chpl`` box (what mutagen reads, and ffmpeg and most players too).

mutagen cannot write MP4 chapters, so this rebuilds the ``moov`` box itself (standard library only):
any old ``chpl`` is replaced, and when ``moov`` lies before the media data the chunk offsets
(``stco``/``co64``) of every track are moved by the size change.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path

from .mp4time import boxes, child

CHPL_UNITS = 10_000_000
"""chpl start times are in 100 ns units."""
_CONTAINERS = (b"trak", b"mdia", b"minf", b"stbl")


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
    """The moov children with ``udta`` holding ``chpl`` (replacing an old one; a new ``udta`` if none)."""
    parts, has_udta = [], False
    for kind, start, body_start, end in _spans(body, 0, len(body)):
        if kind == b"udta":
            has_udta = True
            kept = b"".join(body[s:e] for k, s, _, e in _spans(body, body_start, end) if k != b"chpl")
            parts.append(_box(b"udta", kept + chpl))
        else:
            parts.append(body[start:end])
    if not has_udta:
        parts.append(_box(b"udta", chpl))
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
