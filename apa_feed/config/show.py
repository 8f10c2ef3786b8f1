"""The show: ``feed.yaml``, read and validated into a frozen :class:`Show`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from yaml.nodes import MappingNode

from ..errors import ProblemsFound
from . import schema as s
from .analytics import Prefix, analytics_chain, prefix
from .categories import category
from .extends import with_shared
from .locate import Located, locate
from .notify import NOTIFY_FIELDS, Notify, notify_settings
from .podroll import podroll
from .s3 import S3_FIELDS, S3Settings, s3_settings
from .yamlread import compose_file, file_context

# fmt: off
OWNER_FIELDS = (
    s.Field("name", s.text, "text", "The owner's name.", required=True, example="Agence Presse Audio"),
    s.Field("email", s.email, "email", "Where Apple sends notices; not shown to listeners.", required=True,
            example="podcast@example.com"),
)
# fmt: on

# fmt: off
FUNDING_FIELDS = (
    s.Field("url", s.url, "URL", "Where listeners can support the show.", required=True,
            example="https://example.com/soutenir"),
    s.Field("text", s.text, "text", "The button's words (up to 128 characters).", required=True,
            example="Soutenir l'agence"),
)
# fmt: on

# fmt: off
PERSON_FIELDS = (
    s.Field("name", s.text, "text", "Who.", required=True, example="Sam Rivers"),
    s.Field("role", s.text, "text", "What they do, in your words (French or English: Présentation, Réalisation, "
            "Host, …); mapped to the Podcast Taxonomy.", required=True, example="Présentation"),
    s.Field("href", s.url, "URL", "Their page.", example="https://example.com/sam"),
    s.Field("img", s.url, "URL", "Their picture.", example="https://example.com/sam.jpg"),
)
# fmt: on

# fmt: off
LOCATION_FIELDS = (
    s.Field("name", s.text, "text", "The place, as people say it.", required=True, example="Bamako, Mali"),
    s.Field("geo", s.text, "geo URI", "Coordinates (RFC 5870).", example="geo:12.6392,-8.0029"),
    s.Field("osm", s.text, "OpenStreetMap id", "An OpenStreetMap object, e.g. R192785.", example="R192785"),
)
# fmt: on

# fmt: off
LINK_FIELDS = (
    s.Field("name", s.text, "text", "The directory or app.", required=True, example="Apple Podcasts"),
    s.Field("url", s.url, "URL", "The show's page there.", required=True,
            example="https://podcasts.apple.com/podcast/id123"),
)
# fmt: on

# fmt: off
TXT_FIELDS = (
    s.Field("value", s.text, "text", "The text (up to 4000 characters).", required=True,
            example="appleverify-1234"),
    s.Field("purpose", s.text, "text", "What it is for (up to 128 characters).", example="verify"),
)
# fmt: on

# fmt: off
SHOW_FIELDS = (
    s.Field("extends", s.text, "file path", "A shared YAML file (relative to feed.yaml, inside the folder apa-feed "
            "runs in) giving every field this file does not set; see *Several shows* below.",
            example="../shared.yaml"),
    s.Field("title", s.text, "text", "The show's name.", required=True, example="Les documentaires",
            rss="title"),
    s.Field("description", s.text, "text", "What the show is about (plain text, up to 4000 bytes).",
            required=True, rss="description"),
    s.Field("language", s.language, "BCP 47 code", "The spoken language.", required=True, example="fr",
            rss="language"),
    s.Field("link", s.url, "URL", "The show's website.", required=True, example="https://example.com/",
            rss="link"),
    s.Field("base_url", s.url, "URL", "Public URL under which the storage's files are served; every "
            "enclosure and artwork URL starts with it.", required=True, example="https://cdn.example.com/podcast/",
            rss="enclosure url, itunes:image href, atom:link"),
    s.Field("author", s.text, "text", "Who makes the show, as listeners see it.", required=True,
            example="Agence Presse Audio", rss="itunes:author"),
    s.Field("owner", s.mapping(OWNER_FIELDS), "mapping: name, email", "The show's owner, for directories.",
            required=True, example="{name: APA, email: podcast@example.com}",
            rss="itunes:owner (itunes:name, itunes:email)"),
    s.Field("image", s.file_path, "file path", "Show artwork: square JPEG or PNG, 1400–3000 px, RGB.",
            required=True, example="cover.jpg", rss="itunes:image, image"),
    s.Field("categories", s.list_of(category), "list of categories",
            "Apple Podcasts categories, `Category › Subcategory` (› or > between); the first is the main one.",
            required=True, example="[Society & Culture › Documentary]", rss="itunes:category"),
    s.Field("explicit", s.boolean, "true/false", "Whether the show has explicit content.", default=False,
            example="false", rss="itunes:explicit"),
    s.Field("type", s.choice("episodic", "serial"), "episodic or serial",
            "Episodic shows list newest first; serial shows are listened to in order.", default="episodic",
            example="episodic", rss="itunes:type"),
    s.Field("copyright", s.text, "text", "Copyright notice.", example="© 2025 Agence Presse Audio",
            rss="copyright"),
    s.Field("timezone", s.timezone, "IANA time zone", "Time zone of episode dates given without one.",
            default="UTC", example="Europe/Paris", rss="pubDate"),
    s.Field("storage", s.text, "folder path or s3://BUCKET/PREFIX", "Where `publish` writes: a folder "
            "(relative to feed.yaml) or an S3-compatible bucket. Overridden by `--storage`.", default="public",
            example="s3://my-bucket/podcast"),
    s.Field("s3", s.mapping(S3_FIELDS), "mapping", "Settings for `s3://` storage (see below); credentials come "
            "only from boto3's standard chain: environment, profile, instance role.",
            example="{endpoint_url: http://127.0.0.1:8333, addressing_style: path}"),
    s.Field("feed_file", s.text, "file name", "Name of the feed file in the storage.", default="feed.xml",
            example="feed.xml", rss="atom:link rel=self"),
    s.Field("new_feed_url", s.url, "URL", "The feed's new address after a move (`apa-feed move`): written as "
            "`itunes:new-feed-url` so Apple Podcasts follows it; keep the old URL answering 301 too.",
            example="https://new.example.com/podcast/feed.xml", rss="itunes:new-feed-url"),
    s.Field("podcast_guid", s.text, "UUID", "The show's permanent `podcast:guid`. Leave it out: apa-feed computes "
            "it from the feed URL once and pins it in apa-feed.lock, so it survives a move.",
            rss="podcast:guid"),
    s.Field("locked", s.boolean, "true/false", "Ask other platforms not to import the show (`podcast:locked`, "
            "with the owner's email).", default=False, example="true", rss="podcast:locked"),
    s.Field("funding", s.list_of(s.mapping(FUNDING_FIELDS)), "list of {url, text}", "Donation or membership links.",
            default=(), example="[{url: https://example.com/don, text: Soutenir}]", rss="podcast:funding"),
    s.Field("license", s.text, "text", "The licence of the content (an SPDX id or a name).",
            example="CC-BY-NC-4.0", rss="podcast:license"),
    s.Field("license_url", s.url, "URL", "Where the licence is written, when it is not an SPDX id.",
            rss="podcast:license url"),
    s.Field("medium", s.choice("podcast", "music", "video", "film", "audiobook", "newsletter", "blog"),
            "podcast, music, video, film, audiobook, newsletter or blog", "What the feed is.", default="podcast",
            example="podcast", rss="podcast:medium"),
    s.Field("location", s.mapping(LOCATION_FIELDS), "mapping: name, geo, osm", "Where the show is about or made.",
            example="{name: Bamako, Mali}", rss="podcast:location"),
    s.Field("update_frequency", s.text, "text", "How often episodes come, in words; with `update_rrule` for apps.",
            example="Chaque semaine", rss="podcast:updateFrequency"),
    s.Field("update_rrule", s.text, "RFC 5545 RRULE", "The schedule as a recurrence rule.", example="FREQ=WEEKLY",
            rss="podcast:updateFrequency rrule"),
    s.Field("txt", s.list_of(s.mapping(TXT_FIELDS)), "list of {value, purpose}", "Free text for machines, e.g. "
            "a directory's ownership token.", default=(), example="[{purpose: verify, value: apple-123}]",
            rss="podcast:txt"),
    s.Field("people", s.list_of(s.mapping(PERSON_FIELDS)), "list of {name, role, href, img}",
            "The show's regular people (hosts…). Repeated on every episode, since an episode's people replace the "
            "show's.", default=(), example="[{name: Sam Rivers, role: Présentation}]", rss="podcast:person"),
    s.Field("directories", s.list_of(s.mapping(LINK_FIELDS)), "list of {name, url}", "Where listeners find the "
            "show (shown on the website's subscribe block).", default=(),
            example="[{name: Apple Podcasts, url: https://podcasts.apple.com/…}]"),
    s.Field("tags", s.choice("keep", "write"), "keep or write", "`write`: the published copy of each MP3/M4A gets "
            "title, author, show, date, cover and chapters written into its tags (the original is never changed).",
            default="keep", example="write"),
    s.Field("other_formats", s.choice("warn", "refuse"), "warn or refuse", "Audio Apple Podcasts does not play "
            "(Ogg, Opus, FLAC, WAV): published with a warning, or refused.", default="warn", example="refuse"),
    s.Field("website", s.boolean, "true/false", "Publish the show's web pages (index + one page per episode) "
            "beside the feed; the feed's links then point at them.", default=True, example="true", rss="link"),
    s.Field("episodes_per_page", s.positive_int, "whole number", "Episodes per page of the website's index.",
            default=20, example="20"),
    s.Field("notify", s.mapping(NOTIFY_FIELDS), "mapping: websub, podcastindex, podping", "Whom to tell after a "
            "publish that changed the feed, so apps show a new episode within a minute (see below). A ping that "
            "fails is a warning; `publish --no-notify` sends none.", example="{podcastindex: true}"),
    s.Field("analytics", s.list_of(prefix), "list of op3, podtrac, {blubrry: NAME} or prefix URLs", "Download "
            "counters in front of every enclosure URL, applied in order (see below); GUIDs stay.", default=(),
            example="[op3, podtrac]", rss="enclosure url"),
    s.Field("podroll", podroll, "list of folder paths", "Sibling shows of the tree this show recommends, by "
            "their folder (relative to feed.yaml; each holds a feed.yaml); each one's `podcast:guid` and feed URL "
            "are read from it.", default=(), example="[../journal]", rss="podcast:podroll, podcast:remoteItem"),
)
# fmt: on


@dataclass(frozen=True)
class Owner:
    """Who owns the show."""

    name: str
    email: str


@dataclass(frozen=True)
class Person:
    """Someone credited: their name, their role in the producer's words, optional page and picture."""

    name: str
    role: str
    href: str | None = None
    img: str | None = None


