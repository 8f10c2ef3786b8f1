"""Generate ``docs/config.md`` from the schema, so every field is documented exactly as the code reads it.

Run ``python -m apa_feed.config.doc > docs/config.md``; a test checks the committed file is current.
"""

from __future__ import annotations

from .categories import APPLE_CATEGORIES
from .episodes import CHAPTER_FIELDS, CREDIT_FIELDS, EPISODE_FIELDS, REMOTE_FIELDS, SOUNDBITE_FIELDS
from .schema import markdown_table
from .show import (
    CACHE_FIELDS,
    FUNDING_FIELDS,
    LINK_FIELDS,
    LOCATION_FIELDS,
    OWNER_FIELDS,
    PERSON_FIELDS,
    S3_FIELDS,
    SHOW_FIELDS,
    TXT_FIELDS,
)

INTRO = """\
# Configuration reference

A show is a folder with `feed.yaml` (the show) and `episodes/<folder>/episode.yaml` (one per
episode). Paths are relative to the YAML file that names them. Values are read by this schema,
not by YAML's own guessing: `language: no` is the text "no", `explicit` takes `true` or
`false`, and a duplicated key or an unknown field is an error (with a "did you mean" hint).
Every problem is reported with its file, line and column, all in one run.

This file is generated from the code by `python -m apa_feed.config.doc > docs/config.md`.
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


def render_doc() -> str:
    """The whole of docs/config.md."""
    parts = [
        INTRO,
        "## feed.yaml\n",
        markdown_table(SHOW_FIELDS),
        "\n### owner\n",
        markdown_table(OWNER_FIELDS),
        "\n### s3\n",
        markdown_table(S3_FIELDS),
        "\n### s3.cache_control\n",
        markdown_table(CACHE_FIELDS),
        "\n### funding entries\n",
        markdown_table(FUNDING_FIELDS),
        "\n### people entries\n",
        markdown_table(PERSON_FIELDS),
        "\n### location\n",
        markdown_table(LOCATION_FIELDS),
        "\n### txt entries\n",
        markdown_table(TXT_FIELDS),
        "\n### directories entries\n",
        markdown_table(LINK_FIELDS),
        "\n## episodes/<folder>/episode.yaml\n",
        markdown_table(EPISODE_FIELDS),
        "\n### credits entries\n",
        markdown_table(CREDIT_FIELDS),
        "\n### chapters entries\n",
        markdown_table(CHAPTER_FIELDS),
        "\n### enclosure (audio hosted elsewhere)\n",
        markdown_table(REMOTE_FIELDS),
        "\n### soundbites entries\n",
        markdown_table(SOUNDBITE_FIELDS),
        "\n" + ROLES_NOTE,
        "\n" + GUID_NOTE,
        "## Apple Podcasts categories\n",
        "Write `Category` or `Category › Subcategory` (`>` or `/` also work).\n",
    ]
    for top, subs in APPLE_CATEGORIES.items():
        parts.append(f"- **{top}**" + (": " + ", ".join(subs) if subs else ""))
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    print(render_doc(), end="")
