"""``publish --prune``: orphans go only after the new feed is written, and never history/, the feed, or what
either feed references; on the local folder store and on a real S3 server."""
# ruff: noqa: F811

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from conftest import NOW, SAMPLE_EPISODE, add_episode, episode_yaml
from s3server import WeedServer, aws_env, point_at, s3_server, show, store_of  # noqa: F401  (fixtures)

import apa_feed.publish.run as publish_run
from apa_feed.build import Options, build_project
from apa_feed.publish.plan import RECORD, make_plan, make_record, read_record
from apa_feed.publish.run import apply, publish
from apa_feed.storage import Store, StoredObject
from apa_feed.storage.local import LocalStore


@pytest.fixture(autouse=True)
def no_prune_grace(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests prune orphans made a moment before: no grace period (test_lease.py tests the grace)."""
    monkeypatch.setattr(publish_run, "PRUNE_GRACE", 0.0)


def keys(project: Path) -> set[str]:
    return set(store_of(project).list())


def left_over(store: Store, key: str) -> None:
    """An object apa-feed wrote and no feed needs any more (what --prune may delete): stored and recorded."""
    store.put_bytes(key, b"junk", "audio/mpeg", "no-cache")
    store.put_bytes(RECORD, make_record(read_record(store.read(RECORD)) | {key}), "application/json", "no-cache")


def reencode(project: Path) -> None:
    audio = project / "episodes" / SAMPLE_EPISODE / "audio.mp3"
    audio.write_bytes(audio.read_bytes()[:600_000])


def test_prune_keeps_what_any_feed_references_then_deletes_it_once_none_does(show: Path) -> None:
    first = publish(Options(show / "feed.yaml", now=NOW))
    (old_audio,) = [k for k in keys(show) if re.match(rf"episodes/{SAMPLE_EPISODE}/audio-", k)]
    left_over(store_of(show), "stray/left-over.mp3")
    reencode(show)
    second = publish(Options(show / "feed.yaml", now=NOW), prune=True)
    assert second.plan.deletes == ("stray/left-over.mp3",)
    kept = [a for a in second.plan.actions if a.key == old_audio]
    assert [(a.kind, a.reason) for a in kept] == [("orphan", "kept: the live feed still references it")]
    assert old_audio in keys(show) and "stray/left-over.mp3" not in keys(show)
    third = publish(Options(show / "feed.yaml", now=NOW), prune=True)
    assert third.plan.deletes == (), "the first feed, kept in history/, still references the old audio"
    assert [(a.kind, a.reason) for a in third.plan.actions if a.key == old_audio] == [
        ("orphan", "kept: a feed in history/ references it (rollback)")
    ]
    history = sorted(k for k in keys(show) if k.startswith("history/"))
    store_of(show).delete(history)  # the producer gives up rolling back that far
    fourth = publish(Options(show / "feed.yaml", now=NOW), prune=True)
    assert fourth.plan.deletes == (old_audio,)
    remaining = keys(show)
    assert old_audio not in remaining
    assert {"feed.xml", *(a.key for a in first.plan.uploads if a.key != old_audio)} <= remaining


def test_without_prune_orphans_are_listed_never_deleted(show: Path) -> None:
    publish(Options(show / "feed.yaml", now=NOW))
    store_of(show).put_bytes("stray/left-over.mp3", b"junk", "audio/mpeg", "no-cache")
    report = publish(Options(show / "feed.yaml", now=NOW))
    assert [(a.kind, a.reason) for a in report.plan.actions if a.key.startswith("stray/")] == [
        ("orphan", "no longer referenced by the feed")
    ]
    assert report.plan.deletes == () and "stray/left-over.mp3" in keys(show)


def test_a_dry_run_with_prune_says_what_would_go_and_deletes_nothing(project: Path) -> None:
    publish(Options(project / "feed.yaml", now=NOW))
    left_over(LocalStore(project / "public"), "stray.mp3")
    report = publish(Options(project / "feed.yaml", now=NOW), dry_run=True, prune=True)
    assert report.plan.deletes == ("stray.mp3",)
    assert report.as_dict()["deleted"] == []
    assert (project / "public" / "stray.mp3").exists()


class Recording(LocalStore):
    """The local store, noting the order of the feed write and the deletes."""

    events: list[str]

    def put_bytes(self, key: str, data: bytes, content_type: str, cache_control: str) -> None:
        self.events.append(f"put {key}")
        super().put_bytes(key, data, content_type, cache_control)

    def delete(self, keys: Iterable[str]) -> None:
        keys = list(keys)
        self.events.append(f"delete {keys}")
        super().delete(keys)


def test_deletes_happen_only_after_the_new_feed_is_written(project: Path) -> None:
    publish(Options(project / "feed.yaml", now=NOW))
    add_episode(project, "2025-12-01-two", episode_yaml("Two", "2025-12-01"))
    store = Recording(project / "public")
    store.events = []
    left_over(store, "stray.mp3")
    built = build_project(Options(project / "feed.yaml", now=NOW))
    written = read_record(store.read(RECORD))
    listing, live = store.list(), store.read("feed.xml")
    plan = make_plan(built.publication.assets, listing, "feed.xml", built.rss, live, prune=True, written=written)
    store.events.clear()
    apply(plan, store)
    assert store.events[-3:] == ["put feed.xml", "delete ['stray.mp3']", f"put {RECORD}"]
    assert "stray.mp3" not in read_record(store.read(RECORD))


def test_plan_never_deletes_history_the_feed_or_a_referenced_key() -> None:
    listing = {k: StoredObject(k, 1) for k in ("feed.xml", "history/000001-feed-abc.xml", "a b.mp3", "gone.mp3")}
    live = b'<rss><enclosure url="https://cdn.example/podcast/a%20b.mp3"/></rss>'
    plan = make_plan((), listing, "feed.xml", b"<rss/>", live, prune=True, written=frozenset(listing))
    assert plan.deletes == ("gone.mp3",)
    assert [(a.kind, a.key) for a in plan.actions if a.kind in ("orphan", "delete")] == [
        ("orphan", "a b.mp3"),
        ("delete", "gone.mp3"),
    ]
