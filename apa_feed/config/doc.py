"""Generate ``docs/config.md`` from the schema, so every field is documented exactly as the code reads it.

Run ``python -m apa_feed.config.doc > docs/config.md``; a test checks the committed file is current.
"""

from __future__ import annotations

import difflib
import textwrap
from dataclasses import dataclass

from ..errors import ApaFeedError
from .categories import APPLE_CATEGORIES
from .episodes import CHAPTER_FIELDS, CREDIT_FIELDS, EPISODE_FIELDS, REMOTE_FIELDS, SOUNDBITE_FIELDS
from .notify import NOTIFY_FIELDS, PODPING_FIELDS
from .s3 import CACHE_FIELDS, S3_FIELDS
from .schema import Field, _show, markdown_table
from .show import (
    FUNDING_FIELDS,
    LINK_FIELDS,
    LOCATION_FIELDS,
    OWNER_FIELDS,
    PERSON_FIELDS,
    SHOW_FIELDS,
    TXT_FIELDS,
)

INTRO = """\
# Configuration reference

A show is a folder with `feed.yaml` (the show) and `episodes/<folder>/episode.yaml` (one per
episode). Paths are relative to the YAML file that names them. Values are read by this schema,
not by YAML's own guessing: `language: no` is the text "no", `explicit` takes `true` or
`false`, and a duplicated key or an unknown field is an error (with a "did you mean" hint).
A mistake in a YAML file is reported with its file, line and column, and every such mistake of
every file comes in the same run (see `apa-feed check` in the README for what waits for them).

This file is generated from the code by `python -m apa_feed.config.doc > docs/config.md`;
`apa-feed docs` prints it, `apa-feed docs FIELD` one field (`base_url`, `episode.audio`).
"""

GUID_NOTE = """\
## Why the GUID lives in episode.yaml

Podcast apps know an episode by its `<guid>`. If it changes, every subscriber downloads the
episode again or sees it twice. apa-feed gives each episode a random UUID the first time it
builds the feed (or when `apa-feed new` creates the episode) and writes it into that episode's
own `episode.yaml` as `guid:`, leaving the rest of the file and its comments untouched. So the
GUID depends on no URL, title, audio file or storage location, and it travels with the
episode: rename the folder, move the project to another machine, change `base_url` or the
storage, re-encode the audio, retitle the episode — the GUID stays. Commit it with the episode.
An episode imported from another host keeps the GUID it had there: put it in `guid:`.
"""


ANALYTICS_NOTE = """\
## Analytics prefixes

`analytics:` puts download counters in front of every enclosure URL (the audio, hosted here or
elsewhere; never artwork, transcripts, chapters or pages). Each entry takes the URL without its
scheme (`cdn.example.com/podcast/episodes/…/audio-….mp3`, written URL below):

- `op3` → `https://op3.dev/e,pg=<podcast:guid>/URL` (OP3 names the show by its `podcast:guid`)
- `podtrac` → `https://dts.podtrac.com/redirect.mp3/URL`
- `{blubrry: NAME}` → `https://media.blubrry.com/NAME/URL`
- any prefix URL ending in `/`, given verbatim → `PREFIX` + URL (`https://`; plain `http://`
  is read, and `check` warns that apps may refuse it)

They apply in order: the first wraps the plain URL, the next wraps that. GUIDs never change, so
adding or removing a prefix does not make apps download an episode again; `publish` says why each
enclosure URL changed, and after a publish its check follows each new enclosure through the
prefixes (at most 3 redirects) to an answer of the file's length, or says it could not.
"""


ROLES_NOTE = """\
## Credits become people

Each credit (and each of the show's `people`) is written in the show notes as a credits block,
and as a `podcast:person` whose role and group come from the Podcast Taxonomy. Write the role in
your own words, in French or English: Réalisation → director, Production → producer,
Présentation → host, Mise en onde & mix → audio engineer, Illustration → cover art designer,
Texte et récit → writer (and narrator when that person's voice is in the transcript), Musique →
composer, Montage → audio editor, Invité·e → guest… A role apa-feed cannot map stays in the
credits block and `check` warns about it. An episode's people replace the show's in apps, so the
show's `people` are repeated on every episode.
"""


