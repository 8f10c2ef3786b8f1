"""The command line's error boundary: a mistake the user can fix is ``error: …`` and exit 1, a bug is one
line too (exit 2), its traceback only under ``--debug``; what the commands print goes through here."""

from __future__ import annotations

import functools
import io
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import typer

from ..errors import ApaFeedError, Problem, ProblemsFound, display_path, os_error_message, redact, summary

INTERNAL_ERROR = 2
"""The exit status of a bug in apa-feed (1 is a mistake the user can fix)."""
DEBUG = {"on": False}


COLOURS = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "info": "\x1b[1;36m", "note": "\x1b[1;36m"}
"""The ANSI colour of each kind of line's first word (bold red errors, bold yellow warnings, cyan the rest)."""


def in_colour(stream: TextIO) -> bool:
    """Colour on a terminal only: never in a log or a pipe, nor when ``NO_COLOR`` is set (no-color.org), nor
    on a terminal that says it has none (``TERM=dumb``)."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def painted(text: str, stream: TextIO) -> str:
    """``text`` with its ``error:`` (``warning:``, ``info:``, ``note:``) coloured, when ``stream`` takes colour."""
    kind, colon, rest = text.partition(":")
    if not colon or kind not in COLOURS or not in_colour(stream):
        return text
    return f"{COLOURS[kind]}{kind}\x1b[0m:{rest}"


def err(text: str) -> None:
    print(painted(text, sys.stderr), file=sys.stderr)


def warn(problems: tuple[Problem, ...] | list[Problem]) -> None:
    for problem in problems:
        err(problem.render())


@contextmanager
def user_errors(then: str = "") -> Iterator[None]:
    """The one error boundary: known mistakes print ``error: …`` and exit 1, with no traceback; the count of
    problems ends with ``then`` (what did not happen: "nothing was published")."""
    try:
        yield
    except ProblemsFound as found:
        warn(found.problems)
        err(summary(found.problems, then))
        raise typer.Exit(1) from None
    except ApaFeedError as exc:
        err(f"error: {exc}")
        raise typer.Exit(1) from None


def guarded(command: Callable[..., None], then: str = "") -> Callable[..., None]:
    """``command`` inside the outer boundary: a file or network error is one ``error:`` line (exit 1); anything
    else unexpected is a bug, one line too (exit 2), its traceback only under ``--debug``."""

    @functools.wraps(command)
    def call(*args: Any, **kwargs: Any) -> None:
        try:
            with user_errors(then):
                command(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.TyperException, KeyboardInterrupt):
            raise
        except OSError as exc:
            debug_traceback()
            err(f"error: {os_error_message(exc)}")
            raise typer.Exit(1) from None
        except Exception as exc:
            debug_traceback()
            detail = " ".join(redact(str(exc)).split())[:300]
            kind = type(exc).__name__ + (f": {detail}" if detail else "")
            err(f"error: internal error ({kind}); please report it — run again with --debug for the traceback")
            raise typer.Exit(INTERNAL_ERROR) from None

    return call


def debug_traceback() -> None:
    if DEBUG["on"]:
        traceback.print_exc(file=sys.stderr)


def tolerant_streams() -> None:
    """Print what cannot be encoded (a folder name that is not UTF-8, under a strict encoding) as ``\\udcff``."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def write_output(output: Path, data: bytes) -> None:
    """Write the feed at ``output``, or raise an :class:`ApaFeedError` that says why not."""
    try:
        output.write_bytes(data)
    except FileNotFoundError:
        folder = display_path(output.parent)
        raise ApaFeedError(f"cannot write {display_path(output)}: the folder {folder} does not exist") from None
    except IsADirectoryError:
        raise ApaFeedError(f"cannot write {display_path(output)}: it is a folder; name a file") from None
    except OSError as exc:
        raise ApaFeedError(os_error_message(exc, "write")) from None
