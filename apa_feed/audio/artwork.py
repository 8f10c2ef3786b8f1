"""Artwork checks against Apple's rules: JPEG or PNG by content, square, 1400–3000 px, RGB with no
transparency, and a light file (Pillow lives here only)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import IO

from PIL import Image, UnidentifiedImageError

from ..errors import Problem, display_path
from .info import CoverInfo

IMAGE_HEAD = 256 * 1024
"""Bytes of an image read to find its format and size (JPEG headers with EXIF and ICC fit)."""

FORMATS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",)}
MIN_SIZE, MAX_SIZE = 1400, 3000
LIGHT = 512 * 1024
"""Above this many bytes, artwork is slow to load in apps (Apple's and the hosts' advice: 512 KB)."""
ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}
MAX_PIXELS = 4096 * 4096
"""Images larger than this are never decoded (Pillow only reads their header): far above Apple's 3000 px, far
below what a decompression bomb would make Pillow allocate."""
RULE = "Apple"


def check_artwork(path: Path, field: str) -> list[Problem]:
    """Errors for artwork Apple refuses (format, shape, size, colours); warnings for a misleading
    file name and a heavy file."""
    where = display_path(path)
    try:
        with _opened(path) as img:
            fmt, (width, height), mode = img.format or "", img.size, img.mode
            transparent = mode in ALPHA_MODES or "transparency" in img.info
            damage = _damage(img)
    except _TooLarge as exc:
        bomb = f"the image claims {exc}, more than Pillow decodes safely; not read (a decompression bomb?)"
        return [_error(where, field, bomb)]
    except (UnidentifiedImageError, OSError, ValueError):
        return [_error(where, field, "not an image Pillow can read (expected JPEG or PNG)")]
    if damage:
        return [_error(where, field, f"the image is damaged: {damage}; export it again")]
    if fmt not in FORMATS:
        return [_error(where, field, f"expected a JPEG or PNG image, got {fmt or 'an unknown format'}")]
    problems = []
    if path.suffix.lower() not in FORMATS[fmt]:
        problems.append(_warn(where, field, f'the file is {fmt} but its name ends in "{path.suffix}"'))
    if width != height:
        problems.append(_error(where, field, f"expected a square image, got {width}×{height} px"))
    if not MIN_SIZE <= max(width, height) <= MAX_SIZE or min(width, height) < MIN_SIZE:
        problems.append(_error(where, field, f"expected {MIN_SIZE}–{MAX_SIZE} px on a side, got {width}×{height} px"))
    if transparent:
        problems.append(_error(where, field, f"expected no transparency, got mode {mode} with an alpha channel"))
    elif mode != "RGB":
        problems.append(_error(where, field, f"expected RGB colours, got mode {mode}"))
    problems.extend(_weight(path, where, field))
    return problems


def _weight(path: Path, where: str, field: str) -> list[Problem]:
    size = path.stat().st_size
    if size <= LIGHT:
        return []
    return [
        _warn(
            where,
            field,
            f"the file is {round(size / 1024)} KB; apps load artwork under 512 KB faster",
            "compress it (JPEG quality 80–90) or make it smaller",
        )
    ]


def _error(where: str, field: str, message: str) -> Problem:
    return Problem(where, field=field, message=message, rule=RULE)


def _warn(where: str, field: str, message: str, hint: str = "") -> Problem:
    return Problem(where, field=field, message=message, hint=hint, severity="warning", rule=RULE)


def cover_info(data: bytes) -> CoverInfo | None:
    """Format and pixel size of an image (from its bytes), or None if Pillow cannot read it.

    Only the head of the image is given to Pillow (the size is in the header): a damaged picture
    of megabytes cannot make it crawl through all of them.
    """
    if data[:2] == b"\xff\xd8" and not _jpeg_head_ok(data):
        return None
    try:
        with _opened(BytesIO(data[:IMAGE_HEAD])) as image:
            fmt, (width, height) = image.format or "", image.size
        with _opened(BytesIO(data)) as whole:
            damaged = bool(_damage(whole))
    except (_TooLarge, UnidentifiedImageError, OSError, ValueError):
        return None
    if not fmt or damaged:
        return None
    return CoverInfo(fmt.lower(), width, height, Image.MIME.get(fmt, f"image/{fmt.lower()}"))


class _TooLarge(Exception):
    """An image whose header claims more pixels than Pillow's limit (``89478485`` by default)."""


@contextmanager
def _opened(source: Path | IO[bytes]) -> Iterator[Image.Image]:
    """``Image.open`` that never decodes a decompression bomb: Pillow's error and warning become :class:`_TooLarge`."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(source)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        claimed = re.search(r"\((\d+) pixels\)", str(exc))
        raise _TooLarge(f"{claimed.group(1)} pixels" if claimed else "too many pixels") from exc
    with image:
        yield image


def _damage(image: Image.Image) -> str:
    """Why the image cannot be decoded whole (a truncated or corrupt file), or "" if it can. A JPEG is decoded
    at an eighth of its size (every byte is still read); one of more than :data:`MAX_PIXELS` is not decoded."""
    if image.width * image.height > MAX_PIXELS:
        return ""
    try:
        if image.format == "JPEG":
            image.draft("RGB", (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        return str(exc).rstrip(".") or type(exc).__name__
    return ""


def _jpeg_head_ok(data: bytes) -> bool:
    """The first JPEG segment after SOI is a marker with a sane length (Pillow loops through junk otherwise)."""
    return len(data) > 6 and data[2] == 0xFF and data[3] not in (0x00, 0xFF) and int.from_bytes(data[4:6], "big") >= 2


def placeholder_cover(path: Path) -> None:
    """Write a plain 1400×1400 JPEG at ``path``: a show's artwork until the producer has theirs."""
    Image.new("RGB", (1400, 1400), (32, 48, 80)).save(path, quality=85)


PLACEHOLDER_COLOUR = (32, 48, 80)
"""The one colour of :func:`placeholder_cover`."""


def is_placeholder_cover(path: Path) -> bool:
    """Whether ``path`` is the plain cover :func:`placeholder_cover` writes, known by its pixels (whichever JPEG
    encoder wrote them): 1400×1400, every pixel within a few levels of its one colour."""
    try:
        with _opened(path) as img:
            if img.size != (1400, 1400) or img.format != "JPEG":
                return False
            img.draft("RGB", (175, 175))
            extrema: tuple[tuple[int, int], ...] = img.convert("RGB").getextrema()  # type: ignore[assignment]
    except (_TooLarge, UnidentifiedImageError, OSError, ValueError):
        return False
    near = zip(extrema, PLACEHOLDER_COLOUR, strict=True)
    return all(abs(low - c) <= 4 and abs(high - c) <= 4 for (low, high), c in near)
