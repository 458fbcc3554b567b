"""How publish events (and an import's downloads) look: a rich progress bar on a terminal,
plain lines in a log or CI.

Used only by the CLI; the library reports progress as events and never prints.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TextIO

LARGE_FILE = 8 << 20
"""Bytes from which a file gets its own progress row on a terminal (bytes, rate, time left)."""


class PublishProgress:
    """Publish events as a rich progress bar on a terminal, plain lines elsewhere: one row for
    the whole upload, and one for each large file while it is sent."""

    def __init__(self, *, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.live = self.stream.isatty() and not self.quiet
        self.bar: Any = None
        self.task: Any = None
        self.files_done = 0
        self.bytes_done = 0  # of finished files; FileProgress may not come for small ones
        self.rows: dict[str, Any] = {}  # a large file's key -> its own task

    def __enter__(self) -> PublishProgress:
        if self.live:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                TextColumn("{task.fields[files]}"),
                console=Console(file=self.stream),
                transient=False,
            )
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def event(self, e: Any) -> None:
        from publisher.publish import events as step

        handlers: dict[type, Callable[[Any], None]] = {
            step.Planned: self._planned,
            step.FileStarted: self._started,
            step.FileProgress: self._progress,
            step.FileDone: self._done,
            step.LockNote: lambda ev: self._line(ev.message),
            step.Waiting: lambda ev: self._line(ev.message),
            step.Cleaned: lambda ev: self._line(
                f"removed {ev.what} (left by an interrupted publish)"
            ),
            step.Deleted: lambda ev: None,
            step.EnclosuresConfirmed: lambda ev: self._line(
                f"confirmed {ev.count} enclosure{'s' if ev.count != 1 else ''} on the target"
            ),
        }
        handler = handlers.get(type(e))
        if handler is not None:
            handler(e)

    def _line(self, text: str) -> None:
        if self.quiet:
            return
        if self.bar is not None:
            self.bar.console.print(text, markup=False, highlight=False)
        else:
            print(text, file=self.stream, flush=True)

    def _planned(self, e: Any) -> None:
        # A dry run prints its plan in full afterwards; an unchanged show says so once.
        if not e.dry_run and e.plan.has_changes:
            self._line(f"plan for {e.location}: {e.plan.summary()}")

    def _started(self, e: Any) -> None:
        if self.bar is not None:
            if self.task is None:
                self.task = self.bar.add_task("uploading", total=e.total_bytes, files="")
            self.bar.update(
                self.task, description=e.key, files=f"{self.files_done}/{e.total} files"
            )
            if e.size >= LARGE_FILE:
                self.rows[e.key] = self.bar.add_task(f"  {e.key}", total=e.size, files="")
        else:
            self._line(f"upload {e.index}/{e.total} {e.key} ({e.size} bytes)")

    def _progress(self, e: Any) -> None:
        if self.bar is not None and self.task is not None:
            self.bar.update(self.task, completed=max(e.total_sent, self.bytes_done))
            if e.key in self.rows:
                self.bar.update(self.rows[e.key], completed=e.sent)

    def _done(self, e: Any) -> None:
        self.files_done += 1
        self.bytes_done += e.size
        if self.bar is not None and e.key in self.rows:
            self.bar.update(self.rows.pop(e.key), completed=e.size)
        if self.bar is not None and self.task is not None:
            total = self.bar.tasks[0].fields.get("files", "").partition("/")[2]
            self.bar.update(
                self.task,
                completed=max(self.bytes_done, self.bar.tasks[0].completed),
                files=f"{self.files_done}/{total}",
            )


class DownloadProgress:
    """Download events as a rich progress bar on a terminal (bytes, rate, time left), plain
    lines elsewhere. A failed download is not shown here: the summary names it, once."""

    def __init__(self, *, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> DownloadProgress:
        if self.stream.isatty() and not self.quiet:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
            )
            self.bar.start()
            self.task = self.bar.add_task("downloading", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def event(self, e: Any) -> None:
        from publisher.importer import download

        if self.quiet:
            return
        if isinstance(e, download.Progress):
            if self.bar is not None:
                self.bar.update(self.task, completed=e.done_bytes, total=e.total_bytes or None)
        elif isinstance(e, download.Started):
            if self.bar is not None:
                self.bar.update(self.task, description=f"{e.index}/{e.total} {e.fetch.dest}")
            else:
                self._line(f"download {e.index}/{e.total} {e.fetch.dest}")
        elif isinstance(e, download.Done) and e.resumed:
            self._line(f"resumed and finished {e.fetch.dest} ({e.size} bytes)")

    def _line(self, text: str) -> None:
        if self.bar is not None:
            self.bar.console.print(text, markup=False, highlight=False)
        else:
            print(text, file=self.stream, flush=True)
