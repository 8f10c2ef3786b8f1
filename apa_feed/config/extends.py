"""``extends: PATH`` in feed.yaml: the fields a show does not set come from a shared YAML file (several
shows of one tree share their owner, author, storage, base URL, notify…).

The merge happens on the YAML node trees, so each value keeps its line and column; the shared file is
validated on its own first, so its mistakes are reported in it (file:line:column), not in feed.yaml.

Rules: the show's own value wins; a mapping both set (``owner``, ``s3``, ``notify``, ``location``) merges
key by key; a list (``categories``, ``funding``…) is replaced whole. The shared file lies inside the folder
apa-feed runs in, may not itself say ``extends:`` (no chains, no loops), and may not set what belongs to
one show (``NOT_SHARED``). ``storage`` and ``base_url`` taken from it name the network's root: each show
that takes both gets its own folder there (its folder's name), so shows never write over each other.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from yaml.nodes import MappingNode, Node, ScalarNode

from ..errors import ProblemsFound, display_path
from . import schema as s
from .locate import Located, locate
from .yamlread import OUTSIDE, Context, compose_file, file_context, is_null

EXTENDS = "extends"
NOT_SHARED = {
    "podcast_guid": "each show has its own podcast:guid",
    "title": "each show has its own title",
    "description": "each show has its own description",
    "image": "each show has its own cover, next to its feed.yaml",
    "podroll": "each show lists its own siblings, relative to its feed.yaml",
}
"""Fields a shared file may not set, and why."""
ROOTS = ("storage", "base_url")
"""Fields that, taken from the shared file, get the show's own folder appended."""


@dataclass(frozen=True)
class Shared:
    """A show's node tree with the shared file's fields merged in."""

    node: MappingNode
    file: Path | None = None
    """The shared file, when the show extends one."""
    taken: tuple[str, ...] = ()
    """The fields taken whole from it."""
    at: tuple[int, int] = (0, 0)
    """Where feed.yaml says ``extends:`` (where problems about a field taken from the shared file point)."""
    network: tuple[str, str] | None = None
    """The network's root, when the show takes both ``storage`` and ``base_url`` from the shared file: that
    storage (an absolute folder or an ``s3://`` URL) and that base URL, each show in its own folder there."""

    def located(self, config: Path, own: Node | None) -> Located:
        """Where each field of the show is written: in feed.yaml, or at its ``extends:`` for a field it takes."""
        where = locate(config, own)
        where.marks.update((name, self.at) for name in self.taken if name not in where.marks)
        return where


def with_shared(config: Path, node: MappingNode, ctx: Context, fields: Sequence[s.Field]) -> Shared:
    """``node`` (feed.yaml) without its ``extends:``, with the fields of the file it names merged in; raise
    :class:`ProblemsFound` when that file cannot be used (its problems located in it)."""
    own = [(k, v) for k, v in node.value if not (isinstance(k, ScalarNode) and k.value == EXTENDS)]
    named = [v for k, v in node.value if isinstance(k, ScalarNode) and k.value == EXTENDS]
    base = MappingNode(node.tag, own, node.start_mark, node.end_mark)
    if not named or is_null(named[0]):
        return Shared(base)
    if len(named) > 1:
        ctx.report(named[1], EXTENDS, f"duplicate key (first set on line {named[0].start_mark.line + 1})")
        raise ProblemsFound(ctx.problems)
    shared = _shared_file(config, named[0], ctx)
    if shared is None:
        raise ProblemsFound(ctx.problems)
    sctx = file_context(shared, Path.cwd())
    tree = _read_shared(config, shared, sctx, fields)
    if tree is None:
        raise ProblemsFound([*ctx.problems, *sctx.problems])
    merged = _merge(base, tree)
    taken = tuple(k.value for k, _ in tree.value if k.value not in {k.value for k, _ in base.value})
    at = (named[0].start_mark.line + 1, named[0].start_mark.column + 1)
    rooted, network = _rooted(merged, base, config, shared, ctx)
    return Shared(rooted, shared, taken, at, network)


def _shared_file(config: Path, value: Node, ctx: Context) -> Path | None:
    """The file ``extends:`` names, or None with a problem reported at it."""
    text = s.scalar(value, ctx, EXTENDS, "a file path")
    if text is None:
        return None
    target = config.parent / text
    tree = Context(ctx.source, config.parent, Path.cwd())
    where = tree.outside(target)
    tree_name = os.path.abspath(Path.cwd())
    if where:
        link = " (a link to outside it)" if where != OUTSIDE else ""
        inside = f"expected a file inside the folder apa-feed runs in ({tree_name})"
        hint = "run apa-feed from the folder holding the shows (apa-feed publish -f shows/NAME/feed.yaml)"
        ctx.report(value, EXTENDS, f'{inside}, got "{text}"{link}', hint)
    elif not target.is_file():
        ctx.report(value, EXTENDS, f'expected a YAML file, got "{text}" (no such file)')
    elif os.path.samefile(target, config):
        hint = "name the shared file, e.g. ../shared.yaml"
        ctx.report(value, EXTENDS, "a loop: extends names this file itself", hint)
    else:
        return target
    return None