@dataclass(frozen=True)
class Link:
    """A named link (funding, a directory)."""

    name: str
    url: str


@dataclass(frozen=True)
class Location:
    """``podcast:location``."""

    name: str
    geo: str | None = None
    osm: str | None = None


@dataclass(frozen=True)
class Podcasting20:
    """The show's Podcasting 2.0 settings."""

    guid: str | None = None
    locked: bool = False
    funding: tuple[Link, ...] = ()
    license: str | None = None
    license_url: str | None = None
    medium: str = "podcast"
    location: Location | None = None
    update_frequency: str | None = None
    update_rrule: str | None = None
    txt: tuple[tuple[str | None, str], ...] = ()
    people: tuple[Person, ...] = ()


@dataclass(frozen=True)
class Show:
    """A validated ``feed.yaml``."""

    root: Path
    title: str
    description: str
    language: str
    link: str
    base_url: str
    author: str
    owner: Owner
    image: Path
    categories: tuple[tuple[str, str], ...]
    explicit: bool
    type: str
    copyright: str | None
    timezone: ZoneInfo
    storage: str
    feed_file: str
    s3: S3Settings = S3Settings()
    p20: Podcasting20 = Podcasting20()
    directories: tuple[Link, ...] = ()
    tags: str = "keep"
    other_formats: str = "warn"
    website: bool = True
    per_page: int = 20
    notify: Notify = Notify()
    analytics: tuple[Prefix, ...] = ()
    """The analytics prefixes every enclosure URL goes through, in the order applied."""
    new_feed_url: str | None = None
    """Where the feed moved (``itunes:new-feed-url``), when feed.yaml says so."""
    podroll: tuple[Path, ...] = ()
    """The feed.yaml of each sibling show ``podroll:`` names, in its order."""
    network: tuple[str, str] | None = None
    """The network's root (storage, base URL) when the show takes both from its shared file (``extends:``)."""
    source: Path = Path("feed.yaml")
    """The file the show was read from (``-f`` may name another than feed.yaml)."""
    where: Located | None = field(default=None, compare=False, repr=False)
    """Where each field is written in that file."""


