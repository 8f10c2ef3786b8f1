"""Safe prune and rollback: no command puts live a feed whose files are gone; rollback steps back one
entry further each time; ``--list`` and ``--to``; the lock follows the restored feed."""
# ruff: noqa: F811

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import NOW, SAMPLE_EPISODE, add_episode, episode_yaml
from s3server import WeedServer, aws_env, point_at, s3_server, show, store_of  # noqa: F401  (fixtures)
from typer.testing import CliRunner

from apa_feed.build import Options
from apa_feed.cli import app
from apa_feed.config.show import load_show
from apa_feed.errors import ApaFeedError
from apa_feed.publish.plan import make_plan
from apa_feed.publish.run import publish, rollback
from apa_feed.storage import StoredObject

runner = CliRunner()


def options(root: Path) -> Options:
    return Options(root / "feed.yaml", now=NOW)


def live_feed(root: Path) -> bytes:
    data = store_of(root).read(load_show(root / "feed.yaml").feed_file)
    assert data is not None
    return data


def missing_files(root: Path) -> set[str]:
    """Every key the live feed names in a url= or href= under base_url that is not on the store."""
    base = load_show(root / "feed.yaml").base_url
    urls = re.findall(rb'(?:url|href)="' + re.escape(base.encode()) + rb'([^"]+)"', live_feed(root))
    return {u.decode() for u in urls} - set(store_of(root).list())


def reencode(root: Path, size: int) -> None:
    audio = root / "episodes" / SAMPLE_EPISODE / "audio.mp3"
    audio.write_bytes(audio.read_bytes()[:size])


def retitle(root: Path, word: str) -> None:
    path = root / "feed.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", f"title: {word} ", 1), encoding="utf-8")


def test_prune_then_rollback_leaves_every_file_of_the_live_feed_on_the_store(show: Path) -> None:
    first = publish(options(show))
    reencode(show, 600_000)
    publish(options(show))
    pruned = publish(options(show), prune=True)  # the first feed, kept in history/, still needs its audio
    assert not pruned.plan.deletes
    assert [a.reason for a in pruned.plan.actions if a.kind == "orphan"] == [
        "kept: a feed in history/ references it (rollback)"
    ]
    rollback(options(show))
    assert live_feed(show) == first.built.rss
    assert missing_files(show) == set()


def test_rollback_refuses_a_kept_feed_whose_files_are_gone_and_names_them(project: Path) -> None:
    publish(options(project))
    (old_audio,) = [k for k in store_of(project).list() if k.startswith(f"episodes/{SAMPLE_EPISODE}/audio-")]
    reencode(project, 600_000)
    second = publish(options(project))
    store_of(project).delete([old_audio])  # by hand, or by an older apa-feed's --prune
    with pytest.raises(ApaFeedError, match=re.escape(old_audio)):
        rollback(options(project))
    assert live_feed(project) == second.built.rss
    assert missing_files(project) == set()


def test_rollback_twice_steps_back_twice_then_stops(show: Path) -> None:
    from apa_feed.publish.run import NothingToRollBack

    first = publish(options(show))
    add_episode(show, "2025-12-01-two", episode_yaml("Two", "2025-12-01"))
    second = publish(options(show))
    add_episode(show, "2025-12-02-three", episode_yaml("Three", "2025-12-02"))
    third = publish(options(show))
    rollback(options(show))
    assert live_feed(show) == second.built.rss
    rollback(options(show))
    assert live_feed(show) == first.built.rss, "the second rollback goes further back, not to the third feed"
    with pytest.raises(NothingToRollBack):
        rollback(options(show))
    assert live_feed(show) == first.built.rss
    retitle(show, "Nouveau")  # a publish after rollbacks: a plain rollback puts back the feed it replaced
    publish(options(show), allow=frozenset({"removed"}))
    rollback(options(show))
    assert live_feed(show) == first.built.rss
    assert third.built.rss != first.built.rss


def test_list_shows_the_kept_feeds_and_to_puts_back_the_one_chosen(project: Path) -> None:
    first = publish(options(project))
    add_episode(project, "2025-12-01-two", episode_yaml("Two", "2025-12-01"))
    second = publish(options(project))
    add_episode(project, "2025-12-02-three", episode_yaml("Three", "2025-12-02"))
    third = publish(options(project))
    listed = runner.invoke(app, ["rollback", "--list"])
    assert listed.exit_code == 0, listed.output
    rows = listed.output.strip().splitlines()
    assert [r.split()[0] for r in rows] == ["1", "2"]
    assert "1 episode " in rows[0] and "2 episodes" in rows[1]
    assert f"{len(first.built.rss):,} bytes" in rows[0] and "Dec 2025" in rows[1]
    chosen = runner.invoke(app, ["rollback", "--to", "1"])
    assert chosen.exit_code == 0, chosen.output
    assert "history/000001-" in chosen.output and "pages" in chosen.output
    assert live_feed(project) == first.built.rss
    again = runner.invoke(app, ["rollback", "--list"])
    rows = again.output.strip().splitlines()
    assert len(rows) == 3 and "<- live" in rows[0] and "3 episodes" in rows[2]
    undo = runner.invoke(app, ["rollback", "--to", "3"])
    assert undo.exit_code == 0, undo.output
    assert live_feed(project) == third.built.rss
    assert runner.invoke(app, ["rollback", "--to", "9"]).exit_code == 1
    runner.invoke(app, ["rollback"])
    assert live_feed(project) == second.built.rss, "after --to 3, a plain rollback steps back from entry 3"


def test_the_lock_follows_the_restored_feed(project: Path) -> None:
    publish(options(project))
    locked = json.loads((project / "apa-feed.lock").read_text(encoding="utf-8"))["episodes"]
    reencode(project, 600_000)
    publish(options(project))
    moved = json.loads((project / "apa-feed.lock").read_text(encoding="utf-8"))["episodes"]
    assert moved[0]["enclosure_url"] != locked[0]["enclosure_url"]
    rollback(options(project))
    restored = json.loads((project / "apa-feed.lock").read_text(encoding="utf-8"))["episodes"]
    identity = ("guid", "pub_date", "enclosure_url", "slug", "title")
    assert [{k: e[k] for k in identity} for e in restored] == [{k: e[k] for k in identity} for e in locked]
    # the facts of the audio stay those of the file in the show (what the next publish would publish)
    assert restored[0]["audio"] == moved[0]["audio"]


def test_plan_keeps_an_orphan_a_kept_feed_references() -> None:
    listing = {k: StoredObject(k, 1) for k in ("feed.xml", "history/000001-feed-abc.xml", "old.mp3", "gone.mp3")}
    kept = b'<rss><enclosure url="https://cdn.example/podcast/old.mp3"/></rss>'
    own = frozenset({"old.mp3", "gone.mp3"})  # both written by apa-feed (in its record on the store)
    plan = make_plan((), listing, "feed.xml", b"<rss/>", b"<rss/>", prune=True, kept_feeds=(kept,), written=own)
    assert plan.deletes == ("gone.mp3",)
