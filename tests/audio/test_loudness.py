"""Loudness (BS.1770-4 through ffmpeg's ebur128): the measure of tones of known level in every format,
the cache, Apple's rule in ``check``, and ``inspect --json``."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import audiogen
import pytest
from conftest import add_episode, episode_yaml
from typer.testing import CliRunner

import apa_feed.checks.loudness as loudness_check
from apa_feed.audio.loudness import Loudness, ffmpeg, measure
from apa_feed.audio.probe import AudioError, probe
from apa_feed.cli import app

CODECS = {
    "mp3": ["-c:a", "libmp3lame", "-b:a", "192k"],
    "m4a": ["-c:a", "aac", "-b:a", "192k"],
    "ogg": ["-c:a", "libvorbis", "-q:a", "6"],
    "opus": ["-c:a", "libopus", "-b:a", "128k"],
    "flac": ["-c:a", "flac"],
    "wav": ["-c:a", "pcm_s16le"],
}
SINE_DBFS = -18.06  # lavfi's sine has amplitude 1/8


def tone(path: Path, peak_dbfs: float, channels: int = 2, seconds: float = 6.0) -> Path:
    """A 997 Hz sine whose peak is ``peak_dbfs``, the same on every channel (BS.1770: a stereo one
    measures ``peak_dbfs`` LUFS, a mono one 3 dB less)."""
    rate = 48000 if path.suffix == ".opus" else 44100
    layout = "pan=stereo|c0=c0|c1=c0," if channels == 2 else ""
    command = [
        audiogen.ffmpeg_path(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y",
        "-f", "lavfi", "-i", f"sine=frequency=997:sample_rate={rate}:duration={seconds:g}",
        "-af", f"{layout}volume={peak_dbfs - SINE_DBFS:.2f}dB", *CODECS[path.suffix[1:]], str(path),
    ]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)
    return path


def binary() -> str:
    found = ffmpeg()
    assert found is not None, "the test extra installs imageio-ffmpeg"
    return found


@pytest.mark.parametrize("extension", sorted(CODECS))
def test_every_format_measures_a_tone_of_known_level(tmp_path: Path, extension: str) -> None:
    stereo = tone(tmp_path / f"stereo.{extension}", -16.0)
    mono = tone(tmp_path / f"mono.{extension}", -16.0, channels=1)
    loud = measure(stereo, probe(stereo).format, binary())
    quiet = measure(mono, probe(mono).format, binary())
    assert loud.integrated_lufs == pytest.approx(-16.0, abs=0.5)
    assert quiet.integrated_lufs == pytest.approx(-19.0, abs=0.5)
    assert loud.true_peak_dbtp == pytest.approx(-16.0, abs=0.5)
    assert loud.range_lu == pytest.approx(0.0, abs=0.5)  # a steady tone


def test_a_file_ffmpeg_cannot_decode_is_an_audio_error_and_nothing_else_is_opened(tmp_path: Path) -> None:
    planted = tmp_path / "audio.mp3"
    planted.write_text(f"ffconcat version 1.0\nfile {tone(tmp_path / 'other.wav', -16.0)}\n", encoding="utf-8")
    with pytest.raises(AudioError, match="loudness: ffmpeg could not decode"):
        measure(planted, "MP3", binary())  # the demuxer is named: the concat script is not followed


def test_silence_measures_minus_infinity_and_keeps_in_json() -> None:
    silent = Loudness(float("-inf"), float("-inf"), 0.0)
    assert silent.to_json() == {"integrated_lufs": None, "true_peak_dbtp": None, "range_lu": 0.0}
    assert Loudness.from_json(json.loads(json.dumps(silent.to_json()))) == silent
    with pytest.raises(ValueError):
        Loudness.from_json({"integrated_lufs": "loud"})


def _number(pattern: str, text: str) -> float:
    found = re.search(pattern, text)
    assert found is not None, text
    return float(found[1])


def _check(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["check", "-f", str(root / "feed.yaml"), *args])
    return result.exit_code, result.output


def test_check_warns_about_a_new_episode_outside_apples_rule_and_keeps_the_measure(
    project: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path_factory.mktemp("tones")
    add_episode(project, "2025-12-01-quiet", episode_yaml("Quiet", "2025-12-01"), tone(work / "q.mp3", -30.0))
    add_episode(project, "2025-12-02-right", episode_yaml("Right", "2025-12-02"), tone(work / "r.mp3", -16.0))
    add_episode(project, "2025-12-03-hot", episode_yaml("Hot", "2025-12-03"), tone(work / "h.mp3", -0.2, seconds=3))
    code, output = _check(project)
    assert code == 0, output
    quiet = [line for line in output.splitlines() if "2025-12-01-quiet/audio.mp3" in line]
    assert len(quiet) == 1 and "[Apple]" in quiet[0] and "asks for -16 LUFS ± 1 dB" in quiet[0]
    assert _number(r"integrated loudness is (\S+) LUFS", quiet[0]) == pytest.approx(-30.0, abs=0.5)
    assert not [line for line in output.splitlines() if "2025-12-02-right" in line]
    hot = [line for line in output.splitlines() if "2025-12-03-hot" in line]
    assert len(hot) == 2 and _number(r"true peak is (\S+) dBTP", hot[1] + hot[0]) == pytest.approx(-0.2, abs=0.5)

    monkeypatch.setenv("APA_FEED_FFMPEG", str(project / "no-such-ffmpeg"))  # a second check measures nothing again
    assert _check(project) == (code, output)
    (project / "episodes" / "2025-12-02-right" / "audio.mp3").write_bytes((work / "q.mp3").read_bytes())
    assert "ffmpeg could not run" in _check(project)[1]  # a changed file is measured anew


def test_check_measures_only_what_it_is_asked_to(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    add_episode(project, "2025-12-01-quiet", episode_yaml("Quiet", "2025-12-01"), tone(project / "q.mp3", -30.0))
    assert "LUFS" not in _check(project, "--loudness", "off")[1]
    code, output = _check(project, "--loudness", "loud")
    assert code != 0 and "--loudness" in output and "Traceback" not in output


def test_published_episodes_are_measured_only_with_loudness_all(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    add_episode(project, "2025-12-01-quiet", episode_yaml("Quiet", "2025-12-01"), tone(project / "q.mp3", -30.0))
    store = tmp_path_factory.mktemp("store")
    published = CliRunner().invoke(app, ["publish", "-f", str(project / "feed.yaml"), "--storage", str(store)])
    assert published.exit_code == 0, published.output
    assert "LUFS" not in _check(project)[1]
    assert "2025-12-01-quiet/audio.mp3: audio: integrated loudness" in _check(project, "--loudness", "all")[1]


def test_without_ffmpeg_check_says_loudness_was_not_measured(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loudness_check, "ffmpeg", lambda: None)
    code, output = _check(project)
    assert code == 0 and "loudness not measured: no ffmpeg found" in output


def test_inspect_json_gives_the_loudness(tmp_path: Path) -> None:
    path = tone(tmp_path / "t.m4a", -16.0)
    result = CliRunner().invoke(app, ["inspect", "--json", str(path)])
    assert result.exit_code == 0, result.output
    measured = json.loads(result.output)[0]["loudness"]
    assert set(measured) == {"integrated_lufs", "true_peak_dbtp", "range_lu"}
    assert measured["integrated_lufs"] == pytest.approx(-16.0, abs=0.5)
    text = CliRunner().invoke(app, ["inspect", str(path)]).output
    assert "loudness" in text and "LUFS integrated" in text
