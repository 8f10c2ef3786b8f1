"""Find where a field sits in a YAML file (line, column), for rules that run after reading.

Each file is composed once into :mod:`yaml`'s node tree and kept; a field path is written as
the schema writes it in problems: ``owner.email``, ``funding[0].text``, ``credits[2].role``.
"""

from __future__ import annotations

import re
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .yamlread import compose_file, file_context

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def steps(field: str) -> list[str | int]:
    """``credits[2].role`` → ``["credits", 2, "role"]``."""
    return [int(index) if index else key for key, index in _STEP.findall(field)]


class Locator:
    """Line and column of fields in YAML files, each file read once."""

    def __init__(self) -> None:
        self._trees: dict[Path, Node | None] = {}

    def tree(self, path: Path) -> Node | None:
        """The node tree of ``path`` (None when it cannot be read: its problems are reported elsewhere)."""
        if path not in self._trees:
            self._trees[path] = compose_file(path, file_context(path))  # its problems were reported when read
        return self._trees[path]

    def node(self, path: Path, field: str) -> Node | None:
        """The value node of ``field``, or None when the file does not set it."""
        found = self._walk(path, field)
        return found[1] if found[0] else None

    def has(self, path: Path, field: str) -> bool:
        """Whether the file sets ``field``."""
        return self.node(path, field) is not None

    def __call__(self, path: Path, field: str) -> tuple[int, int]:
        """(line, column) of ``field``'s value, 1-based; of its nearest enclosing node if it is not set;
        (0, 0) if the file cannot be read."""
        node = self._walk(path, field)[1]
        if node is None:
            return 0, 0
        return node.start_mark.line + 1, node.start_mark.column + 1

    def _walk(self, path: Path, field: str) -> tuple[bool, Node | None]:
        """(whether the whole path was found, the deepest node reached)."""
        node = self.tree(path)
        if node is None:
            return False, None
        for step in steps(field):
            child = _child(node, step)
            if child is None:
                return False, node
            node = child
        return True, node


def _child(node: Node, step: str | int) -> Node | None:
    if isinstance(step, int):
        if isinstance(node, SequenceNode) and step < len(node.value):
            child: Node = node.value[step]
            return child
        return node if step == 0 and isinstance(node, ScalarNode) else None  # one scalar counts as a list of one
    if isinstance(node, MappingNode):
        for key, value in node.value:
            if isinstance(key, ScalarNode) and key.value == step:
                found: Node = value
                return found
    return None
