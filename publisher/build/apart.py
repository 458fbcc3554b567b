"""The build in a child process, while this one does something else (issue 11).

A publish to S3 needs two things that do not depend on each other: the build (Python that
keeps one core busy) and the target's first reads (boto3's import and client, the manifest,
the listing, the live feed: round trips, and a few tenths of a second of CPU). :func:`start`
forks a child that builds while this process reads the target; :meth:`Apart.result` then
takes the child's Build through a pipe. Threads would share one core (the GIL); a process
has its own. The child sends the Build as soon as it is complete, then writes the build's
caches and record (:func:`publisher.build.build`'s ``built``) while the publish goes on;
:meth:`Apart.finish` waits for that.

What crosses the pipe is pickled: the Build, or the error the build raised when it comes
back as it went (a problem in the show, reported exactly as without the child). Anything
else (a crash, a signal, an error that does not survive pickling) is no result, and the
caller builds in this process instead: a failed build writes nothing, so building again
changes nothing and reports what is wrong as a build always does.

The child is forked only while this process runs no other thread (a fork could copy a lock
held mid-way), in a process group of its own, so that a terminal's Ctrl-C reaches only this
process, which passes it on once (:meth:`Apart.stop`): the child's build stops as any build
stops at Ctrl-C, removing its temporary files. It leaves with ``os._exit`` (no atexit
handler, no buffered output of ours flushed twice).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import sys
import threading
import time
from collections.abc import Callable

from publisher import interruptible
from publisher.errors import PublisherError
from publisher.model import Build

_BUILT, _FAILED = b"B", b"E"  # the first byte of what the child sends
STOP_WAIT = 10.0  # seconds a stopped child is given to clean up before it is killed
NICER = 10  # added to the child's nice value once it has sent the Build

# A build: called with what to call with the Build as soon as it is complete.
Builder = Callable[..., Build]


class Apart:
    """A build running in the child process ``pid``, sending its result to ``pipe``."""

    def __init__(self, pid: int, pipe: int) -> None:
        self._pid: int | None = pid
        self._pipe = pipe

    def result(self) -> Build | None:
        """Wait for the child's Build (Ctrl-C interrupts the wait). None when it sent none:
        build here then. Raises the PublisherError the build raised."""
        chunks: list[bytes] = []
        while self._pipe >= 0:
            if not select.select([self._pipe], [], [], interruptible.POLL)[0]:
                continue
            if chunk := os.read(self._pipe, 1 << 20):
                chunks.append(chunk)
            else:
                self._close()
        data = b"".join(chunks)
        if data[:1] not in (_BUILT, _FAILED):
            return None
        try:
            value = pickle.loads(data[1:])  # noqa: S301 - our own child's, through our own pipe
        except Exception:  # noqa: BLE001 - whatever did not survive the pipe: build here
            return None
        if data[:1] == _FAILED and isinstance(value, PublisherError):
            raise value
        return value if isinstance(value, Build) else None

    def finish(self) -> None:
        """Wait for the child to end: it writes the build's caches after sending the Build.
        Ctrl-C stops it (:meth:`stop`): its Build was all the caller needed, the caches only
        save the next build time."""
        self._close()
        try:
            self._ended(None)
        except KeyboardInterrupt:
            self.stop()

    def stop(self) -> None:
        """Stop the child (SIGINT, as Ctrl-C would) and wait for it to clean up; killed after
        :data:`STOP_WAIT` seconds."""
        self._close()
        if self._pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self._pid, signal.SIGINT)
        if not self._ended(time.monotonic() + STOP_WAIT):
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            self._ended(None)

    def _ended(self, deadline: float | None) -> bool:
        """Wait for the child to end, until ``deadline`` (``time.monotonic()``; None: no
        end), looking every 20 ms, so that Ctrl-C is heard; whether it ended (reaped)."""
        while self._pid is not None:
            if os.waitpid(self._pid, os.WNOHANG)[0] != 0:
                self._pid = None
            elif deadline is not None and time.monotonic() >= deadline:
                return False
            else:
                time.sleep(0.02)
        return True

    def _close(self) -> None:
        if self._pipe >= 0:
            os.close(self._pipe)
            self._pipe = -1


def start(build: Builder) -> Apart | None:
    """Run ``build(built=send)`` in a child process (``send`` passes the Build on as soon as
    it is complete). None where ``os.fork`` does not exist, or when this process already
    runs other threads: build here then."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    for stream in (sys.stdout, sys.stderr):  # nothing of ours written twice
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    read, write = os.pipe()
    # SIGINT is held back across the fork: the child takes it only while it builds (never
    # while it leaves), and a Ctrl-C pressed meanwhile reaches this process once it has
    # the child to stop
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    pid = os.fork()
    if pid == 0:  # the child: never returns into the caller's code
        try:
            os.close(read)
            _child(build, write)
        finally:
            os._exit(1)
    os.close(write)
    with contextlib.suppress(OSError):  # here too: in its own group before either goes on
        os.setpgid(pid, pid)
    building = Apart(pid, read)
    try:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    except KeyboardInterrupt:
        building.stop()
        raise
    return building


def _child(build: Builder, pipe: int) -> None:
    """Build, send the result, leave. SIGINT (from :meth:`Apart.stop`) is taken only while
    building: once it is blocked again, nothing here can raise, and ``os._exit`` is sure to
    be reached."""
    code = 1
    sent = False

    def send(data: bytes) -> None:
        nonlocal sent
        if not sent:
            sent = True
            with os.fdopen(pipe, "wb") as out:
                out.write(data)
            with contextlib.suppress(OSError):  # what is left (the caches) yields the cores
                os.nice(NICER)  # to the publish, which waits on it only at its end

    try:
        os.setpgid(0, 0)  # a terminal's Ctrl-C goes to the parent, which passes it on once
        for stray in (signal.SIGTTOU, signal.SIGTTIN):  # a group in the terminal's background:
            signal.signal(stray, signal.SIG_IGN)  # a warning printed (stty tostop) never stops it
        try:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
            try:
                done = build(
                    built=lambda b: send(_BUILT + pickle.dumps(b, pickle.HIGHEST_PROTOCOL))
                )
                if not sent:  # a build found unchanged
                    send(_BUILT + pickle.dumps(done, pickle.HIGHEST_PROTOCOL))
            except PublisherError as e:
                send(_FAILED + _survives(e))
            code = 0
        finally:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    except BaseException:  # noqa: BLE001, S110 - the parent builds again and says what is wrong
        pass
    for stream in (sys.stdout, sys.stderr):  # a library's warning, say
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def _survives(e: PublisherError) -> bytes:
    """``e`` pickled when it comes back as the same error, else b"" (build again)."""
    try:
        data = pickle.dumps(e, protocol=pickle.HIGHEST_PROTOCOL)
        back = pickle.loads(data)  # noqa: S301 - just made
    except Exception:  # noqa: BLE001
        return b""
    return data if _shape(back) == _shape(e) else b""


def _shape(value: object) -> object:
    """What an error is made of, compared by value (errors compare by identity)."""
    if isinstance(value, BaseException):
        return (type(value), value.args, {k: _shape(v) for k, v in vars(value).items()})
    if isinstance(value, list | tuple):
        return tuple(_shape(v) for v in value)
    return value