def load_show(path: Path) -> Show:
    """Read and validate ``feed.yaml``; raise :class:`ProblemsFound` listing every problem."""
    ctx = file_context(path)
    node = compose_file(path, ctx)
    shared = with_shared(path, node, ctx, SHOW_FIELDS) if isinstance(node, MappingNode) else None
    values = s.read_mapping(node if shared is None else shared.node, SHOW_FIELDS, ctx)
    if values is None:
        raise ProblemsFound(ctx.problems)
    where = locate(path, node) if shared is None else shared.located(path, node)
    network = shared.network if shared is not None else None
    return replace(_show(path.parent, values), source=path, where=where, network=network)


def _show(root: Path, v: dict[str, Any]) -> Show:
    tz = v["timezone"] if isinstance(v["timezone"], ZoneInfo) else ZoneInfo(v["timezone"])
    return Show(
        root=root,
        title=v["title"],
        description=v["description"],
        language=v["language"],
        link=v["link"],
        base_url=v["base_url"].rstrip("/") + "/",
        author=v["author"],
        owner=Owner(**v["owner"]),
        image=v["image"],
        categories=v["categories"],
        explicit=v["explicit"],
        type=v["type"],
        copyright=v["copyright"],
        timezone=tz,
        storage=v["storage"],
        feed_file=v["feed_file"],
        s3=s3_settings(v["s3"]),
        p20=_p20(v),
        directories=tuple(Link(d["name"], d["url"]) for d in v["directories"]),
        tags=v["tags"],
        other_formats=v["other_formats"],
        website=v["website"],
        per_page=v["episodes_per_page"],
        notify=notify_settings(v["notify"]),
        analytics=analytics_chain(v["analytics"]),
        new_feed_url=v["new_feed_url"],
        podroll=v["podroll"],
    )


def _p20(v: dict[str, Any]) -> Podcasting20:
    return Podcasting20(
        guid=v["podcast_guid"],
        locked=v["locked"],
        funding=tuple(Link(f["text"], f["url"]) for f in v["funding"]),
        license=v["license"],
        license_url=v["license_url"],
        medium=v["medium"],
        location=Location(**v["location"]) if v["location"] else None,
        update_frequency=v["update_frequency"],
        update_rrule=v["update_rrule"],
        txt=tuple((t["purpose"], t["value"]) for t in v["txt"]),
        people=tuple(Person(**p) for p in v["people"]),
    )
