"""The command line as a user sees it: exact messages, exit codes, JSON, every command documented."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import REPO, SAMPLE_EPISODE
from typer.testing import CliRunner

from apa_feed.build import Options, build_project
from apa_feed.cli import app

runner = CliRunner()
COMMANDS = ["init", "new", "check", "inspect", "build", "publish", "rollback", "serve", "import"]


def object_count(root: Path) -> int:
    """Files the sample publishes: its assets (audio, artwork, chapters, transcript, pages…) and the feed."""
    return len(build_project(Options(root / "feed.yaml")).publication.assets) + 1


def test_publish_says_what_it_did_and_where_the_feed_is(project: Path) -> None:
    count = object_count(project)
    first = runner.invoke(app, ["publish"])
    assert first.exit_code == 0, first.output
    assert f"uploaded {count} files, 0 unchanged, to public/" in first.output
    assert "feed: https://agencepresseaudio.example/podcast/feed.xml (file: public/feed.xml)" in first.output
    again = runner.invoke(app, ["publish"])
    assert again.exit_code == 0
    assert f"nothing to upload: {count} files unchanged on public/" in again.output


def test_publish_json_summary(project: Path) -> None:
    result = runner.invoke(app, ["publish", "--json"])
    data = json.loads(result.stdout)
    assert data["feed_url"] == "https://agencepresseaudio.example/podcast/feed.xml"
    assert (data["uploaded"], data["unchanged"], data["episodes"]) == (object_count(project), 0, 1)


def test_publish_json_is_json_also_when_the_publish_stops(project: Path) -> None:
    ok = json.loads(runner.invoke(app, ["publish", "--json", "--no-verify"]).stdout)
    assert ok["published"] is True and ok["summary"]["ok"] is True and ok["problems"] == []
    text = (project / "feed.yaml").read_text(encoding="utf-8")
    (project / "feed.yaml").write_text(text.replace("explicit: false", "explicit: yes"), encoding="utf-8")
    result = runner.invoke(app, ["publish", "--json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["published"] is False and data["summary"]["ok"] is False
    assert data["summary"]["text"] == "1 problem in 1 file."
    assert [(p["file"], p["field"], p["severity"]) for p in data["problems"]] == [("feed.yaml", "explicit", "error")]
    (project / "feed.yaml").write_text(text, encoding="utf-8")
    storage = runner.invoke(app, ["publish", "--json", "--storage", "s3://"])
    assert storage.exit_code == 1 and json.loads(storage.stdout)["problems"][0]["severity"] == "error"


def test_user_mistakes_exit_1_with_located_messages_and_no_traceback(project: Path) -> None:
    text = (project / "feed.yaml").read_text(encoding="utf-8")
    (project / "feed.yaml").write_text(text.replace("explicit: false", "explicit: yes"), encoding="utf-8")
    episode = project / "episodes" / SAMPLE_EPISODE / "episode.yaml"
    episode.write_text("titel: x\n" + episode.read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(app, ["publish"])
    assert result.exit_code == 1
    line = text.splitlines().index("explicit: false") + 1
    assert result.stderr.splitlines() == [
        f'error: episodes/{SAMPLE_EPISODE}/episode.yaml:1:1: titel: unknown field; did you mean "title"?',
        f'error: feed.yaml:{line}:11: explicit: expected true or false, got "yes"',
        "2 problems in 2 files; nothing was published.",
    ]
    assert "Traceback" not in result.output
    assert not (project / "public").exists()


def test_missing_config_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "--loudness", "off"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: feed.yaml: file not found",
        "1 problem in 1 file.",
    ]


def test_check_reports_ok(project: Path) -> None:
    result = runner.invoke(app, ["check", "--loudness", "off"])
    assert result.exit_code == 0
    assert result.stdout.strip() == "ok: 1 episode in the feed, 0 held back (draft or scheduled)"


def test_build_writes_the_feed(project: Path) -> None:
    result = runner.invoke(app, ["build", "-o", "out.xml", "--base-url", "https://cdn.example.org/p"])
    assert result.exit_code == 0
    assert b"https://cdn.example.org/p/episodes/" in (project / "out.xml").read_bytes()
    assert sorted(p.name for p in project.iterdir() if p.suffix in (".xml", ".html")) == ["out.xml"]


def test_build_writes_only_the_feed_publish_would_write(project: Path) -> None:
    from apa_feed.build import Options, build_project

    assert runner.invoke(app, ["build", "-o", "out.xml"]).exit_code == 0
    assert (project / "out.xml").read_bytes() == build_project(Options(project / "feed.yaml")).rss
    assert not (project / "public").exists()


def test_init_then_new_then_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["init", "--title", "Mon émission"]).exit_code == 0
    again = runner.invoke(app, ["init"])
    assert again.exit_code == 1 and "feed.yaml already exists" in again.stderr
    made = runner.invoke(app, ["new", "Premier épisode"])
    assert made.exit_code == 0, made.output
    (folder,) = (tmp_path / "episodes").iterdir()
    assert folder.name.endswith("-premier-episode")
    text = (folder / "episode.yaml").read_text(encoding="utf-8")
    assert "episode: 1\n" in text and re.search(r"^guid: [0-9a-f-]{36}", text, re.M)
    draft = runner.invoke(
        app, ["check", "--loudness", "off"]
    )  # a draft without its audio yet: information, not an error
    assert draft.exit_code == 0, draft.output
    assert 'audio: no audio yet: "audio.mp3" is not there; the episode (a draft) stays out' in draft.stderr
    (folder / "episode.yaml").write_text(text.replace("draft: true", "draft: false"), encoding="utf-8")
    missing_audio = runner.invoke(app, ["check", "--loudness", "off"])
    assert missing_audio.exit_code == 1
    assert 'audio: expected a file, got "audio.mp3" (no such file)' in missing_audio.stderr
    assert runner.invoke(app, ["new", "Deuxième"]).exit_code == 0
    second = [p for p in (tmp_path / "episodes").iterdir() if p != folder][0]
    assert "episode: 2\n" in (second / "episode.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output and len(result.output.splitlines()) > 4


def test_serve_streams_the_sample_to_a_player(project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    temp = tmp_path_factory.mktemp("serve-temp")
    proc = subprocess.Popen(
        [sys.executable, "-m", "apa_feed", "serve", "--port", "0"],
        cwd=project,
        env={**os.environ, "TMPDIR": str(temp)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        match = re.search(r"subscribe to (http://127\.0\.0\.1:(\d+)/feed\.xml)", line)
        assert match, line + (proc.stderr.read() if proc.poll() is not None and proc.stderr else "")
        port = int(match.group(2))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", "/feed.xml")
        feed = conn.getresponse()
        body = feed.read()
        assert feed.status == 200 and feed.getheader("Content-Type") == "application/rss+xml; charset=utf-8"
        enclosure = re.search(rb'<enclosure url="([^"]+)" length="(\d+)"', body)
        assert enclosure and enclosure.group(1).startswith(f"http://127.0.0.1:{port}/".encode())
        path = urlsplit(enclosure.group(1).decode()).path
        conn.request("HEAD", path)
        head = conn.getresponse()
        head.read()
        assert (head.status, head.getheader("Content-Length")) == (200, enclosure.group(2).decode())
        assert head.getheader("Content-Type") == "audio/mpeg"
        conn.request("GET", path, headers={"Range": "bytes=1000-1999"})
        part = conn.getresponse()
        audio = (project / "episodes" / SAMPLE_EPISODE / "audio.mp3").read_bytes()
        assert part.status == 206
        assert part.read() == audio[1000:2000]
        assert part.getheader("Content-Range") == f"bytes 1000-1999/{len(audio)}"
        assert [p.name.startswith("apa-feed-serve-") for p in temp.iterdir()] == [True]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0 and list(temp.iterdir()) == []  # stopped by a signal, it leaves no folder behind


def test_check_reports_yaml_and_audio_problems_of_different_episodes_together(project: Path) -> None:
    from conftest import add_episode, episode_yaml

    add_episode(project, "2025-12-01-bad-audio", episode_yaml("Bad audio", "2025-12-01"))
    (project / "episodes" / "2025-12-01-bad-audio" / "audio.mp3").write_bytes(b"")
    add_episode(project, "2025-12-02-bad-yaml", episode_yaml("Bad yaml", "2025-12-02", season="zero"))
    result = runner.invoke(app, ["check", "--loudness", "off"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: episodes/2025-12-01-bad-audio/audio.mp3: audio: empty file (0 bytes) "
        "(named at episodes/2025-12-01-bad-audio/episode.yaml:3:8)",
        'error: episodes/2025-12-02-bad-yaml/episode.yaml:5:9: season: expected a whole number of 1 or more, got "zero"',
        "2 problems in 2 files.",
    ]


def test_audio_apple_will_not_play_or_misnamed_is_a_warning(project: Path) -> None:
    import audiogen
    from conftest import add_episode, episode_yaml

    flac = add_episode(project, "2025-12-01-flac", episode_yaml("Flac", "2025-12-01").replace("audio.mp3", "a.flac"))
    audiogen.write_with_ffmpeg(flac / "a.flac", 1.0, ["-c:a", "flac"])
    m4a = add_episode(project, "2025-12-02-m4a", episode_yaml("M4A", "2025-12-02"))
    audiogen.write_m4a_as_mp3(m4a / "audio.mp3", 1.0)
    result = runner.invoke(app, ["check", "--loudness", "off"])  # loudness: tests/audio/test_loudness.py
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "warning: episodes/2025-12-01-flac/a.flac: audio: FLAC audio does not play in Apple Podcasts "
        "(use MP3 or M4A/AAC) (named at episodes/2025-12-01-flac/episode.yaml:3:8) [Apple]",
        'warning: episodes/2025-12-02-m4a/audio.mp3: audio: the file holds MP4 audio but its name ends in ".mp3"; '
        "published as audio/x-m4a (named at episodes/2025-12-02-m4a/episode.yaml:3:8)",
    ]
    feed = runner.invoke(app, ["build"]).stdout
    assert 'type="audio/x-m4a"' in feed


def test_check_names_the_config_file_it_was_given_with_its_lines(project: Path) -> None:
    text = (project / "feed.yaml").read_text(encoding="utf-8")
    other = text.replace("explicit: false\n", "").replace("owner:\n", "owner:\n  # moved down a line\n")
    (project / "other.yaml").write_text(other, encoding="utf-8")
    (project / "feed.yaml").unlink()
    result = runner.invoke(app, ["check", "--loudness", "off", "-f", "other.yaml", "--loudness", "off"])
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        'warning: other.yaml:2:1: explicit: not set, so the feed says "false"; '
        'say it: add "explicit: false" (or true) to other.yaml [Apple]\n'
    )


@pytest.mark.parametrize("args", [["-h"], ["check", "--loudness", "off", "-h"], ["publish", "-h"]])
def test_dash_h_is_help_too(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output and "--help" in result.output


def test_counts_read_in_the_singular_and_the_plural(project: Path) -> None:
    first = runner.invoke(app, ["publish", "--no-verify"])
    assert first.exit_code == 0, first.output
    assert "uploaded 9 files, 0 unchanged, to public/" in first.stdout
    built = runner.invoke(app, ["build", "-o", "out.xml"])
    assert built.exit_code == 0 and "(1 episode)" in built.stderr


def test_only_commands_that_publish_say_nothing_was_published(project: Path) -> None:
    text = (project / "feed.yaml").read_text(encoding="utf-8")
    (project / "feed.yaml").write_text(text.replace("explicit: false", "explicit: yes"), encoding="utf-8")
    endings = {
        command: runner.invoke(app, [command]).stderr.splitlines()[-1] for command in ("check", "build", "publish")
    }
    assert endings == {
        "check": "1 problem in 1 file.",
        "build": "1 problem in 1 file.",
        "publish": "1 problem in 1 file; nothing was published.",
    }


@pytest.mark.parametrize(
    "title", ["a: b", 'back\\slash "q"', "« émoji 🎙 »", "it's", "# not a comment", "- dash", "yes"]
)
def test_new_and_init_write_any_title_so_it_reads_back_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, title: str
) -> None:
    from apa_feed.config.episodes import read_episodes
    from apa_feed.config.show import load_show

    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, ["init", "--title", title]).exit_code == 0
    assert load_show(tmp_path / "feed.yaml").title == title
    made = runner.invoke(app, ["new", "--", title])
    assert made.exit_code == 0, made.output
    (folder,) = (tmp_path / "episodes").iterdir()
    shutil.copy(REPO / "episodes" / SAMPLE_EPISODE / "audio.mp3", folder / "audio.mp3")  # new's draft names it
    episodes, problems = read_episodes(tmp_path, load_show(tmp_path / "feed.yaml").timezone)
    assert problems == [] and [e.title for e in episodes] == [title]


@pytest.mark.parametrize("command", [["new", "   "], ["new", ""], ["init", "--title", " "]])
def test_a_blank_title_is_refused(project: Path, command: list[str]) -> None:
    before = sorted(p.name for p in (project / "episodes").iterdir())
    result = runner.invoke(app, command)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: expected a title for the ")
    assert sorted(p.name for p in (project / "episodes").iterdir()) == before
