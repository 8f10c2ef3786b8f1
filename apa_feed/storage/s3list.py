"""Listing a big prefix: ListObjectsV2 pages over ranges of the key space, fetched at the same time.

S3 lists keys in UTF-8 binary order (code point order, as Python compares strings) and starts a
listing after any key (``StartAfter``). A publish knows which keys it expects, so it cuts their sorted
list into ranges of at most one page (1,000 keys) each and lists the ranges concurrently: as many
requests as paging one after the other when the store holds what was expected, but the server's time
for each page overlaps the others' and the parsing of the answers. Keys nobody expected are found all
the same (a range only ends at the next range's first key); they just make a range need a second page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

PAGE = 1000
"""Keys per ListObjectsV2 answer (the S3 maximum, and its default)."""


def split_points(expected: Iterable[str], page: int = PAGE) -> list[str]:
    """Keys that cut the sorted ``expected`` keys into the fewest ranges of at most ``page`` keys, as
    even as can be (so unexpected keys rarely push a range past one page); [] when one page holds them."""
    keys = sorted(set(expected))
    ranges = -(-len(keys) // page)
    return [keys[len(keys) * i // ranges - 1] for i in range(1, ranges)]


def key_ranges(points: list[str]) -> list[tuple[str | None, str | None]]:
    """``(after, upto)`` pairs covering every key once: ``after < key <= upto``, None for an open end."""
    bounds: list[str | None] = [None, *points, None]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def list_range(
    call: Callable[..., dict[str, Any]], bucket: str, prefix: str, after: str | None, upto: str | None
) -> Iterator[dict[str, Any]]:
    """The objects under ``prefix`` with ``after < key <= upto`` (full keys), page by page through ``call``
    (the client's ``list_objects_v2``); a page that ends exactly at ``upto`` is the last one asked for."""
    args: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    if after is not None:
        args["StartAfter"] = after
    while True:
        page = call(**args)
        last: str | None = None
        for item in page.get("Contents", []):
            last = item["Key"]
            if upto is not None and last > upto:
                return
            yield item
        if not page.get("IsTruncated") or (upto is not None and last == upto):
            return
        token = page.get("NextContinuationToken")
        if token:
            args["ContinuationToken"] = token
        elif last is not None:  # a server that pages without tokens: go on after the last key seen
            args["StartAfter"] = last
        else:
            return
