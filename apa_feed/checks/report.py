"""``apa-feed check``: build the project as ``publish`` does, without stopping at the first stage that finds
errors, add the identity guard's refusals, and give every problem (as data for ``--json``)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..build import OptionError, Options, collect_and_build
from ..errors import ApaFeedError, Problem, os_error_message, plural
from . import as_data
from .identity import identity_problems
from .loudness import loudness_problems


@dataclass(frozen=True)
class Checked:
    """Every problem of the project, and what its feed would hold."""

    problems: tuple[Problem, ...]
    episodes: int = 0
    held_back: int = 0

    def count(self, severity: str) -> int:
        return sum(p.severity == severity for p in self.problems)

    def failed(self, strict: bool) -> str:
        """Why ``check`` fails ("" when it passes): errors, or warnings under ``--strict``."""
        if self.count("error"):
            return "errors"
        if strict and self.count("warning"):
            return f"{plural(self.count('warning'), 'warning')}; --strict counts them as problems."
        return ""


def check_project(options: Options, loudness: str = "new") -> Checked:
    """Every problem each stage of a build finds (errors included, instead of raising), the identity guard's, and
    the loudness of the episodes ``loudness`` names (see :mod:`.loudness`) among those whose files could be read."""
    found, built = collect_and_build(options, assign=False)
    problems = found.problems + tuple(identity_problems(found) if options.identity else ())
    root = options.config.absolute().parent
    problems += tuple(loudness_problems(root, found.inputs, found.lock, loudness))
    if built is None:
        return Checked(tuple(sorted(problems)))
    live = len(built.publication.feed.items)  # the others are held back: drafts and scheduled, with audio or not yet
    return Checked(tuple(sorted(problems)), live, len(found.episodes) - live)


def check_data(
    options: Options, strict: bool = False, loudness: str = "new", extra: tuple[Problem, ...] = ()
) -> dict[str, Any]:
    """``check --json``: the problems of the whole project and a summary; a mistake that stops the check itself
    (a bad option, a broken theme, an unreadable file) is one problem in it, never a bare line of text.
    ``extra``: problems found beside the project (``--moved-from``'s redirect check)."""
    try:
        checked = check_project(options, loudness)
    except OptionError as exc:
        checked = Checked((Problem(exc.option, message=exc.message),))
    except ApaFeedError as exc:
        checked = Checked((Problem("", message=str(exc)),))
    except OSError as exc:
        checked = Checked((Problem("", message=os_error_message(exc)),))
    checked = replace(checked, problems=tuple(sorted(checked.problems + extra)))
    return as_data(checked.problems, checked.episodes, checked.held_back, checked.failed(strict))
