"""Apple Podcasts' category list (the one Apple has published since 2019) and its checks."""

from __future__ import annotations

import difflib
import re
from typing import Any

from yaml.nodes import Node

from .schema import INVALID, scalar
from .yamlread import Context

APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health",
        "Fitness",
        "Medicine",
        "Mental Health",
        "Nutrition",
        "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga",
        "Automotive",
        "Aviation",
        "Crafts",
        "Games",
        "Hobbies",
        "Home & Garden",
        "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News",
        "Daily News",
        "Entertainment News",
        "News Commentary",
        "Politics",
        "Sports News",
        "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism",
        "Christianity",
        "Hinduism",
        "Islam",
        "Judaism",
        "Religion",
        "Spirituality",
    ),
    "Science": (
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary",
        "Personal Journals",
        "Philosophy",
        "Places & Travel",
        "Relationships",
    ),
    "Sports": (
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}

SEPARATOR = re.compile(r"\s*(?:›|>|/)\s*")


def all_names() -> list[str]:
    """Every valid ``Category`` and ``Category › Subcategory`` spelling."""
    names = list(APPLE_CATEGORIES)
    for top, subs in APPLE_CATEGORIES.items():
        names.extend(f"{top} › {sub}" for sub in subs)
    return names


def category(node: Node, ctx: Context, path: str) -> Any:
    """``"Society & Culture › Documentary"`` (› , > or / between) → ("Society & Culture", "Documentary")."""
    value = scalar(node, ctx, path, "an Apple Podcasts category")
    if value is None:
        return INVALID
    parts = SEPARATOR.split(value.strip(), maxsplit=1)
    top, sub = parts[0], (parts[1] if len(parts) > 1 else "")
    if top in APPLE_CATEGORIES and (not sub or sub in APPLE_CATEGORIES[top]):
        return (top, sub)
    near = difflib.get_close_matches(f"{top} › {sub}" if sub else top, all_names(), n=1, cutoff=0.5)
    hint = f'did you mean "{near[0]}"?' if near else "see docs/config.md for Apple's list"
    ctx.report(node, path, f'expected a category from Apple Podcasts\' list, got "{value}"', hint)
    return INVALID
