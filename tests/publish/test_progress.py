"""Upload progress: plain lines off a terminal, nothing with --quiet, a rich bar on a terminal; thread-safe."""

from __future__ import annotations

import io
import threading
from pathlib import Path

from conftest import NOW
from typer.testing import CliRunner

from apa_feed.cli import app
from apa_feed.publish.progress import UploadProgress, progress_for


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
