"""The YAML mistake a producer makes most: a value with a colon and a space (``title: Réalisation: Marie``),
which YAML reads as a second key ("mapping values are not allowed here"). Each such line is named with
its field and the line as it should be written; the lines are found in one run, by quoting each one
found and reading the file again."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .locate import locate
from .yamlwrite import quoted

MAX_LINES = 100
"""How many such lines one run reports (a file is read again after each)."""
_KEY_LINE = re.compile(
    r"^(?P<lead>[ \t]*(?:-[ \t]+)*)"  # indentation, list dashes
    r"(?P<key>[^\s#'\"\[\]{}:,&*!|>%@`-][^:#]*?):[ \t]+"  # a plain key
    r"(?P<value>.*?)(?P<rest>[ \t]+#.*)?\r?$"  # the value, a comment
)


@dataclass(frozen=True)
class UnquotedColon:
    """One line whose value holds ``: ``: where, which field, and the line written right."""

    line: int
    """1-based."""
    column: int
    """1-based, at the colon inside the value."""
    field: str
    fixed: str
    """The line with its value in quotes (without its comment)."""


@dataclass(frozen=True)
class _Found:
    index: int
    column: int
    key: str
    value_column: int
    fixed: str
    """The line with its value in quotes, without indentation or comment."""
    repaired: str
    """The line with an empty quoted value: what the file is read again with."""


def is_colon_error(exc: yaml.YAMLError) -> bool:
    """Whether the parser stopped at a colon it cannot start a key with (PyYAML: "…allowed here";
    libyaml: "…allowed in this context")."""
    return isinstance(exc, yaml.MarkedYAMLError) and "mapping values are not allowed" in (exc.problem or "")


def unquoted_colons(
    text: str, first: yaml.MarkedYAMLError, loader: type
) -> tuple[list[UnquotedColon], yaml.YAMLError | None]:
    """Every line of ``text`` with an unquoted colon in its value, starting from the parser's ``first``
    error; and the error that remains once they are quoted (None when the file then reads)."""
    lines = text.split("\n")
    found: list[_Found] = []
    error: yaml.YAMLError | None = first
    tree = None
    while error is not None and is_colon_error(error) and len(found) < MAX_LINES:
        mark = error.problem_mark if isinstance(error, yaml.MarkedYAMLError) else None
        one = _line_with_colon(lines, mark.line, mark.column) if mark is not None else None
        if one is None:
            break
        found.append(one)
        lines[one.index] = one.repaired
        try:
            tree, error = yaml.compose("\n".join(lines), Loader=loader), None
        except yaml.YAMLError as again:
            error = again
    paths = {mark: path for path, mark in locate_marks(tree).items()}
    return [
        UnquotedColon(f.index + 1, f.column + 1, paths.get((f.index + 1, f.value_column + 1), f.key), f.fixed)
        for f in found
    ], error


def locate_marks(tree: yaml.Node | None) -> dict[str, tuple[int, int]]:
    """Every field of ``tree`` and where its value starts (empty for no tree)."""
    return locate(Path(""), tree).marks if tree is not None else {}


def _line_with_colon(lines: list[str], index: int, column: int) -> _Found | None:
    """The line ``index`` as ``key: value`` when the parser's mark (``column``) is a colon inside the value."""
    if not 0 <= index < len(lines):
        return None
    line = lines[index]
    match = _KEY_LINE.match(line)
    if match is None or not match["value"] or match["value"][0] in "\"'|>[{&*!":
        return None
    start = match.start("value")
    if not start < column < match.end("value") or line[column] != ":":
        return None
    head = f"{match['lead']}{match['key']}: "
    fixed = f"{match['key']}: {quoted(match['value'].rstrip())}"
    return _Found(index, column, match["key"], len(head), fixed, f'{head}""{match["rest"] or ""}')
