"""``apa-feed docs``: the configuration reference (docs/config.md), whole or one field's entry."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from .app import app


@app.command(name="docs")
def docs_command(
    field: Annotated[
        str | None, typer.Argument(help="One field: base_url, owner.email, episode.audio… (default: all of them).")
    ] = None,
) -> None:
    """Print the reference of every field of feed.yaml and episode.yaml (docs/config.md), or of one."""
    from ..config.doc import field_entry, render_doc

    if field is None:
        sys.stdout.write(render_doc())
    else:
        print(field_entry(field))
