"""Moving a feed: ``new_feed_url:`` in the channel, ``apa-feed move`` (local folder → folder, → SeaweedFS), the
redirect rules it prints, and ``check --moved-from`` against stand-in servers on 127.0.0.1."""
# ruff: noqa: F811

from __future__ import annotations

import csv
import io
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import feedparser
import podcastparser
import pytest
from lxml import etree
from s3server import WeedServer, aws_env, closed_port, s3_client, s3_server  # noqa: F401  (fixtures)
from typer.testing import CliRunner, Result

from apa_feed.cli import app
from apa_feed.importfeed.parse import parse_feed
from apa_feed.publish.history import feed_keys
from apa_feed.publish.redirects import Move, rules
from apa_feed.storage import open_store

runner = CliRunner()
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
PODCAST = "{https://podcastindex.org/namespace/1.0}"
OLD_BASE = "https://agencepresseaudio.example/podcast/"
OLD_FEED = OLD_BASE + "feed.xml"
NEW_BASE = "https://new.example/podcast/"


def run(*args: str) -> Result:
    return runner.invoke(app, list(args))


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def published(project: Path) -> dict[str, bytes]:
    result = run("publish", "--no-verify", "-q")
    assert result.exit_code == 0, result.output
    return files(project / "public")


def channel(feed: bytes) -> etree._Element:
    return etree.fromstring(feed).find("channel")


def live_keys(feed: bytes) -> set[str]:
    keys = feed_keys(parse_feed(feed, "feed.xml"), "feed.xml", OLD_BASE)
    assert len(keys) >= 4  # artwork, audio, chapters, transcript, episode cover
    return keys


# new_feed_url


def test_new_feed_url_is_written_in_the_channel_and_feed_readers_still_read_it(project: Path) -> None:
    with (project / "feed.yaml").open("a", encoding="utf-8") as f:
        f.write("new_feed_url: https://new.example/feed.xml\n")
    result = run("build")
    assert result.exit_code == 0, result.output
    feed = result.stdout_bytes
    assert channel(feed).findtext(f"{ITUNES}new-feed-url") == "https://new.example/feed.xml"
    assert feedparser.parse(feed).bozo == 0
    assert len(podcastparser.parse(OLD_FEED, io.BytesIO(feed))["episodes"]) == 1


def test_without_new_feed_url_there_is_no_such_tag(project: Path) -> None:
    feed = run("build").stdout_bytes
    assert channel(feed).find(f"{ITUNES}new-feed-url") is None


def test_new_feed_url_must_be_a_url(project: Path) -> None:
    with (project / "feed.yaml").open("a", encoding="utf-8") as f:
        f.write("new_feed_url: somewhere else\n")
    result = run("check")
    assert result.exit_code == 1
    assert re.search(r"feed\.yaml:\d+:\d+: new_feed_url: expected an http\(s\) URL", result.output)


# apa-feed move, local folder → local folder


@pytest.fixture
def new_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("moved") / "store"


def test_move_copies_every_live_file_and_publishes_the_same_feed_at_the_new_place(
    project: Path, new_folder: Path
) -> None:
    before = published(project)
    guids = [i.findtext("guid") for i in channel(before["feed.xml"]).iter("item")]
    show_guid = channel(before["feed.xml"]).findtext(f"{PODCAST}guid")

    result = run("move", NEW_BASE, "--storage", str(new_folder))

    assert result.exit_code == 0, result.output
    after = files(new_folder)
    for key in live_keys(before["feed.xml"]):
        assert after[key] == before[key], key  # byte-identical
    new_channel = channel(after["feed.xml"])
    assert [i.findtext("guid") for i in new_channel.iter("item")] == guids
    assert new_channel.findtext(f"{PODCAST}guid") == show_guid
    assert new_channel.find("{http://www.w3.org/2005/Atom}link").get("href") == NEW_BASE + "feed.xml"
    assert all(e.get("url").startswith(NEW_BASE) for e in new_channel.iter("enclosure"))
    assert files(project / "public") == before  # the old place is untouched
    lock = json.loads((project / "apa-feed.lock").read_text(encoding="utf-8"))
    assert lock["feed_url"] == NEW_BASE + "feed.xml"
    assert lock["moved_from"] == [OLD_FEED]
    assert lock["podcast_guid"] == show_guid
    assert f"  base_url: {NEW_BASE}\n  storage: {new_folder}\n" in result.stdout  # what to put in feed.yaml
    assert "apa-feed check --moved-from " + OLD_FEED in result.stdout
    assert f"base_url: {NEW_BASE}" not in (project / "feed.yaml").read_text(encoding="utf-8")  # never edited

    again = run("publish", "--no-verify", "--base-url", NEW_BASE, "--storage", str(new_folder))
    assert again.exit_code == 0, again.output  # the identity guard takes the new place
    assert "nothing to upload" in again.stdout
    assert json.loads((project / "apa-feed.lock").read_text(encoding="utf-8"))["moved_from"] == [OLD_FEED]


