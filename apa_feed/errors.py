"""User mistakes as located problems, collected and reported together.

A :class:`Problem` is one thing a producer can fix; :class:`ProblemsFound` carries all of
them out of a run. Anything else that escapes is a bug in apa-feed.
"""

from __future__ import annotations

import errno
import functools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake: where (file, line, column), which field, and what was expected."""

    file: str
    line: int = 0
    column: int = 0
    field: str = ""
    message: str = ""
    hint: str = ""
    severity: str = "error"
    rule: str = ""
    """Whose rule this is (``Apple``, ``Spotify``, ``PSP-1``, ``Podcasting 2.0``, ``RSS``); empty for apa-feed's own."""

    def render(self) -> str:
        """Format compiler-style: ``error: file:line:col: field: message; hint [rule]``."""
        where = self.file
        if self.line:
            where += f":{self.line}:{self.column or 1}"
        text = f"{self.field}: {self.message}" if self.field else self.message
        if self.hint:
            text += f"; {self.hint}"
        if self.rule:
            text += f" [{self.rule}]"
        return f"{self.severity}: {where}: {text}"


class ApaFeedError(Exception):
    """Base of every error apa-feed reports to a user without a traceback."""


class ProblemsFound(ApaFeedError):
    """Raised when validation found one or more problems; nothing was published."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(summary(self.problems))


class StorageError(ApaFeedError):
    """The storage could not be read or written (permissions, network, missing bucket)."""


def display_path(path: Path) -> str:
    """Show ``path`` relative to the working directory when it lies under it."""
    try:
        cwd = os.getcwd()
        full = os.path.abspath(path)
        if full.startswith(cwd + os.sep):  # the common case, without a system call per path component
            return full[len(cwd) + 1 :]
        return str(path.resolve().relative_to(_resolved(cwd)))  # symbolic links on the way
    except ValueError:
        return str(path)
    except OSError:
        return os.fspath(path)


@functools.lru_cache(maxsize=64)
def _resolved(folder: str) -> Path:
    return Path(folder).resolve()


def plural(count: int, noun: str) -> str:
    """``1 episode``, ``2 episodes``, ``0 files``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def summary(problems: list[Problem], then: str = "nothing was published") -> str:
    """``3 problems in 2 files; nothing was published.`` (``then`` says what did not happen; "" for a
    command that was not going to publish anything)."""
    errors = [p for p in problems if p.severity == "error"]
    files = {p.file for p in errors}
    noun = "problem" if len(errors) == 1 else "problems"
    fnoun = "file" if len(files) == 1 else "files"
    return f"{len(errors)} {noun} in {len(files)} {fnoun}" + (f"; {then}." if then else ".")


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/?#@\s]*@")
"""The ``user:password@`` of a URL (up to the host), wherever it stands in a text."""


def redact(text: str) -> str:
    """``text`` with the user and password of every URL in it replaced by ``***`` (messages never echo a secret)."""
    return _USERINFO.sub(r"\1***@", text)


def os_error_message(exc: OSError, action: str = "") -> str:
    """One line for a file or network error: ``[cannot ACTION] PATH: what happened[; hint]``."""
    what = (exc.strerror or str(exc) or type(exc).__name__).rstrip(".")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        what += "; check that you may write there" if action == "write" else "; check the permissions"
    if exc.filename is None:
        return redact(f"cannot {action}: {what}" if action else what)
    where = exc.filename if isinstance(exc.filename, str) else os.fsdecode(exc.filename)
    where = display_path(Path(where))
    return redact(f"cannot {action} {where}: {what}" if action else f"{where}: {what}")
