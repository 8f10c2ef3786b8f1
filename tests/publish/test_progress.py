"""Upload progress: plain lines off a terminal, nothing with --quiet, a rich bar on a terminal; thread-safe."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import pytest
from conftest import NOW
from typer.testing import CliRunner

from apa_feed.cli import app
from apa_feed.publish.progress import UploadProgress, progress_for


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    with progress_for(quiet=False, stream=out) as progress:
        progress.start(2, 1_500)
        progress.advance(1_000)
        progress.finished("episodes/a/audio.mp3", 1_000)
        progress.advance(500)
        progress.finished("feed-page.html", 500)
    assert progress.mode == "lines"
    assert out.getvalue().splitlines() == [
        "uploaded episodes/a/audio.mp3 (1,000 bytes)",
        "uploaded feed-page.html (500 bytes)",
    ]


def test_nothing_when_quiet() -> None:
    out = Terminal()
    with progress_for(quiet=True, stream=out) as progress:
        progress.start(1, 10)
        progress.advance(10)
        progress.finished("a.mp3", 10)
    assert (progress.mode, out.getvalue()) == ("quiet", "")


def test_a_bar_on_a_terminal_with_bytes_and_rate() -> None:
    out = Terminal()
    with progress_for(quiet=False, stream=out) as progress:
        progress.start(2, 2 * 1024 * 1024)
        progress.advance(1024 * 1024)
        progress.finished("a.mp3", 1024 * 1024)
        assert progress._bar is not None
        progress._bar.refresh()
    assert progress.mode == "bar"
    assert "uploading" in out.getvalue() and "1/2" in out.getvalue() and "MiB" in out.getvalue()


def test_counts_stay_exact_under_many_threads() -> None:
    progress = UploadProgress("lines", io.StringIO())
    progress.start(8 * 500, 8 * 500 * 3)

    def work() -> None:
        for n in range(500):
            progress.advance(3)
            progress.finished(f"k{n}", 3)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (progress.sent, progress.files) == (12_000, 4_000)
    assert len(progress.stream.getvalue().splitlines()) == 4_000  # type: ignore[attr-defined]


def test_publish_prints_a_line_per_file_and_quiet_prints_none(project: Path) -> None:
    runner = CliRunner()
    shown = runner.invoke(app, ["publish", "--no-verify"])
    assert shown.exit_code == 0, shown.output
    uploaded = [line for line in shown.stderr.splitlines() if line.startswith("uploaded ")]
    assert len(uploaded) == shown.stdout.count("(new)") - 1  # every file but the feed, written after
    (project / "public").rename(project / "old")
    quiet = runner.invoke(app, ["publish", "--quiet", "--no-verify"])
    assert quiet.exit_code == 0 and not [line for line in quiet.stderr.splitlines() if line.startswith("uploaded ")]
    assert NOW  # the sample's episode is dated in the past: published either way


def test_a_build_bar_shows_only_when_long_and_many_are_left() -> None:
    from apa_feed.publish.progress import BuildProgress

    quick = Terminal()
    with BuildProgress(True, quick) as progress:  # the default: a second before any bar
        for done in range(1, 201):
            progress(done, 200)
    assert quick.getvalue() == ""
    slow = Terminal()
    with BuildProgress(True, slow) as progress:
        progress.after, progress.left = 0.0, 50
        progress(1, 200)
        assert progress._bar is not None
        progress._bar.refresh()
        progress(199, 200)
    assert "reading" in plain(slow.getvalue()) and "199/200 episodes" in plain(slow.getvalue())
    few = Terminal()
    with BuildProgress(True, few) as progress:
        progress.after = 0.0
        for done in range(1, 51):  # never more than 50 left
            progress(done, 50)
        assert progress._bar is None
    assert few.getvalue() == ""


def many_episodes(project: Path, count: int) -> None:
    from conftest import add_episode, episode_yaml

    for n in range(count):
        add_episode(project, f"2025-12-{n + 1:02d}-ep", episode_yaml(f"Part {chr(65 + n)}", f"2025-12-{n + 1:02d}"))


@pytest.fixture
def bar_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bar from the first episode read while more than 2 are left; the CLI's stderr taken for a terminal."""
    from apa_feed.publish import progress

    monkeypatch.setattr(progress, "BUILD_BAR_AFTER", 0.0)
    monkeypatch.setattr(progress, "BUILD_BAR_LEFT", 2)
    monkeypatch.setattr(progress, "is_terminal", lambda stream: True)


@pytest.mark.parametrize("command", [["check"], ["build", "-o", "out.xml"], ["publish", "--no-verify"]])
def test_check_build_and_publish_show_a_bar_on_a_long_build(
    project: Path, bar_at_once: None, command: list[str]
) -> None:
    many_episodes(project, 5)
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    assert "reading" in plain(result.stderr) and "6/6 episodes" in plain(result.stderr)
    assert "\x1b[2K" in result.stderr  # erased when done: what the command prints next stands alone


@pytest.mark.parametrize("command", [["check", "--json"], ["publish", "--json", "--no-verify"], ["publish", "-q"]])
def test_no_build_bar_with_json_or_quiet(project: Path, bar_at_once: None, command: list[str]) -> None:
    many_episodes(project, 5)
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.output
    assert "reading" not in result.output and "episodes" not in result.stderr


def test_no_build_bar_in_a_log(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from apa_feed.publish import progress

    monkeypatch.setattr(progress, "BUILD_BAR_AFTER", 0.0)
    monkeypatch.setattr(progress, "BUILD_BAR_LEFT", 2)
    monkeypatch.setenv("FORCE_COLOR", "1")  # as CI services set it: still not a terminal
    many_episodes(project, 5)
    result = CliRunner().invoke(app, ["check", "--loudness", "off"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
