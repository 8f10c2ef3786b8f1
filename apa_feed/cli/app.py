"""The one Typer app and the options several commands share; each command module adds its commands to it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Publish a podcast from a folder: feed.yaml + episodes/ → media and an Apple-Podcasts-ready RSS feed.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

Config = Annotated[Path, typer.Option("--config", "-f", help="The show's feed.yaml.")]
BaseUrl = Annotated[str | None, typer.Option("--base-url", help="Public URL of the storage (overrides feed.yaml).")]
Storage = Annotated[str | None, typer.Option("--storage", help="Folder or s3://BUCKET/PREFIX (overrides feed.yaml).")]
