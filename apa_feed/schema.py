"""A declared schema for YAML files: fields with a type, a default, a docstring and an RSS tag.

Each field converts a located node to a Python value or reports a problem. The same
declarations generate ``docs/config.md`` (see :func:`markdown_table`), so the docs cannot
drift from the code.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .yamlread import Context, describe, is_null, mapping_items

INVALID: Any = object()
"""Returned by a converter that reported a problem."""

Convert = Callable[[Node, Context, str], Any]


@dataclass(frozen=True)
class Field:
    """One key of a YAML mapping."""

    name: str
    convert: Convert
    type: str
    doc: str
    required: bool = False
    default: Any = None
    example: str = ""
    rss: str = ""


def scalar(node: Node, ctx: Context, path: str, expected: str) -> str | None:
    """The text of a scalar node, or report that ``expected`` was wanted."""
    if isinstance(node, ScalarNode) and not is_null(node):
        return str(node.value)
    ctx.report(node, path, f"expected {expected}, got {describe(node)}")
    return None


def text(node: Node, ctx: Context, path: str) -> Any:
    """Any non-empty text."""
    value = scalar(node, ctx, path, "text")
    if value is None:
        return INVALID
    if not value.strip():
        ctx.report(node, path, "expected text, got an empty value")
        return INVALID
    return value.strip()


def url(node: Node, ctx: Context, path: str) -> Any:
    """An absolute http(s) URL."""
    value = scalar(node, ctx, path, "a URL")
    parts = urlsplit(value or "")
    if value is None:
        return INVALID
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        ctx.report(node, path, f'expected an http(s) URL like "https://example.com/", got "{value}"')
        return INVALID
    return value


EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}$")


def email(node: Node, ctx: Context, path: str) -> Any:
    """An email address."""
    value = scalar(node, ctx, path, "an email address")
    if value is None:
        return INVALID
    if not EMAIL.match(value):
        ctx.report(node, path, f'expected an email address like "name@example.com", got "{value}"')
        return INVALID
    return value


def boolean(node: Node, ctx: Context, path: str) -> Any:
    """``true`` or ``false`` (the legacy ``yes``/``no`` are refused, with a hint)."""
    value = scalar(node, ctx, path, "true or false")
    if value is None:
        return INVALID
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    ctx.report(node, path, f'expected true or false, got "{value}"')
    return INVALID


def file_path(node: Node, ctx: Context, path: str) -> Any:
    """A file next to the YAML file (relative paths are relative to it)."""
    value = scalar(node, ctx, path, "a file path")
    if value is None:
        return INVALID
    target = ctx.base / value
    if not target.is_file():
        what = "a folder" if target.is_dir() else "no such file"
        ctx.report(node, path, f'expected a file, got "{value}" ({what})')
        return INVALID
    return target


def timezone(node: Node, ctx: Context, path: str) -> Any:
    """An IANA time zone name such as ``Europe/Paris``."""
    value = scalar(node, ctx, path, "a time zone")
    if value is None:
        return INVALID
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        ctx.report(node, path, f'expected an IANA time zone like "Europe/Paris" or "UTC", got "{value}"')
        return INVALID


def positive_int(node: Node, ctx: Context, path: str) -> Any:
    """A whole number ≥ 1."""
    value = scalar(node, ctx, path, "a whole number")
    if value is None:
        return INVALID
    if not value.isdigit() or int(value) < 1:
        ctx.report(node, path, f'expected a whole number of 1 or more, got "{value}"')
        return INVALID
    return int(value)


def choice(*options: str) -> Convert:
    """One of ``options``, with a "did you mean" hint."""

    def convert(node: Node, ctx: Context, path: str) -> Any:
        listed = ", ".join(options)
        value = scalar(node, ctx, path, f"one of {listed}")
        if value is None:
            return INVALID
        if value in options:
            return value
        near = difflib.get_close_matches(value.lower(), options, n=1)
        hint = f'did you mean "{near[0]}"?' if near else ""
        ctx.report(node, path, f'expected one of {listed}, got "{value}"', hint)
        return INVALID

    return convert


LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def language(node: Node, ctx: Context, path: str) -> Any:
    """A BCP 47 language tag such as ``fr`` or ``fr-FR``."""
    value = scalar(node, ctx, path, "a language code")
    if value is None:
        return INVALID
    if not LANGUAGE.match(value):
        ctx.report(node, path, f'expected a BCP 47 language code like "fr" or "en-US", got "{value}"')
        return INVALID
    return value


def when(node: Node, ctx: Context, path: str) -> Any:
    """An ISO 8601 date (``2025-11-12``) or date-time (``2025-11-12T08:00:00+01:00``)."""
    value = scalar(node, ctx, path, "a date")
    if value is None:
        return INVALID
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value)
    except ValueError:
        ctx.report(
            node, path, f'expected an ISO 8601 date like "2025-11-12" or "2025-11-12T08:30:00+01:00", got "{value}"'
        )
        return INVALID


def list_of(item: Convert) -> Convert:
    """A list whose entries each convert with ``item``; one scalar counts as a list of one."""

    def convert(node: Node, ctx: Context, path: str) -> Any:
        if isinstance(node, ScalarNode) and not is_null(node):
            node = SequenceNode("tag:yaml.org,2002:seq", [node], node.start_mark, node.end_mark)
        if not isinstance(node, SequenceNode):
            ctx.report(node, path, f"expected a list, got {describe(node)}")
            return INVALID
        values = [item(child, ctx, f"{path}[{i}]") for i, child in enumerate(node.value)]
        return INVALID if any(v is INVALID for v in values) else tuple(values)

    return convert


def mapping(fields: Sequence[Field]) -> Convert:
    """A nested mapping read with ``fields``; returns a dict."""

    def convert(node: Node, ctx: Context, path: str) -> Any:
        values = read_mapping(node, fields, ctx, path)
        return INVALID if values is None else values

    return convert


def read_mapping(node: Node | None, fields: Sequence[Field], ctx: Context, path: str = "") -> dict[str, Any] | None:
    """Convert a mapping node with ``fields``; report every problem; None if any was found."""
    if node is None and ctx.problems:
        return None  # the file itself could not be read; that is already reported
    if not isinstance(node, MappingNode):
        what = describe(node) if node is not None else "an empty file"
        ctx.report(node, path or "", f"expected a mapping of fields, got {what}")
        return None
    before = len(ctx.problems)
    known = {f.name: f for f in fields}
    values: dict[str, Any] = {}
    suggested: set[str] = set()
    for key, key_node, value_node in mapping_items(node, ctx, path):
        where = f"{path}.{key}" if path else key
        spec = known.get(key)
        if spec is None:
            near = difflib.get_close_matches(key, list(known), n=1)
            suggested.update(near)
            ctx.report(key_node, where, "unknown field", f'did you mean "{near[0]}"?' if near else "")
        elif not (is_null(value_node) and not spec.required):
            values[key] = spec.convert(value_node, ctx, where)
    for spec in fields:
        if spec.name not in values and spec.required and spec.name not in suggested:
            where = f"{path}.{spec.name}" if path else spec.name
            ctx.report(node, where, f"missing required field ({spec.type})")
        values.setdefault(spec.name, spec.default)
    return None if len(ctx.problems) > before else values


def markdown_table(fields: Sequence[Field]) -> str:
    """Document ``fields`` as a Markdown table (used to generate docs/config.md)."""
    rows = ["| field | type | default | example | RSS tag | what it is |", "|---|---|---|---|---|---|"]
    for f in fields:
        default = "required" if f.required else ("—" if f.default is None else f"`{_show(f.default)}`")
        example = f"`{f.example}`" if f.example else ""
        rss = f"`{f.rss}`" if f.rss else ""
        rows.append(f"| `{f.name}` | {f.type} | {default} | {example} | {rss} | {f.doc} |")
    return "\n".join(rows)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[]"
    return str(value)
