"""apa-feed: publish a podcast from a folder to an Apple-Podcasts-compatible RSS feed."""

__version__ = "0.1.0"
