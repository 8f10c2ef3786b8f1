"""The ``s3:`` settings of feed.yaml and the Cache-Control headers of what is stored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import schema as s

MEDIA_CACHE = "public, max-age=31536000, immutable"
"""Cache-Control of objects under content-addressed keys (media, artwork, transcripts, chapters):
new bytes get a new key, so these never change and can be cached for good."""
FEED_CACHE = "public, max-age=300"
"""Cache-Control of what is rewritten in place (the feed, web pages, kept previous feeds)."""
CANNED_ACLS = ("private", "public-read", "authenticated-read", "bucket-owner-read", "bucket-owner-full-control")
STORAGE_CLASSES = ("STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "REDUCED_REDUNDANCY", "GLACIER_IR")
"""S3 storage classes whose objects download at once (GLACIER and DEEP_ARCHIVE need a restore first)."""

# fmt: off
CACHE_FIELDS = (
    s.Field("media", s.text, "Cache-Control value", "For media, artwork, transcripts and chapters: their keys "
            "change with their bytes, so they can be cached for good.", default=MEDIA_CACHE,
            example="public, max-age=31536000, immutable"),
    s.Field("feed", s.text, "Cache-Control value", "For the feed and what is rewritten in place (web pages, the "
            "previous feeds under history/): short, so apps and a CDN see a new episode soon.", default=FEED_CACHE,
            example="public, max-age=60"),
)
# fmt: on

S3_FIELDS = (
    s.Field(
        "endpoint_url",
        s.url,
        "URL",
        "The S3 API endpoint, for stores other than AWS (R2, B2, MinIO, "
        "SeaweedFS). Default: boto3's, which also reads `AWS_ENDPOINT_URL`.",
        example="https://ACCOUNT.r2.cloudflarestorage.com",
    ),
    s.Field(
        "region",
        s.text,
        "text",
        "The bucket's region. Default: boto3's (`AWS_DEFAULT_REGION`, profile).",
        example="eu-west-3",
    ),
    s.Field(
        "profile",
        s.text,
        "text",
        "A named profile from ~/.aws/config. Credentials never go in feed.yaml.",
        example="podcast",
    ),
    s.Field(
        "addressing_style",
        s.choice("auto", "path", "virtual"),
        "auto, path or virtual",
        "How the bucket is put in URLs; some S3-compatible stores need `path`.",
        example="path",
    ),
    s.Field(
        "acl",
        s.choice(*CANNED_ACLS),
        ", ".join(CANNED_ACLS),
        "A canned ACL for every object. Default: none, "
        "the bucket's policy decides (R2, B2 and AWS buckets with ACLs disabled refuse any ACL).",
        example="public-read",
    ),
    s.Field(
        "storage_class",
        s.choice(*STORAGE_CLASSES),
        ", ".join(STORAGE_CLASSES),
        "The storage class of media, "
        "artwork, transcripts and chapters; the feed and web pages, rewritten in place, keep the bucket's "
        "default. Archive classes are refused: listeners could not download from them. Default: the bucket's.",
        example="INTELLIGENT_TIERING",
    ),
    s.Field(
        "cache_control",
        s.mapping(CACHE_FIELDS),
        "mapping",
        "The Cache-Control header of objects: `media` and `feed` (see below).",
        example='{feed: "public, max-age=60"}',
    ),
)


@dataclass(frozen=True)
class CachePolicy:
    """The Cache-Control header of immutable objects (``media``) and of those rewritten in place (``feed``)."""

    media: str = MEDIA_CACHE
    feed: str = FEED_CACHE

    def header(self, intent: str) -> str:
        """The header for an object the model marks with ``intent`` (:data:`MEDIA_CACHE` or another)."""
        return self.media if intent == MEDIA_CACHE else self.feed


@dataclass(frozen=True)
class S3Settings:
    """How to reach an S3-compatible store, and the headers of what goes there (no credentials: those
    come from boto3's chain)."""

    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None
    addressing_style: str | None = None
    acl: str | None = None
    storage_class: str | None = None
    cache_control: CachePolicy = CachePolicy()


def s3_settings(value: dict[str, Any] | None) -> S3Settings:
    """The settings ``s3:`` gives (None: none given)."""
    settings = dict(value or {})
    cache = settings.pop("cache_control", None) or {}
    return S3Settings(**settings, cache_control=CachePolicy(**{k: v for k, v in cache.items() if v is not None}))
