"""``apa-feed inspect`` and apa_feed.audio.describe: every format, JSON objects, a readable table, bad files reported."""

from __future__ import annotations

import json
from pathlib import Path

import audiogen
import pytest
from mutagen.id3 import APIC, CHAP, CTOC, ID3, TIT2, TPE1, WXXX, CTOCFlags
from typer.testing import CliRunner

from apa_feed.audio.describe import any_failed, inspect_files, render_text
from apa_feed.cli import app

runner = CliRunner()
SECONDS = 2.0


@pytest.fixture(scope="session")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("inspect")
    mp3 = folder / "episode.mp3"
    samples = audiogen.write_mp3(mp3, SECONDS)
    assert samples == 88200
    tags = ID3()
    tags.add(TIT2(encoding=1, text=["Épisode 1"]))
    tags.add(TPE1(encoding=0, text=["Zoë"]))
    tags.add(APIC(encoding=3, mime="image/png", type=3, desc="", data=audiogen.cover_image("PNG", (30, 20))))
    tags.add(CHAP(element_id="c0", start_time=0, end_time=500, sub_frames=[TIT2(encoding=3, text=["Intro"])]))
    tags.add(
        CHAP(
            element_id="c1",
            start_time=500,
            end_time=2000,
            sub_frames=[
                TIT2(encoding=3, text=["Suite"]),
                WXXX(encoding=3, desc="", url="https://example.org/"),
                APIC(encoding=3, mime="image/png", type=0, desc="", data=audiogen.cover_image("PNG", (4, 4))),
            ],
        )
    )
    tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED, child_element_ids=["c0", "c1"]))
    tags.save(mp3)
    wav = folder / "tone.wav"
    audiogen.write_with_ffmpeg(wav, SECONDS, audiogen.WAV)
    flac_as_mp3 = folder / "really-flac.mp3"
    audiogen.write_with_ffmpeg(flac_as_mp3, SECONDS, [*audiogen.FLAC, "-f", "flac"])
    text = folder / "notes.m4a"
    audiogen.write_text_file(text)
    return {"mp3": mp3, "wav": wav, "flac_as_mp3": flac_as_mp3, "text": text, "missing": folder / "gone.mp3"}


def test_json_objects(files: dict[str, Path]) -> None:
    mp3 = files["mp3"]

    results = inspect_files([mp3, files["missing"], files["text"]])

    loudness = results[0].pop("loudness")  # ffmpeg's measure (tests/audio/test_loudness.py checks its values)
    assert loudness["integrated_lufs"] == pytest.approx(-14.6, abs=0.5) and loudness["range_lu"] < 1
    assert results[0] == {
        "path": str(mp3),
        "duration": 2.0,
        "size": mp3.stat().st_size,
        "mime_type": "audio/mpeg",
        "format": "MP3",
        "bitrate": 64000,
        "sample_rate": 44100,
        "channels": 1,
        "codec": "mp3",
        "duration_source": "header",
        "tags": {"title": "Épisode 1", "artist": "Zoë"},
        "cover": {"format": "png", "width": 30, "height": 20},
        "chapters": [
            {"start": 0.0, "title": "Intro", "end": 0.5},
            {"start": 0.5, "title": "Suite", "end": 2.0, "url": "https://example.org/", "image": True},
        ],
        "warnings": [],
    }
    assert results[1:] == [
        {"path": str(files["missing"]), "error": "file not found"},
        {"path": str(files["text"]), "error": "not an audio format apa-feed knows (expected MP3 or M4A/AAC)"},
    ]
    assert any_failed(results)
    assert not any_failed(results[:1])


def test_every_format_is_read_and_warned_about(files: dict[str, Path]) -> None:
    wav, flac = inspect_files([files["wav"], files["flac_as_mp3"]])

    assert (wav["codec"], wav["bitrate"], wav["duration"], wav["cover"], wav["chapters"]) == (
        "pcm_s16le",
        705600,
        2.0,
        None,
        [],
    )
    assert wav["warnings"] == ["WAVE audio does not play in Apple Podcasts (use MP3 or M4A/AAC)"]
    assert (flac["mime_type"], flac["codec"], flac["duration"]) == ("audio/flac", "flac", 2.0)
    assert flac["warnings"] == [
        'the file holds FLAC audio but its name ends in ".mp3"; it is published as audio/flac',
        "FLAC audio does not play in Apple Podcasts (use MP3 or M4A/AAC)",
    ]


def test_text_table(files: dict[str, Path]) -> None:
    mp3, missing = files["mp3"], files["missing"]

    text = render_text(inspect_files([mp3, missing]))

    assert text == (
        f"{mp3}\n"
        "  duration   0:00:02.000 (2.000 s, from the header)\n"
        f"  size       {mp3.stat().st_size:,} bytes\n"
        "  type       audio/mpeg (MP3, mp3)\n"
        "  stream     64 kb/s, 44100 Hz, 1 channel\n"
        "  title      Épisode 1\n"
        "  artist     Zoë\n"
        "  cover      png 30×20 px\n"
        "  chapters   2\n"
        "  loudness   -14.6 LUFS integrated, true peak -9.4 dBTP, range 0.0 LU\n"
        "    0:00:00.000  Intro\n"
        "    0:00:00.500  Suite  <https://example.org/>  [image]\n"
        "\n"
        f"error: {missing}: file not found\n"
    )


def test_cli_json_exit_codes(files: dict[str, Path]) -> None:
    good = runner.invoke(app, ["inspect", "--json", str(files["mp3"]), str(files["wav"])])
    assert good.exit_code == 0, good.output
    assert json.loads(good.stdout) == inspect_files([files["mp3"], files["wav"]])

    bad = runner.invoke(app, ["inspect", "--json", str(files["missing"]), str(files["wav"])])
    assert bad.exit_code == 1
    data = json.loads(bad.stdout)
    assert data[0] == {"path": str(files["missing"]), "error": "file not found"}
    assert data[1]["duration"] == 2.0  # a bad file does not stop the others


def test_cli_text(files: dict[str, Path]) -> None:
    result = runner.invoke(app, ["inspect", str(files["wav"]), str(files["text"])])

    assert result.exit_code == 1
    assert result.stdout == render_text(inspect_files([files["wav"], files["text"]]))
    assert f"error: {files['text']}: not an audio format apa-feed knows (expected MP3 or M4A/AAC)\n" in result.stdout
    assert "Traceback" not in result.output
