"""The old feed's order of episodes that share a pubDate, kept: apa-feed orders episodes by their date and time,
then by episode number, so items an old host dated alike (a date without a time, written as midnight) are
dated a second apart, in the order the old feed lists them, unless their episode numbers already say it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from .records import EpisodePlan


def oldest_first(stamps: Sequence[datetime]) -> bool:
    """Whether the feed lists its items oldest first (most feeds list the newest first)."""
    pairs = list(zip(stamps, stamps[1:], strict=False))
    return sum(a < b for a, b in pairs) > sum(a > b for a, b in pairs)


def spread_ties(stamps: Sequence[datetime], numbers: Sequence[int | None]) -> tuple[list[datetime], list[list[int]]]:
    """Each item's date (``stamps`` in the feed's order) with ties a second apart in the feed's order, and the
    groups so spread (positions, oldest first). The oldest of a group keeps its date; a group whose episode
    numbers already rise in the feed's order is left as it is."""
    ascending = oldest_first(stamps)
    groups: dict[datetime, list[int]] = {}
    for position, when in enumerate(stamps):
        groups.setdefault(when, []).append(position)
    dated, spread = list(stamps), []
    for when, positions in groups.items():
        if len(positions) < 2:
            continue
        ordered = positions if ascending else positions[::-1]
        found = [numbers[p] for p in ordered]
        if all(a is not None and b is not None and a < b for a, b in zip(found, found[1:], strict=False)):
            continue
        for step, position in enumerate(ordered):
            dated[position] = when + timedelta(seconds=step)
        spread.append(ordered)
    return dated, spread


def same_day_order(plans: list[EpisodePlan], warnings: list[str]) -> list[EpisodePlan]:
    """Items dated alike keep the old feed's order: dated a second apart (see :mod:`.order`), with a warning."""
    dated, groups = spread_ties([p.published for p in plans], [p.values.get("episode") for p in plans])
    for group in groups:
        names = ", ".join(f'{plans[i].index} ("{plans[i].title}")' for i in group[:4]) + (", …" if group[4:] else "")
        when = plans[group[0]].published.isoformat()
        warnings.append(f"items {names} share the pubDate {when}; dated a second apart to keep the old feed's order")
    return [
        p if when == p.published else replace(p, published=when, values={**p.values, "date": when.isoformat()})
        for p, when in zip(plans, dated, strict=True)
    ]
