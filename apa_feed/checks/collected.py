"""What a build's stages found: the parts each could read, and every problem, also when one stage found errors."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from ..config.episodes import EpisodeMeta
from ..config.show import Show
from ..errors import Problem
from ..feed.model import EpisodeInput, Publication
from ..publish.lockfile import Lock


@dataclass(frozen=True)
class Collected:
    """What each stage of a build found, each going as far as the parts it depends on allow: a broken
    episode.yaml leaves the other episodes probed and checked, a broken feed.yaml leaves its cover checked."""

    show: Show | None
    episodes: tuple[EpisodeMeta, ...]
    """Every episode whose episode.yaml is valid."""
    inputs: tuple[EpisodeInput, ...]
    """Those whose files could be read too."""
    publication: Publication | None
    """The feed of those (None when feed.yaml is broken)."""
    lock: Lock | None
    problems: tuple[Problem, ...]
    now: datetime
    """The time the build took as now (episodes dated later are held back)."""

    @property
    def ok(self) -> bool:
        """No stage found an error."""
        return self.publication is not None and not has_errors(self.problems)


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)
