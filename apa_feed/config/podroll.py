"""``podroll:`` in feed.yaml: the sibling shows of the tree this show recommends (``<podcast:podroll>``),
each named by its folder, relative to feed.yaml. Each must be a show (a folder holding a feed.yaml) inside
the folder apa-feed runs in, other than this one, and listed once; the build reads each one's feed.yaml
and lock for its ``podcast:guid`` and feed URL."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from yaml.nodes import Node, SequenceNode

from . import schema as s
from .yamlread import OUTSIDE, Context

CONFIG = "feed.yaml"
TREE_HINT = "run apa-feed from the folder holding the shows (apa-feed publish -f shows/NAME/feed.yaml)"


def podroll(node: Node, ctx: Context, path: str) -> Any:
    """A list of sibling show folders; the value is each one's feed.yaml, as an absolute path."""
    found = s.list_of(sibling)(node, ctx, path)
    if found is s.INVALID:
        return s.INVALID
    items = node.value if isinstance(node, SequenceNode) else [node]
    for index, config in enumerate(found):
        if config in found[:index]:
            first = found.index(config)
            ctx.report(items[index], f"{path}[{index}]", f"listed twice (first as {path}[{first}])", "list it once")
            return s.INVALID
    return found


def sibling(node: Node, ctx: Context, path: str) -> Any:
    """One show's folder (relative to the YAML file) inside the folder apa-feed runs in: its feed.yaml."""
    value = s.scalar(node, ctx, path, "a show's folder")
    if value is None:
        return s.INVALID
    target = ctx.base / value
    try:
        problem, hint = _why_not(target, ctx)
    except (OSError, ValueError) as exc:  # a name too long, a NUL character
        problem, hint = getattr(exc, "strerror", None) or "not a folder name", ""
    if not problem:
        return Path(os.path.abspath(target / CONFIG))
    ctx.report(node, path, f"expected a show's folder, got {s.quoted(value)} ({problem})", hint)
    return s.INVALID


def _why_not(target: Path, ctx: Context) -> tuple[str, str]:
    """What keeps ``target`` from being a sibling show, and a hint; ("", "") when it is one."""
    where = Context(ctx.source, ctx.base, Path.cwd()).outside(target)  # before anything looks at it
    if where:
        link = "a link to outside it" if where != OUTSIDE else "outside it"
        return f"{link}: it must lie inside the folder apa-feed runs in, {os.path.abspath(Path.cwd())}", TREE_HINT
    if not target.is_dir():
        return ("a file" if target.exists() else "no such folder"), "name the folder holding the show's feed.yaml"
    if not (target / CONFIG).is_file():
        return f"not a show: no {CONFIG} in it", "name the folder holding the show's feed.yaml"
    if os.path.samefile(target, ctx.base):
        return "this show itself", "list the other shows of the tree"
    return "", ""
