"""Durations are sample-exact on every format the probe reads: within 1 ms of what a full decode by a
current ffmpeg gives (imageio-ffmpeg's build: it honours MP4 edit lists, the LAME gapless tag, Opus
pre-skip and Vorbis end trimming, where an older system ffmpeg may decode one AAC frame too many)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import imageio_ffmpeg  # type: ignore[import-untyped]
import pytest

from apa_feed.audio.probe import probe

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
CODECS = {
    "mp3": ["-c:a", "libmp3lame", "-b:a", "96k"],
    "m4a": ["-c:a", "aac", "-b:a", "96k"],
    "m4a-no-edit-list": ["-c:a", "aac", "-b:a", "96k", "-use_editlist", "0"],
    "ogg": ["-c:a", "libvorbis"],
    "opus": ["-c:a", "libopus", "-b:a", "64k"],
    "flac": ["-c:a", "flac"],
    "wav": ["-c:a", "pcm_s16le"],
}


def decoded_seconds(path: Path, rate: int) -> float:
    """Seconds a full decode gives: samples of the first audio stream, as mono 16-bit PCM at ``rate``."""
    command = [
        FFMPEG,
        "-v",
        "error",
        "-i",
        str(path),
        "-map",
        "0:a:0",
        "-ac",
        "1",
        "-c:a",
        "pcm_s16le",
        "-f",
        "s16le",
        "-",
    ]
    pcm = subprocess.run(command, capture_output=True, check=True).stdout
    return len(pcm) / 2 / rate


@pytest.mark.parametrize("rate", [44100, 48000])
@pytest.mark.parametrize("kind", sorted(CODECS))
def test_the_probe_duration_is_the_decoded_duration_within_a_millisecond(tmp_path: Path, kind: str, rate: int) -> None:
    path = tmp_path / f"tone.{kind.split('-')[0]}"
    sine = f"sine=frequency=440:sample_rate={rate}:duration=7.3"
    command = [FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", sine, "-ac", "2", *CODECS[kind], str(path)]
    subprocess.run(command, check=True, capture_output=True)
    decoded = decoded_seconds(path, 48000 if kind == "opus" else rate)  # Opus always decodes at 48 kHz
    assert abs(probe(path).duration - decoded) <= 0.001
