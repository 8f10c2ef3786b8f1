"""After a publish: what a podcast app will see through ``base_url`` (HEAD on the feed and each new enclosure).

Mismatches are warnings, never failures: a CDN in front of the bucket may lag behind it. When
``base_url`` does not answer at all (no network, a placeholder domain), the check is skipped with
one line, within ``REACH_TIMEOUT`` seconds.
"""

from __future__ import annotations

import http.client
import threading
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..build import BuiltShow
from ..feed.model import url
from .plan import Plan

FEED_TYPE = "application/rss+xml; charset=utf-8"
REACH_TIMEOUT = 2.5
"""Seconds the first HEAD (the feed) may take, name resolution included, before the check is skipped."""
HEAD_TIMEOUT = 5.0
PARALLEL = 4


@dataclass(frozen=True)
class Expected:
    """A URL and what a HEAD on it should answer."""

    url: str
    content_type: str
    size: int
    length_required: bool = True
    """False for the feed: a CDN may compress it and answer without a Content-Length."""


@dataclass(frozen=True)
class Verification:
    """The outcome: ``checked`` URLs, their ``warnings``, or ``skipped`` with the reason."""

    checked: int
    warnings: tuple[str, ...]
    skipped: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"checked": self.checked, "warnings": list(self.warnings), "skipped": self.skipped or None}

    def summary(self) -> str:
        """One line for the human report."""
        if self.skipped:
            return f"check skipped: {self.skipped}"
        return f"checked {self.checked} URLs through base_url: " + (
            f"{len(self.warnings)} mismatches" if self.warnings else "all answer 200 with the right length and type"
        )


class Unreachable(Exception):
    """The host did not answer at all (no HTTP status)."""


def verify_published(built: BuiltShow, plan: Plan) -> Verification:
    """HEAD the feed and the enclosures this publish uploaded, through the show's ``base_url``."""
    feed = Expected(built.publication.feed.self_url, FEED_TYPE, len(plan.feed), length_required=False)
    new = {url(built.show, asset.key) for asset in plan.uploads}
    enclosures = [
        Expected(item.enclosure_url, item.enclosure_type, item.enclosure_length)
        for item in built.publication.feed.items
        if item.enclosure_url in new
    ]
    return check_urls([feed, *enclosures])


def check_urls(expected: Sequence[Expected]) -> Verification:
    """HEAD the first URL (skip everything if its host does not answer in time), then the rest in parallel."""
    if not expected:
        return Verification(0, ())
    first = expected[0]
    try:
        warnings = [*_within(REACH_TIMEOUT, first)]
    except Unreachable as exc:
        return Verification(0, (), f"{urlsplit(first.url).netloc} did not answer ({exc})")
    with ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="verify") as pool:
        for found in pool.map(_check_or_say, expected[1:]):
            warnings.extend(found)
    return Verification(len(expected), tuple(warnings))


def _within(seconds: float, expected: Expected) -> list[str]:
    """``check`` in a daemon thread, abandoned after ``seconds`` (a socket timeout does not bound DNS)."""
    outcome: list[list[str] | BaseException] = []
    worker = threading.Thread(target=lambda: outcome.append(_capture(expected, seconds)), daemon=True)
    worker.start()
    worker.join(seconds)
    if not outcome:
        raise Unreachable(f"no answer within {seconds:g} s")
    result = outcome[0]
    if isinstance(result, BaseException):
        raise result
    return result


def _capture(expected: Expected, timeout: float) -> list[str] | BaseException:
    try:
        return check(expected, timeout)
    except Unreachable as exc:
        return exc


def _check_or_say(expected: Expected) -> list[str]:
    try:
        return check(expected, HEAD_TIMEOUT)
    except Unreachable as exc:
        return [f"{expected.url}: no answer ({exc})"]


def check(expected: Expected, timeout: float) -> list[str]:
    """What is wrong with the HEAD answer for ``expected.url`` (nothing: an empty list)."""
    request = urllib.request.Request(expected.url, method="HEAD", headers={"User-Agent": "apa-feed-check"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as exc:
        return [f"{expected.url}: answered {exc.code}, expected 200"]
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        raise Unreachable(str(getattr(exc, "reason", None) or exc)) from None
    found: list[str] = []
    if status != 200:
        found.append(f"{expected.url}: answered {status}, expected 200")
    length = headers.get("Content-Length")
    if length is None:
        if expected.length_required:
            found.append(f"{expected.url}: no Content-Length, expected {expected.size} bytes")
    elif length.strip() != str(expected.size):
        found.append(f"{expected.url}: Content-Length is {length.strip()}, expected {expected.size}")
    kind = headers.get("Content-Type", "")
    if _media_type(kind) != _media_type(expected.content_type):
        found.append(f'{expected.url}: Content-Type is "{kind}", expected "{expected.content_type}"')
    return found


def _media_type(value: str) -> str:
    """``Application/RSS+XML ; charset=UTF-8`` → ``application/rss+xml;charset=utf-8`` for comparing."""
    return ";".join(part.strip() for part in value.lower().split(";") if part.strip())
