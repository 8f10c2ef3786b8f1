"""The network's index page in Debian's Chromium with axe-core (as tests/site/test_browser.py does for a show's
pages): no serious or critical violation. The page is loaded from its bytes and every request it would make
(the covers on their real host) is refused, so nothing leaves this machine."""

from __future__ import annotations

from playwright.sync_api import Page, Route
from test_browser import _axe, browser, chromium, page  # noqa: F401  (fixtures)

from apa_feed.site.network import Listed, network_page


def _shows() -> list[Listed]:
    return [
        Listed(
            f"Show {name}",
            f"The {name} show: <b>markup</b> stays text.",
            f"https://apa.example/podcast/{name}/artwork/cover.jpg",
            f"https://apa.example/podcast/{name}/",
            f"https://apa.example/podcast/{name}/feed.xml",
            "Agence Presse Audio",
            "fr",
        )
        for name in ("doc", "journal")
    ]


def test_the_network_index_passes_axe(page: Page) -> None:  # noqa: F811
    refused: list[str] = []

    def refuse(route: Route) -> None:
        refused.append(route.request.url)
        route.abort()

    page.route("**/*", refuse)
    page.set_content(network_page(_shows(), "https://apa.example/podcast/").decode("utf-8"), wait_until="load")
    assert page.locator("h1").inner_text() == "Nos émissions"
    assert page.locator("main h2 a").all_inner_texts() == ["Show doc", "Show journal"]
    assert page.locator("b").count() == 0
    assert _axe(page) == []
    assert refused and all(url.startswith("https://apa.example/") for url in refused)
