"""After a publish: what a podcast app will see through ``base_url`` (HEAD on the feed and each new enclosure).

Mismatches are warnings, never failures: a CDN in front of the bucket may lag behind it. When
``base_url`` does not answer at all (no network, a placeholder domain), the check is skipped with
one line, within ``REACH_TIMEOUT`` seconds. An enclosure behind analytics prefixes is followed through
their redirects (at most ``MAX_REDIRECTS``) to the file; when a prefix's host does not answer, that
enclosure could not be checked, and the line says so.
"""

from __future__ import annotations

import http.client
import threading
import urllib.error
import urllib.request
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urljoin, urlsplit

from ..build import BuiltShow
from ..config.analytics import through
from ..feed.model import url
from .plan import Plan

FEED_TYPE = "application/rss+xml; charset=utf-8"
REACH_TIMEOUT = 2.5
"""Seconds the first HEAD (the feed) may take, name resolution included, before the check is skipped."""
HEAD_TIMEOUT = 5.0
PARALLEL = 4
MAX_REDIRECTS = 3
"""Redirects an enclosure behind analytics prefixes may take to reach the file (one per prefix, as a rule)."""
REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Expected:
    """A URL and what a HEAD on it should answer."""

    url: str
    content_type: str
    size: int
    length_required: bool = True
    """False for the feed: a CDN may compress it and answer without a Content-Length."""
    prefixed: bool = False
    """The URL goes through analytics prefixes: their redirects are followed (at most ``MAX_REDIRECTS``)."""


@dataclass(frozen=True)
class Verification:
    """The outcome: ``checked`` URLs, their ``warnings``, or ``skipped`` with the reason."""

    checked: int
    warnings: tuple[str, ...]
    skipped: str = ""
    unchecked: int = 0
    """Enclosures whose analytics prefixes did not answer: their lines in ``warnings`` say so."""

    def as_dict(self) -> dict[str, object]:
        found: dict[str, object] = {"checked": self.checked, "warnings": list(self.warnings)}
        return {**found, "skipped": self.skipped or None, "unchecked": self.unchecked}

    def summary(self) -> str:
        """One line for the human report."""
        if self.skipped:
            return f"check skipped: {self.skipped}"
        mismatches = len(self.warnings) - self.unchecked
        said = f"{mismatches} mismatches" if mismatches else "all answer 200 with the right length and type"
        if self.unchecked:
            said += f"; {self.unchecked} could not be checked through their analytics prefixes"
        return f"checked {self.checked - self.unchecked} URLs through base_url: {said}"


class Unreachable(Exception):
    """The host did not answer at all (no HTTP status)."""


class Unchecked(Unreachable):
    """An analytics prefix's host did not answer: the enclosure behind it could not be checked."""


class _Stay(urllib.request.HTTPRedirectHandler):
    """Redirects come back as answers, so that each hop is seen (and a HEAD stays a HEAD)."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_STAY = urllib.request.build_opener(_Stay)


def verify_published(built: BuiltShow, plan: Plan) -> Verification:
    """HEAD the feed and the enclosures this publish uploaded, through the show's ``base_url``."""
    show, feed = built.show, built.publication.feed
    first = Expected(feed.self_url, FEED_TYPE, len(plan.feed), length_required=False)
    new = {through(url(show, asset.key), show.analytics, feed.podcast_guid) for asset in plan.uploads}
    enclosures = [
        Expected(item.enclosure_url, item.enclosure_type, item.enclosure_length, prefixed=bool(show.analytics))
        for item in feed.items
        if item.enclosure_url in new
    ]
    return check_urls([first, *enclosures])


def check_urls(expected: Sequence[Expected]) -> Verification:
    """HEAD the first URL (skip everything if its host does not answer in time), then the rest in parallel."""
    if not expected:
        return Verification(0, ())
    first = expected[0]
    try:
        warnings = [*_within(REACH_TIMEOUT, first)]
    except Unreachable as exc:
        return Verification(0, (), f"{urlsplit(first.url).netloc} did not answer ({exc})")
    unchecked = 0
    with ThreadPoolExecutor(max_workers=PARALLEL, thread_name_prefix="verify") as pool:
        for found in pool.map(_check_or_say, expected[1:]):
            warnings.extend(found)
            unchecked += any(line.endswith(UNCHECKED) for line in found)
    return Verification(len(expected), tuple(warnings), unchecked=unchecked)


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


UNCHECKED = "the check could not be made"


def _check_or_say(expected: Expected) -> list[str]:
    try:
        return check(expected, HEAD_TIMEOUT)
    except Unchecked as exc:
        return [f"{expected.url}: {exc}; {UNCHECKED}"]
    except Unreachable as exc:
        return [f"{expected.url}: no answer ({exc})"]


def check(expected: Expected, timeout: float) -> list[str]:
    """What is wrong with the HEAD answer for ``expected.url`` (nothing: an empty list)."""
    if expected.prefixed:
        answer = follow(expected.url, timeout)
        if isinstance(answer, str):
            return [f"{expected.url}: {answer}"]
        status, headers = answer
    else:
        request = urllib.request.Request(expected.url, method="HEAD", headers={"User-Agent": "apa-feed-check"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, headers = response.status, response.headers
        except urllib.error.HTTPError as exc:
            return [f"{expected.url}: answered {exc.code}, expected 200"]
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            raise Unreachable(str(getattr(exc, "reason", None) or exc)) from None
    return _mismatches(expected, status, headers)


def follow(start: str, timeout: float) -> tuple[int, Message] | str:
    """HEAD ``start`` and each redirect after it, by hand: the last answer's status and headers, or what went
    wrong (a loop, more than ``MAX_REDIRECTS`` redirects, an error status). :class:`Unchecked` when a host on
    the way does not answer."""
    seen = [start]
    for _ in range(MAX_REDIRECTS + 1):
        status, headers = _head(seen[-1], timeout)
        if status not in REDIRECTS:
            return (status, headers) if status < 400 else f"answered {status} at {seen[-1]}, expected 200"
        location = headers.get("Location")
        if not location:
            return f"answered {status} at {seen[-1]} without a Location to follow"
        target = urljoin(seen[-1], location.strip())
        if target in seen:
            return f"redirect loop: {' → '.join([*seen, target])}"
        seen.append(target)
    return f"more than {MAX_REDIRECTS} redirects: {' → '.join(seen)}"


def _head(address: str, timeout: float) -> tuple[int, Message]:
    """One HEAD, redirects not followed."""
    request = urllib.request.Request(address, method="HEAD", headers={"User-Agent": "apa-feed-check"})
    try:
        with _STAY.open(request, timeout=timeout) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = str(getattr(exc, "reason", None) or exc)
        raise Unchecked(f"{urlsplit(address).netloc or address} did not answer ({reason})") from None


def _mismatches(expected: Expected, status: int, headers: Message) -> list[str]:
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
