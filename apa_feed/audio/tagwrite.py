"""Tag write-back for the published copy of an episode's audio (mutagen; the original is never touched).

MP3 gets ID3v2.4: TIT2, TPE1, TALB, TDRC, TCON, COMM, APIC and CHAP/CTOC chapters (with an APIC
sub-frame for a chapter that has an image). M4A gets the
iTunes atoms ``©nam ©ART ©alb ©day ©gen ©cmt covr``, and chapters as a Nero ``chpl`` box:
mutagen cannot write MP4 chapters (its ``MP4Chapters`` is read-only), so :mod:`.mp4chapters`
does (start and title only; chpl has no end times, URLs or images). A QuickTime chapter text
track, which Apple's players prefer, is not written; one already in the source is no longer
referred to from the sound track (its stale titles would outrank the new list).
"""

from __future__ import annotations

import os
import shutil
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mutagen
from mutagen.id3 import APIC, CHAP, COMM, CTOC, ID3, TALB, TCON, TDRC, TIT2, TPE1, WXXX, CTOCFlags, ID3NoHeaderError
from mutagen.mp4 import MP4, MP4Cover

from ..feed.chapters import Chapter
from .artwork import cover_info
from .mp4chapters import write_chpl
from .probe import AudioError

UTF8 = 3
"""ID3v2.4 text encoding: UTF-8."""
NO_OFFSET = 0xFFFFFFFF
"""CHAP byte offsets: not given (times are used)."""
TOC_ID = "toc"
_ID3_REPLACED = ("TIT2", "TPE1", "TALB", "TDRC", "TCON", "COMM", "APIC", "CHAP", "CTOC")
_ID3: Any = ID3  # mutagen's classes are untyped
_MP4: Any = MP4
_MP4_COVER: Any = MP4Cover
_FRAMES: dict[str, Any] = {"TIT2": TIT2, "TPE1": TPE1, "TALB": TALB, "TDRC": TDRC, "TCON": TCON, "COMM": COMM,
                           "APIC": APIC, "CHAP": CHAP, "CTOC": CTOC, "WXXX": WXXX}  # fmt: skip


@dataclass(frozen=True)
class TagSpec:
    """The tags to write into a published copy."""

    title: str
    artist: str
    """The episode's author (or the show's)."""
    album: str
    """The show's title."""
    date: str
    """ISO 8601, e.g. ``2025-11-12``."""
    comment: str
    genre: str = "Podcast"
    cover: bytes | None = None
    cover_mime: str | None = None
    """``image/jpeg`` or ``image/png``; read from the image bytes when None."""
    chapters: tuple[Chapter, ...] = ()
    chapter_images: tuple[tuple[int, bytes], ...] = ()
    """(index into :attr:`chapters`, JPEG or PNG bytes): that chapter's picture, written as an APIC
    sub-frame of its CHAP frame (MP3 only: M4A's ``chpl`` has no images, so they are not written)."""
    duration: float = 0.0
    """The audio's duration in seconds: where the last chapter ends (unless it has an end)."""


def write_tags(source: Path, dest: Path, spec: TagSpec) -> None:
    """Copy ``source`` to ``dest`` and write ``spec`` into the copy (MP3: ID3v2.4; M4A: iTunes atoms).

    ``source`` is only read. ``dest`` appears whole or not at all (written under a temporary name,
    then renamed). Raises :class:`AudioError` for other formats, unreadable audio or ``dest == source``.
    """
    if dest.resolve() == source.resolve():
        raise AudioError("the tagged copy must be a different file from the original")
    kind = _kind(source)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.tmp{os.getpid()}")
    try:
        shutil.copyfile(source, tmp)
        if kind == "MP3":
            _write_id3(tmp, spec)
        else:
            _write_mp4(tmp, spec)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)


def _kind(source: Path) -> str:
    try:
        audio = mutagen.File(source)
    except (mutagen.MutagenError, OSError, ValueError) as exc:
        raise AudioError(f"cannot write tags: not a readable audio file ({exc})") from None
    kind = type(audio).__name__ if audio is not None else "unknown"
    if kind not in ("MP3", "MP4"):
        raise AudioError(f"cannot write tags to {kind} audio (expected MP3 or M4A/AAC)")
    return kind


def _write_id3(path: Path, spec: TagSpec) -> None:
    try:
        tags: Any = _ID3(path)
    except ID3NoHeaderError:
        tags = _ID3()
    for frame_id in _ID3_REPLACED:
        tags.delall(frame_id)
    for frame_id, value in (("TIT2", spec.title), ("TPE1", spec.artist), ("TALB", spec.album),
                            ("TDRC", spec.date), ("TCON", spec.genre)):  # fmt: skip
        if value:
            tags.add(_FRAMES[frame_id](encoding=UTF8, text=[value]))
    if spec.comment:
        tags.add(_comment_frame(spec.comment))
    if spec.cover:
        mime = spec.cover_mime or _mime(spec.cover)
        tags.add(_FRAMES["APIC"](encoding=UTF8, mime=mime, type=3, desc="Cover", data=spec.cover))
    for frame in _chapter_frames(spec.chapters, spec.duration, dict(spec.chapter_images)):
        tags.add(frame)
    tags.save(path, v2_version=4)
    if spec.chapters:
        _chapters_in_time_order(path)


def _comment_frame(text: str) -> Any:
    """A COMM frame with no description, language "und" (undetermined)."""
    return _FRAMES["COMM"](encoding=UTF8, lang="und", desc="", text=[text])


