"""What every pre-flight rule works from, and the checks shared by the show's and the episodes' rules."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from ..config.episodes import EPISODE_FILE
from ..config.languages import is_iso_639, primary
from ..config.locate import Located
from ..config.roles import role_choices, roles_for
from ..config.show import Show
from ..errors import Problem, display_path
from ..feed.model import EpisodeInput, Publication

APPLE_TEXT_LIMIT = 255
"""Apple's limit for a text value (titles, author, owner…), in characters."""
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class Ctx:
    """The project as built, and where its fields are written."""

    show: Show
    inputs: list[EpisodeInput]
    publication: Publication
    files: dict[Path, Located] = field(default_factory=dict)
    """Where the fields of the show's file and of each episode.yaml are written."""

    def __post_init__(self) -> None:
        found = [self.show.where, *(ep.meta.where for ep in self.inputs)]
        self.files.update((where.file, where) for where in found if where is not None)

    @property
    def feed_yaml(self) -> Path:
        """The file the show was read from (feed.yaml, or the one ``-f`` named)."""
        return self.show.source

    def at(
        self, path: Path, name: str, message: str, severity: str = "error", rule: str = "Apple", hint: str = ""
    ) -> Problem:
        """A problem about field ``name``, located in ``path`` when it is a YAML file."""
        where = self.files.get(path) if path.suffix in YAML_SUFFIXES else None
        line, column = where.at(name) if where is not None else (0, 0)
        return Problem(display_path(path), line, column, name, message, hint, severity, rule)


def episode_file(ep: EpisodeInput) -> Path:
    """The episode's ``episode.yaml``."""
    where = ep.meta.where
    return where.file if where is not None else ep.meta.folder / EPISODE_FILE


def seconds(value: float) -> str:
    """``89.9 s``."""
    return f"{value:.1f} s"


def too_long(
    ctx: Ctx,
    path: Path,
    name: str,
    value: str | None,
    limit: int = APPLE_TEXT_LIMIT,
    rule: str = "Apple",
    severity: str = "error",
) -> list[Problem]:
    """A text longer than ``limit`` characters."""
    if value is None or len(value) <= limit:
        return []
    return [ctx.at(path, name, f"is {len(value)} characters long; {rule} allows at most {limit}", severity, rule)]


def language(ctx: Ctx, path: Path, name: str, tag: str | None, rule: str = "RSS") -> list[Problem]:
    """A BCP 47 tag whose primary subtag is no ISO 639 language."""
    if tag is None or is_iso_639(tag):
        return []
    return [
        ctx.at(
            path,
            name,
            f'expected an ISO 639 language code like "fr" or "en-US", got "{tag}" '
            f'("{primary(tag)}" is in neither ISO 639-1 nor ISO 639-2)',
            rule=rule,
        )
    ]


def role(ctx: Ctx, path: Path, name: str, words: str) -> list[Problem]:
    """A credit's role that names no Podcast Taxonomy role."""
    if roles_for(words):
        return []
    near = difflib.get_close_matches(words.lower(), role_choices(), n=1, cutoff=0.6)
    return [
        ctx.at(
            path,
            name,
            f'"{words}" is no Podcast Taxonomy role, so it is published in the credits block '
            "but not as a podcast:person",
            "warning",
            "Podcasting 2.0",
            f'did you mean "{near[0]}"?' if near else 'use a role like "host", "producer" or "writer"',
        )
    ]


def plain_http(ctx: Ctx, path: Path, urls: list[tuple[str, str | None]]) -> list[Problem]:
    """http URLs in a feed whose ``base_url`` is https: mixed http/https."""
    if not ctx.show.base_url.startswith("https://"):
        return []
    return [
        ctx.at(
            path,
            name,
            f'"{url}" is http while base_url is https; apps may refuse mixed http/https',
            "warning",
            "Podcasting 2.0",
            "use its https address",
        )
        for name, url in urls
        if url and url.startswith("http://")
    ]
