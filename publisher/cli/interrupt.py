"""Ctrl-C during a publish: the first press stops at the next safe point, the second aborts.

A publish is a run of file transfers; cutting one off mid-way wastes it (a large episode on a
slow uplink may be most of the way through). So the first Ctrl-C only asks the library to
start no further file (``publisher.publish.run.publish(stop=...)``) and says so at once; the
files in flight finish and are recorded. A second Ctrl-C raises KeyboardInterrupt as usual,
abandoning the transfer in flight.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

STOPPING = "stopping after the current file (press Ctrl-C again to abandon it)"


@contextlib.contextmanager
def first_ctrl_c_stops() -> Iterator[threading.Event]:
    """While the block runs, the first SIGINT sets the event yielded and prints
    :data:`STOPPING` on stderr; a second raises KeyboardInterrupt. Elsewhere than in the main
    thread (signals go only there) the event is yielded and never set by a signal."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        _say(STOPPING)

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


def _say(text: str) -> None:
    """Write from a signal handler: straight to the file descriptor, because a buffered
    stream the interrupted code was writing to must not be re-entered (a RuntimeError)."""
    data = f"\n{text}\n".encode()
    try:
        os.write(sys.stderr.fileno(), data)
    except (OSError, ValueError, AttributeError):  # no real descriptor (e.g. captured)
        return


def exit_now_if_threads_linger(code: int) -> None:
    """After an abort (exit 130), do not wait for worker threads still blocked in a transfer
    that was abandoned (the interpreter would join them): flush and leave with ``code``."""
    if code != 130 or threading.active_count() <= 1:
        return
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)
