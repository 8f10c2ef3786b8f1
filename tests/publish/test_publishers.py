"""Several publishers on one store (issue 16): the store's publish record and the live feed are the truth;
a clone that lacks an episode another clone published cannot take it down without saying so."""
# ruff: noqa: F811

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import NOW, SAMPLE_EPISODE, add_episode, episode_yaml
from s3server import WeedServer, aws_env, point_at, s3_server, show, store_of  # noqa: F401  (fixtures)
from typer.testing import CliRunner

from apa_feed.build import Options
from apa_feed.cli import app
from apa_feed.importfeed.parse import parse_feed
from apa_feed.publish.identity import IdentityChanged
from apa_feed.publish.live import PUBLISHED, live_elsewhere
from apa_feed.publish.lockfile import read_lock
from apa_feed.publish.run import Report, publish
from apa_feed.storage.local import LocalStore

EP_A, EP_B = "2025-12-01-from-a", "2025-12-02-from-b"


def run(root: Path, allow: frozenset[str] = frozenset(), **kwargs: object) -> Report:
    return publish(Options(root / "feed.yaml", now=NOW), allow=allow, **kwargs)  # type: ignore[arg-type]


def shared_store(show: Path, folder: Path) -> None:
    """A local show publishes to ``folder`` outside it (so that its clones share one store)."""
    text = (show / "feed.yaml").read_text(encoding="utf-8")
    if "storage: s3://" not in text:
        text = re.sub(r"^storage: .*$", f"storage: {folder}", text, flags=re.M)
        if "storage:" not in text:
            text += f"storage: {folder}\n"
        (show / "feed.yaml").write_text(text, encoding="utf-8")


def clone(source: Path, target: Path) -> Path:
    """A copy of the show as a git clone would have it (no store folder, no cache)."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("public"))
    return target


def live_titles(root: Path) -> list[str]:
    data = store_of(root).read("feed.xml")
    assert data is not None
    return sorted(item.title for item in parse_feed(data, "feed.xml").items)


@pytest.fixture
def two_clones(show: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Clone A (the show) and clone B, made after a first publish of the sample episode, one store."""
    shared_store(show, tmp_path_factory.mktemp("store"))
    run(show)
    return show, clone(show, tmp_path_factory.mktemp("clone") / "b")


def test_the_store_records_what_is_published_and_by_whom(two_clones: tuple[Path, Path]) -> None:
    a, _ = two_clones
    data = store_of(a).read(PUBLISHED)
    assert data is not None
    record = json.loads(data)
    local = json.loads((a / "apa-feed.lock").read_text(encoding="utf-8"))
    assert {k: record[k] for k in ("podcast_guid", "feed_url", "episodes")} == {
        k: local[k] for k in ("podcast_guid", "feed_url", "episodes")
    }
    assert record["episodes"][0]["slug"] == SAMPLE_EPISODE
    assert set(record["published_by"]) == {"host", "user", "at"} and record["published_by"]["host"]


def test_a_clone_without_an_episode_another_published_is_refused(two_clones: tuple[Path, Path]) -> None:
    a, b = two_clones
    add_episode(a, EP_A, episode_yaml("From A", "2025-12-01"))
    run(a)
    add_episode(b, EP_B, episode_yaml("From B", "2025-12-02"))
    assert [e.slug for e in live_elsewhere(b / "feed.yaml")] == [EP_A]  # what `status` shows
    with pytest.raises(IdentityChanged) as refused:
        run(b)
    message = str(refused.value)
    assert f'  {EP_A}: "From A" is live on the store (last publish: ' in message
    assert f"but not in this clone: `git pull` to get it (or restore its folder episodes/{EP_A}/)" in message
    assert message.endswith("nothing was published; if this is intended, publish again with --allow-removal")
    assert "From A" in live_titles(a) and "From B" not in live_titles(a)  # episode A is still live
    run(b, allow=frozenset({"removed"}))  # the producer says so: B's feed goes live, A's episode leaves it
    assert "From B" in live_titles(a) and "From A" not in live_titles(a)


def test_a_clone_that_pulled_converges_and_its_lock_follows_the_store(two_clones: tuple[Path, Path]) -> None:
    a, b = two_clones
    add_episode(a, EP_A, episode_yaml("From A", "2025-12-01"))
    run(a)
    shutil.copytree(a / "episodes" / EP_A, b / "episodes" / EP_A)  # `git pull` of the folder, not of the lock
    add_episode(b, EP_B, episode_yaml("From B", "2025-12-02"))
    report = run(b)
    assert not report.refused
    titles = live_titles(a)
    assert len(titles) == 3 and {"From A", "From B"} <= set(titles)
    lock = read_lock(b)
    assert lock is not None and {e.slug for e in lock.episodes} == {SAMPLE_EPISODE, EP_A, EP_B}
    assert live_elsewhere(b / "feed.yaml") == ()


def test_dry_run_shows_the_whole_plan_and_what_would_be_refused(two_clones: tuple[Path, Path]) -> None:
    a, b = two_clones
    add_episode(a, EP_A, episode_yaml("From A", "2025-12-01"))
    run(a)
    add_episode(b, EP_B, episode_yaml("From B", "2025-12-02"))
    result = CliRunner().invoke(app, ["publish", "--dry-run", "--config", str(b / "feed.yaml")])
    assert result.exit_code == 1
    out = result.stdout
    assert re.search(rf"^upload +episodes/{EP_B}/audio-", out, re.M), out  # the plan is shown in full
    assert f'refused   {EP_A}: "From A" is live on the store' in out
    assert "publish again with --allow-removal" in result.output
    assert "From A" in live_titles(a)


def test_the_plan_is_printed_before_the_uploads_start(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = LocalStore.put_files

    def announced(self: LocalStore, *args: Any, **kwargs: Any) -> None:
        print("-- uploads start --")
        real(self, *args, **kwargs)

    monkeypatch.setattr(LocalStore, "put_files", announced)
    result = CliRunner().invoke(app, ["publish", "--no-verify"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    starts = [n for n, line in enumerate(lines) if line == "-- uploads start --"]
    assert any(line.startswith(f"upload    episodes/{SAMPLE_EPISODE}/audio-") for line in lines[: starts[0]])
    assert lines[starts[-1] + 1].startswith("uploaded ") and lines[-1].startswith("feed: ")


def test_dry_run_json_says_what_would_be_refused(two_clones: tuple[Path, Path]) -> None:
    a, b = two_clones
    add_episode(a, EP_A, episode_yaml("From A", "2025-12-01"))
    run(a)
    result = CliRunner().invoke(app, ["publish", "--dry-run", "--json", "--config", str(b / "feed.yaml")])
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert [(r["kind"], r["episode"]) for r in summary["refused"]] == [("removed", EP_A)]
    assert summary["dry_run"] is True and summary["uploaded"] > 0  # the whole plan, the new feed included
