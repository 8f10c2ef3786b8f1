"""One publish of a show at a time; a missing source file is named as the file that could not be read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import NOW, REPO

from apa_feed.build import Options
from apa_feed.errors import StorageError
from apa_feed.publish.run import publish, rollback
from apa_feed.publish.runlock import PublishRunning
from apa_feed.storage.local import LocalStore

HOLD = """
import sys, time
from pathlib import Path
from apa_feed.publish.runlock import exclusive
with exclusive(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_a_second_publish_is_refused_while_one_runs(project: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(project)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(PublishRunning) as refused:
            publish(Options(project / "feed.yaml", now=NOW))
        assert str(refused.value) == (
            f"another publish of this show is running (process {holder.pid}); wait for it to finish, then publish again"
        )
        with pytest.raises(PublishRunning):
            rollback(Options(project / "feed.yaml"))
        assert publish(Options(project / "feed.yaml", now=NOW), dry_run=True).dry_run, "a dry run takes no lock"
        assert not (project / "public").exists()
    finally:
        holder.communicate("done\n", timeout=10)
    assert publish(Options(project / "feed.yaml", now=NOW)).plan.count("upload") > 0  # released with the process


def test_a_killed_publish_leaves_no_stale_lock(project: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(project)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait(timeout=10)
    assert publish(Options(project / "feed.yaml", now=NOW)).plan.count("upload") > 0


def test_a_missing_source_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    store = LocalStore(tmp_path / "public")
    with pytest.raises(StorageError) as failed:
        store.put_file("episodes/x/audio.mp3", tmp_path / "gone.mp3", "audio/mpeg", "no-cache")
    assert str(failed.value) == "cannot read gone.mp3: No such file or directory"


def test_the_command_reads_the_store_only_once_it_holds_the_lock(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reading of the store from before the lock could miss what the running publish does (and
    ``--prune`` trusts it): the command takes the lock first, then starts reading."""
    from typer.testing import CliRunner

    from apa_feed.cli import app
    from apa_feed.storage.survey import Survey

    started: list[object] = []
    real = Survey.start.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(Survey, "start", classmethod(lambda cls, *args: started.append(args) or real(cls, *args)))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(project)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        refused = CliRunner().invoke(app, ["publish", "--quiet", "--no-verify"])
        assert refused.exit_code != 0 and "another publish of this show is running" in refused.output
        assert started == []
    finally:
        holder.communicate("\n", timeout=10)
    done = CliRunner().invoke(app, ["publish", "--quiet", "--no-verify"])
    assert done.exit_code == 0, done.output
    assert len(started) == 1
    assert (project / "public" / "feed.xml").is_file()
