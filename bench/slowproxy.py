"""A TCP proxy that makes loopback look like a producer's uplink: a round trip of ``rtt``
seconds (half each way, per chunk, without stopping the stream behind it) and a bandwidth
cap shared by all connections in each direction (``mbit`` Mbit/s)."""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time


class SlowProxy:
    def __init__(self, upstream_port: int, rtt: float = 0.030, mbit: float = 100.0) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.delay = rtt / 2
        self.bytes_per_s = mbit * 1e6 / 8
        self._free = {"up": 0.0, "down": 0.0}  # when each direction's link is next free
        self._lock = threading.Lock()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._stopped = False

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        threading.Thread(target=self._accept, daemon=True).start()

    def stop(self) -> None:
        self._stopped = True
        self._server.close()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            for sock in (client, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._pipe(client, upstream, "up")
            self._pipe(upstream, client, "down")

    def _pipe(self, src: socket.socket, dst: socket.socket, direction: str) -> None:
        chunks: queue.Queue[tuple[float, bytes]] = queue.Queue()

        def read() -> None:
            while True:
                try:
                    data = src.recv(65536)
                except OSError:
                    data = b""
                chunks.put((time.monotonic(), data))
                if not data:
                    return

        def write() -> None:
            while True:
                arrived, data = chunks.get()
                if not data:
                    with contextlib.suppress(OSError):
                        dst.shutdown(socket.SHUT_WR)
                    return
                with self._lock:  # reserve the link for this chunk's transmission time
                    start = max(time.monotonic(), self._free[direction])
                    self._free[direction] = start + len(data) / self.bytes_per_s
                    done = self._free[direction]
                wait = max(arrived + self.delay, done) - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                try:
                    dst.sendall(data)
                except OSError:
                    return

        threading.Thread(target=read, daemon=True).start()
        threading.Thread(target=write, daemon=True).start()
