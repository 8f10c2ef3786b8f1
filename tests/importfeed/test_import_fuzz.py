"""Property-based fuzzing of what an imported feed may say: any text in any channel or item value, odd XML and
raw bytes. Importing a feed file (parse, mapping, writing the show) imports it or says why in one message
(:class:`ApaFeedError`), never an unexpected exception. No download happens: every fetch fails as offline."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apa_feed.errors import ApaFeedError
from apa_feed.importfeed import ImportFailed, import_feed, read_plan
from apa_feed.importfeed import write as import_write

FUZZ = settings(
    max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
NAMESPACES = (
    'xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" '
    'xmlns:podcast="https://podcastindex.org/namespace/1.0" '
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:atom="http://www.w3.org/2005/Atom"'
)


@pytest.fixture(scope="module", autouse=True)
def offline() -> Iterator[None]:
    """Every download the import would make fails, as when the old host is gone (and no network is used)."""

    def refuse(url: str, *args: Any, **kwargs: Any) -> Path:
        raise ImportFailed(f"cannot fetch {url}: offline (test)")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(import_write, "download", refuse)
        yield


def xml_chars(c: str) -> bool:
    """Characters XML 1.0 allows in a document."""
    n = ord(c)
    return n in (0x9, 0xA, 0xD) or 0x20 <= n <= 0xD7FF or 0xE000 <= n <= 0xFFFD or n >= 0x10000


texts = st.text(st.characters(exclude_categories=["Cs"]).filter(xml_chars), max_size=30)
urls = st.sampled_from(
    [
        "https://old.example.com/a.mp3",
        "https://old.example.com/dir/ép%20isode.m4a?x=1#f",
        "http://old.example.com/",
        "https://old.example.com/%2F..%2F..%2Fetc%2Fpasswd",
        "https://old.example.com/..",
        "https://old.example.com/a.mp3/..",
        "https://u:p@old.example.com/x.mp3",
        "http://[::1]/a.mp3",
        "http://[zz/a.mp3",
        "https://old.example.com:99999/a.mp3",
        "ftp://old.example.com/a.mp3",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "//old.example.com/a.mp3",
        "a.mp3",
        "https://",
        "https:///a.mp3",
        "https://old.example.com/" + "a" * 300 + ".mp3",
    ]
)
numbers = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(["0", "-1", "1e3", "1.5", "٣", "²", "0x10", " 7 ", "NaN", "inf", "9" * 400, "1_000"]),
)
durations = numbers | st.sampled_from(["1:02:03", "99:99", "1:2:3:4", "::", "-1:00", "1e400", "00:00:00.5"])
dates = st.sampled_from(
    [
        "Wed, 12 Nov 2025 08:00:00 +0100",
        "Wed, 12 Nov 2025 08:00:00 -0000",
        "Wed, 12 Nov 2025 08:00:00 +9999",
        "Wed, 31 Feb 2025 08:00:00 GMT",
        "Mon, 01 Jan 0001 00:00:00 +0100",
        "Fri, 31 Dec 9999 23:59:59 -1200",
        "Fri, 31 Dec 99999 23:59:59 GMT",
        "2025-11-12T08:00:00Z",
        "2025-11-12",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-23:59",
        "12 Nov 2025",
        "yesterday",
    ]
)
values = st.one_of(
    texts, urls, numbers, durations, dates, st.sampled_from(["yes", "no", "clean", "Explicit", "serial"])
)
types = st.sampled_from(["audio/mpeg", "audio/x-m4a", "video/mp4", "audio/ogg; codecs=opus", "text/html", ""]) | texts


def el(tag: str, value: str | None) -> str:
    return "" if value is None else f"<{tag}>{escape(value)}</{tag}>"


def attrs(tag: str, **found: str | None) -> str:
    kept = " ".join(f"{k.replace('_', '')}={quoteattr(v)}" for k, v in found.items() if v is not None)
    return f"<{tag} {kept}/>" if kept else ""


def maybe(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    return st.none() | strategy


@st.composite
def items(draw: st.DrawFn) -> str:

    def v(strategy: st.SearchStrategy[str] = values) -> str | None:
        return draw(maybe(strategy))

    parts = [
        el("title", v(texts)),
        el("description", v()),
        el("content:encoded", v(st.sampled_from(["<p>Notes</p><p>Host: Zoë</p>", "<b>x", "<script>1</script>"]))),
        el("itunes:season", v(numbers)),
        el("itunes:episode", v(numbers)),
        el("itunes:duration", v(durations)),
        el("itunes:explicit", v()),
        el("itunes:episodeType", v(st.sampled_from(["full", "Trailer", "BONUS"]) | texts)),
        attrs("itunes:image", href=v(urls)),
        attrs("enclosure", url=v(urls | texts), length=v(numbers), type=v(types)),
        el("pubDate", v(dates | texts)),
        el("guid", v(texts | urls)),
        el("link", v(urls)),
        el("category", v(texts)),
        el("itunes:keywords", v()),
        attrs(
            "podcast:transcript",
            url=v(urls),
            type=v(st.sampled_from(["text/vtt", "application/json"]) | texts),
            language=v(texts),
        ),  # fmt: skip
        attrs("podcast:chapters", url=v(urls), type=v(types)),
        f"<podcast:person role={quoteattr(draw(texts))} href={quoteattr(draw(urls))}>{escape(draw(texts))}"
        "</podcast:person>",
    ]
    return "<item>" + "".join(parts) + "</item>"


@st.composite
def feeds(draw: st.DrawFn) -> bytes:

    def v(strategy: st.SearchStrategy[str] = values) -> str | None:
        return draw(maybe(strategy))

    top, sub = draw(texts | st.sampled_from(["Arts", "Games & Hobbies", "News"])), draw(texts)
    channel = [
        el("title", v(texts)),
        el("description", v()),
        el("language", v(texts)),
        el("link", v(urls)),
        el("copyright", v(texts)),
        el("managingEditor", v(st.sampled_from(["a@b.c (Zoë)", "@", "x@y"]) | texts)),
        el("itunes:author", v(texts)),
        f"<itunes:owner>{el('itunes:name', v(texts))}{el('itunes:email', v(texts))}</itunes:owner>",
        attrs("itunes:image", href=v(urls)),
        el("itunes:type", v()),
        el("itunes:explicit", v()),
        el("itunes:new-feed-url", v(urls)),
        attrs("atom:link", rel=v(st.just("self")), href=v(urls)),
        f"<itunes:category text={quoteattr(top)}><itunes:category text={quoteattr(sub)}/></itunes:category>",
        el("podcast:guid", draw(st.just("917393e3-1b1e-5cef-ace4-edaa54e1f810") | maybe(texts))),
        el("podcast:locked", v()),
        f"<podcast:funding url={quoteattr(draw(urls))}>{escape(draw(texts))}</podcast:funding>",
        el("podcast:license", v(texts)),
        el("podcast:medium", v(texts)),
        *draw(st.lists(items(), max_size=3)),
    ]
    body = "".join(channel)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" {NAMESPACES}><channel>{body}</channel></rss>'.encode()


odd_xml = st.sampled_from(
    [
        b"",
        b"<rss/>",
        b"<rss><channel/></rss>",
        b"<feed xmlns='http://www.w3.org/2005/Atom'/>",
        b'<?xml version="1.0" encoding="UTF-16"?><rss/>',
        b'<?xml version="1.0" encoding="nope"?><rss/>',
        b'<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><rss><channel><title>&b;</title>'
        b"</channel></rss>",
        b'<!DOCTYPE rss SYSTEM "http://127.0.0.1:1/x.dtd"><rss><channel/></rss>',
        b"\xef\xbb\xbf<rss><channel><item><enclosure url='https://a.example/x.mp3'/></item></channel></rss>",
        b"<rss><channel><item><guid>a</guid><pubDate>Wed, 12 Nov 2025 08:00:00 GMT</pubDate>"
        b"<enclosure url='https://a.example/x.mp3'/></item></channel></rss>",
        b"<x:rss xmlns:x='urn:x'><channel/></x:rss>",
        b"<rss><channel><title><![CDATA[<b>x</b>]]></title><item><title><b>bold</b> tail</title></item></channel></rss>",
    ]
)


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as name:
        yield Path(name)


def assert_imports_or_refuses(scratch: Path, data: bytes, reference: bool) -> None:
    source = scratch / "feed.xml"
    source.write_bytes(data)
    try:
        read_plan(str(source), reference)
    except ApaFeedError as error:
        assert str(error)
    with tempfile.TemporaryDirectory(dir=scratch) as name:
        try:
            summary = import_feed(str(source), Path(name) / "show", reference=reference)
        except ApaFeedError as error:
            assert str(error)
            return
        assert summary.podcast_guid
        for written in Path(name, "show").rglob("*.yaml"):
            yaml.safe_load(written.read_text(encoding="utf-8"))


@FUZZ
@given(data=feeds(), reference=st.booleans())
def test_any_values_in_a_feed(scratch: Path, data: bytes, reference: bool) -> None:
    assert_imports_or_refuses(scratch, data, reference)


@pytest.mark.parametrize("reference", [False, True])
def test_a_url_urllib_cannot_split_is_refused_or_left_out_not_a_crash(scratch: Path, reference: bool) -> None:
    """Found by the fuzzer: a transcript URL with an unclosed IPv6 bracket made the import crash."""
    item = '<item><enclosure url="https://old.example.com/a.mp3"/><podcast:transcript url="http://[zz/a.vtt"/></item>'
    data = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:podcast="https://podcastindex.org/namespace/1.0"><channel>'
        "<podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid>" + item + "</channel></rss>"
    )
    assert_imports_or_refuses(scratch, data.encode(), reference)


@FUZZ
@given(
    data=odd_xml | st.binary(max_size=200) | feeds().flatmap(lambda f: st.integers(0, len(f)).map(lambda n: f[:n])),
    reference=st.booleans(),
)
def test_odd_xml_and_raw_bytes_as_a_feed(scratch: Path, data: bytes, reference: bool) -> None:
    assert_imports_or_refuses(scratch, data, reference)


@FUZZ
@given(base=feeds(), at=st.integers(0, 10**6), junk=st.binary(min_size=1, max_size=16) | texts.map(str.encode))
def test_spliced_markup_in_a_feed(scratch: Path, base: bytes, at: int, junk: bytes) -> None:
    at %= len(base) + 1
    assert_imports_or_refuses(scratch, base[:at] + junk + base[at:], reference=True)


@pytest.mark.parametrize("junk", ["\x7f", "&#10;base_url: https://evil.example/", "\u2028", "&#133;"])
def test_a_feed_url_that_is_not_printable_stays_in_the_comment(tmp_path: Path, junk: str) -> None:
    """Found by the fuzzing: the feed's own URL went into feed.yaml's first comment as written, so a control
    character made feed.yaml unreadable, and a line break could add keys to it."""
    source = tmp_path / "feed.xml"
    source.write_text(
        f"<rss {NAMESPACES}><channel><title>T</title><podcast:guid>g</podcast:guid>"
        f"<itunes:new-feed-url>https://old.example.com/{junk}feed.xml</itunes:new-feed-url></channel></rss>",
        encoding="utf-8",
    )
    import_feed(str(source), tmp_path / "show")
    text = (tmp_path / "show" / "feed.yaml").read_text(encoding="utf-8")
    assert text.startswith("# Imported from https://old.example.com/%")
    assert [line.startswith("#") for line in text.splitlines()].count(True) == 1
    assert [line.split(":")[0] for line in text.splitlines()].count("base_url") == 1
    assert yaml.safe_load(text)["title"] == "T"
