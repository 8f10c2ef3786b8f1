"""Artwork from anyone: a decompression bomb or a cut-short file is a located problem, never a crash."""

from __future__ import annotations

import struct
import warnings
import zlib
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_EPISODE
from typer.testing import CliRunner

from apa_feed.audio.artwork import check_artwork, cover_info
from apa_feed.cli import app


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims ``width``×``height`` RGB pixels and holds almost none (a few bytes of file)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = chunk(b"IDAT", zlib.compress(b"\0" * 1024))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + pixels + chunk(b"IEND", b"")


def truncated_cover() -> bytes:
    data = (REPO / "cover.jpg").read_bytes()
    return data[: len(data) // 2]


@pytest.mark.parametrize(("side", "pixels"), [(40000, 1600000000), (10000, 100000000)])
def test_a_decompression_bomb_is_a_problem_with_no_warning(tmp_path: Path, side: int, pixels: int) -> None:
    path = tmp_path / "cover.png"
    path.write_bytes(png_header(side, side))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Pillow's DecompressionBombWarning escapes no more than its error
        problems = check_artwork(path, "image")
    assert [(p.severity, p.field, p.message) for p in problems] == [
        (
            "error",
            "image",
            f"the image claims {pixels} pixels, more than Pillow decodes safely; not read (a decompression bomb?)",
        )
    ]
    assert cover_info(png_header(side, side)) is None


def test_a_truncated_jpeg_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "cover.jpg"
    path.write_bytes(truncated_cover())
    problems = check_artwork(path, "image")
    assert [(p.severity, p.field) for p in problems] == [("error", "image")]
    assert problems[0].message.startswith("the image is damaged: image file is truncated")
    assert problems[0].message.endswith("; export it again")
    assert cover_info(truncated_cover()) is None
    assert check_artwork(REPO / "cover.jpg", "image") == []  # the whole file is fine
    assert cover_info((REPO / "cover.jpg").read_bytes()) is not None


@pytest.mark.parametrize("image", ["bomb.png", "cut.jpg"])
def test_check_locates_bad_show_artwork(project: Path, image: str) -> None:
    (project / "bomb.png").write_bytes(png_header(40000, 40000))
    (project / "cut.jpg").write_bytes(truncated_cover())
    text = (project / "feed.yaml").read_text(encoding="utf-8")
    (project / "feed.yaml").write_text(text.replace("image: cover.jpg", f"image: {image}"), encoding="utf-8")
    (project / "episodes" / SAMPLE_EPISODE / "cover.jpg").write_bytes(truncated_cover())
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert any(line.startswith(f"error: {image}: image: the image ") for line in lines), lines
    assert any(
        line.startswith(f"error: episodes/{SAMPLE_EPISODE}/cover.jpg: image: the image is damaged") for line in lines
    )