def test_a_publish_at_the_address_the_feed_left_is_refused(project: Path, new_folder: Path) -> None:
    before = published(project)
    assert run("move", NEW_BASE, "--storage", str(new_folder)).exit_code == 0
    result = run("publish", "--no-verify")  # feed.yaml still names the old place
    assert result.exit_code == 1
    assert f"the feed moved to {NEW_BASE}feed.xml (apa-feed move)" in result.stderr
    assert "--allow-move-back" in result.stderr
    assert files(project / "public") == before  # nothing written where subscribers are redirected away
    assert json.loads((project / "apa-feed.lock").read_text(encoding="utf-8"))["feed_url"] == NEW_BASE + "feed.xml"
    checked = run("check", "--loudness", "off")
    assert checked.exit_code == 1 and "--allow-move-back" in checked.stderr
    back = run("publish", "--no-verify", "--allow-move-back")
    assert back.exit_code == 0, back.output
    assert json.loads((project / "apa-feed.lock").read_text(encoding="utf-8"))["feed_url"] == OLD_FEED


def test_move_again_to_the_same_place_finds_its_own_feed(project: Path, new_folder: Path) -> None:
    published(project)
    assert run("move", NEW_BASE, "--storage", str(new_folder)).exit_code == 0
    result = run("move", NEW_BASE, "--storage", str(new_folder))
    assert result.exit_code == 0, result.output
    assert "copy 0 files (0 bytes)" in result.stdout


def test_dry_run_prints_the_plan_and_changes_nothing(project: Path, new_folder: Path) -> None:
    before = published(project)
    lock = (project / "apa-feed.lock").read_bytes()
    result = run("move", NEW_BASE, "--storage", str(new_folder), "--dry-run")
    assert result.exit_code == 0, result.output
    for key in live_keys(before["feed.xml"]):
        assert f"would copy {key}  {len(before[key]):,} bytes" in result.stdout
    assert "dry run: nothing was copied or written" in result.stdout
    assert "# nginx" in result.stdout
    assert not new_folder.exists()
    assert (project / "apa-feed.lock").read_bytes() == lock
    assert files(project / "public") == before


def test_move_refuses_a_show_not_published_yet(project: Path, new_folder: Path) -> None:
    result = run("move", NEW_BASE, "--storage", str(new_folder))
    assert result.exit_code == 1
    assert "error: nothing is published yet on public/ (no feed.xml)" in result.output
    assert not new_folder.exists()


def test_move_refuses_a_new_store_holding_another_feed(project: Path, new_folder: Path) -> None:
    published(project)
    new_folder.mkdir()
    (new_folder / "feed.xml").write_bytes(b"<rss><channel><title>Another show</title></channel></rss>")
    result = run("move", NEW_BASE, "--storage", str(new_folder))
    assert result.exit_code == 1
    assert f"{new_folder}/feed.xml already holds a different feed" in result.output
    assert set(files(new_folder)) == {"feed.xml"}  # nothing copied


def test_move_refuses_a_new_episode_not_published_yet(project: Path, new_folder: Path) -> None:
    from conftest import add_episode, episode_yaml

    published(project)
    add_episode(project, "2025-12-01-nouveau", episode_yaml("Nouveau", "2025-12-01"))
    result = run("move", NEW_BASE, "--storage", str(new_folder))
    assert result.exit_code == 1
    assert "1 episode(s) not published yet" in result.output and "publish first" in result.output
    assert not new_folder.exists()


def test_move_refuses_a_base_url_that_is_not_a_url(project: Path, new_folder: Path) -> None:
    published(project)
    result = run("move", "new.example/podcast", "--storage", str(new_folder))
    assert result.exit_code == 1
    assert 'error: --base-url: expected an http(s) URL like "https://cdn.example.com/podcast/"' in result.output


# apa-feed move, local folder → SeaweedFS


