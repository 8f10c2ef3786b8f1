"""Where each field of a YAML file is written (line, column), recorded while the file is read, so
rules that run later can point at the line without reading the file again.

A field path is written as the schema writes it in problems: ``owner.email``,
``funding[0].text``, ``credits[2].role``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_LAST_STEP = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")


@dataclass(frozen=True)
class Located:
    """A YAML file and the (line, column) of every field written in it, 1-based."""

    file: Path
    marks: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False, repr=False)

    def __contains__(self, name: str) -> bool:
        return name in self.marks

    def at(self, name: str) -> tuple[int, int]:
        """Where ``name`` is written; where its nearest enclosing field is when it is not set (a
        scalar given for a list counts as its first item); (1, 1) for a field the file leaves out."""
        while name not in self.marks:
            shorter = _LAST_STEP.sub("", name)
            if shorter == name or not shorter:
                return self.marks.get("", (0, 0))
            name = shorter
        return self.marks[name]


def locate(file: Path, root: Node | None) -> Located:
    """Every field of the node tree ``root`` read from ``file``, by path."""
    marks: dict[str, tuple[int, int]] = {}
    if root is not None:
        _walk(root, "", marks)
    return Located(file, marks)


def _walk(node: Node, path: str, marks: dict[str, tuple[int, int]]) -> None:
    marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, MappingNode):
        children = [
            (f"{path}.{k.value}" if path else str(k.value), v) for k, v in node.value if isinstance(k, ScalarNode)
        ]
    elif isinstance(node, SequenceNode):
        children = [(f"{path}[{index}]", item) for index, item in enumerate(node.value)]
    else:
        return
    for where, child in children:
        if isinstance(child, ScalarNode):  # most of them: noted here, without a call
            marks[where] = (child.start_mark.line + 1, child.start_mark.column + 1)
        else:
            _walk(child, where, marks)
