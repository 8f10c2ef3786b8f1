"""What apa-feed reads from audio files: duration (MPEG frames counted where headers only estimate,
AAC priming and Opus pre-skip taken off), stream facts, tags, embedded cover and chapters; and the
tagged copy it writes with ``tags: write``. mutagen is imported in this package only, Pillow in
:mod:`.artwork` only."""
