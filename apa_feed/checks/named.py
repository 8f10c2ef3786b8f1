"""A problem of an image or audio file also names the line of feed.yaml or episode.yaml that names the file: the
producer fixes either the file or that line."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from ..config.episodes import EpisodeMeta
from ..config.locate import Located
from ..errors import Problem, display_path

FIELDS = ("image", "audio")
"""The fields that name a file whose own problems (artwork, audio) are reported on the file."""


def name_the_lines(
    problems: Iterable[Problem], cover: tuple[Located | None, Path | None], episodes: Iterable[EpisodeMeta]
) -> tuple[Problem, ...]:
    """``problems`` sorted without repeats, each about a file named in ``image:`` or ``audio:`` ending with
    where that is written (``named at feed.yaml:13:8``); ``cover`` is the show's file and where its fields are."""
    found = sorted(set(problems))
    wanted = {(p.file, p.field) for p in found if p.field in FIELDS and not p.line}
    if not wanted:
        return tuple(found)
    places: dict[tuple[str, str], list[str]] = defaultdict(list)
    _add(places, wanted, cover[0], "image", cover[1])
    for ep in episodes:
        _add(places, wanted, ep.where, "image", ep.image)
        _add(places, wanted, ep.where, "audio", ep.audio)
    return tuple(sorted({_with(p, places.get((p.file, p.field), [])) for p in found}))


def _add(
    places: dict[tuple[str, str], list[str]],
    wanted: set[tuple[str, str]],
    where: Located | None,
    name: str,
    path: Path | None,
) -> None:
    if where is None or path is None or name not in where:
        return
    key = (display_path(path), name)
    if key in wanted:
        line, column = where.at(name)
        places[key].append(f"{display_path(where.file)}:{line}:{column}")


def _with(problem: Problem, places: list[str]) -> Problem:
    if not places:
        return problem
    return replace(problem, message=f"{problem.message} (named at {' and '.join(places)})")
