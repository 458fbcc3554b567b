"""Publish an evidence-based podcast: audio + Markdown notes -> an Apple-valid feed and a site."""

__version__ = "0.1.0"
