"""Publishing the sample show to a real S3 server (SeaweedFS on 127.0.0.1), as a podcast app then sees it."""

from __future__ import annotations

import hashlib
import re
import urllib.request
from pathlib import Path

import pytest
from conftest import NOW, SAMPLE_EPISODE, add_episode, episode_yaml
from s3server import WeedServer, aws_env, point_at, s3_dedicated_server, s3_server  # noqa: F401  (fixtures)

from apa_feed.build import Options
from apa_feed.errors import StorageError
from apa_feed.publish.run import publish
from apa_feed.storage import Progress, Upload
from apa_feed.storage.s3 import S3Store


def fetch(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, method=method, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def test_podcast_app_gets_every_enclosure(project: Path, s3_server: WeedServer, aws_env: dict[str, str]) -> None:
    bucket = s3_server.create_bucket()
    point_at(project, s3_server, bucket)
    report = publish(Options(project / "feed.yaml", now=NOW))
    assert report.store == f"s3://{bucket}/show/"
    status, headers, feed = fetch(report.feed_url)
    assert (status, headers["Content-Type"]) == (200, "application/rss+xml; charset=utf-8")
    assert feed == report.built.rss
    audio = (project / "episodes" / SAMPLE_EPISODE / "audio.mp3").read_bytes()
    (url,) = re.findall(rb'<enclosure url="([^"]+)"', feed)
    status, headers, _ = fetch(url.decode(), "HEAD")
    assert (status, headers["Content-Length"], headers["Content-Type"]) == (200, str(len(audio)), "audio/mpeg")
    assert "immutable" in headers["Cache-Control"]
    status, headers, part = fetch(url.decode(), headers={"Range": "bytes=100-199"})
    assert (status, part) == (206, audio[100:200])
    again = publish(Options(project / "feed.yaml", now=NOW))
    assert (again.plan.count("upload"), again.plan.count("unchanged")) == (0, len(report.plan.actions))


def test_every_object_carries_its_sha256_as_metadata(
    project: Path, s3_server: WeedServer, aws_env: dict[str, str]
) -> None:
    """x-amz-meta-sha256: the hash of the bytes stored, media (from the hash cache) and generated files alike."""
    bucket = s3_server.create_bucket()
    point_at(project, s3_server, bucket)
    report = publish(Options(project / "feed.yaml", now=NOW))
    client = s3_server.client()
    for action in report.plan.actions:
        stored = client.get_object(Bucket=bucket, Key="show/" + action.key)
        assert stored["Metadata"] == {"sha256": hashlib.sha256(stored["Body"].read()).hexdigest()}, action.key


def test_server_stopped_mid_publish_keeps_live_feed_and_rerun_converges(
    project: Path, s3_dedicated_server: WeedServer, aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    server = s3_dedicated_server
    bucket = server.create_bucket()
    point_at(project, server, bucket)
    first = publish(Options(project / "feed.yaml", now=NOW))
    for n in range(3):
        folder = add_episode(project, f"2025-12-0{n + 1}-ep{n}", episode_yaml(f"Ep {n}", f"2025-12-0{n + 1}"))
        data = (folder / "audio.mp3").read_bytes()
        (folder / "audio.mp3").write_bytes(data[: 300_000 + 50_000 * n])  # different bytes, whole frames
    real = S3Store._put_one
    arrived: list[str] = []

    def crash_after_first(self: S3Store, upload: Upload, progress: Progress | None = None) -> None:
        if arrived:
            server.stop(kill=True)
        real(self, upload, progress)
        if upload.key.endswith(".mp3"):  # the pages kept for rollback and the record of what apa-feed writes go first
            arrived.append(upload.key)

    def one_by_one(self: S3Store, items: list[Upload], workers: int = 8, progress: Progress | None = None) -> None:
        for item in items:
            self._put_one(Upload(*item))

    with monkeypatch.context() as patched:
        patched.setattr("apa_feed.storage.s3.MAX_ATTEMPTS", 0)  # no back-off against a dead server
        patched.setattr(S3Store, "_put_one", crash_after_first)
        patched.setattr(S3Store, "put_files", one_by_one)
        with pytest.raises(StorageError):
            publish(Options(project / "feed.yaml", now=NOW))
    server.start()
    live = server.client().get_object(Bucket=bucket, Key="show/feed.xml")["Body"].read()
    assert live == first.built.rss, "the live feed must be the one from before the failed publish"
    rerun = publish(Options(project / "feed.yaml", now=NOW))
    assert rerun.notes == ("took back the store's lease an earlier publish of this process could not give back",)
    uploaded = [a.key for a in rerun.plan.uploads if a.key.endswith(".mp3")]  # generated pages may follow the feed
    assert arrived[0] not in uploaded and len(uploaded) == 2
    status, _, feed = fetch(rerun.feed_url)
    assert status == 200 and feed.count(b"<item>") == 4


def test_pages_are_compared_by_etag_so_a_noop_reads_only_the_feed(
    project: Path, s3_server: WeedServer, aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On S3 a page's ETag is the MD5 of its bytes: no manifest read, and a same-size edit is still seen."""
    bucket = s3_server.create_bucket()
    point_at(project, s3_server, bucket)
    publish(Options(project / "feed.yaml", now=NOW))
    reads: list[str] = []
    real_read = S3Store.read_tagged

    def counting_read(self: S3Store, key: str) -> tuple[bytes | None, str | None]:
        reads.append(key)
        return real_read(self, key)

    monkeypatch.setattr(S3Store, "read_tagged", counting_read)  # read() goes through it too
    again = publish(Options(project / "feed.yaml", now=NOW))
    assert (again.plan.count("upload"), again.plan.manifest) == (0, None)
    assert sorted(reads) == ["apa-feed-lease.json"] * 2 + ["apa-feed-published.json"] + ["feed.xml"] * 2, (
        "one listing, the publish record, the feed (again once the lease is held: did a publish end meanwhile?) "
        "and the lease (before taking it and giving it back)"
    )
    page = f"show/episodes/{SAMPLE_EPISODE}/index.html"
    client = s3_server.client()
    body = client.get_object(Bucket=bucket, Key=page)["Body"].read()
    swapped = body.replace(b"<html", b"<HTML", 1)  # same size, other bytes (a hand edit on the store)
    assert len(swapped) == len(body) and swapped != body
    client.put_object(Bucket=bucket, Key=page, Body=swapped)
    third = publish(Options(project / "feed.yaml", now=NOW))
    assert [(a.key, a.reason) for a in third.plan.actions if a.kind == "upload"] == [
        (page.removeprefix("show/"), "changed")
    ]
    assert client.get_object(Bucket=bucket, Key=page)["Body"].read() == body


def test_a_catalogue_the_server_lists_folder_by_folder_publishes_first_time(
    project: Path, s3_server: WeedServer, aws_env: dict[str, str]
) -> None:
    """SeaweedFS lists a prefix folder by folder: ``ep007/…`` before ``ep007-b/…``, though S3's byte order
    puts ``-`` before ``/``. Over a thousand keys (one listing page), the first publish still confirms every
    object it sent, and the next one finds them all (issue 12: "did not arrive whole", yet it had)."""
    import audiogen

    audio = project / "tiny.mp3"
    audiogen.write_mp3(audio, 0.2, bitrate_kbps=8)
    for n in range(260):  # with the sample show's objects: past 1,000 keys
        for slug in (f"ep{n:03d}", f"ep{n:03d}-b"):
            add_episode(
                project,
                slug,
                episode_yaml(f"Story {slug}", f"2024-01-01T{n // 60:02d}:{n % 60:02d}:00Z"),
                audio_from=audio,
            )
    audio.unlink()
    bucket = s3_server.create_bucket()
    point_at(project, s3_server, bucket)
    first = publish(Options(project / "feed.yaml", now=NOW))
    keys = {a.key for a in first.plan.actions}
    assert len(keys) > 1000 and first.plan.count("upload") == len(keys)
    listed = s3_server.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="show/")
    stored = {o["Key"].removeprefix("show/") for page in listed for o in page.get("Contents", [])}
    assert keys <= stored
    again = publish(Options(project / "feed.yaml", now=NOW))
    assert (again.plan.count("upload"), again.plan.count("unchanged")) == (0, len(keys))