def test_move_to_s3(project: Path, s3_server: WeedServer, aws_env: dict[str, str]) -> None:
    bucket = s3_server.create_bucket()
    with (project / "feed.yaml").open("a", encoding="utf-8") as f:
        f.write(f"s3:\n  endpoint_url: {s3_server.endpoint}\n  addressing_style: path\n")
    before = published(project)
    base = f"{s3_server.endpoint}/{bucket}/show/"

    result = run("move", base, "--storage", f"s3://{bucket}/show")

    assert result.exit_code == 0, result.output
    from apa_feed.config.show import load_show

    store = open_store(f"s3://{bucket}/show", project, load_show(project / "feed.yaml").s3)
    for key in live_keys(before["feed.xml"]):
        assert store.read(key) == before[key], key
    feed = store.read("feed.xml")
    assert feed is not None
    assert [e.get("url")[: len(base)] for e in channel(feed).iter("enclosure")] == [base]
    old_guids = [i.findtext("guid") for i in channel(before["feed.xml"]).iter("item")]
    assert [i.findtext("guid") for i in channel(feed).iter("item")] == old_guids
    assert files(project / "public") == before
    assert f"storage: s3://{bucket}/show" in result.stdout
    audio = next(k for k in live_keys(before["feed.xml"]) if k.endswith(".mp3"))
    head = s3_client(s3_server.endpoint).head_object(Bucket=bucket, Key=f"show/{audio}")
    assert head["ContentType"] == "audio/mpeg"
    assert head["CacheControl"] == "public, max-age=31536000, immutable"


# the redirect rules


def sections(output: str) -> dict[str, str]:
    """The printed rules by their heading (``# nginx …``)."""
    parts = re.split(r"^# (.+)$", output.split("redirects to install", 1)[1], flags=re.M)
    return {parts[i]: parts[i + 1].strip().split("\n\nnext:")[0] for i in range(1, len(parts), 2)}


def test_redirect_rules_for_every_server(project: Path, new_folder: Path) -> None:
    published(project)
    output = run("move", NEW_BASE, "--storage", str(new_folder), "--dry-run").stdout
    found = sections(output)

    s3 = json.loads(found["S3 website routing rules (JSON, aws s3api put-bucket-website)"])["RoutingRules"]
    assert s3[0] == {
        "Condition": {"KeyPrefixEquals": "podcast/feed.xml"},
        "Redirect": {
            "Protocol": "https",
            "HostName": "new.example",
            "ReplaceKeyWith": "podcast/feed.xml",
            "HttpRedirectCode": "301",
        },
    }
    assert s3[1]["Condition"] == {"KeyPrefixEquals": "podcast/"}
    assert s3[1]["Redirect"]["ReplaceKeyPrefixWith"] == "podcast/"
    xml = etree.fromstring(found["S3 website routing rules (XML, console)"].encode())
    assert [r.findtext("Redirect/HttpRedirectCode") for r in xml] == ["301", "301"]
    assert [r.findtext("Condition/KeyPrefixEquals") for r in xml] == ["podcast/feed.xml", "podcast/"]
    assert xml[0].findtext("Redirect/ReplaceKeyWith") == "podcast/feed.xml"

    nginx = found["nginx (in the old host's server block)"].splitlines()
    assert re.fullmatch(
        r"location = /podcast/feed\.xml \{ return 301 https://new\.example/podcast/feed\.xml; \}", nginx[0]
    )
    prefix = re.fullmatch(r"location \^~ (\S+) \{ rewrite \^(\S+)\(\.\*\)\$ (\S+)\$1 permanent; \}", nginx[1])
    assert prefix is not None and prefix.groups() == ("/podcast/", "/podcast/", NEW_BASE)

    caddy = [line.split() for line in found["Caddy (in the old host's site block)"].splitlines()]
    assert caddy[0] == ["@oldfeed", "path", "/podcast/feed.xml"]
    assert caddy[1] == ["redir", "@oldfeed", NEW_BASE + "feed.xml", "permanent"]
    assert caddy[2] == ["@moved", "path_regexp", "moved", "^/podcast/(.*)$"]
    assert caddy[3] == ["redir", "@moved", NEW_BASE + "{re.moved.1}", "permanent"]

    netlify = [line.split() for line in found["Netlify _redirects"].splitlines()]
    assert netlify == [
        ["/podcast/feed.xml", NEW_BASE + "feed.xml", "301!"],
        ["/podcast/*", NEW_BASE + ":splat", "301!"],
    ]

    cloudflare = list(csv.reader(io.StringIO(found["Cloudflare bulk redirect list (CSV)"])))
    assert cloudflare == [
        ["agencepresseaudio.example/podcast/feed.xml", NEW_BASE + "feed.xml", "301", "true", "false", "false", "false"],
        ["agencepresseaudio.example/podcast/", NEW_BASE, "301", "true", "false", "true", "true"],
    ]


