"""The website in a real browser: Debian's Chromium driven by Playwright against ``apa-feed serve``.

Never downloads a browser: Chromium is ``/usr/bin/chromium`` (``.ci/run`` installs it), or
``$APA_FEED_CHROMIUM``. With no Chromium these tests are skipped, unless ``APA_FEED_REQUIRE_BROWSER=1``
(``.ci/run`` sets it), which makes a missing browser a failure. axe-core is the ``axe.min.js`` that the
PyPI package ``axe-playwright-python`` bundles, run through its sync API. Screenshots go to
``tests/artifacts/`` (or ``$APA_FEED_ARTIFACTS``).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from conftest import REPO, SAMPLE_EPISODE, copy_sample
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

CHROMIUM = Path(os.environ.get("APA_FEED_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("APA_FEED_ARTIFACTS", REPO / "tests" / "artifacts"))
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``apa-feed serve --port 0`` on a copy of the sample show; yields its base URL."""
    root = copy_sample(tmp_path_factory.mktemp("show"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "apa_feed", "serve", "--port", "0"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        match = re.search(r"subscribe to (http://127\.0\.0\.1:\d+/)feed\.xml", line)
        assert match, line + (proc.stderr.read() if proc.poll() is not None and proc.stderr else "")
        yield match.group(1)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module", autouse=True)
def chromium() -> Path:
    """The browser, looked for before anything else so that a machine without one skips at once."""
    if not CHROMIUM.is_file():
        reason = f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does), or set APA_FEED_CHROMIUM"
        if os.environ.get("APA_FEED_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (APA_FEED_REQUIRE_BROWSER=1 makes a missing browser a failure)", pytrace=False)
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Browser]:
    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(chromium), args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


def _open(page: Page, url: str) -> list[str]:
    """Load ``url``; return the console errors and page errors seen while loading."""
    errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, url
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return errors


def _axe(page: Page) -> list[str]:
    """Serious and critical axe-core violations, as ``rule: target`` lines."""
    result = Axe().run(page, options={"resultTypes": ["violations"]}).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in result if v["impact"] in ("serious", "critical")]


def _screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000
    return path


def _feed_duration(site: str, page: Page) -> int:
    response = page.request.get(site + "feed.xml")
    item = ET.fromstring(response.body()).find("channel/item")
    assert item is not None
    return int(item.findtext(f"{ITUNES}duration") or "0")


def test_index_loads_clean_and_passes_axe(site: str, page: Page) -> None:
    errors = _open(page, site)
    assert page.locator("h1").inner_text() == "Agence Presse Audio — Documentaires"
    link = page.locator(f'a[href="{site}episodes/{SAMPLE_EPISODE}/"]')
    assert link.count() == 1
    assert page.locator("button[data-copy]").is_visible()  # shown by the script: progressive enhancement
    assert _axe(page) == []
    _screenshot(page, "index.png")
    assert errors == []


def test_episode_player_chapters_and_axe(site: str, page: Page) -> None:
    errors = _open(page, f"{site}episodes/{SAMPLE_EPISODE}/")
    page.wait_for_function("document.querySelector('audio').readyState >= 1")  # loadedmetadata fired
    duration = page.evaluate("document.querySelector('audio').duration")
    assert abs(duration - _feed_duration(site, page)) <= 1
    chapter = page.locator(".chapters a[data-start]").nth(1)
    start = float(chapter.get_attribute("data-start") or "nan")
    assert start > 20
    chapter.click()
    page.wait_for_function(f"document.querySelector('audio').currentTime >= {start - 0.01}")
    assert abs(page.evaluate("document.querySelector('audio').currentTime") - start) < 1
    page.evaluate("document.querySelector('audio').pause()")
    assert page.url.endswith(f"/episodes/{SAMPLE_EPISODE}/")  # the click seeked; it did not follow the link
    assert _axe(page) == []
    page.locator(".transcript summary").click()
    _screenshot(page, "episode.png")
    assert errors == []


def test_axe_is_really_checking(page: Page) -> None:
    """The accessibility check can fail: an image without alt text on a page without a language is caught."""
    page.set_content("<!doctype html><html><head><title>x</title></head><body><img src='data:,'></body></html>")
    found = _axe(page)
    assert any(line.startswith("image-alt:") for line in found), found
