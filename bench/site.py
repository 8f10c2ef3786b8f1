"""Bench: the website of a 2,000-episode show, against the RSS render of the same show (same run).

    python bench/site.py [EPISODES]

Prints the time to render every page (index pages + one per episode) next to the time to render
the feed, then plans a republish against a local store holding the published pages: an unchanged
show must upload no page; one retitled episode, only its page and the index page that lists it.
Not part of the test suite's pass/fail.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from apa_feed.build import Options, build_project  # noqa: E402
from apa_feed.cache import Cache  # noqa: E402
from apa_feed.config.show import Show  # noqa: E402
from apa_feed.feed.model import Asset, Feed  # noqa: E402
from apa_feed.feed.rss import render  # noqa: E402
from apa_feed.publish.plan import MANIFEST, make_plan  # noqa: E402
from apa_feed.publish.run import apply  # noqa: E402
from apa_feed.site import build_site  # noqa: E402
from apa_feed.storage import Store, open_store  # noqa: E402

SAMPLE = "2025-11-12-mali-turquie"


def sample_show(folder: Path) -> tuple[Feed, Show]:
    shutil.copy(REPO / "feed.yaml", folder / "feed.yaml")
    shutil.copy(REPO / "cover.jpg", folder / "cover.jpg")
    shutil.copytree(REPO / "episodes" / SAMPLE, folder / "episodes" / SAMPLE)
    built = build_project(Options(folder / "feed.yaml"), assign=False)
    return built.publication.feed, built.show


def big_feed(feed: Feed, count: int) -> Feed:
    """``count`` episodes like the sample (notes, credits, chapters, transcript), one a day, newest first."""
    model = feed.items[0]
    items = []
    for n in range(count, 0, -1):
        day = model.published + timedelta(days=n - count)
        slug = f"{day:%Y-%m-%d}-episode-{n}"
        url = f"{feed.base_url}episodes/{slug}/"
        items.append(
            replace(
                model,
                guid=f"guid-{n}",
                title=f"Épisode {n} : {model.title}",
                published=day,
                slug=slug,
                page_url=url,
                link=url,
            )
        )
    return replace(feed, items=tuple(items))


def best(call: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def page_uploads(assets: list[Asset], store: Store) -> list[str]:
    plan = make_plan(tuple(assets), store.list(), "feed.xml", b"", None, live_manifest=store.read(MANIFEST))
    return [a.key for a in plan.uploads if a.key.endswith(".html")]


def shown(keys: list[str]) -> str:
    return ", ".join(keys[:4]) + (f", … ({len(keys) - 4} more)" if len(keys) > 4 else "")


def main(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="apa-feed-bench-") as tmp:
        folder = Path(tmp)
        feed, show = sample_show(folder)
        feed = big_feed(feed, count)
        rss = best(lambda: render(feed))

        def cached() -> list[Asset]:
            cache = Cache(show.root)  # the build's cache: pages made before are taken from it
            assets = build_site(feed, show, cache)
            cache.close(complete=True)
            return assets

        site = best(lambda: build_site(feed, show))  # no cache: every page rendered
        assets = cached()
        kept = best(cached)
        pages = [a for a in assets if a.key.endswith(".html")]
        print(f"{count} episodes: {len(pages)} pages ({sum(a.size for a in pages) / 1e6:.1f} MB of HTML)")
        print(f"  RSS feed render (baseline): {rss * 1000:8.0f} ms")
        print(
            f"  website render:             {site * 1000:8.0f} ms  = {site / rss:.1f} × the feed, "
            f"{site / len(pages) * 1e6:.0f} µs a page"
        )
        print(f"  unchanged pages read back:  {kept * 1000:8.0f} ms  = {kept / rss:.1f} × the feed")
        store = open_store(str(folder / "public"), folder)
        apply(make_plan(tuple(assets), store.list(), "feed.xml", render(feed)[0], None), store)
        print(f"  no-op republish: {len(page_uploads(build_site(feed, show), store))} pages to upload")
        renamed = feed.items[5]
        retitled = replace(
            feed, items=(*feed.items[:5], replace(renamed, title=renamed.title + " (mise à jour)"), *feed.items[6:])
        )
        changed = page_uploads(build_site(retitled, show), store)
        print(f"  one episode retitled: {len(changed)} pages to upload: {shown(changed)}")
        same_size = replace(renamed, title=renamed.title.replace("Épisode", "ÉPISODE"))
        swapped = replace(feed, items=(*feed.items[:5], same_size, *feed.items[6:]))
        changed = page_uploads(build_site(swapped, show), store)
        print(f"  one title changed, same byte size: {len(changed)} pages to upload: {shown(changed)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
