"""Feed stage: a Show and its items -> RSS 2.0 bytes (``builder``, the only feedgen import,
with our itunes:/podcast: ``extension``)."""

from publisher.feed.builder import build_feed, fit_feed, title_warnings

__all__ = ["build_feed", "fit_feed", "title_warnings"]
