"""Tags and embedded cover art read from an opened mutagen file (ID3, MP4 atoms, Vorbis comments).

Callers pass what :func:`mutagen.File` returned; this module never opens files itself. Pillow
reads the cover's real format and pixel size from its bytes (the declared MIME type is not
trusted).
"""

from __future__ import annotations

import base64
import binascii
import struct
from typing import Any

from mutagen import MutagenError
from mutagen.flac import Picture
from mutagen.id3 import ID3, TCON, Encoding
from mutagen.mp4 import MP4Tags

from .info import Tags

_TCON: Any = TCON  # mutagen's frame and picture classes are untyped
_PICTURE: Any = Picture
FRONT_COVER = 3
"""The APIC / FLAC picture type of a front cover."""

_ID3_FRAMES = {"title": "TIT2", "artist": "TPE1", "album": "TALB", "date": "TDRC", "genre": "TCON",
               "track": "TRCK", "language": "TLAN"}  # fmt: skip
_MP4_ATOMS = {"title": "©nam", "artist": "©ART", "album": "©alb", "date": "©day", "comment": "©cmt",
              "genre": "©gen"}  # fmt: skip
_VORBIS_KEYS = {"title": ("title",), "artist": ("artist",), "album": ("album",), "date": ("date", "year"),
                "comment": ("comment", "description"), "genre": ("genre",), "track": ("tracknumber",),
                "language": ("language",)}  # fmt: skip


def read_tags(audio: Any) -> Tags:
    """The tags of a mutagen file, whatever its tag format; empty :class:`Tags` if it has none."""
    tags: Any = audio.tags
    if isinstance(tags, ID3):
        return _id3_tags(tags)
    if isinstance(tags, MP4Tags):
        return _mp4_tags(tags)
    if tags is not None and hasattr(tags, "as_dict"):  # Vorbis comments (Ogg, FLAC)
        return _vorbis_tags(tags)
    return Tags()


class Frames:
    """mutagen's ``ID3.getall`` over one tag, with the tag's frame keys listed once.

    mutagen builds a list of every (key, frame) pair for each ID the tag does not hold, most of the
    time spent reading a small tag. Same answers, same order: the frame keyed ``key``, else every
    frame whose key starts with ``key:`` (``COMM:desc:lang``, ``APIC:desc``, ``CHAP:id``).
    """

    def __init__(self, tags: Any) -> None:
        self._tags = tags
        self._keys = tags.keys()

    def getall(self, key: str) -> list[Any]:
        """Every frame ``key`` names, as :meth:`mutagen.id3.ID3.getall` gives them."""
        if key in self._keys:
            return [self._tags[key]]
        prefix = key + ":"
        return [self._tags[name] for name in self._keys if name.startswith(prefix)]


def id3_text(frame: Any) -> str:
    """A text frame's text, joined; Latin-1-declared text that is really UTF-8 is decoded as UTF-8."""
    text = "/".join(str(part) for part in frame.text)
    if getattr(frame, "encoding", None) == Encoding.LATIN1:
        return _undo_mojibake(text)
    return text


def _undo_mojibake(text: str) -> str:
    """``Ã©`` → ``é``: UTF-8 bytes that a tagger wrote into a frame declared ISO-8859-1."""
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _id3_tags(tag: Any) -> Tags:
    tags = Frames(tag)
    found: dict[str, str] = {}
    for name, frame_id in _ID3_FRAMES.items():
        frames = tags.getall(frame_id)
        if frames and frames[0].text:
            found[name] = id3_text(frames[0])
    genres = tags.getall("TCON")
    if genres and genres[0].genres:
        found["genre"] = _undo_mojibake(genres[0].genres[0]) if genres[0].encoding == 0 else genres[0].genres[0]
    comments = sorted(tags.getall("COMM"), key=lambda frame: frame.desc != "")  # the plain comment first
    if comments and comments[0].text:
        found["comment"] = id3_text(comments[0])
    return Tags(**found)


def _mp4_tags(tags: Any) -> Tags:
    found = {name: str(tags[atom][0]) for name, atom in _MP4_ATOMS.items() if tags.get(atom)}
    if "genre" not in found and tags.get("gnre"):
        found["genre"] = _TCON(text=[str(tags["gnre"][0] - 1)]).genres[0]  # ID3v1 genre number + 1
    track = tags.get("trkn")
    if track and track[0][0]:
        number, total = track[0]
        found["track"] = f"{number}/{total}" if total else str(number)
    return Tags(**found)


def _vorbis_tags(tags: Any) -> Tags:
    values: dict[str, list[str]] = tags.as_dict()
    found = {}
    for name, keys in _VORBIS_KEYS.items():
        for key in keys:
            if values.get(key):
                found[name] = values[key][0]
                break
    return Tags(**found)


def find_cover(audio: Any) -> bytes | None:
    """The embedded cover's bytes (the front cover if several pictures are present), or None."""
    tags: Any = audio.tags
    kind = "id3" if isinstance(tags, ID3) else "mp4" if isinstance(tags, MP4Tags) else "other"
    if kind == "id3":
        return _best([(frame.type, frame.data) for frame in Frames(tags).getall("APIC")])
    if kind == "mp4":
        covers: list[bytes] = list(tags.get("covr", []))
        return bytes(covers[0]) if covers else None
    pictures = [(p.type, p.data) for p in getattr(audio, "pictures", [])]  # FLAC picture blocks
    if tags is not None and hasattr(tags, "as_dict"):
        pictures += [_ogg_picture(value) for value in tags.as_dict().get("metadata_block_picture", [])]
    return _best([p for p in pictures if p[1]])


def _best(pictures: list[tuple[int, bytes]]) -> bytes | None:
    fronts = [data for kind, data in pictures if kind == FRONT_COVER]
    others = [data for kind, data in pictures if kind != FRONT_COVER]
    return (fronts + others)[0] if pictures else None


def _ogg_picture(value: str) -> tuple[int, bytes]:
    """A base64 FLAC picture block from an Ogg comment; (0, b"") if it is damaged."""
    try:
        picture = _PICTURE(base64.b64decode(value))
    except (binascii.Error, ValueError, IndexError, struct.error, MutagenError):
        return 0, b""
    return int(picture.type), bytes(picture.data)