def _read_shared(config: Path, shared: Path, ctx: Context, fields: Sequence[s.Field]) -> MappingNode | None:
    """The shared file's node tree, validated on its own (every field optional); None when it has problems."""
    node = compose_file(shared, ctx)
    if node is None or not isinstance(node, MappingNode):
        s.read_mapping(node, (), ctx)
        return None
    kept = []
    for key, value in node.value:
        name = key.value if isinstance(key, ScalarNode) else None
        if name == EXTENDS:
            _chain(config, shared, key, value, ctx)
        elif name in NOT_SHARED:
            ctx.report(key, name, f"not allowed in a shared file: {NOT_SHARED[name]}", "set it in each feed.yaml")
        else:
            kept.append((key, value))
    tree = MappingNode(node.tag, kept, node.start_mark, node.end_mark)
    optional = [s.Field(f.name, f.convert, f.type, f.doc) for f in fields if f.name != EXTENDS]
    values = s.read_mapping(tree, optional, ctx)
    return tree if values is not None and not ctx.problems else None


def _chain(config: Path, shared: Path, key: Node, value: Node, ctx: Context) -> None:
    named = value.value if isinstance(value, ScalarNode) else ""
    back = bool(named) and (shared.parent / named).is_file() and os.path.samefile(shared.parent / named, config)
    what = f"a loop: it names {display_path(config)} back" if back else "a chain"
    ctx.report(
        key,
        EXTENDS,
        f"{what}: a shared file may not itself say extends: ({display_path(config)} extends it)",
        "put every shared field in this one file",
    )


def _merge(own: MappingNode, shared: MappingNode, depth: int = 0) -> MappingNode:
    """``own`` with every key of ``shared`` it does not set; mappings both set merge key by key."""
    mine = {k.value: i for i, (k, v) in enumerate(own.value) if isinstance(k, ScalarNode)}
    items = list(own.value)
    for key, value in shared.value:
        at = mine.get(key.value)
        if at is None:
            items.append((key, value))
        elif is_null(items[at][1]):
            items[at] = (key, value)
        elif depth == 0 and isinstance(items[at][1], MappingNode) and isinstance(value, MappingNode):
            items[at] = (items[at][0], _merge(items[at][1], value, depth + 1))
    return MappingNode(own.tag, items, own.start_mark, own.end_mark)


def _rooted(
    merged: MappingNode, own: MappingNode, config: Path, shared: Path, ctx: Context
) -> tuple[MappingNode, tuple[str, str] | None]:
    """``storage`` and ``base_url`` from the shared file, made the show's own folder under them; and the
    network's root they name (None when the show does not take them)."""
    set_here = {k.value for k, v in own.value if isinstance(k, ScalarNode) and not is_null(v)}
    given = {k.value: (k, v) for k, v in merged.value if isinstance(k, ScalarNode) and k.value in ROOTS}
    taken = [name for name in ROOTS if name in given and name not in set_here]
    if not taken:
        return merged, None
    if len(taken) == 1:
        mine = next(name for name in ROOTS if name != taken[0])
        key = next(k for k, v in own.value if isinstance(k, ScalarNode) and k.value == mine)
        ctx.report(
            key,
            mine,
            f"set here but {taken[0]} comes from {display_path(shared)}: they name the same place",
            "set both storage and base_url in this feed.yaml, or neither",
        )
        raise ProblemsFound(ctx.problems)
    folder = os.path.basename(os.path.abspath(config.parent))
    items = []
    for key, value in merged.value:
        if isinstance(key, ScalarNode) and key.value in ROOTS and isinstance(value, ScalarNode):
            joined = _joined(key.value, value.value, folder, shared.parent, config.parent)
            value = ScalarNode(value.tag, joined, value.start_mark, value.end_mark, value.style)
        items.append((key, value))
    values = {name: given[name][1].value for name in ROOTS if isinstance(given[name][1], ScalarNode)}
    network = (_root_store(values["storage"], shared.parent), values["base_url"].rstrip("/") + "/")
    return MappingNode(merged.tag, items, merged.start_mark, merged.end_mark), network


def _root_store(value: str, shared_dir: Path) -> str:
    """The network's storage: an ``s3://`` URL, or a folder made absolute (relative to the shared file)."""
    if value.startswith("s3://"):
        return value.rstrip("/")
    root = Path(value).expanduser()
    return os.path.abspath(root if root.is_absolute() else shared_dir / root)


def _joined(name: str, value: str, folder: str, shared_dir: Path, show_dir: Path) -> str:
    if name == "base_url":
        return value.rstrip("/") + "/" + quote(folder) + "/"
    if value.startswith("s3://"):
        return value.rstrip("/") + "/" + folder
    root = Path(value).expanduser()
    target = root if root.is_absolute() else shared_dir / root
    return os.path.relpath(os.path.abspath(target / folder), os.path.abspath(show_dir))
