"""The show's website: an index (paginated) and one page per live episode, rendered from the feed model.

Templates are Jinja2 files; a producer overrides one by dropping a same-named file in ``theme/``
next to feed.yaml (``theme/style.css`` replaces the stylesheet). Output depends only on the
model and the templates: the same show renders byte-identical pages. Every template runs in a
sandbox and no theme file is read from outside the show's folder (see :mod:`.theme`).
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import replace
from functools import partial
from pathlib import Path
from types import SimpleNamespace, TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from ..config.s3 import FEED_CACHE
from ..config.show import Show
from ..errors import display_path
from ..feed.model import Asset, Feed, Item, generated_asset
from . import pages
from .i18n import strings
from .theme import ThemeError, inside_show, theme_files

if TYPE_CHECKING:
    import jinja2

    from ..cache import Cache

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STYLESHEET = HERE / "static" / "style.css"
PAGE_TYPE = "text/html; charset=utf-8"
CSS_TYPE = "text/css; charset=utf-8"
PAGE_CACHE = FEED_CACHE
PAGE_SOURCE = Path("index.html")
"""What every page is made as (a page is generated, not read from a file)."""
"""Pages live at fixed keys: a short cache, like the feed (the stylesheet's key changes with its bytes)."""

__all__ = ["ThemeError", "build_site", "environment", "page_asset", "page_key", "render", "stylesheet"]


def build_site(feed: Feed, show: Show, cache: Cache | None = None) -> list[Asset]:
    """Every page and the stylesheet, as assets to publish beside the feed (sorted by key).

    A page whose inputs (the channel, its items, the templates, this code) are unchanged since the
    last build is taken from the ``cache`` instead of being rendered again.
    """
    theme = show.root / "theme"
    files = theme_files(theme, show.root)  # first: a file from outside the show is refused before any is read
    env = environment(theme, show.root)
    css = stylesheet(theme, show.root)
    common = {"feed": feed, "t": SimpleNamespace(**strings(feed.language)), "css_url": feed.base_url + css.key}
    shared = repr((replace(feed, items=(), last_build=None), show.timezone, files, css.key)).encode()
    views = Views(feed, show)
    assets = [css]

    def page(inputs: object, make: partial[bytes]) -> bytes:
        if cache is None:
            return make()
        return cache.page(hashlib.sha256(shared + repr(inputs).encode()).hexdigest(), make)

    for pager, items in pages.pagers(feed, show.per_page):
        html = page(("index", pager, items), partial(_index_page, env, common, feed, pager, items, views))
        assets.append(page_asset(pages.page_key(pager.number), html))
    for item in feed.items:
        if item.page_url is None or not item.page_url.startswith(feed.base_url):
            continue
        html = page(("episode", item), partial(_episode_page, env, common, feed, item, views))
        assets.append(page_asset(page_key(feed, item), html))
    return sorted(assets, key=lambda a: a.key)


def page_key(feed: Feed, item: Item) -> str:
    """The key of an episode's page."""
    assert item.page_url is not None
    return unquote(item.page_url[len(feed.base_url) :]) + "index.html"


class Views:
    """Each episode as the pages show it, made once (it reads the transcript) for the index and its page."""

    def __init__(self, feed: Feed, show: Show) -> None:
        self.feed, self.tz = feed, show.timezone
        self.made: dict[str, pages.Episode] = {}

    def __call__(self, item: Item) -> pages.Episode:
        if item.guid not in self.made:
            self.made[item.guid] = pages.episode_view(self.feed, item, self.tz)
        return self.made[item.guid]


def _index_page(
    env: jinja2.Environment,
    common: dict[str, Any],
    feed: Feed,
    pager: pages.Pager,
    items: tuple[Item, ...],
    views: Views,
) -> bytes:
    entries = [views(i) for i in items]
    return render(env, "index.html", common, page=pages.index_meta(feed, pager), pager=pager, episodes=entries)


def _episode_page(env: jinja2.Environment, common: dict[str, Any], feed: Feed, item: Item, views: Views) -> bytes:
    view = views(item)
    return render(env, "episode.html", common, page=pages.episode_meta(feed, view), episode=view)


def environment(theme: Path | None = None, root: Path | None = None) -> jinja2.Environment:
    """Templates from ``theme`` (in the show's folder ``root``, by default the theme's parent) first, then
    the built-in ones, all in the sandbox; escaping on, undefined names are errors."""
    import jinja2

    from .theme import ShowLoader, ThemeSandbox

    loaders: list[jinja2.BaseLoader] = []
    if theme is not None and theme.is_dir():
        loaders.append(ShowLoader(theme, root or theme.parent))
    loaders.append(jinja2.FileSystemLoader(TEMPLATES))
    return ThemeSandbox(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(env: jinja2.Environment, name: str, common: dict[str, Any], **context: Any) -> bytes:
    """One template, as UTF-8; a broken template is a :class:`ThemeError` naming its file and line."""
    import jinja2

    try:
        return env.get_template(name).render(**common, **context).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        where = _where(exc.filename or name, exc.lineno)
        raise ThemeError(f"{where}: template syntax error: {exc.message}") from None
    except jinja2.TemplateError as exc:
        filename, line = _template_frame(sys.exc_info()[2])
        raise ThemeError(f"{_where(filename or name, line)}: {exc.message or exc}") from None


def _where(filename: str, line: int | None) -> str:
    shown = display_path(Path(filename)) if Path(filename).is_absolute() else filename
    return f"{shown}:{line}" if line else shown


def _template_frame(tb: TracebackType | None) -> tuple[str | None, int | None]:
    """The innermost traceback frame inside a template file (Jinja maps them to template lines)."""
    found: tuple[str | None, int | None] = (None, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".htm", ".xml", ".j2", ".jinja")):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def stylesheet(theme: Path | None = None, root: Path | None = None) -> Asset:
    """The stylesheet under a content-addressed key (long cache): ``assets/style-<sha12>.css``; the
    theme's own, unless it leads outside the show's folder ``root`` (by default the theme's parent)."""
    custom = theme / "style.css" if theme is not None else None
    source = custom if custom is not None and custom.is_file() else STYLESHEET
    if theme is not None and source == custom:
        inside_show(source, root or theme.parent)
    return generated_asset("assets", "style.css", source.read_bytes(), CSS_TYPE)


def page_asset(key: str, data: bytes) -> Asset:
    """A page at its fixed key, with the SHA-256 of its bytes so an unchanged page is not uploaded again."""
    digest = hashlib.sha256(data).hexdigest()
    return Asset(key, PAGE_SOURCE, len(data), digest, PAGE_TYPE, PAGE_CACHE, data)