def test_a_base_url_at_the_host_root_redirects_every_key() -> None:
    move = Move(
        "https://old.example/feed.xml",
        "https://new.example/p/feed.xml",
        "https://old.example/",
        "https://new.example/p/",
    )
    texts = rules(move)
    s3 = json.loads(texts["S3 website routing rules (JSON, aws s3api put-bucket-website)"])["RoutingRules"]
    assert "Condition" not in s3[1]  # every key
    assert s3[1]["Redirect"]["ReplaceKeyPrefixWith"] == "p/"
    assert (
        "location ^~ / { rewrite ^/(.*)$ https://new.example/p/$1 permanent; }"
        in texts["nginx (in the old host's server block)"]
    )


# check --moved-from


@pytest.fixture
def old_host() -> Iterator[dict[str, object]]:
    """A stand-in for the old host on 127.0.0.1: answers ``status`` with ``location``."""
    answer: dict[str, object] = {"status": 301, "location": OLD_FEED}

    class Handler(BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            self.send_response(int(str(answer["status"])))
            if answer["location"]:
                self.send_header("Location", str(answer["location"]))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    answer["url"] = f"http://127.0.0.1:{server.server_address[1]}/old/feed.xml"
    yield answer
    server.shutdown()
    server.server_close()


def test_check_says_the_redirect_is_in_place(project: Path, old_host: dict[str, object]) -> None:
    result = run("check", "--loudness", "off", "--moved-from", str(old_host["url"]), "--strict")
    assert result.exit_code == 0, result.output
    assert f"info: {old_host['url']}: redirect in place: 301 to {OLD_FEED}" in result.output


def test_check_warns_when_the_old_url_does_not_redirect(project: Path, old_host: dict[str, object]) -> None:
    old_host.update(status=200, location="")
    result = run("check", "--loudness", "off", "--moved-from", str(old_host["url"]))
    assert result.exit_code == 0
    assert f"warning: {old_host['url']}: the old feed URL does not redirect (HTTP 200)" in result.output
    assert run("check", "--loudness", "off", "--moved-from", str(old_host["url"]), "--strict").exit_code == 1


def test_check_warns_about_a_temporary_redirect(project: Path, old_host: dict[str, object]) -> None:
    old_host.update(status=302)
    result = run("check", "--loudness", "off", "--moved-from", str(old_host["url"]), "--json")
    problems = json.loads(result.stdout)["problems"]
    assert [(p["severity"], p["file"]) for p in problems] == [("warning", old_host["url"])]
    assert "temporary redirect (302)" in problems[0]["message"]


def test_check_says_it_could_not_check_a_closed_port(project: Path) -> None:
    old = f"http://127.0.0.1:{closed_port()}/feed.xml"
    result = run("check", "--loudness", "off", "--moved-from", old)
    assert result.exit_code == 0, result.output
    assert f"info: {old}: could not check the redirect: no answer" in result.output


def test_move_without_storage_moves_only_the_address(project: Path) -> None:
    before = published(project)
    result = run("move", NEW_BASE)
    assert result.exit_code == 0, result.output
    assert "same store (public/): nothing to copy" in result.stdout
    after = files(project / "public")
    assert all(after[key] == before[key] for key in live_keys(before["feed.xml"]))
    assert [e.get("url")[: len(NEW_BASE)] for e in channel(after["feed.xml"]).iter("enclosure")] == [NEW_BASE]
    assert before["feed.xml"] in [data for key, data in after.items() if key.startswith("history/")]
    assert "  base_url: " + NEW_BASE in result.stdout and "  storage: " not in result.stdout


def test_move_never_computes_the_podcast_guid_again_from_the_new_url(project: Path, new_folder: Path) -> None:
    before = published(project)
    show_guid = channel(before["feed.xml"]).findtext(f"{PODCAST}guid")
    (project / "apa-feed.lock").unlink()  # the pinned guid is gone: the new URL would give another one
    result = run("move", NEW_BASE, "--storage", str(new_folder))
    assert result.exit_code == 1
    assert f"the show's podcast:guid would change from {show_guid} to " in result.output
    assert f'put "podcast_guid: {show_guid}" in feed.yaml' in result.output
    assert not new_folder.exists()
    with (project / "feed.yaml").open("a", encoding="utf-8") as f:
        f.write(f"podcast_guid: {show_guid}\n")
    assert run("move", NEW_BASE, "--storage", str(new_folder)).exit_code == 0
    assert channel((new_folder / "feed.xml").read_bytes()).findtext(f"{PODCAST}guid") == show_guid
