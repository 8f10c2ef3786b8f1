"""The store's lease (issue 16): one publish of a show at a time on a store, whichever machine runs it; a
killed publish's lease expires and is taken over; ``--prune`` never runs beside another publish's lease and
keeps orphans younger than an hour."""
# ruff: noqa: F811

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import NOW, REPO, SAMPLE_EPISODE, add_episode, episode_yaml
from s3server import WeedServer, aws_env, point_at, s3_server, show, store_of  # noqa: F401  (fixtures)
from typer.testing import CliRunner

from apa_feed.build import Options
from apa_feed.cli import app
from apa_feed.publish.identity import IdentityChanged
from apa_feed.publish.plan import YOUNG
from apa_feed.publish.run import publish
from apa_feed.storage.lease import LEASE, LeaseHeld, acquire, holder
from apa_feed.storage.local import LocalStore

HOLD = """
import sys, time
sys.path.insert(0, sys.argv[2])
from s3server import store_of
from pathlib import Path
from apa_feed.storage.lease import acquire
acquire(store_of(Path(sys.argv[1])), ttl=float(sys.argv[3]))
print("held", flush=True)
time.sleep(600)
"""


def options(root: Path) -> Options:
    return Options(root / "feed.yaml", now=NOW)


def someone_elses_lease(root: Path, expires_in: float) -> None:
    doc = {"owner": "ana@studio-2", "pid": 4242, "token": "theirs", "expires_at": time.time() + expires_in}
    store_of(root).put_bytes(LEASE, json.dumps(doc).encode(), "application/json", "no-store")


def stray(root: Path) -> None:
    """An orphan apa-feed wrote (its record names it): what an interrupted publish leaves, or one under way."""
    store = store_of(root)
    store.put_bytes("episodes/stray.mp3", b"orphan", "audio/mpeg", "no-cache")
    written = json.loads(store.read("apa-feed-written.json") or b"{}")
    written["written"].append("episodes/stray.mp3")
    store.put_bytes("apa-feed-written.json", json.dumps(written).encode(), "application/json", "no-cache")


def test_a_publish_holds_the_lease_while_it_runs_and_gives_it_back(show: Path) -> None:
    seen: list[str] = []
    publish(options(show), on_plan=lambda report: seen.append(holder(store_of(show))))
    assert len(seen) == 1 and seen[0].endswith(f"(process {os.getpid()})")
    assert LEASE not in store_of(show).list()  # given back


def test_a_live_lease_refuses_a_publish_and_a_prune_deletes_nothing(
    show: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(options(show))
    add_episode(show, "2025-12-01-next", episode_yaml("Next", "2025-12-01"))
    stray(show)
    someone_elses_lease(show, 3600)
    before = {k: v.size for k, v in store_of(show).list().items()}
    monkeypatch.setattr("apa_feed.publish.run.PRUNE_GRACE", 0.0)
    with pytest.raises(LeaseHeld) as refused:
        publish(options(show), prune=True)
    assert str(refused.value).startswith(
        "another publish of this show is running: ana@studio-2 (process 4242) holds the store's lease until "
    )
    assert str(refused.value).endswith("wait for it to finish (or for its lease to expire), then publish again")
    assert {k: v.size for k, v in store_of(show).list().items()} == before  # nothing uploaded, nothing pruned
    dry = publish(options(show), dry_run=True, prune=True)  # a dry run says so, and goes on
    assert dry.notes == ("ana@studio-2 (process 4242) holds the store's lease: a publish now would wait for it",)
    store_of(show).delete([LEASE])
    assert publish(options(show), prune=True).plan.deletes == ("episodes/stray.mp3",)


def test_a_killed_publishs_lease_expires_and_is_taken_over(show: Path) -> None:
    holding = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(show), str(REPO / "tests"), "3"], stdout=subprocess.PIPE, text=True
    )
    assert holding.stdout is not None and holding.stdout.readline().strip() == "held"
    holding.kill()
    holding.wait(timeout=10)
    with pytest.raises(LeaseHeld, match=f"process {holding.pid}"):
        publish(options(show))  # not yet expired
    time.sleep(3.2)
    result = CliRunner().invoke(app, ["publish", "--no-verify"])
    assert result.exit_code == 0, result.output
    assert "note: took over the store's lease of " in result.stderr
    assert f"(process {holding.pid}), expired since " in result.stderr
    assert LEASE not in store_of(show).list()


def test_a_refused_publish_gives_the_lease_back(show: Path) -> None:
    publish(options(show))
    (show / "episodes" / SAMPLE_EPISODE / "episode.yaml").write_text(
        (show / "episodes" / SAMPLE_EPISODE / "episode.yaml").read_text(encoding="utf-8") + "draft: true\n"
    )
    with pytest.raises(IdentityChanged):
        publish(options(show))
    assert holder(store_of(show)) == "" and LEASE not in store_of(show).list()


def test_a_lease_is_renewed_while_held_and_two_cannot_take_it(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "public")
    lease = acquire(store, ttl=0.6)
    first = json.loads(store.read(LEASE) or b"{}")["expires_at"]
    with pytest.raises(LeaseHeld):
        acquire(store)
    lease.keep()
    time.sleep(0.5)
    assert json.loads(store.read(LEASE) or b"{}")["expires_at"] > first
    lease.release()
    assert store.read(LEASE) is None
    acquire(store).release()


def test_prune_keeps_orphans_younger_than_an_hour(show: Path) -> None:
    publish(options(show))
    stray(show)  # as if uploaded by a publish under way
    report = publish(options(show), prune=True)
    assert report.plan.deletes == ()
    assert [(a.key, a.reason) for a in report.plan.actions if a.kind == "orphan"] == [("episodes/stray.mp3", YOUNG)]
    if isinstance(store_of(show), LocalStore):  # a folder's times can be set back: an old orphan goes
        old = time.time() - 3700
        os.utime(show / "public" / "episodes" / "stray.mp3", (old, old))
        assert publish(options(show), prune=True).plan.deletes == ("episodes/stray.mp3",)
