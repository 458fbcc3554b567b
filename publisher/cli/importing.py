"""``publisher import``: its arguments, its progress bar, and its summary (the CLI prints)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

EXAMPLES = (
    "publisher import https://feeds.example.com/show.xml --show myshow",
    "publisher import saved-feed.xml --into myshow --old-feed-url https://old.example/feed",
    "publisher import https://feeds.example.com/show.xml --dry-run",
    "publisher import --update --show myshow        # add what was published there since",
)


def add_arguments(c: argparse.ArgumentParser) -> None:
    """The import command's own arguments (``--show`` has the alias ``--into`` here)."""
    c.add_argument("source", nargs="?", help="the feed's URL or a saved feed file")
    c.add_argument(
        "--show",
        "--into",
        dest="show",
        default=".",
        metavar="DIR",
        help="the show folder to create (default: here)",
    )
    c.add_argument("--dry-run", action="store_true", help="report what would happen; write nothing")
    c.add_argument(
        "--update",
        action="store_true",
        help="add the items published since (SOURCE defaults to imported_from)",
    )
    c.add_argument(
        "--keep-remote-media",
        action="store_true",
        help="download no audio: publish the old host's files as given",
    )
    c.add_argument("--old-feed-url", metavar="URL", help="the old feed's address (for a file)")
    c.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    from publisher.importer import import_show, move_steps, summary_lines

    with DownloadProgress(quiet=args.format == "json") as progress:
        report = import_show(
            args.source,
            Path(args.show),
            dry_run=args.dry_run,
            update=args.update,
            keep_remote=args.keep_remote_media,
            old_feed_url=args.old_feed_url,
            events=progress.event,
        )
    if args.format == "json":
        print(json.dumps(_json(report), indent=2))
    else:
        for line in summary_lines(report):
            print(line)
        if not report.dry_run and not args.update:
            for line in move_steps(report):
                print(line)
    if report.failed:
        print(
            f"{len(report.failed)} download(s) failed; run 'publisher import --update "
            f"--show {args.show}' to finish them",
            file=sys.stderr,
        )
        return 1
    return 0


def _json(report: Any) -> dict[str, Any]:
    def changes(items: Any) -> list[dict[str, str]]:
        return [{"where": c.where, "text": c.text} for c in items]

    return {
        "ok": not report.failed,
        "dry_run": report.dry_run,
        "episodes": [n.stem for n in report.plan.notes],
        "podcast_guid": report.plan.podcast_guid,
        "imported_from": report.plan.old_feed_url,
        "enclosure_prefix": report.plan.enclosure_prefix,
        "downloaded": report.downloaded,
        "downloaded_bytes": report.downloaded_bytes,
        "remote": list(report.remote),
        "mappings": changes(report.mappings),
        "left_out": changes(report.left_out),
        "warnings": changes(report.warnings),
        "failed": changes(report.failed),
    }


class DownloadProgress:
    """Download events as a rich progress bar on a terminal (bytes, rate, time left), plain
    lines elsewhere."""

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
        elif isinstance(e, download.Failed):
            self._line(f"failed: {e.fetch.url}: {e.reason}")
        elif isinstance(e, download.Done) and e.resumed:
            self._line(f"resumed and finished {e.fetch.dest} ({e.size} bytes)")

    def _line(self, text: str) -> None:
        if self.bar is not None:
            self.bar.console.print(text, markup=False, highlight=False)
        else:
            print(text, file=self.stream, flush=True)
