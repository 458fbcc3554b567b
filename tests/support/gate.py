"""A loopback TCP proxy that holds everything sent upstream once a request line matches, until
the test opens it: an upload that is certainly in flight for as long as the test needs (no
timing guess), e.g. to press Ctrl-C in the middle of a file."""

from __future__ import annotations

import contextlib
import re
import socket
import threading


class GateProxy:
    """Forwards loopback TCP to ``upstream_port``. The first time bytes sent upstream match
    ``trigger`` (a regex over a connection's stream), ``tripped`` is set and nothing more is
    forwarded upstream, on any connection (with ``hold_all``; else only on the connection that
    tripped it: the client's other requests go through), until :meth:`open` (then never held
    again) or :meth:`drop` (what was held is never sent: the server sees none of it)."""

    def __init__(self, upstream_port: int, trigger: bytes, *, hold_all: bool = True) -> None:
        self.upstream_port = upstream_port
        self.trigger = re.compile(trigger)
        self.hold_all = hold_all
        self.tripped = threading.Event()
        self.opened = threading.Event()
        self.dropped = threading.Event()
        self._lock = threading.Lock()
        self._conns: list[socket.socket] = []
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(32)
        self.port: int = self._server.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def open(self) -> None:
        self.opened.set()

    def drop(self) -> None:
        """End the hold by closing the held connections without sending what they hold."""
        self.dropped.set()
        self.opened.set()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._server.accept()
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
            except OSError:
                return
            with self._lock:
                self._conns += [client, upstream]
            threading.Thread(target=self._up, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._down, args=(upstream, client), daemon=True).start()

    def _up(self, src: socket.socket, dst: socket.socket) -> None:
        tail = b""
        here = False  # this connection tripped the gate
        try:
            while data := src.recv(65536):
                seen = tail + data
                if not self.opened.is_set() and self.trigger.search(seen):
                    here = True
                    self.tripped.set()
                if here or (self.hold_all and self.tripped.is_set()):
                    self.opened.wait()
                    if self.dropped.is_set():
                        break
                dst.sendall(data)
                tail = seen[-512:]
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)

    def _down(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                dst.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self.opened.set()
        with self._lock:
            conns, self._conns = self._conns, []
        for s in conns:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                s.close()
        with contextlib.suppress(OSError):
            self._server.close()
