"""A declared schema for YAML files: fields with a type, a default, a docstring and an RSS tag.

Each field converts a located node to a Python value or reports a problem. The same
declarations generate ``docs/config.md`` (see :func:`markdown_table`), so the docs cannot
drift from the code.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
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


class OutOfRange(ValueError):
    """A value of the right kind but beyond what apa-feed accepts; its text says what is (``a whole
    number from 1 to 999999``)."""


def quoted(value: str, limit: int = 80) -> str:
    """``value`` in quotes for a message, cut short when long (a thousand-digit number stays readable)."""
    return f'"{value}"' if len(value) <= limit else f'"{value[: limit - 1]}…" ({len(value)} characters)'


def checked(expected: str, parse: Callable[[str], Any]) -> Convert:
    """A converter for one scalar: ``parse`` returns the value or raises ValueError/LookupError
    (:class:`OutOfRange` to say what the limits are)."""

    def convert(node: Node, ctx: Context, path: str) -> Any:
        value = scalar(node, ctx, path, expected)
        if value is None:
            return INVALID
        try:
            return parse(value)
        except OutOfRange as exc:
            ctx.report(node, path, f"expected {exc}, got {quoted(value)}")
            return INVALID
        except (ValueError, LookupError):
            ctx.report(node, path, f"expected {expected}, got {quoted(value)}")
            return INVALID

    convert.__doc__ = f"Expects {expected}."
    return convert


def _must(ok: bool) -> None:
    if not ok:
        raise ValueError


def http_url(value: str) -> str:
    """``value`` when it is an absolute http(s) URL; ValueError otherwise."""
    parts = urlsplit(value)  # ValueError for some, such as "http://[::1"
    _must(parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value)
    return value


EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}$")
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def _matching(pattern: re.Pattern[str]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        _must(bool(pattern.match(value)))
        return value

    return parse


def _bool(value: str) -> bool:
    _must(value.lower() in ("true", "false"))
    return value.lower() == "true"


MAX_BYTES = 2**63 - 1
"""The largest size a file may declare (a signed 64-bit count, what S3 and HTTP tools handle)."""
MAX_NUMBER = 999_999
"""The largest season or episode number."""
MAX_SECONDS = 1000 * 3600
"""The latest time in an episode (1000 hours): far past any recording, well inside what floats,
timedelta and JSON hold exactly."""


def whole(maximum: int) -> Callable[[str], int]:
    """A whole number from 1 to ``maximum``."""

    def parse(value: str) -> int:
        digits = value.lstrip("0")
        _must(value.isascii() and value.isdigit() and bool(digits))  # "0" gets the plain message
        if len(digits) > len(str(maximum)) or int(digits) > maximum:  # no int() of a thousand digits
            raise OutOfRange(f"a whole number from 1 to {maximum}")
        return int(digits)

    return parse


EARLIEST = date(1, 1, 2)
LATEST = date(9999, 12, 30)
"""Dates a day inside what Python holds, so that moving one to any time zone stays in range."""


def _when(value: str) -> date | datetime:
    when = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    day = when.date() if isinstance(when, datetime) else when
    try:
        _must(EARLIEST <= day <= LATEST)
        if isinstance(when, datetime) and when.tzinfo is not None:
            when.astimezone(UTC)  # the feed and the pages move it to other zones
    except (ValueError, OverflowError):
        raise OutOfRange(f"a date from {EARLIEST.isoformat()} to {LATEST.isoformat()}") from None
    return when


def clock_seconds(value: str) -> float:
    """Seconds ("89.9") or a clock time ("1:29.9", "01:01:29.932") up to :data:`MAX_SECONDS`;
    ValueError for anything else."""
    parts = value.strip().split(":")
    _must(1 <= len(parts) <= 3 and all(p.isascii() and p.replace(".", "", 1).isdigit() for p in parts))
    _must(all("." not in p for p in parts[:-1]))
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    if not (math.isfinite(seconds) and seconds <= MAX_SECONDS):
        raise OutOfRange(f"a time of at most {MAX_SECONDS // 3600} hours")
    return seconds


def _zone(value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, OSError):  # OSError: a folder such as "Europe"
        raise ValueError(value) from None


url = checked('an http(s) URL like "https://example.com/"', http_url)
email = checked('an email address like "name@example.com"', _matching(EMAIL))
language = checked('a BCP 47 language code like "fr" or "en-US"', _matching(LANGUAGE))
boolean = checked("true or false", _bool)
positive_int = checked("a whole number of 1 or more", whole(MAX_BYTES))
number = checked("a whole number of 1 or more", whole(MAX_NUMBER))
when = checked('an ISO 8601 date like "2025-11-12" or "2025-11-12T08:30:00+01:00"', _when)
timestamp = checked('a time like "89.9", "1:29.9" or "01:01:29"', clock_seconds)
timezone = checked('an IANA time zone like "Europe/Paris" or "UTC"', _zone)


def file_path(node: Node, ctx: Context, path: str) -> Any:
    """A file next to the YAML file (relative paths are relative to it), inside the show's folder."""
    return _file(node, ctx, path, absent_ok=False)