SHARED_NOTE = """\
## Several shows: `extends:`

A tree may hold several shows, each a folder with its own feed.yaml, episodes/ and apa-feed.lock
(`shows/documentaires/`, `shows/journal/`). A feed.yaml that says `extends: ../shared.yaml` takes
every field it does not set from that file: owner, author, language, link, categories, storage,
base_url, s3, notify, copyright, timezone… The path is relative to feed.yaml and must stay inside
the folder apa-feed runs in (the tree holding the shows), links followed.

- The show's own value wins. A mapping both files set (`owner`, `s3`, `notify`, `location`) merges
  key by key: `owner: {name: Le journal}` keeps the shared `owner.email`. A list (`categories`,
  `funding`, `people`…) set by the show replaces the shared one whole.
- The shared file is checked on its own: its mistakes are reported in it (file:line:column). It may
  not say `extends:` itself (no chains, no loops), nor set what belongs to one show: `podcast_guid`,
  `title`, `description`, `image`, `podroll`.
- `storage` and `base_url` taken from the shared file name the network's root: each show gets its own
  folder there, named after the show's folder (`storage: public` in `shows/shared.yaml` and
  `base_url: https://cdn.example/podcast/` put `shows/journal` at `shows/public/journal/`, served at
  `https://cdn.example/podcast/journal/`). A show that sets one of the two sets both.
  A relative `storage` in the shared file is relative to the shared file.
- `apa-feed publish --all` (and `check --all`, `status --all`) runs every show under the current
  folder in turn; it refuses shows that would write to the same store.
- `podroll: [../journal]` names sibling shows by their folder (relative to feed.yaml, inside the tree,
  each holding a feed.yaml, not the show itself): the feed gets `<podcast:podroll>` with one
  `<podcast:remoteItem feedGuid feedUrl title>` each, the guid being the one that show's feed publishes
  (its `podcast_guid`, else its apa-feed.lock's, else computed from its feed URL).
- When two shows or more take `storage` and `base_url` from one shared file, `publish --all` writes the
  network's page, `index.html` at that root, listing each show (never over an index.html it did not write).
"""


@dataclass(frozen=True)
class Section:
    """One table of docs/config.md: its heading, the dotted prefix of its fields' names, and the fields."""

    heading: str
    prefix: str
    fields: tuple[Field, ...]
    file: str


SECTIONS = (
    Section("## feed.yaml", "", SHOW_FIELDS, "feed.yaml"),
    Section("### owner", "owner.", OWNER_FIELDS, "feed.yaml"),
    Section("### s3", "s3.", S3_FIELDS, "feed.yaml"),
    Section("### s3.cache_control", "s3.cache_control.", CACHE_FIELDS, "feed.yaml"),
    Section("### funding entries", "funding.", FUNDING_FIELDS, "feed.yaml"),
    Section("### people entries", "people.", PERSON_FIELDS, "feed.yaml"),
    Section("### location", "location.", LOCATION_FIELDS, "feed.yaml"),
    Section("### txt entries", "txt.", TXT_FIELDS, "feed.yaml"),
    Section("### directories entries", "directories.", LINK_FIELDS, "feed.yaml"),
    Section("### notify", "notify.", NOTIFY_FIELDS, "feed.yaml"),
    Section("### notify.podping", "notify.podping.", PODPING_FIELDS, "feed.yaml"),
    Section("## episodes/<folder>/episode.yaml", "episode.", EPISODE_FIELDS, "episode.yaml"),
    Section("### credits entries", "episode.credits.", CREDIT_FIELDS, "episode.yaml"),
    Section("### chapters entries", "episode.chapters.", CHAPTER_FIELDS, "episode.yaml"),
    Section("### enclosure (audio hosted elsewhere)", "episode.enclosure.", REMOTE_FIELDS, "episode.yaml"),
    Section("### soundbites entries", "episode.soundbites.", SOUNDBITE_FIELDS, "episode.yaml"),
)
"""The tables, in the file's order; a field's full name is its section's prefix and its own name."""


