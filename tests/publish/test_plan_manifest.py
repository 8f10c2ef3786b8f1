"""Objects under fixed keys (web pages) are compared by the SHA-256 the manifest recorded, not by size."""

from __future__ import annotations

import hashlib
from pathlib import Path

from apa_feed.feed.model import Asset
from apa_feed.publish.plan import MANIFEST, make_manifest, make_plan, read_manifest
from apa_feed.storage import StoredObject
from apa_feed.storage.local import LocalStore

PAGE_CACHE = "public, max-age=300"


def page(key: str, html: bytes) -> Asset:
    return Asset(key, Path(key), len(html), hashlib.sha256(html).hexdigest(), "text/html", PAGE_CACHE, html)


def test_a_changed_page_of_the_same_size_is_uploaded() -> None:
    old, new = page("index.html", b"<p>version A</p>"), page("index.html", b"<p>version B</p>")
    listing = {"index.html": StoredObject("index.html", old.size)}
    plan = make_plan((new,), listing, "feed.xml", b"feed", b"feed", live_manifest=make_manifest((old,)))
    assert [(a.kind, a.key, a.reason) for a in plan.actions if a.key == "index.html"] == [
        ("upload", "index.html", "changed")
    ]
    assert read_manifest(plan.manifest) == {"index.html": new.sha256}


def test_an_unchanged_page_is_not_uploaded_and_the_manifest_is_not_rewritten() -> None:
    same = page("index.html", b"<p>same</p>")
    listing = {"index.html": StoredObject("index.html", same.size), MANIFEST: StoredObject(MANIFEST, 10)}
    plan = make_plan((same,), listing, "feed.xml", b"feed", b"feed", live_manifest=make_manifest((same,)))
    assert plan.uploads == ()
    assert plan.manifest is None
    assert plan.count("orphan") == 0, "the manifest itself is never an orphan"


def test_no_manifest_means_pages_are_uploaded_again() -> None:
    same = page("index.html", b"<p>same</p>")
    plan = make_plan((same,), {"index.html": StoredObject("index.html", same.size)}, "feed.xml", b"f", None)
    assert [a.key for a in plan.uploads] == ["index.html"]
    assert read_manifest(b"not json") == {}


def test_publish_writes_the_manifest_before_the_feed(tmp_path: Path) -> None:
    from apa_feed.publish.run import apply

    store = LocalStore(tmp_path)
    asset = page("episodes/x/index.html", b"<html></html>")
    plan = make_plan((asset,), store.list(), "feed.xml", b"<rss/>", None)
    apply(plan, store)
    assert read_manifest(store.read(MANIFEST)) == {"episodes/x/index.html": asset.sha256}
    again = make_plan(
        (asset,), store.list(), "feed.xml", b"<rss/>", store.read("feed.xml"), live_manifest=store.read(MANIFEST)
    )
    assert (again.uploads, again.manifest, again.feed_changed) == ((), None, False)
