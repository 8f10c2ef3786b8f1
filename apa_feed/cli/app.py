"""The one Typer app and the options several commands share; each command module adds its commands to it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup


def _flags_bare(params: list[Any]) -> list[Any]:
    """Flags take no value, so ``--help`` shows none: Typer's rich help would print ``<bool>`` beside each
    (its plain help already leaves flags bare); an empty metavar is the declared way to show nothing."""
    for param in params:
        if getattr(param, "is_flag", False) and getattr(param, "metavar", None) is None:
            param.metavar = ""
    return params


class Command(TyperCommand):
    """A command whose flags read ``--dry-run``, not ``--dry-run <bool>``."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _flags_bare(super().get_params(ctx))


class Group(TyperGroup):
    """The app itself, with bare flags too (``--version``, ``--help``, ``--show-completion``)."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _flags_bare(super().get_params(ctx))


app = typer.Typer(
    cls=Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="Publish a podcast from a folder: feed.yaml + episodes/ → media and an Apple-Podcasts-ready RSS feed.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)

Config = Annotated[Path, typer.Option("--config", "-f", help="The show's feed.yaml.")]
BaseUrl = Annotated[str | None, typer.Option("--base-url", help="Public URL of the storage (overrides feed.yaml).")]
Storage = Annotated[str | None, typer.Option("--storage", help="Folder or s3://BUCKET/PREFIX (overrides feed.yaml).")]
