"""The S3 store's fast paths against a real server (SeaweedFS on 127.0.0.1): big batches of small uploads
from a thread pool, one endpoint resolution per bucket, and the store read while the show builds.
Each must give exactly what the plain path gives; none is timed here (bench/upload.py measures them)."""
# ruff: noqa: F811  (the fixtures imported from s3server come back as test parameters of the same name)

from __future__ import annotations

import hashlib
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from botocore.endpoint_provider import EndpointProvider
from conftest import NOW, SAMPLE_EPISODE
from s3server import WeedServer, aws_env, closed_port, s3_bucket, s3_client, s3_endpoint, s3_server  # noqa: F401

from apa_feed.build import Options
from apa_feed.errors import ProblemsFound, StorageError
from apa_feed.publish.run import publish
from apa_feed.storage import Upload
from apa_feed.storage.s3 import S3Store

PREFIX = "show/"
PAGE = "text/html; charset=utf-8"


@pytest.fixture
def s3_store(aws_env: dict[str, str], s3_bucket: str, s3_endpoint: str) -> S3Store:
    return S3Store.from_spec(f"s3://{s3_bucket}/{PREFIX}", endpoint_url=s3_endpoint)


def count(store: S3Store, operation: str) -> list[Any]:
    """The requests of ``operation`` the store's own client sends from now on."""
    seen: list[Any] = []
    store.client().meta.events.register(f"before-send.s3.{operation}", lambda request, **_: seen.append(request))
    return seen


def pages(n: int, start: int = 0) -> list[Upload]:
    return [
        Upload(f"episodes/{k:05d}/index.html", f"<p>page {k}</p>".encode(), PAGE, "max-age=300")
        for k in range(start, start + n)
    ]


class Recorder:
    """A thread-safe :class:`~apa_feed.storage.Progress` that keeps what it is told."""

    def __init__(self) -> None:
        self.total = (0, 0)
        self.sent = 0
        self.done: list[str] = []
        self.lock = threading.Lock()

    def start(self, files: int, total_bytes: int) -> None:
        self.total = (files, total_bytes)

    def advance(self, nbytes: int) -> None:
        with self.lock:
            self.sent += nbytes

    def finished(self, key: str, size: int) -> None:
        with self.lock:
            self.done.append(key)


# --- small uploads: bytes and files, many at once --------------------------------------------------


def test_a_big_batch_of_small_uploads_sends_each_object_once_with_its_headers(
    s3_store: S3Store, tmp_path: Path
) -> None:
    audio = tmp_path / "a.mp3"
    audio.write_bytes(b"a" * 3_000)
    uploads = [
        *pages(600),
        Upload("episodes/a.mp3", audio, "audio/mpeg", "max-age=1", hashlib.sha256(b"a" * 3_000).hexdigest()),
    ]
    here = count(s3_store, "PutObject")
    progress = Recorder()
    s3_store.put_files(uploads, progress=progress)
    assert len(here) == 601, "each object sent once"
    sizes = {u.key: len(u.source) if isinstance(u.source, bytes) else 3_000 for u in uploads}
    assert progress.total == (601, sum(sizes.values())) and progress.sent == sum(sizes.values())
    assert sorted(progress.done) == sorted(sizes)
    assert {key: obj.size for key, obj in s3_store.list().items()} == sizes
    client = s3_client(s3_store.endpoint())
    for key in ("episodes/00007/index.html", "episodes/00555/index.html", "episodes/a.mp3"):
        head = client.head_object(Bucket=s3_store.bucket, Key=PREFIX + key)
        body = client.get_object(Bucket=s3_store.bucket, Key=PREFIX + key)["Body"].read()
        assert head["Metadata"] == {"sha256": hashlib.sha256(body).hexdigest()}
        assert head["ContentType"] == ("audio/mpeg" if key.endswith(".mp3") else PAGE)


def test_a_failure_is_reported_for_its_object_and_the_others_are_stored(s3_store: S3Store, tmp_path: Path) -> None:
    folder = tmp_path / "not-a-file.mp3"
    folder.mkdir()
    uploads = pages(500)
    uploads.insert(321, Upload("episodes/bad.mp3", folder, "audio/mpeg", "max-age=1"))
    with pytest.raises(StorageError, match=r"cannot read .*not-a-file\.mp3"):
        s3_store.put_files(uploads)
    assert sorted(s3_store.list()) == sorted(u.key for u in uploads if u.key != "episodes/bad.mp3")


# --- one endpoint resolution per bucket ---------------------------------------------------------


def test_endpoints_are_resolved_without_the_object_key(
    aws_env: dict[str, str], s3_bucket: str, s3_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The S3 ruleset never reads Key or Prefix: leaving them out lets botocore's cache answer every key."""
    asked: list[dict[str, Any]] = []
    real = EndpointProvider.resolve_endpoint

    def spy(self: EndpointProvider, **params: Any) -> Any:
        asked.append(params)
        return real(self, **params)

    monkeypatch.setattr(EndpointProvider, "resolve_endpoint", spy)
    store = S3Store.from_spec(f"s3://{s3_bucket}/{PREFIX}", endpoint_url=s3_endpoint, addressing_style="path")
    store.put_files(pages(3))
    assert set(store.list()) == {u.key for u in pages(3)}
    assert asked and all(p["Bucket"] == s3_bucket and "Key" not in p and "Prefix" not in p for p in asked)
    assert all(p["Endpoint"] == s3_endpoint and p["ForcePathStyle"] for p in asked)


# --- publish: the store read while the show builds ----------------------------------------------


def test_a_build_problem_is_reported_even_when_the_store_cannot_be_reached(
    project: Path, aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("apa_feed.storage.s3.MAX_ATTEMPTS", 0)  # no back-off against a closed port
    text = (project / "feed.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^storage: .*$", "storage: s3://bucket/show", text, flags=re.M)
    text += f"s3:\n  endpoint_url: http://127.0.0.1:{closed_port()}\n"
    (project / "feed.yaml").write_text(text, encoding="utf-8")
    episode = project / "episodes" / SAMPLE_EPISODE / "episode.yaml"
    episode.write_text(episode.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    with pytest.raises(ProblemsFound):
        publish(Options(project / "feed.yaml", now=NOW))
    episode.write_text(episode.read_text(encoding="utf-8").replace("titel:", "title:", 1), encoding="utf-8")
    with pytest.raises(StorageError, match="cannot reach the S3 endpoint"):
        publish(Options(project / "feed.yaml", now=NOW))
