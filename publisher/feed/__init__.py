"""Feed stage: a Show and its items -> RSS 2.0 bytes (``builder``, the only feedgen import,
with our itunes:/podcast: ``extension``), items written by ``items`` and placed in the main
feed or its RFC 5005 archives by the policy in ``paging``."""

from publisher.feed.builder import (
    AIM_FEED_BYTES,
    MAX_FEED_BYTES,
    Feeds,
    build_feed,
    build_feeds,
    title_warnings,
)

__all__ = [
    "AIM_FEED_BYTES",
    "MAX_FEED_BYTES",
    "Feeds",
    "build_feed",
    "build_feeds",
    "title_warnings",
]
