"""``python -m apa_feed`` runs the command line."""

from .cli import app

app(prog_name="apa-feed")
