"""Chapters read from an opened mutagen file: ID3 CHAP/CTOC, MP4 chapter track or Nero ``chpl``,
Vorbis ``CHAPTERnnn`` comments.

Each reader returns the chapters in playing order and the indexes of those that carry an
embedded JPEG or PNG picture (ID3 APIC sub-frame): a picture has no URL yet, so
:attr:`Chapter.image` stays None; :func:`chapter_pictures` gives the pictures themselves.
The MP4 chapter track is read from the file mutagen read (its open handle), by :mod:`.mp4chapters`.
"""

from __future__ import annotations

import re
from typing import Any, BinaryIO

from mutagen.id3 import ID3, CTOCFlags
from mutagen.mp4 import MP4Tags

from ..feed.chapters import Chapter
from .artwork import cover_info
from .mp4chapters import chapter_track
from .tags import Frames, id3_text

Found = tuple[tuple[Chapter, ...], tuple[int, ...]]
"""Chapters, and the indexes of the chapters that have an embedded image."""

_VORBIS_TIME = re.compile(r"^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$")
CHAPTER_IMAGE_TYPES = ("image/jpeg", "image/png")
"""The chapter picture formats kept (what podcast apps show); others are ignored."""


def read_chapters(audio: Any, duration: float, handle: BinaryIO, moov: bytes | None) -> Found:
    """The chapters of a mutagen file (``duration`` closes the last one where the format has no end times).

    ``handle`` is the file mutagen read, still open; ``moov`` the body of its ``moov`` box if it is an MP4
    (:func:`~.mp4time.read_moov`): the chapter track is read from them.
    """
    tags: Any = audio.tags
    if isinstance(tags, ID3):
        return _id3_chapters(tags)
    if isinstance(tags, MP4Tags) or type(audio).__name__ == "MP4":
        return _mp4_chapters(audio, duration, chapter_track(handle, moov)), ()
    if tags is not None and hasattr(tags, "as_dict"):
        return _vorbis_chapters(tags.as_dict(), duration), ()
    return (), ()


def chapter_pictures(audio: Any) -> dict[int, tuple[bytes, str]]:
    """Index into the chapters :func:`read_chapters` gives → bytes and MIME type (read from the bytes) of
    that chapter's first JPEG or PNG APIC sub-frame. ID3 only: other formats give {}."""
    tags: Any = audio.tags
    if not isinstance(tags, ID3):
        return {}
    found = {n: _picture(frame) for n, frame in enumerate(_ordered_chaps(tags))}
    return {n: picture for n, picture in found.items() if picture is not None}


def _id3_chapters(tags: Any) -> Found:
    frames = _ordered_chaps(tags)
    chapters = tuple(_chap(frame, n + 1) for n, frame in enumerate(frames))
    return chapters, tuple(n for n, frame in enumerate(frames) if _picture(frame) is not None)


def _ordered_chaps(tags: Any) -> list[Any]:
    """The CHAP frames in the top-level CTOC's order; without a usable CTOC, by start time."""
    frames = Frames(tags)
    chaps = {frame.element_id: frame for frame in frames.getall("CHAP")}
    if not chaps:
        return []
    ids = [i for i in _toc_order(frames) if i in chaps] or sorted(chaps, key=lambda i: (chaps[i].start_time, i))
    return [chaps[i] for i in ids]


def _picture(frame: Any) -> tuple[bytes, str] | None:
    """The first JPEG or PNG picture among a CHAP frame's APIC sub-frames, with its MIME type; None if none."""
    for apic in frame.sub_frames.getall("APIC"):
        data = bytes(apic.data)
        info = cover_info(data) if data else None
        if info is not None and info.mime_type in CHAPTER_IMAGE_TYPES:
            return data, info.mime_type
    return None


def _toc_order(tags: Frames) -> list[str]:
    """Chapter element IDs in the order of the top-level CTOC (nested tables expanded); [] if none."""
    tocs = {frame.element_id: frame for frame in tags.getall("CTOC")}
    top = [toc for toc in tocs.values() if toc.flags & CTOCFlags.TOP_LEVEL] or list(tocs.values())[:1]
    order: list[str] = []
    seen: set[str] = set()

    def expand(element_id: str) -> None:
        if element_id in seen:
            return
        seen.add(element_id)
        if element_id in tocs:
            for child in tocs[element_id].child_element_ids:
                expand(child)
        else:
            order.append(element_id)

    for toc in top:
        expand(toc.element_id)
    return order


def _chap(frame: Any, number: int) -> Chapter:
    """One CHAP frame as a Chapter (times in ms; 0xFFFFFFFF offsets are ignored)."""
    subs = frame.sub_frames
    titles = subs.getall("TIT2")
    title = id3_text(titles[0]).strip() if titles else ""
    url = None
    for key in sorted(subs.keys()):
        if key.startswith("W") and getattr(subs[key], "url", ""):
            url = str(subs[key].url)
            break
    end = frame.end_time / 1000 if frame.end_time > frame.start_time else None
    return Chapter(frame.start_time / 1000, title or f"Chapter {number}", end, url)


def _mp4_chapters(audio: Any, duration: float, track: tuple[Chapter, ...]) -> tuple[Chapter, ...]:
    """The QuickTime chapter ``track`` if the file has one, else the Nero ``chpl`` list (mutagen's ``chapters``).

    The track wins when both exist: it is what Apple's players show, it keeps each chapter's end,
    and a tagger that rewrites ``chpl`` alone can leave the two disagreeing.
    """
    if track:
        return track
    found = getattr(audio, "chapters", None)
    if not found:
        return ()
    starts = [(float(c.start), str(c.title).strip()) for c in found]
    return _closed(starts, duration)


def _vorbis_chapters(comments: dict[str, list[str]], duration: float) -> tuple[Chapter, ...]:
    """``CHAPTER001=00:01:02.500`` + ``CHAPTER001NAME=Title`` (+ ``CHAPTER001URL``), the Vorbis comment convention."""
    starts = []
    for key, values in comments.items():
        match = _VORBIS_TIME.match(values[0]) if re.fullmatch(r"chapter\d+", key) else None
        if match:
            hours, minutes, seconds = match.groups()
            title = comments.get(f"{key}name", [""])[0].strip()
            starts.append((int(hours) * 3600 + int(minutes) * 60 + float(seconds), title, key))
    starts.sort()
    chapters = _closed([(start, title) for start, title, _ in starts], duration)
    urls = [comments.get(f"{key}url", [None])[0] for _, _, key in starts]
    return tuple(Chapter(c.start, c.title, c.end, url) for c, url in zip(chapters, urls, strict=True))


def _closed(starts: list[tuple[float, str]], duration: float) -> tuple[Chapter, ...]:
    """Chapters from (start, title) pairs, each ending where the next starts (the last at ``duration``)."""
    ordered = sorted(starts, key=lambda item: item[0])
    if not ordered:
        return ()
    ends = [start for start, _ in ordered[1:]] + [duration]
    return tuple(
        Chapter(start, title or f"Chapter {n}", end if end > start else None)
        for n, ((start, title), end) in enumerate(zip(ordered, ends, strict=True), 1)
    )
