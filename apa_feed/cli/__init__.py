"""The ``apa-feed`` command: parse options, call the library, print. No logic lives here.

Commands live by concern in ``show`` (init, new, check, build), ``publishing`` (publish, rollback) and
``tools`` (serve, inspect, import); each adds itself to the one app of ``app``.
"""

from __future__ import annotations

from typing import Annotated

import typer
from typer.core import TyperCommand

from .. import __version__
from . import docs, move, publishing, show, status, tools
from .app import Command, app
from .boundary import DEBUG, guarded, tolerant_streams

__all__ = ["app", "docs", "move", "publishing", "show", "status", "tools"]


def version_callback(value: bool) -> None:
    if value:
        print(f"apa-feed {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True, help="Show the version.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", envvar="APA_FEED_DEBUG", help="Print the traceback of an internal error.")
    ] = False,
) -> None:
    """apa-feed: publish a podcast from a folder."""
    DEBUG["on"] = debug
    tolerant_streams()


THEN = {
    "publish": "nothing was published",
    "rollback": "nothing was changed",
    "move": "nothing was moved",
    "import": "nothing was imported",
}
"""What did not happen when a command stops on the user's mistakes (the others were not going to change anything)."""

ORDER = ("init", "new", "check", "status", "build", "publish", "rollback", "move", "serve", "inspect", "import", "docs")
"""The order of ``apa-feed --help``: a show's life, then the tools (a command not named here comes last)."""


def _order(name: str) -> int:
    return ORDER.index(name) if name in ORDER else len(ORDER)


app.registered_commands.sort(key=lambda c: _order(c.name or (c.callback.__name__ if c.callback else "")))
for _command in app.registered_commands:  # every command, whoever wrote it, behind the one boundary
    if _command.cls in (None, TyperCommand):
        _command.cls = Command  # flags without a <bool> in --help
    if _command.callback is not None:
        _name = _command.name or _command.callback.__name__
        _command.callback = guarded(_command.callback, THEN.get(_name, ""))
