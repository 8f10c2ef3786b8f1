"""The redirect rules a move asks for at the old place, one text per kind of server (pure, no I/O).

Each maps the old feed URL to the new one, then every URL under the old base URL to the same path under
the new one, both with a permanent redirect (301): apps and directories follow a 301 and update the
subscription; listeners who downloaded the old feed keep getting their episodes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

__all__ = ["Move", "rules"]


@dataclass(frozen=True)
class Move:
    """From where to where: both feed URLs and both base URLs (each base ends with ``/``)."""

    old_feed: str
    new_feed: str
    old_base: str
    new_base: str

    @property
    def old_prefix(self) -> str:
        """The old base URL's path (``/podcast/``), the prefix every old object's path starts with."""
        return urlsplit(self.old_base).path or "/"

    @property
    def old_feed_path(self) -> str:
        return urlsplit(self.old_feed).path or "/"


def rules(move: Move) -> dict[str, str]:
    """Every server's rules, by the name ``move`` prints each under."""
    return {
        "S3 website routing rules (JSON, aws s3api put-bucket-website)": s3_json(move),
        "S3 website routing rules (XML, console)": s3_xml(move),
        "nginx (in the old host's server block)": nginx(move),
        "Caddy (in the old host's site block)": caddy(move),
        "Netlify _redirects": netlify(move),
        "Cloudflare bulk redirect list (CSV)": cloudflare(move),
    }


def _s3_rules(move: Move) -> list[dict[str, dict[str, str]]]:
    """S3's routing rules: the key's path maps to the new host's path (the website endpoint serves keys at
    their paths, so the condition is the old URL's path without its leading slash)."""
    new_feed, new_base = urlsplit(move.new_feed), urlsplit(move.new_base)

    def redirect(host: str, scheme: str, **replace: str) -> dict[str, str]:
        return {"Protocol": scheme, "HostName": host, **replace, "HttpRedirectCode": "301"}

    feed_rule = {
        "Condition": {"KeyPrefixEquals": move.old_feed_path.lstrip("/")},
        "Redirect": redirect(new_feed.netloc, new_feed.scheme, ReplaceKeyWith=new_feed.path.lstrip("/")),
    }
    base = redirect(new_base.netloc, new_base.scheme, ReplaceKeyPrefixWith=new_base.path.lstrip("/"))
    prefix = move.old_prefix.lstrip("/")
    base_rule = {"Condition": {"KeyPrefixEquals": prefix}, "Redirect": base} if prefix else {"Redirect": base}
    return [feed_rule, base_rule]


def s3_json(move: Move) -> str:
    return json.dumps({"RoutingRules": _s3_rules(move)}, indent=2)


def s3_xml(move: Move) -> str:
    lines = ["<RoutingRules>"]
    for rule in _s3_rules(move):
        lines.append("  <RoutingRule>")
        for part, values in rule.items():
            inner = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in values.items())
            lines.append(f"    <{part}>{inner}</{part}>")
        lines.append("  </RoutingRule>")
    return "\n".join([*lines, "</RoutingRules>"])


def nginx(move: Move) -> str:
    prefix = move.old_prefix
    return "\n".join(
        [
            f"location = {move.old_feed_path} {{ return 301 {move.new_feed}; }}",
            f"location ^~ {prefix} {{ rewrite ^{prefix}(.*)$ {move.new_base}$1 permanent; }}",
        ]
    )


def caddy(move: Move) -> str:
    return "\n".join(
        [
            f"@oldfeed path {move.old_feed_path}",
            f"redir @oldfeed {move.new_feed} permanent",
            f"@moved path_regexp moved ^{move.old_prefix}(.*)$",
            f"redir @moved {move.new_base}{{re.moved.1}} permanent",
        ]
    )


def netlify(move: Move) -> str:
    """``!``: redirect even though the old files are still there (Netlify serves a file before a rule)."""
    return "\n".join(
        [
            f"{move.old_feed_path}  {move.new_feed}  301!",
            f"{move.old_prefix}*  {move.new_base}:splat  301!",
        ]
    )


def cloudflare(move: Move) -> str:
    """A Bulk Redirect list's CSV lines: source_url, target_url, status_code, preserve_query_string,
    include_subdomains, subpath_matching, preserve_path_suffix (the source without its scheme: http and https)."""

    def source(url: str) -> str:
        return url.split("://", 1)[-1]

    return "\n".join(
        [
            f"{source(move.old_feed)},{move.new_feed},301,true,false,false,false",
            f"{source(move.old_base)},{move.new_base},301,true,false,true,true",
        ]
    )
