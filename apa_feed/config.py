"""The show: ``feed.yaml``, read and validated into a frozen :class:`Show`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from . import schema as s
from .categories import category
from .errors import ProblemsFound
from .yamlread import compose_file, file_context

OWNER_FIELDS = (
    s.Field("name", s.text, "text", "The owner's name.", required=True, example="Agence Presse Audio"),
    s.Field("email", s.email, "email", "Where Apple sends notices; not shown to listeners.", required=True,
            example="podcast@example.com"),
)

S3_FIELDS = (
    s.Field("endpoint_url", s.url, "URL", "The S3 API endpoint, for stores other than AWS (R2, B2, MinIO, "
            "SeaweedFS). Default: boto3's, which also reads `AWS_ENDPOINT_URL`.",
            example="https://ACCOUNT.r2.cloudflarestorage.com"),
    s.Field("region", s.text, "text", "The bucket's region. Default: boto3's (`AWS_DEFAULT_REGION`, profile).",
            example="eu-west-3"),
    s.Field("profile", s.text, "text", "A named profile from ~/.aws/config. Credentials never go in feed.yaml.",
            example="podcast"),
    s.Field("addressing_style", s.choice("auto", "path", "virtual"), "auto, path or virtual",
            "How the bucket is put in URLs; some S3-compatible stores need `path`.", example="path"),
)

SHOW_FIELDS = (
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
)


@dataclass(frozen=True)
class Owner:
    """Who owns the show."""

    name: str
    email: str


@dataclass(frozen=True)
class S3Settings:
    """How to reach an S3-compatible store (no credentials: those come from boto3's chain)."""

    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None
    addressing_style: str | None = None


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


def load_show(path: Path) -> Show:
    """Read and validate ``feed.yaml``; raise :class:`ProblemsFound` listing every problem."""
    ctx = file_context(path)
    values = s.read_mapping(compose_file(path, ctx), SHOW_FIELDS, ctx)
    if values is None:
        raise ProblemsFound(ctx.problems)
    return _show(path.parent, values)


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
        s3=S3Settings(**(v["s3"] or {})),
    )
