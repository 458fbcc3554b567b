"""Bound each S3 operation in time, and say what a slow one is waiting for, while it waits.

botocore bounds each attempt (connect and read timeouts) and the number of attempts;
:func:`bound_operations` adds a deadline per operation, retries and their backoff included.
:class:`Watch` only reports: an operation with nothing heard for ``after`` seconds gets a
line (and another every ``after`` seconds), so a frozen server is never a silent terminal.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

Notify = Callable[[str], None]


@dataclass
class _Op:
    doing: str
    started: float
    heard: float  # last sign of life (start, or bytes sent)
    told: float  # when we last said it waits


class Watch:
    """Tracks the operations in flight against ``service``; thread-safe."""

    def __init__(self, service: str, after: float) -> None:
        self.service = service
        self.after = after
        self.notify: Notify | None = None
        self._ops: dict[int, _Op] = {}
        self._ids = itertools.count()
        self._mutex = threading.Lock()
        self._wake = threading.Condition(self._mutex)
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def op(self, doing: str) -> Iterator[Callable[[], None]]:
        """Track one operation; yields a function to call on any sign of life."""
        now = time.monotonic()
        with self._mutex:
            ident = next(self._ids)
            self._ops[ident] = _Op(doing, now, now, now)
            if self.notify is not None and self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="s3-watch", daemon=True)
                self._thread.start()

        def alive() -> None:
            with self._mutex:
                op = self._ops.get(ident)
                if op is not None:
                    op.heard = op.told = time.monotonic()

        try:
            yield alive
        finally:
            with self._mutex:
                del self._ops[ident]
                self._wake.notify_all()

    def _loop(self) -> None:
        with self._mutex:
            while self._ops:
                self._wake.wait(timeout=self.after / 4)
                now = time.monotonic()
                for op in self._ops.values():
                    if now - op.told >= self.after and self.notify is not None:
                        op.told = now
                        waited = now - op.heard
                        line = (
                            f"waiting for {self.service} to answer ({op.doing}; "
                            f"nothing heard for {waited:.0f} s)"
                        )
                        notify = self.notify
                        self._mutex.release()
                        try:
                            notify(line)
                        finally:
                            self._mutex.acquire()
                        break  # the dict may have changed meanwhile
            self._thread = None


def bound_operations(client: S3Client, timeout: float, attempt: float) -> None:
    """Give every operation of ``client`` a deadline ``timeout`` seconds after it starts: a
    failed attempt is not retried when another (``attempt`` seconds at most) could not end
    before it, so the attempt's own error is raised instead."""

    def start(context: dict[str, Any], **_: Any) -> None:
        context["publisher_deadline"] = time.monotonic() + timeout

    def stop_retrying(
        request_dict: dict[str, Any], caught_exception: BaseException | None = None, **_: Any
    ) -> None:
        deadline = request_dict.get("context", {}).get("publisher_deadline")
        if (
            caught_exception is not None
            and deadline is not None
            and time.monotonic() + attempt > deadline
        ):
            raise caught_exception

    events = client.meta.events
    events.register("before-parameter-build.s3", start)
    events.register_first("needs-retry.s3", stop_retrying)
