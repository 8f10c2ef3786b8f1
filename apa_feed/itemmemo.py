"""The ``<item>`` text of the last render, kept in ``.apa-feed/items.bin`` so a re-render of a big
catalogue serialises only the items that changed (see :func:`apa_feed.render.render_items`).

Signed with this machine's key like every other kept file: text spliced into the feed is trusted
only if apa-feed wrote it here. It is a cache: deleting it is always safe.
"""

from __future__ import annotations

import marshal
from pathlib import Path

from .files import CACHE_DIR, keep
from .machinekey import sign, verified

MEMO = "items.bin"


def load(root: Path) -> dict[bytes, bytes]:
    """The kept items by key; empty when the file is missing, damaged or not signed here."""
    try:
        data = verified((root / CACHE_DIR / MEMO).read_bytes())
        kept = marshal.loads(data) if data is not None else None
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(kept, dict) or not all(isinstance(k, bytes) and isinstance(v, bytes) for k, v in kept.items()):
        return {}
    return kept


def save(root: Path, items: dict[bytes, bytes], kept: dict[bytes, bytes]) -> None:
    """Keep this render's items (only these: a dropped episode's item goes) when they differ from ``kept``."""
    if items.keys() == kept.keys():
        return
    signed = sign(marshal.dumps(items))
    if signed is not None:
        keep(root / CACHE_DIR / MEMO, signed)
