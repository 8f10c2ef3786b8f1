"""Read YAML through its node tree, so every value keeps its file, line and column.

The schema (not YAML 1.1's implicit typing) decides what a scalar means: ``language: no`` stays
the text ``"no"``. Duplicate keys are problems, not silent overwrites.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml
import yaml.reader
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import Problem, display_path
from .listing import Entries, scan
from .yamlhint import is_colon_error, unquoted_colons


@dataclass
class ShowFolder:
    """The show's folder, in which every file a show names must lie once its links are followed (a show
    folder may be someone else's clone). One is made per read of the show: a big catalogue names thousands
    of files, in the same few folders."""

    path: str
    """Its absolute path, as given."""
    real: str
    """Its path with every link followed."""
    plain: set[str] = field(default_factory=set)
    """Folders below :attr:`real` already found to be no link (each is asked about once, not once per file)."""
    listed: dict[str, dict[str, os.DirEntry[str]]] = field(default_factory=dict)
    """What :meth:`entries` found in each folder, by the folder's real path."""

    @classmethod
    def of(cls, root: str | Path) -> ShowFolder:
        """The folder ``root`` (relative to the working directory)."""
        path = os.path.abspath(root)
        return cls(path, os.path.realpath(path))

    def outside(self, target: str | Path) -> str:
        """Why ``target`` is not a file of the show ("outside it", "a link to outside it"), or "" when
        it lies inside the show's folder once every symbolic link on the way is followed."""
        if _within(self._realpath(os.fspath(target)), self.real):
            return ""
        return "a link to outside it" if _within(os.path.abspath(target), self.path) else OUTSIDE

    def _realpath(self, path: str) -> str:
        """``os.path.realpath(path)``, asking the file system only about the part below the show's folder
        when the path lies there without ``..``, and about each folder on the way only once."""
        if "\0" in path:
            raise ValueError("embedded null byte")  # as os.path.realpath says
        full = os.path.abspath(path)
        head = self.path.rstrip(os.sep) + os.sep
        if not full.startswith(head) or ".." in path.split(os.sep):
            return os.path.realpath(path)
        below = full[len(head) :].split(os.sep)
        current, last = self.real.rstrip(os.sep), len(below) - 1
        for index, part in enumerate(below):
            folder, current = current, f"{current}{os.sep}{part}"
            if current in self.plain:
                continue
            if self._is_link(folder, part, current):  # from here on, let the OS follow the links
                return os.path.realpath(os.path.join(current, *below[index + 1 :]))
            if index < last:
                self.plain.add(current)
        return current

    def _is_link(self, folder: str, name: str, path: str) -> bool:
        """Whether ``path``, ``name`` in ``folder``, is a link: what :meth:`entries` saw there when it listed
        ``folder``, else what the file system says (a name spelt otherwise on a case-insensitive disk too)."""
        entry = self.listed[folder].get(name) if folder in self.listed else None
        if entry is None:
            return os.path.islink(path)
        try:
            return entry.is_symlink()
        except OSError:  # as os.path.islink answers
            return False

    def entries(self, folder: str) -> Entries:
        """The entries of ``folder`` by name (None when it cannot be listed), kept so that asking whether one
        of them is a link costs no system call: an episode's folder is listed once for all its files."""
        entries = scan(folder)
        if entries is not None:
            self.listed[self._realpath(folder)] = entries
        return entries


@dataclass
class Context:
    """Where we are reading, and the problems found so far."""

    source: str | Path
    """The file as the user names it, or its path (then shown relative to the working directory,
    worked out only when there is a problem to report: a big catalogue has thousands of files)."""
    base: Path = Path(".")
    """The folder relative paths in the file start from (the file's own)."""
    root: Path | None = None
    """The show's folder: every file a path names must lie inside it, its links followed (a show folder may
    be someone else's clone). None: ``base``."""
    problems: list[Problem] = field(default_factory=list)
    show: ShowFolder | None = None
    """``root`` as a :class:`ShowFolder` (its links followed), when the caller has one; made on first use otherwise."""

    @property
    def file(self) -> str:
        """The file as the user sees it."""
        return self.source if isinstance(self.source, str) else display_path(self.source)

    def report(self, node: Node | None, path: str, message: str, hint: str = "") -> None:
        """Record a problem located at ``node`` (or at the top of the file)."""
        line = node.start_mark.line + 1 if node is not None else 0
        col = node.start_mark.column + 1 if node is not None else 0
        self.problems.append(Problem(self.file, line, col, path, message, hint))

    def outside(self, target: Path) -> str:
        """Why ``target`` is not a file of the show (see :meth:`ShowFolder.outside`), or "" when it is one."""
        if self.show is None:
            self.show = ShowFolder.of(self.root if self.root is not None else self.base)
        return self.show.outside(target)

    def refuse(self, node: Node | None, path: str, value: str, where: str) -> None:
        """Report that ``value`` names a file ``where`` (what :meth:`outside` said) instead of in the show."""
        link = f" ({where})" if where != OUTSIDE else ""
        self.report(node, path, f"expected a file inside the show folder, got {value}{link}")