def _chapter_frames(chapters: tuple[Chapter, ...], duration: float, images: dict[int, bytes]) -> list[Any]:
    """CHAP frames ``chp0``, ``chp1``… in time order, and one top-level ordered CTOC listing them.

    ``images`` maps an index into ``chapters`` (as given, before sorting) to that chapter's picture.
    """
    if any(not 0 <= index < len(chapters) for index in images):
        wrong = sorted(index for index in images if not 0 <= index < len(chapters))
        raise AudioError(f"chapter image for chapter {wrong[0]}, but there are {len(chapters)} chapters")
    order = sorted(range(len(chapters)), key=lambda i: chapters[i].start)
    frames = []
    for n, index in enumerate(order):
        chapter = chapters[index]
        following = chapters[order[n + 1]].start if n + 1 < len(order) else duration
        end = chapter.end if chapter.end is not None else max(following, chapter.start)
        subs = [_FRAMES["TIT2"](encoding=UTF8, text=[chapter.title])]
        if chapter.url:
            subs.append(_FRAMES["WXXX"](encoding=UTF8, desc="chapter url", url=chapter.url))
        if index in images:
            mime = _mime(images[index], f"the image of chapter {index}")
            subs.append(_FRAMES["APIC"](encoding=UTF8, mime=mime, type=0, desc="chapter", data=images[index]))
        frames.append(_FRAMES["CHAP"](element_id=f"chp{n}", start_time=round(chapter.start * 1000),
                                      end_time=round(end * 1000), start_offset=NO_OFFSET, end_offset=NO_OFFSET,
                                      sub_frames=subs))  # fmt: skip
    if not frames:
        return []
    toc = _FRAMES["CTOC"](element_id=TOC_ID, flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                          child_element_ids=[f"chp{n}" for n in range(len(frames))],
                          sub_frames=[_FRAMES["TIT2"](encoding=UTF8, text=["Chapters"])])  # fmt: skip
    return [*frames, toc]


def _chapters_in_time_order(path: Path) -> None:
    """Put the CHAP frames of the ID3v2.4 tag mutagen just wrote at the start of ``path`` in time order.

    mutagen writes frames sorted by its own rule (a few text frames first, then by byte length), and
    has no option to keep the order they were added in; players that ignore CTOC (ffmpeg's, among
    others) list CHAP frames in file order. The CHAP frames change places among themselves, byte for
    byte: the tag keeps its size, every other frame stays where it is.
    """
    with path.open("r+b") as file:
        header = file.read(10)
        if len(header) < 10 or header[:3] != b"ID3" or header[3] != 4 or header[5] & 0xC0:
            raise AudioError("cannot order the chapters: the ID3 tag written is not a plain ID3v2.4 tag")
        body = file.read(_syncsafe(header[6:10]))
        frames = _split_frames(body)
        slots = [n for n, frame in enumerate(frames) if frame[:4] == b"CHAP"]
        for slot, frame in zip(slots, sorted((frames[n] for n in slots), key=_chapter_key), strict=True):
            frames[slot] = frame
        file.seek(10)
        file.write(b"".join(frames))


def _syncsafe(four: bytes) -> int:
    """An ID3v2.4 size: four bytes of seven bits each."""
    return (four[0] << 21) | (four[1] << 14) | (four[2] << 7) | four[3]


def _split_frames(body: bytes) -> list[bytes]:
    """The top-level frames of an ID3v2.4 tag body (header included), up to the padding."""
    frames, offset = [], 0
    while offset + 10 <= len(body) and body[offset : offset + 4] != b"\0\0\0\0":
        end = offset + 10 + _syncsafe(body[offset + 4 : offset + 8])
        frames.append(body[offset:end])
        offset = end
    return frames


def _chapter_key(frame: bytes) -> tuple[int, int, bytes]:
    """A CHAP frame's start time in ms, then its element ID (``chp2`` before ``chp10``)."""
    data = frame[10:]
    element_id, _, rest = data.partition(b"\0")
    (start,) = struct.unpack(">I", rest[:4])
    return start, len(element_id), element_id


def _mime(image: bytes, what: str = "the cover") -> str:
    info = cover_info(image)
    if info is None:
        raise AudioError(f"{what} is not an image Pillow can read (expected JPEG or PNG)")
    return info.mime_type


def _write_mp4(path: Path, spec: TagSpec) -> None:
    audio: Any = _MP4(path)
    if audio.tags is None:
        audio.add_tags()
    values = {"©nam": spec.title, "©ART": spec.artist, "©alb": spec.album, "©day": spec.date,
              "©gen": spec.genre, "©cmt": spec.comment}  # fmt: skip
    for atom, value in values.items():
        if value:
            audio.tags[atom] = [value]
        else:
            audio.tags.pop(atom, None)
    audio.tags.pop("gnre", None)  # a numeric genre would shadow ©gen in some players
    if spec.cover:
        mime = spec.cover_mime or _mime(spec.cover)
        kind = _MP4_COVER.FORMAT_PNG if mime == "image/png" else _MP4_COVER.FORMAT_JPEG
        audio.tags["covr"] = [_MP4_COVER(spec.cover, imageformat=kind)]
    audio.save()
    if spec.chapters:
        ordered = sorted(spec.chapters, key=lambda c: c.start)
        try:
            write_chpl(path, [(c.start, c.title) for c in ordered])
        except (ValueError, struct.error) as exc:
            raise AudioError(f"cannot write MP4 chapters ({exc})") from None
