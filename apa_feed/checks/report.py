"""``apa-feed check --json``: build the project as ``check`` does and give its problems as data."""

from __future__ import annotations

from typing import Any

from ..build import Options, build_project
from ..errors import ProblemsFound
from . import as_data


def check_data(options: Options) -> dict[str, Any]:
    """The problems of the whole project (errors included, instead of raising) and a summary."""
    try:
        built = build_project(options, assign=False)
    except ProblemsFound as found:
        return as_data(found.problems)
    return as_data(built.warnings, len(built.publication.feed.items), len(built.publication.skipped))
