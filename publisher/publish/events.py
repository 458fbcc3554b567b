"""Helpers for publish events (the event types are in :mod:`publisher.publish.run`)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

E = TypeVar("E")


def serialised(events: Callable[[E], None] | None) -> Callable[[E], None]:
    """``events`` behind a lock: the callback is never called concurrently (the stores call
    from worker threads). None: a callback that ignores everything."""
    if events is None:
        return lambda _e: None
    lock = threading.Lock()
    callback = events

    def emit(e: E) -> None:
        with lock:
            callback(e)

    return emit