OUTSIDE = "outside it"


def _within(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


_PARSER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
NULL_TAG, TEXT_TAG = "tag:yaml.org,2002:null", "tag:yaml.org,2002:str"
LIST_TAG, MAPPING_TAG = "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))


class SchemaLoader(_PARSER):  # type: ignore[valid-type,misc]
    """libyaml's parser when PyYAML has it (about 10× faster; its nodes keep line and column), tagging
    each node the way the schema reads it: a plain ``null``, ``~`` or empty value is null, any other
    scalar is text (the schema decides what ``yes``, ``007`` or ``2025-11-12`` mean), so YAML 1.1's
    dozen implicit types are not tried on every value of every file."""

    def resolve(self, kind: type[Node], value: str | None, implicit: tuple[bool, bool]) -> str:
        """The tag of a node without one written."""
        if kind is ScalarNode:
            return NULL_TAG if implicit[0] and value in _NULLS else TEXT_TAG
        return LIST_TAG if kind is SequenceNode else MAPPING_TAG


def compose_file(path: Path, ctx: Context) -> Node | None:
    """Parse ``path`` into a node tree; syntax errors become located problems."""
    try:
        text = read_text(path)
    except FileNotFoundError:
        ctx.problems.append(Problem(ctx.file, message="file not found"))
        return None
    except UnicodeDecodeError as exc:
        ctx.problems.append(Problem(ctx.file, message=f"not UTF-8 text ({exc.reason})"))
        return None
    try:
        return yaml.compose(text, Loader=SchemaLoader)
    except yaml.YAMLError as exc:
        error: yaml.YAMLError | None = exc
        if isinstance(exc, yaml.MarkedYAMLError) and is_colon_error(exc):
            colons, error = unquoted_colons(text, exc, SchemaLoader)
            for c in colons:
                hint = f"put the value in quotes: {c.fixed}"
                ctx.problems.append(Problem(ctx.file, c.line, c.column, c.field, COLON, hint))
        if error is not None:
            _report(ctx, text, error)
    return None


def read_text(path: str | Path) -> str:
    """The UTF-8 text of ``path`` with its line ends read as ``\\n``, as ``Path.read_text`` gives it, in
    four system calls instead of nine (a big catalogue has thousands of files)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(fd)
    text = b"".join(chunks).decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


COLON = "a colon and a space inside a value start a new field in YAML"


def _report(ctx: Context, text: str, exc: yaml.YAMLError) -> None:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = exc.problem or "invalid YAML"
        ctx.problems.append(Problem(ctx.file, line, col, "", f"invalid YAML: {what}"))
    elif isinstance(exc, yaml.reader.ReaderError):
        line, col = _line_col(text, _characters(text, exc.position))
        what = f"a control character (#x{exc.character:04x}) that YAML does not allow; remove it"
        ctx.problems.append(Problem(ctx.file, line, col, "", what))
    else:
        ctx.problems.append(Problem(ctx.file, message=f"invalid YAML: {exc}"))


def _characters(text: str, position: int) -> int:
    """The character offset in ``text`` of a reader error's ``position``: libyaml counts the bytes of the UTF-8
    it was given (an "é" before the fault is two), PyYAML's own reader counts characters."""
    if _PARSER is yaml.SafeLoader:
        return position
    return len(text.encode("utf-8", "surrogatepass")[:position].decode("utf-8", "ignore"))


def _line_col(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    return before.count("\n") + 1, position - (before.rfind("\n") + 1) + 1


def describe(node: Node) -> str:
    """A user's word for what a node holds, quoting scalars."""
    if isinstance(node, ScalarNode):
        return f'"{node.value}"'
    if isinstance(node, SequenceNode):
        return "a list"
    if isinstance(node, MappingNode):
        return "a mapping"
    return "nothing"


def is_null(node: Node) -> bool:
    """True for an empty value or an explicit ``null``/``~``."""
    return isinstance(node, ScalarNode) and node.tag == NULL_TAG and node.value in _NULLS


def mapping_items(node: MappingNode, ctx: Context, path: str) -> list[tuple[str, ScalarNode, Node]]:
    """Key/value pairs of a mapping; non-text and duplicate keys are reported and skipped."""
    seen: dict[str, int] = {}
    items: list[tuple[str, ScalarNode, Node]] = []
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            ctx.report(key_node, path, "a key must be plain text")
            continue
        key = key_node.value
        where = f"{path}.{key}" if path else key
        if key in seen:
            ctx.report(key_node, where, f"duplicate key (first set on line {seen[key]})")
            continue
        seen[key] = key_node.start_mark.line + 1
        items.append((key, key_node, value_node))
    return items


def file_context(path: Path, root: Path | None = None, show: ShowFolder | None = None) -> Context:
    """A fresh context naming ``path`` the way the user sees it; the files it names must lie in ``root``
    (default: the file's own folder), which is ``show`` when the caller has read it already."""
    return Context(path, path.parent, root, show=show)
