"""feed.yaml and episode.yaml: YAML read through its node tree (every value keeps its line and
column), the schema that decides types, the validated :class:`~.show.Show` and
:class:`~.episodes.EpisodeMeta`, where each field is written, the controlled vocabularies and the
generator of docs/config.md. PyYAML is imported in this package only."""
