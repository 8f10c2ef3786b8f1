"""Artwork checks against Apple's rules: JPEG or PNG by content, square, 1400–3000 px, RGB (Pillow lives here only)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, UnidentifiedImageError

from .errors import Problem, display_path

FORMATS = {"JPEG": (".jpg", ".jpeg"), "PNG": (".png",)}
MIN_SIZE, MAX_SIZE = 1400, 3000


def check_artwork(path: Path, field: str) -> list[Problem]:
    """Errors for artwork Apple refuses outright, warnings for what it may reject."""
    where = display_path(path)
    try:
        with Image.open(path) as img:
            fmt, (width, height), mode = img.format or "", img.size, img.mode
    except (UnidentifiedImageError, OSError):
        return [Problem(where, field=field, message="not an image Pillow can read (expected JPEG or PNG)")]
    if fmt not in FORMATS:
        return [Problem(where, field=field, message=f"expected a JPEG or PNG image, got {fmt or 'an unknown format'}")]
    problems = []
    if path.suffix.lower() not in FORMATS[fmt]:
        problems.append(_warn(where, field, f'the file is {fmt} but its name ends in "{path.suffix}"'))
    if width != height:
        problems.append(_warn(where, field, f"expected a square image, got {width}×{height} px"))
    if not MIN_SIZE <= max(width, height) <= MAX_SIZE:
        problems.append(_warn(where, field, f"expected {MIN_SIZE}–{MAX_SIZE} px on a side, got {width}×{height} px"))
    if mode != "RGB":
        problems.append(_warn(where, field, f"expected RGB colours with no transparency, got mode {mode}"))
    return problems


def _warn(where: str, field: str, message: str) -> Problem:
    return Problem(where, field=field, message=message, severity="warning")
