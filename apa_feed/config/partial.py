"""What can be read of a feed.yaml that has mistakes elsewhere: its cover, so ``check`` looks at the artwork in
the same run as it reports the file's other problems."""

from __future__ import annotations

from pathlib import Path

from yaml.nodes import MappingNode

from . import schema as s
from .locate import Located, locate
from .yamlread import compose_file, file_context, mapping_items


def named_cover(config: Path) -> tuple[Path | None, Located | None]:
    """The show's cover file as ``config`` names it (None when its ``image`` is missing or wrong, as that is
    reported already), and where the file's fields are written."""
    ctx = file_context(config)
    node = compose_file(config, ctx)
    if not isinstance(node, MappingNode):
        return None, None
    for key, _, value in mapping_items(node, ctx, ""):
        if key == "image":
            path = s.file_path(value, ctx, "image")
            return (path if isinstance(path, Path) else None), locate(config, node)
    return None, None
