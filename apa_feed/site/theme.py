"""What a theme may do: it comes with the show, which may be someone else's clone.

A theme's templates run in Jinja's immutable sandbox, which refuses attributes that start with an
underscore (``__class__``, ``__globals__``…) and calls that change built-in data; on top of it,
:class:`ThemeSandbox` gives no access to the attributes of a file path (a template could otherwise
read, write or delete files through ``episode.item.transcript.source``) nor to a module.

No theme file is read from outside the show's folder: a symbolic link in ``theme/`` (or ``theme/``
itself) that leads out of it is refused with an error naming it, before anything reads it.
"""

from __future__ import annotations

import os
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..errors import ApaFeedError, display_path

PATH_ATTRIBUTES = frozenset({"name", "stem", "suffix"})
"""What a template may read of a file path: its name, never the file."""


class ThemeError(ApaFeedError):
    """A template of the theme cannot be read or rendered; the message names the file and line."""


class ThemeSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, with file paths and modules out of reach."""

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, os.PathLike) and attr not in PATH_ATTRIBUTES:
            return False
        if isinstance(value, types.ModuleType):
            return False
        return bool(super().is_safe_attribute(obj, attr, value))

    def is_safe_callable(self, obj: Any) -> bool:
        if isinstance(getattr(obj, "__self__", None), os.PathLike):
            return False
        return bool(super().is_safe_callable(obj))


class ShowLoader(jinja2.FileSystemLoader):
    """Templates from a folder of the show; one that leads outside ``root`` is refused, not read."""

    def __init__(self, folder: Path, root: Path) -> None:
        super().__init__(folder)
        self.folder, self.root = folder, root

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        path = self.folder.joinpath(*split_template_path(template))
        if path.is_file():
            inside_show(self.folder, self.root)
            inside_show(path, self.root)
        return super().get_source(environment, template)


def inside_show(path: Path, root: Path) -> None:
    """Raise a :class:`ThemeError` naming ``path`` when it resolves (through links) outside ``root``."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):  # a loop of links
        raise ThemeError(f"{display_path(path)}: a symbolic link that cannot be followed; refused") from None
    if not real.is_relative_to(root.resolve()):
        kind = "folder" if real.is_dir() else "file"
        raise ThemeError(f"{display_path(path)}: a symbolic link to a {kind} outside the show's folder; refused")


def theme_files(theme: Path, root: Path) -> tuple[tuple[str, bytes], ...]:
    """Every file of ``theme`` (sub-folders included) with its bytes, by relative name; a file or folder
    that leads outside ``root`` is a :class:`ThemeError` (and is not read)."""
    if not theme.is_dir():
        return ()
    inside_show(theme, root)
    found: list[tuple[str, bytes]] = []
    seen: set[Path] = set()
    todo = [(theme, "")]
    while todo:
        folder, prefix = todo.pop()
        if folder.resolve() in seen:
            continue
        seen.add(folder.resolve())
        for entry in sorted(folder.iterdir()):
            inside_show(entry, root)
            if entry.is_dir():
                todo.append((entry, f"{prefix}{entry.name}/"))
            elif entry.is_file():
                found.append((prefix + entry.name, entry.read_bytes()))
    return tuple(sorted(found))
