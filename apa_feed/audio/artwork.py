"""Artwork checks against Apple's rules: JPEG or PNG by content, square, 1400–3000 px, RGB with no
transparency, and a light file (Pillow lives here only)."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

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
RULE = "Apple"


def check_artwork(path: Path, field: str) -> list[Problem]:
    """Errors for artwork Apple refuses (format, shape, size, colours); warnings for a misleading
    file name and a heavy file."""
    where = display_path(path)
    try:
        with Image.open(path) as img:
            fmt, (width, height), mode = img.format or "", img.size, img.mode
            transparent = mode in ALPHA_MODES or "transparency" in img.info
    except (UnidentifiedImageError, OSError):
        return [_error(where, field, "not an image Pillow can read (expected JPEG or PNG)")]
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
        with Image.open(BytesIO(data[:IMAGE_HEAD])) as image:
            fmt, (width, height) = image.format or "", image.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    if not fmt:
        return None
    return CoverInfo(fmt.lower(), width, height, Image.MIME.get(fmt, f"image/{fmt.lower()}"))


def _jpeg_head_ok(data: bytes) -> bool:
    """The first JPEG segment after SOI is a marker with a sane length (Pillow loops through junk otherwise)."""
    return len(data) > 6 and data[2] == 0xFF and data[3] not in (0x00, 0xFF) and int.from_bytes(data[4:6], "big") >= 2


def placeholder_cover(path: Path) -> None:
    """Write a plain 1400×1400 JPEG at ``path``: a show's artwork until the producer has theirs."""
    Image.new("RGB", (1400, 1400), (32, 48, 80)).save(path, quality=85)