def render_doc() -> str:
    """The whole of docs/config.md (what ``apa-feed docs`` prints)."""
    parts = [INTRO]
    for n, section in enumerate(SECTIONS):
        parts += [("\n" if n else "") + section.heading + "\n", markdown_table(section.fields)]
    parts += [
        "\n" + ANALYTICS_NOTE,
        "\n" + ROLES_NOTE,
        "\n" + GUID_NOTE,
        SHARED_NOTE,
        "## Apple Podcasts categories\n",
        "Write `Category` or `Category › Subcategory` (`>` or `/` also work).\n",
    ]
    for top, subs in APPLE_CATEGORIES.items():
        parts.append(f"- **{top}**" + (": " + ", ".join(subs) if subs else ""))
    return "\n".join(parts) + "\n"


def field_names() -> dict[str, tuple[Section, Field]]:
    """Every documented field by its full name: ``base_url``, ``owner.email``, ``episode.audio``…"""
    return {section.prefix + f.name: (section, f) for section in SECTIONS for f in section.fields}


ALIASES = (("feed.yaml.", ""), ("feed.", ""), ("episode.yaml.", "episode."), ("episodes.", "episode."))
"""Other ways to say where a field is (``feed.title``, ``episode.yaml.audio``)."""


def field_entry(query: str) -> str:
    """The entry of the field ``query`` names (its full name, or its last part when that is unambiguous…
    or all the fields it may mean); raise :class:`ApaFeedError` with the close names for an unknown one."""
    names = field_names()
    name = query.strip().lower()
    for alias, prefix in ALIASES:
        if name.startswith(alias) and name != alias.rstrip("."):
            name = prefix + name.removeprefix(alias)
            break
    same_last = [n for n in names if n.endswith("." + name)]
    found, also = ([name], same_last) if name in names else (same_last, [])
    if not found:
        raise ApaFeedError(f'no field "{query}" in feed.yaml or episode.yaml{_close(name, names)}')
    entries = [_entry(n, *names[n], [m for m in names if m.startswith(n + ".")]) for n in found]
    if also:
        entries.append("see also: " + ", ".join(also))
    return "\n\n".join(entries)


def _close(name: str, names: dict[str, tuple[Section, Field]]) -> str:
    """``; did you mean "base_url"?``, or how to see them all."""
    last = {n.rsplit(".", 1)[-1]: n for n in reversed(names)}  # a last part names its first field
    close = difflib.get_close_matches(name, list(names), 3, 0.85)
    close += [last[n] for n in difflib.get_close_matches(name, list(last), 3, 0.75) if last[n] not in close]
    if not close:
        return "; `apa-feed docs` lists them all"
    return "; did you mean " + " or ".join(f'"{n}"' for n in close[:3]) + "?"


def _entry(name: str, section: Section, f: Field, children: list[str]) -> str:
    """One field, as a terminal shows it."""
    default = "required" if f.required else ("—" if f.default is None else _show(f.default))
    lines = [f"{name} ({section.file})", f"  type:     {f.type}", f"  default:  {default}"]
    lines += [f"  example:  {f.example}"] if f.example else []
    lines += [f"  RSS tag:  {f.rss}"] if f.rss else []
    lines.append(textwrap.fill(f.doc, 96, initial_indent="  ", subsequent_indent="  "))
    if children:
        lines.append(textwrap.fill("fields: " + ", ".join(children), 96, initial_indent="  ", subsequent_indent="  "))
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_doc(), end="")
