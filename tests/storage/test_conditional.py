"""Conditional writes, for the compare-and-swap of the feed (issue 16): a store writes an object only over
the version a writer read, and of writers racing over one version exactly one wins. SeaweedFS honours
S3's If-Match and If-None-Match: * on PutObject (and refuses with 412); a folder checks and renames under
an OS lock on the folder."""
# ruff: noqa: F811

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from s3server import aws_env, s3_bucket, s3_endpoint, s3_server  # noqa: F401  (fixtures)

from apa_feed.storage import Store, StoreChanged
from apa_feed.storage.local import LocalStore
from apa_feed.storage.s3 import S3Store

TYPE, CACHE = "application/rss+xml", "no-cache"


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    if request.param == "local":
        return LocalStore(tmp_path / "public")
    request.getfixturevalue("aws_env")
    bucket = request.getfixturevalue("s3_bucket")
    return S3Store.from_spec(f"s3://{bucket}/show", endpoint_url=request.getfixturevalue("s3_endpoint"))


def test_a_write_goes_only_over_the_version_read(store: Store) -> None:
    assert store.read_tagged("feed.xml") == (None, None)
    store.put_if("feed.xml", b"one", TYPE, CACHE, None)  # none there: created
    with pytest.raises(StoreChanged) as lost:
        store.put_if("feed.xml", b"two", TYPE, CACHE, None)  # one there now: not created over it
    assert str(lost.value) == (
        f"{store.describe()}feed.xml changed on the store since it was read; it was not overwritten"
    )
    data, tag = store.read_tagged("feed.xml")
    assert data == b"one" and tag
    store.put_if("feed.xml", b"three", TYPE, CACHE, tag)
    with pytest.raises(StoreChanged):
        store.put_if("feed.xml", b"four", TYPE, CACHE, tag)  # a stale version
    assert store.read("feed.xml") == b"three"
    assert store.read_tagged("feed.xml")[1] not in (None, tag)


def race(store: Store, tag: str | None, payloads: list[bytes]) -> list[bytes]:
    """Start one conditional write per payload at the same instant; the payloads that were written."""
    start = threading.Barrier(len(payloads))
    won: list[bytes] = []

    def write(data: bytes) -> None:
        start.wait()
        try:
            store.put_if("feed.xml", data, TYPE, CACHE, tag)
            won.append(data)
        except StoreChanged:
            pass

    writers = [threading.Thread(target=write, args=(data,)) for data in payloads]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    return won


def test_of_writers_racing_over_one_version_exactly_one_wins(store: Store) -> None:
    for round_ in range(8):
        store.put_bytes("feed.xml", b"base %d" % round_, TYPE, CACHE)
        _, tag = store.read_tagged("feed.xml")
        won = race(store, tag, [b"writer %d-%d" % (round_, n) for n in range(3)])
        assert len(won) == 1, won
        assert store.read("feed.xml") == won[0]


def test_the_listing_says_when_each_object_was_written(store: Store) -> None:
    before = time.time()
    store.put_bytes("a.mp3", b"a", "audio/mpeg", CACHE)
    (found,) = store.list().values()
    assert found.modified is not None and before - 5 < found.modified < time.time() + 5
