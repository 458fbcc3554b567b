"""``publisher`` run as a child process whose stderr lines the test reads as they come."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

NOW = "2026-11-25T12:00:00+00:00"


class Child:
    """``python -m publisher ARGS`` in ``cwd`` (with ``script``, the installed ``publisher``
    console script, as a producer runs it); stderr is read line by line in a thread."""

    def __init__(self, cwd: Path, *args: str, script: bool = False) -> None:
        env = {**os.environ, "PUBLISHER_NOW": NOW}
        env.pop("CI", None)
        program = [str(Path(sys.executable).parent / "publisher")] if script else [
            sys.executable, "-m", "publisher"
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            [*program, *args],
            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, text: str, timeout: float = 60.0) -> str | None:
        """The first stderr line containing ``text``; None when stderr ends without one.
        ``timeout`` only bounds a broken run (the test then fails), it races nothing."""
        while True:
            line = self.lines.get(timeout=timeout)
            if line is None:
                self.lines.put(None)
                return None
            self.seen.append(line)
            if text in line:
                return line

    def interrupt(self) -> None:
        self.proc.send_signal(signal.SIGINT)

    def finish(self, timeout: float = 120.0) -> tuple[int, str, list[str]]:
        """Exit status, stdout, and every stderr line (those already read included)."""
        assert self.proc.stdout is not None
        out = self.proc.stdout.read()
        self.proc.wait(timeout=timeout)
        while (line := self.lines.get(timeout=timeout)) is not None:
            self.seen.append(line)
        return self.proc.returncode, out, self.seen
