"""Files apa-feed derives from the producer's own before publishing, kept in the cache folder:
the cover embedded in an episode's audio (when episode.yaml names no image) and, with
``tags: write``, the tagged copy of the audio. The producer's files are never modified.

Each derived file's name holds a hash of everything it is made from, so a re-run finds it
already made, gives it the same bytes, and so publishes nothing new.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

from ..audio.probe import AudioError, extract_chapter_images, extract_cover
from ..audio.tagwrite import TagSpec, write_tags
from ..cache import Cache
from ..config.show import Show
from ..errors import Problem, display_path
from ..files import write_atomic
from .model import EpisodeInput, FileFacts
from .notes import clip

COVER_EXT = {"image/jpeg": ".jpg", "image/png": ".png"}
TAGGABLE = {"MP3", "MP4"}
ARTWORK_NEEDED = "tags: write puts the artwork into new audio, and it is not here; put it back"


def embedded_cover(cache: Cache, audio: Path) -> Path | None:
    """The audio's embedded cover as a real JPEG/PNG file in the cache folder, or None."""
    try:
        found = extract_cover(audio)
    except AudioError:
        return None
    if found is None or found[1] not in COVER_EXT:
        return None
    data, mime = found
    target = cache.files("covers") / f"cover-{hashlib.sha256(data).hexdigest()[:16]}{COVER_EXT[mime]}"
    if not target.is_file():
        write_atomic(target, data)
    return target


def tag_spec(show: Show, ep: EpisodeInput, cover: Path | None) -> TagSpec:
    """The tags the published copy gets: the episode's title, the show as album and author, date,
    plain-text notes, artwork and chapters."""
    meta = ep.meta
    image = cover.read_bytes() if cover else None
    return TagSpec(
        title=meta.title,
        artist=show.author,
        album=show.title,
        date=meta.published.date().isoformat(),
        comment=clip(ep.notes.text, 1000),
        cover=image,
        chapters=ep.chapters,
        chapter_images=tuple((i, facts.path.read_bytes()) for i, facts in ep.chapter_images),
        duration=ep.audio.duration,
    )


def derive(show: Show, inputs: list[EpisodeInput], cache: Cache) -> tuple[list[EpisodeInput], list[Problem]]:
    """Give each episode without artwork its audio's embedded cover, and (``tags: write``) a tagged copy."""
    done, problems = [], []
    for ep in inputs:
        if ep.meta.audio is None or not ep.audio_file.path.is_file():  # hosted elsewhere, or built from
            done.append(ep)  # apa-feed.lock (what was taken from the audio is recorded): nothing to read or copy
            continue
        if ep.audio.chapter_images and ep.chapters == ep.audio.chapters:
            ep = replace(ep, chapter_images=chapter_pictures(ep, cache))
        if ep.image_file is None and ep.audio.cover is not None:
            cover = embedded_cover(cache, ep.audio_file.path)
            if cover is not None:
                ep = replace(ep, image_file=cache.facts(cover))
        if show.tags == "write" and can_tag(ep):
            image = ep.image_file.path if ep.image_file else show.image
            if not image.is_file():  # artwork published before, not in this clone
                problems.append(Problem(display_path(image), field="tags", message=ARTWORK_NEEDED))
                done.append(ep)
                continue
            try:
                ep = replace(ep, audio_file=tagged_copy(ep, tag_spec(show, ep, image), cache))
            except AudioError as exc:
                problems.append(
                    Problem(
                        display_path(ep.audio_file.path),
                        field="tags",
                        message=f"could not write the tags into a copy: {exc}",
                    )
                )
        done.append(ep)
    return done, problems


def chapter_pictures(ep: EpisodeInput, cache: Cache) -> tuple[tuple[int, FileFacts], ...]:
    """The pictures of the audio's chapters as files in the cache folder (extracted once per audio)."""
    folder = cache.files("chapter-images")
    prefix = f"{ep.audio_file.sha256[:16]}-"
    found = sorted(folder.glob(f"{prefix}*")) if folder.is_dir() else []
    if not found:
        try:
            pictures = extract_chapter_images(ep.audio_file.path)
        except AudioError:
            return ()
        for index, (data, mime) in pictures.items():
            if mime in COVER_EXT:
                target = folder / f"{prefix}{index}{COVER_EXT[mime]}"
                write_atomic(target, data)
                found.append(target)
    pairs = [(int(p.stem.removeprefix(prefix)), p) for p in found]
    return tuple((i, cache.facts(p)) for i, p in sorted(pairs) if i < len(ep.chapters))


def tagged_copy(ep: EpisodeInput, spec: TagSpec, cache: Cache) -> FileFacts:
    """The audio with ``spec`` written into its tags, made once per (audio, spec) and reused."""
    recipe = hashlib.sha256()
    recipe.update(ep.audio_file.sha256.encode())
    recipe.update(json.dumps(_spec_fields(spec), sort_keys=True, ensure_ascii=False).encode())
    recipe.update(hashlib.sha256(spec.cover or b"").digest())
    for index, picture in spec.chapter_images:
        recipe.update(f"{index}:".encode() + hashlib.sha256(picture).digest())
    folder = cache.files("tagged", recipe.hexdigest()[:24])
    target = folder / ep.audio_file.path.name
    if not target.is_file():
        write_tags(ep.audio_file.path, target, spec)
    return cache.facts(target)


def _spec_fields(spec: TagSpec) -> dict[str, object]:
    return {
        "title": spec.title, "artist": spec.artist, "album": spec.album, "date": spec.date,
        "comment": spec.comment, "genre": spec.genre, "duration": round(spec.duration, 3),
        "chapters": [[c.start, c.title, c.end, c.url, c.image] for c in spec.chapters],
    }  # fmt: skip


def can_tag(ep: EpisodeInput) -> bool:
    """Whether write-back supports this audio (MP3 and M4A)."""
    return ep.audio.format in TAGGABLE
