"""Waits in the main thread that Ctrl-C can interrupt at once.

A process-directed SIGINT (a terminal's Ctrl-C, ``kill -INT``) is delivered by the kernel to
any thread that does not block it. When that is a worker thread (one blocked in a socket call
of an upload, say), CPython's C handler only flags the signal; the Python handler runs in the
main thread when that thread next executes bytecode. A main thread blocked in an untimed wait
(``Condition.wait()``, ``Future.result()``, ``Thread.join()``) is not woken by a signal that
went elsewhere, so Ctrl-C would be heard only when the transfer being waited on ended: a
frozen or slow upload made Ctrl-C look dead. Each wait here wakes every :data:`POLL` seconds,
so the handler runs within that time wherever the signal landed.

The standard library has no such wait, hence this module (a few lines over ``threading``).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

POLL = 0.1  # seconds between the main thread's looks at pending signals

T = TypeVar("T")
A = TypeVar("A")


def wait_until(condition: threading.Condition, done: Callable[[], bool]) -> None:
    """Wait on ``condition`` (held by the caller) until ``done()`` is true."""
    while not done():
        condition.wait(POLL)


def result(future: concurrent.futures.Future[T]) -> T:
    """``future.result()``, waiting in steps of :data:`POLL` seconds. (Not a loop over
    ``result(timeout)``: a future whose own outcome is a ``TimeoutError`` would never end.)"""
    settle(future)
    return future.result()


def join(thread: threading.Thread) -> None:
    """``thread.join()``, in steps of :data:`POLL` seconds."""
    while thread.is_alive():
        thread.join(POLL)


def map_threads(function: Callable[[A], T], items: Iterable[A], workers: int) -> Iterator[T]:
    """``ThreadPoolExecutor(workers).map(function, items)``: results in order, the first
    exception raised from where its result would be. On leaving early (an exception,
    Ctrl-C) the calls not started are cancelled and those in flight are not waited for."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers))
    try:
        futures = [pool.submit(function, item) for item in items]
        for future in futures:
            yield result(future)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


@contextlib.contextmanager
def meanwhile(
    function: Callable[..., T], *args: Any, **kwargs: Any
) -> Iterator[concurrent.futures.Future[T]]:
    """``function(*args, **kwargs)`` in a thread while the ``with`` body runs; the body
    takes its outcome with :func:`result`. Leaving (an exception, Ctrl-C) does not wait for
    it: give it only work that may be abandoned (a read)."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        yield pool.submit(function, *args, **kwargs)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def settle(future: concurrent.futures.Future[Any]) -> None:
    """Wait, in steps of :data:`POLL` seconds, until ``future`` is done, whatever its
    outcome (not raised here)."""
    while not future.done():
        concurrent.futures.wait((future,), timeout=POLL)


class Deferred(contextlib.AbstractContextManager["Deferred[T]"]):
    """``function(*args)`` in a thread from the first :meth:`start` (a signal that may come
    from another thread, e.g. an upload's progress), :meth:`result` at the latest. Leaving
    the ``with`` block does not wait for it, as with :func:`meanwhile`."""

    def __init__(self, function: Callable[..., T], *args: Any) -> None:
        self._call = (function, args)
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        self._future: concurrent.futures.Future[T] | None = None
        self._mutex = threading.Lock()

    def start(self) -> None:
        with self._mutex:
            if self._future is None:
                function, args = self._call
                self._future = self._pool.submit(function, *args)

    def result(self) -> T:
        self.start()
        assert self._future is not None
        return result(self._future)

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
