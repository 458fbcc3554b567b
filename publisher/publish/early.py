"""An S3 target read ahead while the build runs, in a process of its own.

A publish to S3 starts by reading the manifest, listing the bucket and fetching the live feed
and its archives: round trips and megabytes that, through a producer's uplink, take a second
or more, and a few tenths of a second of CPU (boto3's import, parsing the listing). None of
it depends on the build, so :func:`open_early` forks a child that does it
(:meth:`publisher.stores.s3.S3Store.read_ahead`) on the other core while this process
builds, and hands the result back through a pipe; the publish then takes it
(:meth:`~publisher.stores.s3.S3Store.expect`), only if the manifest is unchanged since.

A process, not a thread: a thread would hold the GIL for the listing's parsing while the
build makes its thousands of small system calls, each of which then waits for it (both
slowed down), and the build forks its own pool of renderers, which must not happen while
another thread may hold a lock (an import's, say) that the forked children would inherit
held. The child is forked while this process has no other thread, and exits with
``os._exit`` (no atexit handler, no buffered output of ours flushed twice).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import threading
import time

from publisher import interruptible, layout
from publisher.errors import PublisherError
from publisher.model import Target
from publisher.stores import Store


class EarlyStore:
    """What a child process is reading ahead for ``target`` (``pid``, and the read end of
    the pipe it writes the pickled result to)."""

    def __init__(self, target: Target, pid: int, pipe: int, timeout: float = 60.0) -> None:
        self.target = target
        self.timeout = timeout  # seconds to wait for the child once the publish needs it
        self._pid = pid
        self._pipe: int | None = pipe

    def store_for(self, target: Target) -> Store | None:
        """``target``'s store, primed with what the child read when ``target`` is the one
        it read; None when the store cannot be opened (the publish opens it itself, and
        reports what is wrong then)."""
        if target.kind != "s3":
            self.close()
            return None
        from publisher.stores.s3 import S3Store  # boto3: only for an S3 target

        try:
            store = S3Store(target)
        except PublisherError:
            self.close()
            return None
        if target == self.target:
            store.expect(self._result)
        else:
            self.close()
        return store

    def _result(self) -> object:
        """The child's result: None when it failed, found nothing to read, or has not
        finished within ``timeout`` seconds of being asked (it is then stopped, and the
        publish reads for itself, saying what it waits for)."""
        if self._pipe is None:
            return None
        pipe, self._pipe = self._pipe, None
        deadline = time.monotonic() + self.timeout
        chunks: list[bytes] = []
        try:
            while (left := deadline - time.monotonic()) > 0:
                if not select.select([pipe], [], [], min(left, interruptible.POLL))[0]:
                    continue
                if not (chunk := os.read(pipe, 1 << 20)):
                    break  # the child is done
                chunks.append(chunk)
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self._pid, signal.SIGKILL)
                chunks = []
        finally:
            os.close(pipe)
        _, status = os.waitpid(self._pid, 0)
        data = b"".join(chunks)
        if status != 0 or not data:
            return None
        try:
            return pickle.loads(data)  # noqa: S301 - our own child's, through our own pipe
        except (pickle.UnpicklingError, EOFError, AttributeError, ValueError):
            return None

    def close(self) -> None:
        """Stop waiting for the child: it ends on its own (a broken pipe at the latest)."""
        if self._pipe is not None:
            os.close(self._pipe)
            self._pipe = None
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self._pid, os.WNOHANG)


def open_early(target: Target) -> EarlyStore | None:
    """Start reading ``target`` ahead in a child process. None for a folder target (nothing
    to wait for), where ``os.fork`` does not exist, or when this process already runs other
    threads (a fork then could copy a lock held mid-way)."""
    if target.kind != "s3" or not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read)
        _child(target, write)
    os.close(write)
    return EarlyStore(target, pid, read)


def _child(target: Target, pipe: int) -> None:
    code = 1
    try:
        # Ctrl-C in a terminal reaches the whole process group: end quietly (the parent says
        # what happened), never with a traceback of ours
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        quiet = os.open(os.devnull, os.O_WRONLY)  # no warning of a library's on the terminal
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        from publisher.stores.s3 import S3Store

        data = pickle.dumps(S3Store(target).read_ahead(layout.is_feed))
        with os.fdopen(pipe, "wb") as out:
            out.write(data)
        code = 0
    except BaseException:  # noqa: BLE001, S110 - the parent reads everything again itself
        pass
    finally:
        os._exit(code)