def media_path(node: Node, ctx: Context, path: str) -> Any:
    """A file path as for :func:`file_path`, where a file that is not there is no error yet: the build
    decides (a draft's audio still to come, a published file apa-feed.lock recorded)."""
    return _file(node, ctx, path, absent_ok=True)


def _file(node: Node, ctx: Context, path: str, absent_ok: bool) -> Any:
    value = scalar(node, ctx, path, "a file path")
    if value is None:
        return INVALID
    target = ctx.base / value
    try:
        where = ctx.outside(target)  # before anything looks at it: it may be someone's secret
        if where:
            ctx.refuse(node, path, quoted(value), where)
            return INVALID
        if target.is_file():
            return target
        if target.is_dir():
            what = "a folder"
        elif absent_ok and not (target.is_symlink() or target.exists()):
            return target
        else:
            what = "no such file"
    except (OSError, ValueError) as exc:  # a name too long, a NUL character
        what = getattr(exc, "strerror", None) or "not a file name"
    ctx.report(node, path, f"expected a file, got {quoted(value)} ({what})")
    return INVALID


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


def file_or(other: Convert) -> Convert:
    """A file path (a scalar), or else what ``other`` reads (a list or mapping)."""

    def convert(node: Node, ctx: Context, path: str) -> Any:
        if isinstance(node, ScalarNode):
            return file_path(node, ctx, path)
        return other(node, ctx, path)

    return convert


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
    known = _by_name(fields)
    values: dict[str, Any] = {}
    suggested: set[str] = set()
    for key, key_node, value_node in mapping_items(node, ctx, path):
        spec = known.get(key)
        if spec is None:
            near = difflib.get_close_matches(key, list(known), n=1)
            suggested.update(near)
            hint = f'did you mean "{near[0]}"?' if near else ""
            ctx.report(key_node, f"{path}.{key}" if path else key, "unknown field", hint)
        elif spec.required or not is_null(value_node):
            values[key] = spec.convert(value_node, ctx, f"{path}.{key}" if path else key)
    for spec in fields:
        if spec.name not in values:
            if spec.required and spec.name not in suggested:
                where = f"{path}.{spec.name}" if path else spec.name
                ctx.report(node, where, f"missing required field ({spec.type})")
            values[spec.name] = spec.default
    return None if len(ctx.problems) > before else values


_INDEXES: dict[int, tuple[tuple[Field, ...], dict[str, Field]]] = {}


def _by_name(fields: Sequence[Field]) -> dict[str, Field]:
    """``fields`` by name, worked out once for each declared tuple of fields (a big catalogue reads thousands
    of files with the same ones; the few declared tuples, at module level, are kept)."""
    index = _INDEXES.get(id(fields))
    if index is not None and index[0] is fields:
        return index[1]
    known = {f.name: f for f in fields}
    if isinstance(fields, tuple) and len(_INDEXES) < 64:  # immutable, so its index stays right
        _INDEXES[id(fields)] = (fields, known)
    return known


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
