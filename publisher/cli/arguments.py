"""The command line's arguments: one subcommand per task, each with its examples."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from typing import Any

from publisher import __version__, clock
from publisher.cli import commands, lifecycle
from publisher.cli.output import Printer

Command = Callable[[argparse.Namespace, Printer], None]
READ_ONLY = ("check", "status", "verify", "serve")  # commands that never write (but serve --drafts)

_EXAMPLES = {
    "check": ("publisher check", "publisher check --ci          # in CI: missing GUIDs are errors"),
    "build": ("publisher build", "publisher build --to production --out /tmp/site"),
    "publish": (
        "publisher publish --dry-run            # what would change, and why",
        "publisher publish                      # the default target (the sample: public/)",
        "AWS_PROFILE=podcast publisher publish --to production",
        "publisher publish --to s3://bucket/show --public-url https://cdn.example.org/show/",
    ),
    "verify": ("publisher verify --to production",),
    "serve": ("publisher serve", "publisher serve --port 8080"),
    "new": ('publisher new "Sleep and back pain"', 'publisher new "Sleep" --date 2026-12-01'),
    "init": (
        'publisher init my-show --title "Back to Evidence" --public-url https://podcast.example.org/',
        "publisher init            # asks on a terminal; defaults otherwise",
    ),
    "status": ("publisher status", "publisher status --to production --format json"),
    "import": (
        "publisher import https://feeds.example.com/show.xml --show myshow",
        "publisher import saved-feed.xml --into myshow --old-feed-url https://old.example/feed",
        "publisher import https://feeds.example.com/show.xml --dry-run",
        "publisher import --update --show myshow        # add what was published there since",
    ),
}


def _stale_options(c: argparse.ArgumentParser) -> None:
    """``publish``'s options for removed episodes and files no longer used."""
    c.add_argument(
        "--allow-removal",
        action="store_true",
        help="publish even though published episodes leave the feed (deleted notes, drafts)",
    )
    c.add_argument(
        "--delete-stale-now",
        action="store_true",
        help="delete files no longer used at once, not after the grace period",
    )
    c.add_argument(
        "--stale-grace",
        type=_hours,
        metavar="HOURS",
        help="keep files no longer used this long before deleting them (default: 24)",
    )


def _hours(text: str) -> float:
    """``--stale-grace``: a number of hours, 0 or more."""
    try:
        hours = float(text)
    except ValueError:
        hours = -1.0
    if not hours >= 0 or hours == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of hours, 0 or more, not {text!r}")
    return hours


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-09-15") from None


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--show",
        default=".",
        metavar="DIR",
        help="the show folder (holds feed_config.yaml); default: here",
    )
    common.add_argument(
        "--now", metavar="TIME", help=f"pretend it is TIME (ISO 8601); also ${clock.ENV}"
    )
    common.add_argument(
        "--format", choices=("text", "json"), default="text", help="json: machine-readable output"
    )
    return common


def _to_option(c: argparse.ArgumentParser, ad_hoc: bool) -> None:
    c.add_argument(
        "--to",
        metavar="TARGET",
        help="a target named in feed_config.yaml"
        + (", or s3://bucket/prefix / a folder with --public-url" if ad_hoc else ""),
    )
    if ad_hoc:
        c.add_argument("--public-url", metavar="URL", help="public base URL for --to s3://…")
        c.add_argument("--endpoint-url", metavar="URL", help="S3-compatible endpoint")
        c.add_argument("--region", help="S3 region")


def _cache_option(c: argparse.ArgumentParser) -> None:
    c.add_argument(
        "--no-cache",
        action="store_true",
        help="trust nothing an earlier build kept in .publisher/ (hashes, durations, notes)",
    )


def _drafts_option(c: argparse.ArgumentParser, help: str) -> None:
    c.add_argument("--drafts", action="store_true", help=help + "; never published")


# long: every subcommand and its options in one flat list, read top to bottom like --help
def parser() -> argparse.ArgumentParser:
    """The ``publisher`` command line; each subcommand sets ``run`` to its function."""
    common = _common()
    p = argparse.ArgumentParser(
        prog="publisher",
        description=(
            "Publish an evidence-based podcast: audio + Markdown show notes -> feed, site, storage."
        ),
    )
    p.add_argument("--version", action="version", version=f"publisher {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, run: Command, help: str) -> Any:
        examples = _EXAMPLES.get(name, ())
        c = sub.add_parser(
            name,
            parents=[common],
            help=help,
            description=help,
            epilog="examples:\n" + "\n".join(f"  {e}" for e in examples) if examples else None,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        c.set_defaults(run=run, read_only=name in READ_ONLY)
        return c

    c = command("check", commands.check, "read and validate everything; write nothing")
    _to_option(c, True)
    c.add_argument("--ci", action="store_true", help="a note without a guid is an error (CI mode)")
    _cache_option(c)
    c = command("build", commands.build, "write the complete site and feed to _site/")
    _to_option(c, True)
    c.add_argument("--out", metavar="DIR", help="build folder (default: _site)")
    c.add_argument("--ci", action="store_true", help="refuse to write GUIDs into notes (CI mode)")
    _cache_option(c)
    _drafts_option(c, "a local preview with drafts and scheduled episodes, marked")
    c = command("publish", commands.publish, "build for a target and upload what changed")
    _to_option(c, True)
    c.add_argument("--dry-run", action="store_true", help="list what would change, and why")
    c.add_argument(
        "--prune-media", action="store_true", help="also delete media no longer in the feed"
    )
    _stale_options(c)
    c.add_argument("--break-lock", action="store_true", help="remove another publish's lock first")
    c.add_argument(
        "--no-verify", action="store_true", help="skip fetching the feed and media afterwards"
    )
    c.add_argument(
        "--verify-all",
        action="store_true",
        help="afterwards fetch every episode's media, not only what this publish uploaded",
    )
    c.add_argument("--ci", action="store_true", help="refuse to write GUIDs into notes (CI mode)")
    c.add_argument("-v", "--verbose", action="store_true", help="list every file's decision")
    _cache_option(c)
    c = command("verify", commands.verify, "fetch the public feed and media as a podcast app would")
    _to_option(c, True)
    c = command(
        "serve", commands.serve, "serve the local target on its public URL (with range requests)"
    )
    _to_option(c, False)
    c.add_argument("--host", help="default: the public URL's host")
    c.add_argument("--port", type=int, help="default: the public URL's port (0: any free one)")
    _drafts_option(c, "build and serve a preview with drafts and scheduled episodes, marked")
    c = command("new", commands.new, "scaffold show_notes/<date>-<slug>.md for a new episode")
    c.add_argument("title", help="the episode's title")
    c.add_argument(
        "--date",
        type=_iso_date,
        help="publication day, YYYY-MM-DD: its first instant (default: now, to the second)",
    )
    c.add_argument("--slug", help="file name without .md (default: <date>-<title words>)")
    lifecycle.add_commands(command, _to_option)
    _import_options(command("import", commands.import_show, _IMPORT_HELP))
    return p


_IMPORT_HELP = "move a show here from any host: its feed -> a show folder"


def _import_options(c: argparse.ArgumentParser) -> None:
    """``import``'s own options; ``--into`` is another name for ``--show`` here."""
    c.add_argument("source", nargs="?", help="the feed's URL or a saved feed file")
    c.add_argument(
        "--into",
        dest="show",
        default=".",
        metavar="DIR",
        help="the show folder to create (as --show)",
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
