"""feed.yaml's s3 settings for what goes with each object: ACL, storage class, Cache-Control (real SeaweedFS)."""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

import pytest
from conftest import NOW
from s3server import WeedServer, aws_env, point_at, s3_server  # noqa: F401  (fixtures)

from apa_feed.build import Options
from apa_feed.config.s3 import MEDIA_CACHE
from apa_feed.config.show import load_show
from apa_feed.errors import ProblemsFound
from apa_feed.publish.run import publish, rollback
from apa_feed.storage.s3 import S3Store

SETTINGS = """  acl: public-read
  storage_class: STANDARD_IA
  cache_control:
    media: "public, max-age=86400, immutable"
    feed: no-cache
"""


def sent_headers(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[dict[str, str]]]:
    """The headers of every request apa-feed's S3 client sends from now on, by operation."""
    seen: dict[str, list[dict[str, str]]] = collections.defaultdict(list)
    connect = S3Store._connect

    def counting(self: S3Store) -> Any:
        client = connect(self)

        def record(event_name: str, request: Any, **_: Any) -> None:
            seen[event_name.rsplit(".", 1)[-1]].append(
                {k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
            )

        client.meta.events.register("before-send.s3", record)
        return client

    monkeypatch.setattr(S3Store, "_connect", counting)
    return seen


def with_settings(project: Path, server: WeedServer) -> str:
    """Point the show at a new bucket of ``server``, with :data:`SETTINGS`; the bucket's name."""
    bucket = server.create_bucket()
    point_at(project, server, bucket)
    with (project / "feed.yaml").open("a", encoding="utf-8") as handle:
        handle.write(SETTINGS)
    return bucket


def test_acl_storage_class_and_cache_control_follow_feed_yaml(
    project: Path, s3_server: WeedServer, aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = with_settings(project, s3_server)
    sent = sent_headers(monkeypatch)
    report = publish(Options(project / "feed.yaml", now=NOW))
    client = s3_server.client()
    kinds: collections.Counter[str] = collections.Counter()
    for asset in report.built.publication.assets:
        head = client.head_object(Bucket=bucket, Key="show/" + asset.key)
        if asset.cache_control == MEDIA_CACHE:  # under a content-addressed key: never rewritten
            assert (head["CacheControl"], head.get("StorageClass")) == (
                "public, max-age=86400, immutable",
                "STANDARD_IA",
            ), asset.key
            kinds[asset.key.rsplit(".", 1)[-1]] += 1
        else:  # web pages, rewritten in place
            assert head["CacheControl"] == "no-cache", asset.key
            assert head.get("StorageClass", "STANDARD") == "STANDARD", asset.key
            kinds["in place"] += 1
    feed = client.head_object(Bucket=bucket, Key="show/feed.xml")
    assert (feed["CacheControl"], feed.get("StorageClass", "STANDARD")) == ("no-cache", "STANDARD")
    assert {"mp3", "jpg", "vtt", "json", "css"} <= set(kinds) and kinds["in place"] >= 2, kinds
    puts = sent["PutObject"]
    assert puts and all(h.get("x-amz-acl") == "public-read" for h in puts)


def test_without_settings_no_acl_is_sent_and_headers_are_the_defaults(
    project: Path, s3_server: WeedServer, aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = s3_server.create_bucket()
    point_at(project, s3_server, bucket)
    sent = sent_headers(monkeypatch)
    publish(Options(project / "feed.yaml", now=NOW))
    puts = sent["PutObject"]
    assert puts and not any("x-amz-acl" in h or "x-amz-storage-class" in h for h in puts)
    assert s3_server.client().head_object(Bucket=bucket, Key="show/feed.xml")["CacheControl"] == "public, max-age=300"


def test_a_rollback_writes_the_feed_with_the_same_headers(
    project: Path, s3_server: WeedServer, aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bucket = with_settings(project, s3_server)
    publish(Options(project / "feed.yaml", now=NOW))
    (project / "feed.yaml").write_text(
        (project / "feed.yaml").read_text(encoding="utf-8").replace("title: ", "title: Nouveau ", 1), encoding="utf-8"
    )
    publish(Options(project / "feed.yaml", now=NOW))
    sent = sent_headers(monkeypatch)
    rollback(Options(project / "feed.yaml"))
    assert sent["PutObject"] and all(h.get("x-amz-acl") == "public-read" for h in sent["PutObject"])
    assert s3_server.client().head_object(Bucket=bucket, Key="show/feed.xml")["CacheControl"] == "no-cache"


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            "storage_class: GLACIER",
            "expected one of STANDARD, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, "
            'REDUCED_REDUNDANCY, GLACIER_IR, got "GLACIER"',
        ),
        (
            "acl: public",
            "expected one of private, public-read, authenticated-read, bucket-owner-read, "
            'bucket-owner-full-control, got "public"',
        ),
        ("cache_control: {media: [a, b]}", "expected text"),
    ],
)
def test_bad_settings_are_located_errors(project: Path, setting: str, message: str) -> None:
    with (project / "feed.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"s3:\n  {setting}\n")
    lines = (project / "feed.yaml").read_text(encoding="utf-8").splitlines()
    with pytest.raises(ProblemsFound) as found:
        load_show(project / "feed.yaml")
    (problem,) = found.value.problems
    assert problem.file == "feed.yaml" and problem.line == len(lines)
    assert problem.field.startswith("s3.") and message in problem.message, problem
