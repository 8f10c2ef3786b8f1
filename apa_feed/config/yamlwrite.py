"""YAML as a producer writes it: what ``import`` puts in feed.yaml and episode.yaml."""

from __future__ import annotations

from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line text (show notes read as written), no line folding."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump(values: dict[str, Any]) -> str:
    """YAML for ``values``, keys in the given order."""
    return str(yaml.dump(values, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000))


def quoted(text: str) -> str:
    """``text`` as one double-quoted YAML scalar, escaped as YAML says: it reads back exactly, whatever it
    holds (colons, quotes, backslashes, « », emoji)."""
    return str(yaml.dump(text, Dumper=yaml.SafeDumper, default_style='"', allow_unicode=True, width=10**9)).rstrip("\n")
