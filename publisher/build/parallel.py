"""Render many notes, or pages, on every core: a pool of forked processes (the renderers are
pure, so the result is the same as rendering them one after another, in the same order).

Forking shares what was read with the workers without copying or pickling it; each worker
gets only indices and returns the rendered notes (plain strings), or the problems found.
Below :data:`MIN_NOTES` notes, or with one core, the pool costs more than it saves and the
notes are rendered here. Where ``fork`` is not available (Windows, macOS's default) the notes
are rendered here too.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar, cast

from publisher.errors import Problems, PublisherError

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

T = TypeVar("T")
R = TypeVar("R")

# Measured (BENCHMARKS.md): starting two forked workers costs ~50 ms; a note takes ~5-15 ms.
MIN_NOTES = 32
_CHUNK = 16

_job: tuple[Callable[[object], object], Sequence[object]] | None = None


def workers() -> int:
    """How many processes to render with: the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def render_each(
    func: Callable[[T], R], things: Sequence[T], *, processes: int | None = None
) -> list[R | tuple[PublisherError, ...]]:
    """``func`` of each of ``things``, in order; a PublisherError it raises becomes the tuple of
    its problems (``Problems`` flattened, so that they cross between processes intact).

    ``processes``: None for :func:`workers`; 1 renders here.
    """
    count = _pool_size(processes, len(things))
    if count < 2:
        return [_guarded(func, t) for t in things]
    global _job
    _job = (func, things)  # type: ignore[assignment]  # read by the forked workers
    try:
        with _pool(count) as pool:
            done = pool.map(_run, range(len(things)), chunksize=_CHUNK)
        return cast("list[R | tuple[PublisherError, ...]]", done)
    finally:
        _job = None


def stream(
    func: Callable[[T], R], things: Sequence[T], *, processes: int | None = None
) -> Iterator[R]:
    """``func`` of each of ``things``, in order, as each is ready: on a pool of forked
    processes (:func:`render_each`'s conditions), else here, one at a time when asked for, so
    that the caller never holds more than a few results. A PublisherError ``func`` raises is
    raised here (its problems together)."""
    count = _pool_size(processes, len(things))
    if count < 2:
        yield from (func(t) for t in things)
        return
    global _job
    _job = (func, things)  # type: ignore[assignment]  # read by the forked workers
    try:
        with _pool(count) as pool:
            for done in pool.imap(_run, range(len(things)), chunksize=_CHUNK):
                if isinstance(done, tuple) and done and isinstance(done[0], PublisherError):
                    raise Problems(done) if len(done) > 1 else done[0]
                yield cast("R", done)
    finally:
        _job = None


def _pool_size(processes: int | None, things: int) -> int:
    """How many processes to use for ``things`` (None: :func:`workers`); 1 when a pool would
    cost more than it saves (few things, one core) or cannot fork."""
    if things < MIN_NOTES:
        return 1
    count = workers() if processes is None else processes
    import multiprocessing  # only for a pool: its import is ~5 ms of a small rebuild

    return count if "fork" in multiprocessing.get_all_start_methods() else 1


def _run(index: int) -> object:
    assert _job is not None
    func, things = _job
    return _guarded(func, things[index])


def _guarded(func: Callable[[T], R], thing: T) -> R | tuple[PublisherError, ...]:
    try:
        return func(thing)
    except Problems as e:
        return e.problems
    except PublisherError as e:
        return (e,)


@contextmanager
def _pool(count: int) -> Iterator[Pool]:
    """A pool of ``count`` forked workers that leave Ctrl-C to this process: SIGINT is
    blocked while they are forked and ignored in them. A terminal sends it to every process
    of the group; a worker it stopped in the midst of taking a task could die holding the
    pool's queue lock, and the pool's shutdown then waited for that lock forever (and each
    worker printed its traceback). This process stops, then ends the pool (SIGTERM)."""
    import multiprocessing  # only for a pool (see _pool_size)

    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        pool = multiprocessing.get_context("fork").Pool(count, initializer=_leave_sigint)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # a Ctrl-C meanwhile lands now
    with pool:
        yield pool


def _leave_sigint() -> None:
    """In a worker: ignore SIGINT, then take signals again (blocked while it was forked)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
