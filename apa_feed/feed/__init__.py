"""The feed: the model built from the show and its episodes (final URLs, GUIDs, order, the files to
publish), show notes, chapters, transcripts, files derived for publishing, and the RSS renderer
(:mod:`.rss`, where feedgen is imported)."""
