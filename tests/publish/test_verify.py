"""After publishing: HEAD through base_url, as a podcast app will (SeaweedFS serves anonymous GETs, like a
public bucket); mismatches are warnings, an unreachable base_url is skipped quickly."""
# ruff: noqa: F811

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import NOW
from s3server import WeedServer, aws_env, closed_port, point_at, s3_server  # noqa: F401  (fixtures)

from apa_feed.build import Options
from apa_feed.errors import ApaFeedError
from apa_feed.publish.run import publish
from apa_feed.publish.verify import Expected, check_urls, verify_published


def test_publish_checks_the_feed_and_each_new_enclosure(
    project: Path, s3_server: WeedServer, aws_env: dict[str, str]
) -> None:
    bucket = s3_server.create_bucket()
    point_at(project, s3_server, bucket)
    report = publish(Options(project / "feed.yaml", now=NOW), verify=True)
    assert report.verification is not None
    assert (report.verification.checked, report.verification.warnings, report.verification.skipped) == (2, (), "")
    assert (
        report.verification.summary()
        == "checked 2 URLs through base_url: all answer 200 with the right length and type"
    )
    again = publish(Options(project / "feed.yaml", now=NOW), verify=True)
    assert again.verification is not None and again.verification.checked == 1, "only the feed: no new enclosure"


def test_an_object_replaced_out_of_band_is_a_warning(
    project: Path, s3_server: WeedServer, aws_env: dict[str, str]
) -> None:
    bucket = s3_server.create_bucket()
    point_at(project, s3_server, bucket)
    report = publish(Options(project / "feed.yaml", now=NOW))
    (key,) = [a.key for a in report.plan.uploads if a.key.endswith(".mp3")]
    s3_server.client().put_object(Bucket=bucket, Key=f"show/{key}", Body=b"not the audio", ContentType="text/plain")
    url = f"{s3_server.endpoint}/{bucket}/show/{key}"
    size = next(a.size for a in report.plan.uploads if a.key == key)
    verification = verify_published(report.built, report.plan)
    assert verification.warnings == (
        f"{url}: Content-Length is 13, expected {size}",
        f'{url}: Content-Type is "text/plain", expected "audio/mpeg"',
    )
    assert verification.summary() == "checked 2 URLs through base_url: 2 mismatches"


def test_a_missing_object_is_a_warning(s3_server: WeedServer) -> None:
    bucket = s3_server.create_bucket()
    url = f"{s3_server.endpoint}/{bucket}/nothing.mp3"
    s3_server.client().put_object(
        Bucket=bucket, Key="feed.xml", Body=b"<rss/>", ContentType="application/rss+xml; charset=utf-8"
    )
    verification = check_urls(
        [
            Expected(f"{s3_server.endpoint}/{bucket}/feed.xml", "application/rss+xml; charset=utf-8", 6),
            Expected(url, "audio/mpeg", 10),
        ]
    )
    assert verification.warnings == (f"{url}: answered 404, expected 200",)


def test_an_unreachable_base_url_is_skipped_with_one_line() -> None:
    port = closed_port()
    verification = check_urls([Expected(f"http://127.0.0.1:{port}/feed.xml", "application/rss+xml", 6)])
    assert (verification.checked, verification.warnings) == (0, ())
    assert verification.summary() == f"check skipped: 127.0.0.1:{port} did not answer ([Errno 111] Connection refused)"


def test_the_sample_domain_is_skipped(project: Path) -> None:
    report = publish(Options(project / "feed.yaml", now=NOW), verify=True)
    assert report.verification is not None and report.verification.checked == 0
    assert re.fullmatch(
        r"check skipped: agencepresseaudio\.example did not answer \(.+\)", report.verification.summary()
    )


def test_a_non_http_base_url_is_refused_before_anything_is_published(project: Path) -> None:
    with pytest.raises(ApaFeedError, match="--base-url: expected an http"):
        publish(Options(project / "feed.yaml", now=NOW, base_url="file:///srv/podcast/"), verify=True)
    assert not (project / "public").exists()
