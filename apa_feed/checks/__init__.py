"""``apa-feed check``'s pre-flight rules: what Apple, Spotify, PSP-1, Podcasting 2.0 and RSS readers expect of a
built show, beyond the schema. Pure rules over (Show, episodes, Publication) → located problems, each naming the
rule's source.

The rules live in :mod:`.show` (feed.yaml), :mod:`.episodes` (each episode, and across
episodes), :mod:`.times` (chapters and soundbites), :mod:`.podcasting` (PSP-1 and Spotify) and :mod:`.template` (what
``init`` and ``new`` wrote, left unedited); :mod:`apa_feed.audio.artwork` checks the images. :func:`across_episodes`
runs on the episode.yaml files alone, before anything is probed; :mod:`.identity` holds ``check``'s identity guard.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ..config.show import Show
from ..errors import Problem, plural, summary
from ..feed.model import EpisodeInput, Publication
from .context import Ctx
from .episodes import EPISODE_RULES, across_episodes
from .podcasting import PSP_RULES
from .show import SHOW_RULES
from .template import TEMPLATE_RULES
from .times import TIME_RULES

__all__ = ["RULES", "across_episodes", "as_data", "check_show"]
RULES = (*SHOW_RULES, *EPISODE_RULES, *TIME_RULES, *PSP_RULES, *TEMPLATE_RULES)


def check_show(show: Show, inputs: list[EpisodeInput], publication: Publication) -> list[Problem]:
    """Every problem the pre-flight rules find in a built show, sorted by file and line."""
    ctx = Ctx(show, list(inputs), publication)
    return sorted(problem for rule in RULES for problem in rule(ctx))


def as_data(
    problems: list[Problem] | tuple[Problem, ...], episodes: int = 0, held_back: int = 0, failed: str | None = None
) -> dict[str, Any]:
    """``check --json``: every problem as an object, and a summary; ``ok`` is false when ``failed`` says why
    (default: when any problem is an error), and the summary's text then says why."""
    found = sorted(problems)
    count = {kind: sum(p.severity == kind for p in found) for kind in ("error", "warning", "info")}
    failed = ("errors" if count["error"] else "") if failed is None else failed
    return {
        "problems": [asdict(p) for p in found],
        "summary": {
            "ok": not failed,
            "errors": count["error"],
            "warnings": count["warning"],
            "info": count["info"],
            "files": len({p.file for p in found}),
            "episodes": episodes,
            "held_back": held_back,
            "text": (summary(found, "") if count["error"] else failed)
            if failed
            else f"ok: {plural(episodes, 'episode')} in the feed, {held_back} held back (draft or scheduled)",
        },
    }
